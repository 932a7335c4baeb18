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
  // fit's own defaults (the page passes no epochs): each model trains full batch until it
  // converges, at most 5000 steps (12 points: an epoch is a step).
  for (const epochs of result.epochs) {
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThanOrEqual(5000);
  }
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
  // Axis ticks over the domain and two colour bars (values, errors) of five numbers each.
  await expect(page.locator('.heat .x-ticks').first()).toHaveText(/^-3\s*0\s*3$/);
  await expect(page.locator('.colour-bar')).toHaveCount(2);
  await expect(page.locator('.colour-bar').nth(1).locator('.bar-ticks span')).toHaveCount(5);
  await expect(page.locator('.colour-bar').nth(1).locator('.bar-ticks span').first()).toHaveText('0');
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
  await expect(page.getByRole('main').getByRole('button', { name: 'Stop' })).toBeEnabled();
  await page.getByRole('main').getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(() => !(globalThis as unknown as { __playground: PlaygroundState }).__playground.running, null, { timeout: 30_000 });
  const stopped = await state(page);
  expect(stopped.error).toBeNull();
  expect(stopped.result?.aborted).toBe(true);
  expect(stopped.result!.epochs[1]).toBeLessThan(1_000_000);
  await page.waitForTimeout(1500);
  expect((await state(page)).progressEvents, 'no progress event after Stop').toBe(stopped.progressEvents);
  expect(await liveBuffers(page), 'live GPU buffers back to what they were before Run').toBe(before);
  await expect(page.getByRole('main').getByRole('status')).toContainText('Stopped');
  await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled();
  errors.check();
});

test('390 × 844 and 1280 × 800: the data before Run, shader compilation shown, a bad value marked at its field, no stale result, progress in view, settings in the URL', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '?n=8&epochs=40');
  await expect(page.locator('#fit canvas[role="img"]'), 'the data and the true function before any run').toHaveAttribute('aria-label', /The data.*8 training points/);
  const runs = (await state(page)).runs;
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('main').getByRole('status')).toContainText('Compiling shaders');
  await page.waitForFunction((n) => {
    const p = (globalThis as unknown as { __playground: PlaygroundState }).__playground;
    return p.runs > n && !p.running;
  }, runs, { timeout: 90_000 });
  await expect(page.locator('#verdict')).toContainText(/Training MSE of f: baseline \S+, GI \S+/);
  await expect(page.locator('[data-k="b-train"]')).not.toHaveText('–');

  // A bad value: marked at its field, the last result cleared, nothing trained.
  await page.locator('#n').fill('1');
  await expect(page, 'settings in the URL').toHaveURL(/[?&]n=1(&|$)/);
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#n')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#n-error')).toHaveText(/whole number from 2/);
  const field = (await page.locator('#n').boundingBox())!;
  const note = (await page.locator('#n-error').boundingBox())!;
  expect(note.y, 'the error sits right under its field').toBeGreaterThanOrEqual(field.y + field.height - 1);
  expect(note.y).toBeLessThan(field.y + field.height + 40);
  await expect(page.getByRole('main').getByRole('status')).toContainText('Cannot run');
  await expect(page.locator('[data-k="b-rmse"]')).toHaveText('–');
  await expect(page.locator('#verdict')).toHaveText('');

  // A long run from the top of the page: Run, the progress and the status in view without scrolling.
  await page.locator('#n').fill('10');
  await page.locator('#epochs').fill('100000');
  await expect(page.locator('#n')).not.toHaveAttribute('aria-invalid');
  await page.evaluate(() => scrollTo(0, 0));
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { __playground: PlaygroundState }).__playground.progressEvents > 0 && (globalThis as unknown as { __playground: PlaygroundState }).__playground.running);
  expect(await page.evaluate(() => scrollY)).toBe(0);
  await expect(page.locator('#progress')).toBeInViewport();
  await expect(page.getByRole('main').getByRole('status')).toBeInViewport();
  await expect(page.getByRole('main').getByRole('status')).toContainText('Epoch');
  await expect(page.locator('[data-k="b-rmse"]'), 'no result of the last run while this one trains').toHaveText('–');
  await keepScreenshot(page, testInfo, 'playground-running-390');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByRole('main').getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(() => !(globalThis as unknown as { __playground: PlaygroundState }).__playground.running, null, { timeout: 30_000 });

  // 1280 × 800: a bad value's message is in view beside its field.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => scrollTo(0, 0));
  await page.locator('#w').fill('5');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#w-error')).toBeInViewport();
  await expect(page.locator('#w-error')).toHaveText(/from 0.01 to 1/);
  await expect(page.getByRole('main').getByRole('status')).toBeInViewport();
  await keepScreenshot(page, testInfo, 'playground-error-1280');

  // The URL holds the settings: a reload (or a shared link) restores them.
  await page.reload();
  await page.waitForFunction(() => (globalThis as unknown as { __playground?: PlaygroundState }).__playground?.ready === true, null, { timeout: 60_000 });
  await expect(page.locator('#n')).toHaveValue('10');
  await expect(page.locator('#epochs')).toHaveValue('100000');
  await expect(page.locator('#w')).toHaveValue('5');
  errors.check();
});
