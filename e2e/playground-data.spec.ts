import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-web';
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { axeViolations, keepScreenshot, overflowing, watchErrors } from './demo-helpers';

// The playground's "Your data" panel, driven with a CSV made here from the Ishigami function
// (a standard sensitivity-analysis benchmark the page does not ship) and its analytic
// gradient, with some derivative cells blank: columns guessed, a table shown, baseline and GI
// trained on a train/test split, predicted vs true drawn with the RMSE and the GI ensemble's
// ± 2 sd error bars, the GI model downloaded as ONNX and run by onnxruntime (wasm) here in
// Node, then a width sweep.

ort.env.wasm.numThreads = 1;

interface DataState {
  running: boolean;
  result: null | {
    rmse: [number, number]; train: number; test: number; gradientWeight: number; testX: number[]; gi: number[];
    ensemble: null | { members: number; aborted: boolean; baseline: { sdMeanOnGrid: number; rmse: number }; gi: { sdMeanOnGrid: number; sdAtSamples: number; rmse: number } };
  };
  sweep: null | { ub: number; widths: number[] };
  error: string | null;
}

/** A screenshot of the "Your data" section alone (a full page at 390 px is too tall to read). */
async function keepSection(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.locator('#your-data').screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

const state = (page: Page) => page.evaluate(() => (globalThis as unknown as { __playgroundData: DataState }).__playgroundData);

/** Clicks "Train on my data" and waits for a result or an error. */
async function trainToEnd(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Train on my data' }).click();
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { __playgroundData: DataState }).__playgroundData;
    return !d.running && (d.result !== null || d.error !== null);
  }, null, { timeout: 240_000 });
}

/** Ishigami: y = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1 on [−π, π]³, seeded; every 4th row has no
 *  ∂y/∂x1, every 5th no ∂y/∂x3 (NaN), and the columns use two naming styles. */
const ishigami = (a: number, b: number, c: number) => Math.sin(a) + 7 * Math.sin(b) ** 2 + 0.1 * c ** 4 * Math.sin(a);
function ishigamiCsv(rows: number): string {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 * Math.PI - Math.PI;
  const lines = ['x1,x2,x3,y,dy/dx1,dy/dx2,y_x3'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [rand(), rand(), rand()];
    const y = ishigami(a, b, c);
    const d1 = Math.cos(a) * (1 + 0.1 * c ** 4);
    const d2 = 14 * Math.sin(b) * Math.cos(b);
    const d3 = 0.4 * c ** 3 * Math.sin(a);
    lines.push([a, b, c, y, i % 4 === 0 ? '' : d1, d2, i % 5 === 0 ? 'NaN' : d3].map((v) => (typeof v === 'number' ? v.toPrecision(7) : v)).join(','));
  }
  return lines.join('\n');
}

