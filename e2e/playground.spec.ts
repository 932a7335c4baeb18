import { test, expect, type Page } from '@playwright/test';
import { axeViolations, keepScreenshot, overflowing, watchErrors } from './demo-helpers';

// The playground (demo/playground/): baseline and GI trained side by side as one group of two,
// in real headless Chromium with WebGPU (SwiftShader here). Small N and few epochs.

interface PlaygroundState {
  ready: boolean;
  running: boolean;
  progressEvents: number;
  runs: number;
  result: null | { aborted: boolean; epochs: number[]; rmse: number[]; gradientRmse: number[]; seconds: number };
  error: string | null;
}

const state = (page: Page) => page.evaluate(() => {
  const p = (globalThis as unknown as { __playground: PlaygroundState }).__playground;
  return { ready: p.ready, running: p.running, progressEvents: p.progressEvents, runs: p.runs, result: p.result, error: p.error };
});
const liveBuffers = (page: Page) => page.evaluate(() => (globalThis as unknown as { __playground: { stats(): { liveBuffers: number } | null } }).__playground.stats()?.liveBuffers ?? -1);

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`/demo/playground/${query}`);
  await page.waitForFunction(() => (globalThis as unknown as { __playground?: PlaygroundState }).__playground?.ready === true, null, { timeout: 60_000 });
  const s = await state(page);
  expect(s.error, 'WebGPU must be available to the playground tests').toBeNull();
}

async function runToEnd(page: Page): Promise<NonNullable<PlaygroundState['result']>> {
  const runs = (await state(page)).runs;
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction((n) => {
    const p = (globalThis as unknown as { __playground: PlaygroundState }).__playground;
    return p.runs > n && !p.running;
  }, runs, { timeout: 90_000 });
  const s = await state(page);
  expect(s.error).toBeNull();
  return s.result!;
}

test('1-D: GI beats the baseline on a smooth function at small N; screenshots, no overflow at 390 px, no serious axe violation', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page);
  await expect(page.locator('#expr')).toHaveValue('sin(2 x) + x / 3');
  await expect(page.locator('#expr-info')).toContainText('∂f/∂x = 2 * cos(2 x) + 1 / 3');
  const result = await runToEnd(page);
  testInfo.annotations.push({ type: 'playground 1-D', description: `baseline ${result.rmse[0].toFixed(4)}, GI ${result.rmse[1].toFixed(4)} in ${result.seconds.toFixed(1)} s` });
  expect(result.aborted).toBe(false);
  expect(result.epochs).toEqual([400, 400]);
  expect(result.rmse[1], 'GI test RMSE below the baseline').toBeLessThan(0.8 * result.rmse[0]);
  expect(result.gradientRmse[1]).toBeLessThan(result.gradientRmse[0]);
  expect((await state(page)).progressEvents).toBeGreaterThan(1);
  await expect(page.locator('#verdict')).toContainText('below the baseline');
  await expect(page.locator('#fit canvas[role="img"]')).toHaveAttribute('aria-label', /RMSE/);
  await keepScreenshot(page, testInfo, 'playground-1d-1280');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // chart.js resizes on a ResizeObserver tick
  expect(await overflowing(page), 'elements wider than the 390 px viewport').toEqual([]);
  await keepScreenshot(page, testInfo, 'playground-1d-390');
  expect(await axeViolations(page)).toEqual([]);
  errors.check();
});

test('2-D: heat maps of truth, baseline, GI and errors', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, '?f=sin(x)*cos(y)&lo=-3&hi=3&n=20&epochs=150&width=16&batch=5');
  await expect(page.locator('#expr-info')).toContainText('2-D');
  const result = await runToEnd(page);
  testInfo.annotations.push({ type: 'playground 2-D', description: `baseline ${result.rmse[0].toFixed(4)}, GI ${result.rmse[1].toFixed(4)} in ${result.seconds.toFixed(1)} s` });
  await expect(page.locator('.heat canvas[role="img"]')).toHaveCount(5);
  await keepScreenshot(page, testInfo, 'playground-2d-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await overflowing(page)).toEqual([]);
  await keepScreenshot(page, testInfo, 'playground-2d-390');
  errors.check();
});

test('Run then Stop: training stops (no more progress events) and the GPU buffers are freed', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await open(page, '?epochs=1000000');
  const before = await liveBuffers(page);
  expect(before).toBeGreaterThanOrEqual(0);
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { __playground: PlaygroundState }).__playground.progressEvents >= 3, null, { timeout: 60_000 });
  expect(await liveBuffers(page), 'the group holds buffers while it trains').toBeGreaterThan(before);
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(() => !(globalThis as unknown as { __playground: PlaygroundState }).__playground.running, null, { timeout: 30_000 });
  const stopped = await state(page);
  expect(stopped.error).toBeNull();
  expect(stopped.result?.aborted).toBe(true);
  expect(stopped.result!.epochs[1]).toBeLessThan(1_000_000);
  await page.waitForTimeout(1500);
  expect((await state(page)).progressEvents, 'no progress event after Stop').toBe(stopped.progressEvents);
  expect(await liveBuffers(page), 'live GPU buffers back to what they were before Run').toBe(before);
  await expect(page.getByRole('status')).toContainText('Stopped');
  await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled();
  errors.check();
});
