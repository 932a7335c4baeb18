import { test, expect } from './fixtures';

// fit's defaults, validation and early stopping, in headless Chromium.
const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('fit(data) trains with documented defaults: 300 epochs, batch min(32, n), GI when there are derivative targets', async ({ gpu }) => {
  test.setTimeout(180_000);
  const r = await run(gpu, 'defaults');
  expect(r.epochs).toBe(300);
  expect(r.batchSize).toBe(32);
  expect(r.gradientWithTargets).toBeGreaterThan(0);
  expect(r.gradientWithout).toBe(0);
  expect(r.lossFell).toBe(true);
});

test('early stopping on a validation Dataset stops an overfitting model and restores its best epoch', async ({ gpu }) => {
  test.setTimeout(180_000);
  const r = await run(gpu, 'earlyStopping');
  console.log(`stopped after ${r.epochs} epochs, best ${r.bestEpoch}: validation loss ${r.recorded.toExponential(3)} (recomputed ${r.recomputed.toExponential(3)})`);
  expect(r.stoppedEarly).toBe(true);
  expect(r.epochs).toBeLessThan(400);
  expect(r.epochs - r.bestEpoch).toBe(15);
  expect(r.validationEpochs).toBe(r.epochs);
  expect(r.recorded).toBe(r.minRecorded);
  expect(Math.abs(r.recomputed - r.recorded)).toBeLessThan(1e-3 * r.recorded);
});

test('validation as a fraction holds rows out of training, for each model of a group', async ({ gpu }) => {
  const r = await run(gpu, 'validationFraction');
  // 40 rows, 10 held out: 30 trained on in batches of 10, 3 steps an epoch.
  expect(r.steps).toEqual([18, 18]);
  expect(r.histories).toEqual([6, 6]);
  expect(r.finite).toBe(true);
});