test('your data: a CSV in, columns guessed, baseline and GI trained, predicted vs true with RMSE and ensemble error bars, the ONNX download run by onnxruntime, a width sweep with UB, a band over one input; 390 and 1280 px', async ({ page }, testInfo) => {
  test.setTimeout(400_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/demo/playground/');
  await page.waitForFunction(() => (globalThis as unknown as { __playground?: { ready: boolean } }).__playground?.ready === true, null, { timeout: 60_000 });
  expect((await page.evaluate(() => (globalThis as unknown as { __playground: { error: string | null } }).__playground.error)), 'WebGPU').toBeNull();

  // A malformed CSV: the note names the line and the column.
  await page.locator('#csv-text').fill('x1,x2,y,dy/dx1\n0,1,2,3\n0,oops,2,3\n');
  await expect(page.locator('#csv-info')).toContainText("line 3, column 'x2' (2) is 'oops', not a number");
  await page.locator('#csv-text').fill('x1,x2,y\n0,1,2\n0,1\n');
  await expect(page.locator('#csv-info')).toContainText('line 3 has 2 cells');

  // The real data, uploaded as a file.
  await page.locator('#csv-file').setInputFiles({ name: 'ishigami.csv', mimeType: 'text/csv', buffer: Buffer.from(ishigamiCsv(64)) });
  for (const name of ['x1', 'x2', 'x3']) await expect(page.locator(`#csv-columns input[value="${name}"]`)).toBeChecked();
  await expect(page.locator('#csv-output')).toHaveValue('y');
  await expect(page.locator('#csv-derivatives select[data-input="x1"]')).toHaveValue('dy/dx1');
  await expect(page.locator('#csv-derivatives select[data-input="x3"]')).toHaveValue('y_x3');
  await expect(page.locator('#csv-table')).toContainText('64 rows, 3 inputs, output y, 3 derivative columns, 29 of 192 derivative cells blank');
  await expect(page.locator('#csv-table tbody tr')).toHaveCount(8);
  await expect(page.locator('#csv-table tbody tr').first()).toContainText('–');

  await page.locator('#csv-epochs').fill('300');
  await page.locator('#csv-members').fill('3');
  await trainToEnd(page);
  const s = await state(page);
  expect(s.error).toBeNull();
  const r = s.result!;
  testInfo.annotations.push({ type: 'your data (Ishigami, 48 train / 16 test rows)', description: `test RMSE baseline ${r.rmse[0].toFixed(3)}, GI ${r.rmse[1].toFixed(3)} (w = ${r.gradientWeight})` });
  expect(r.train + r.test).toBe(64);
  expect(r.test).toBe(16);
  for (const e of r.rmse) expect(Number.isFinite(e) && e > 0).toBe(true);
  expect(r.gradientWeight, "'auto' chose a weight").toBeGreaterThanOrEqual(0);
  const plot = page.locator('#csv-fit figure[data-plot="predicted-vs-true"] canvas[role="img"]');
  await expect(plot).toHaveAttribute('aria-label', /Predicted against true y on the 16 test rows.*Test RMSE: baseline [\d.]+, GI \(w = [\d.]+\) [\d.]+/);
  await expect(page.locator('#csv-status')).toContainText('test RMSE on 16 rows');

  // The ensembles (3 baseline + 3 GI): one error bar per test row, the spreads in the caption.
  const e = r.ensemble!;
  testInfo.annotations.push({ type: 'your data: ensembles of 3', description: `mean sd on the test rows baseline ${e.baseline.sdMeanOnGrid.toFixed(3)}, GI ${e.gi.sdMeanOnGrid.toFixed(3)}; RMSE of the means ${e.baseline.rmse.toFixed(3)}, ${e.gi.rmse.toFixed(3)}` });
  expect(e.members).toBe(3);
  expect(e.aborted).toBe(false);
  for (const v of [e.baseline.sdMeanOnGrid, e.gi.sdMeanOnGrid, e.gi.sdAtSamples]) expect(Number.isFinite(v) && v > 0).toBe(true);
  await expect(page.locator('#csv-fit figure[data-plot="predicted-vs-true"]')).toHaveAttribute('data-error-bars', '16');
  await expect(plot).toHaveAttribute('aria-label', /Bars: the GI ensemble's mean ± 2 sd\. Ensembles of 3 baseline and 3 GI models: mean spread \(sd\) on the test rows baseline [\d.]+, GI [\d.]+/);
  await expect(page.locator('#csv-status')).toContainText(`ensembles of 3: mean spread (sd) baseline`);
  await expect(page.locator('#csv-fit figure[data-plot="band"]'), 'no band over x with 3 inputs').toHaveCount(0);

  // The download: the GI model scored above; onnxruntime on the test rows gives its predictions.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download ONNX: GI model on your data' }).click()]);
  expect(download.suggestedFilename()).toBe('sobolev-gi-data-3d.onnx');
  const bytes = await readFile((await download.path())!);
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(r.testX), [r.test, 3]) });
  await session.release();
  const y = Array.from(out.y.data as Float32Array);
  expect(y).toHaveLength(16);
  // Float32 on both sides, summed in different orders: 1e-4 relative per row.
  y.forEach((v, i) => expect(Math.abs(v - r.gi[i]), `row ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(r.gi[i]))));
  const truth = Array.from({ length: 16 }, (_, i) => ishigami(r.testX[3 * i], r.testX[3 * i + 1], r.testX[3 * i + 2]));
  const onnxRmse = Math.sqrt(y.reduce((s, v, i) => s + (v - truth[i]) ** 2, 0) / 16);
  testInfo.annotations.push({ type: 'your data: ONNX', description: `${bytes.length} bytes; largest |onnxruntime − page| ${Math.max(...y.map((v, i) => Math.abs(v - r.gi[i]))).toExponential(2)}; test RMSE onnxruntime ${onnxRmse.toFixed(5)}, page ${r.rmse[1].toFixed(5)}` });
  // The page's RMSE is against the CSV's 7-digit y: 1e-4 relative covers that and float32.
  expect(Math.abs(onnxRmse - r.rmse[1])).toBeLessThanOrEqual(1e-4 * r.rmse[1] + 1e-6);
  await expect(page.locator('.csv-export-bar + .hint')).toContainText(`${bytes.length} bytes`);

  await page.locator('#csv-widths').fill('2, 6, 12');
  await page.locator('#csv-w').fill('0.5');
  await page.locator('#csv-epochs').fill('150');
  await page.getByRole('button', { name: 'Width sweep' }).click();
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { __playgroundData: DataState }).__playgroundData;
    return !d.running && (d.sweep !== null || d.error !== null);
  }, null, { timeout: 240_000 });
  const sw = await state(page);
  expect(sw.error).toBeNull();
  expect(sw.sweep!.widths).toEqual([2, 6, 12]);
  await expect(page.locator('#csv-sweep canvas[role="img"]')).toHaveAttribute('aria-label', new RegExp(`UB = ${sw.sweep!.ub}`));
  await expect(page.locator('#csv-status')).toContainText(`UB = ${sw.sweep!.ub}`);

  await keepScreenshot(page, testInfo, 'playground-data-1280');
  await keepSection(page, testInfo, 'playground-data-section-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await overflowing(page), 'elements wider than the 390 px viewport').toEqual([]);
  await keepScreenshot(page, testInfo, 'playground-data-390');
  await keepSection(page, testInfo, 'playground-data-section-390');

  // One input: logistic growth P(5) = 10 / (1 + 9 e^(−5r)) against the rate r, with dP/dr:
  // the ensembles' band is drawn over r, next to the error bars.
  const logistic = ['r,P,dP/dr', ...Array.from({ length: 24 }, (_, i) => {
    const r = (1.5 * i) / 23;
    const e = 9 * Math.exp(-5 * r);
    return [r, 10 / (1 + e), (10 * 5 * e) / (1 + e) ** 2].map((v) => v.toPrecision(7)).join(',');
  })].join('\n');
  await page.locator('#csv-file').setInputFiles({ name: 'logistic.csv', mimeType: 'text/csv', buffer: Buffer.from(logistic) });
  await expect(page.locator('#csv-derivatives select[data-input="r"]')).toHaveValue('dP/dr');
  await page.locator('#csv-members').fill('2');
  await trainToEnd(page);
  const one = await state(page);
  expect(one.error).toBeNull();
  expect(one.result!.ensemble!.members).toBe(2);
  await expect(page.locator('#csv-fit figure[data-plot="predicted-vs-true"]')).toHaveAttribute('data-error-bars', '6');
  await expect(page.locator('#csv-fit figure[data-plot="band"] canvas[role="img"]')).toHaveAttribute('aria-label', /^Ensemble means and ± 2 sd bands\. Ensembles of 2 baseline and 2 GI models: mean spread \(sd\) on the test rows/);
  expect(await overflowing(page), 'elements wider than the 390 px viewport').toEqual([]);
  await page.locator('#csv-fit').screenshot({ path: testInfo.outputPath('playground-data-band-390.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(300);
  await page.locator('#csv-fit').screenshot({ path: testInfo.outputPath('playground-data-band-1280.png') });
  expect(await axeViolations(page)).toEqual([]);
  errors.check();
});
