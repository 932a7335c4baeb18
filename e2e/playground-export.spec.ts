import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-web';
import { test, expect, type Page } from '@playwright/test';
import { axeViolations, keepScreenshot, overflowing, watchErrors } from './demo-helpers';

// The playground's uncertainty band (an ensemble of GI models) and its ONNX download, run by
// onnxruntime (wasm) here in Node. The function is none the page ships: a damped oscillator's
// displacement, as a simulator would tabulate it.

ort.env.wasm.numThreads = 1;
const oscillator = (x: number) => Math.exp(-0.3 * x) * Math.sin(2 * x);

interface Half { sdAtSamples: number; sdMeanOnGrid: number; sdMaxOnGrid: number; rmse: number }
interface Summary { members: number; baseline: Half; gi: Half; aborted: boolean }

async function runToEnd(page: Page, query: string): Promise<{ rmse: number[]; ensemble: Summary }> {
  await page.goto(`/demo/playground/${query}`);
  await page.waitForFunction(() => (globalThis as any).__playground?.ready === true, null, { timeout: 60_000 });
  expect(await page.evaluate(() => (globalThis as any).__playground.error), 'WebGPU must be available').toBeNull();
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (globalThis as any).__playground.runs > 0 && !(globalThis as any).__playground.running, null, { timeout: 120_000 });
  return page.evaluate(() => {
    const g = globalThis as any;
    if (g.__playground.error) throw new Error(g.__playground.error);
    return { rmse: g.__playground.result.rmse, ensemble: g.__playgroundEnsemble };
  });
}

test('1-D: the ensemble bands are drawn, widest away from the samples and narrower with GI; the ONNX download runs in onnxruntime like the GI model; screenshots at 1280 and 390 px', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  const { rmse, ensemble } = await runToEnd(page, `?f=${encodeURIComponent('exp(-0.3 * x) * sin(2 * x)')}&lo=0&hi=6&n=9&width=16&epochs=600&ensemble=4`);
  const { baseline, gi } = ensemble;
  const describe = (h: Half) => `sd ${h.sdAtSamples.toExponential(2)} at samples, mean ${h.sdMeanOnGrid.toExponential(2)} and max ${h.sdMaxOnGrid.toExponential(2)} on the grid`;
  testInfo.annotations.push({ type: 'playground ensemble', description: `GI RMSE ${rmse[1].toFixed(4)}; ensembles of ${ensemble.members}: baseline ${describe(baseline)}; GI ${describe(gi)}` });
  expect(ensemble.members).toBe(4);
  expect(ensemble.aborted).toBe(false);
  expect(gi.sdMaxOnGrid).toBeGreaterThan(5 * gi.sdAtSamples);
  expect(baseline.sdMaxOnGrid).toBeGreaterThan(5 * baseline.sdAtSamples);
  expect(gi.sdMeanOnGrid, 'GI narrows the band').toBeLessThan(baseline.sdMeanOnGrid);
  await expect(page.locator('#ensemble-figure canvas[role="img"]')).toHaveAttribute('aria-label', /Ensemble means and ± 2 sd bands\. Ensembles of 4 baseline and 4 GI models/);
  await expect(page).toHaveURL(/ensemble=4/);

  // The download: the GI model as ONNX; onnxruntime on the test grid gives the GI model's RMSE.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download ONNX (GI model)' }).click()]);
  expect(download.suggestedFilename()).toBe('sobolev-gi-1d.onnx');
  const bytes = await readFile((await download.path())!);
  const session = await ort.InferenceSession.create(bytes);
  const grid = Float32Array.from({ length: 201 }, (_, i) => (6 * i) / 200);
  const out = await session.run({ x: new ort.Tensor('float32', grid, [201, 1]) });
  await session.release();
  const y = out.y.data as Float32Array;
  const onnxRmse = Math.sqrt(Array.from(grid).reduce((s, x, i) => s + (y[i] - oscillator(x)) ** 2, 0) / 201);
  expect(Math.abs(onnxRmse - rmse[1])).toBeLessThanOrEqual(1e-4 * rmse[1] + 1e-6);
  await expect(page.locator('.export-bar + .hint')).toContainText(`${bytes.length} bytes`);

  await keepScreenshot(page, testInfo, 'playground-ensemble-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await overflowing(page)).toEqual([]);
  await keepScreenshot(page, testInfo, 'playground-ensemble-390');
  await page.locator('#ensemble-figure').screenshot({ path: testInfo.outputPath('playground-ensemble-band-390.png') });
  expect(await axeViolations(page)).toEqual([]);
  errors.check();
});

test('2-D: the baseline and GI spread maps next to the GI ensemble mean, the training points marked', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  const { ensemble } = await runToEnd(page, '?f=sin(x)*cos(y)&lo=-3&hi=3&n=20&epochs=150&width=16&batch=5&ensemble=3');
  expect(ensemble.members).toBe(3);
  expect(ensemble.gi.sdMaxOnGrid).toBeGreaterThan(ensemble.gi.sdAtSamples);
  await expect(page.locator('#ensemble-figure .heat canvas[role="img"]')).toHaveCount(3);
  await expect(page.locator('#ensemble-figure .heat canvas').nth(2)).toHaveAttribute('aria-label', /^GI spread \(sd across members\)/);
  await expect(page.locator('#ensemble-figure .train-dot')).toHaveCount(40);
  await keepScreenshot(page, testInfo, 'playground-ensemble-2d-1280');
  errors.check();
});
