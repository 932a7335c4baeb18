import { sharedPageTest as test, expect } from './fixtures';

// fit's defaults, validation and early stopping, in headless Chromium.
const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('fit(data) with no options trains full batch until converged, as well as a long careful fit', async ({ gpu }) => {
  test.setTimeout(240_000);
  const r = await run(gpu, 'defaults');
  console.log(`default: ${r.steps} steps (${r.stopReason}), objective ${r.objective.toExponential(2)}, test error ${r.error.toFixed(4)}; long fit: objective ${r.longObjective.toExponential(2)}, test error ${r.longError.toFixed(4)}`);
  expect(r.batchSize).toBe(40); // full batch on small data
  expect(['converged', 'maxSteps']).toContain(r.stopReason);
  expect(r.gradientWeight).toBe(0.5); // GI when there are derivative targets
  expect(r.objectives).toBe(r.epochs);
  expect(r.lossFell).toBe(true);
  // As good as 4000 careful steps: the objective within 3× (or under the convergence floor), the test error within 1.25×.
  expect(r.objective).toBeLessThan(Math.max(3 * r.longObjective, 1e-5));
  expect(r.error).toBeLessThan(1.25 * r.longError);
  expect(r.gradientWithout).toBe(0);
  expect(r.weightWithout).toBe(0);
});

test("gradientWeight 'auto' cross-validates the weight: GI on a smooth function, never worse than the baseline; 0 without targets", async ({ gpu }) => {
  test.setTimeout(300_000);
  const r = await run(gpu, 'autoWeight');
  console.log(`auto chose w = ${r.chosen} (scores ${r.scores.map((s: number) => s.toExponential(2)).join(', ')}): test error ${r.autoError.toFixed(4)} vs baseline ${r.baselineError.toFixed(4)}`);
  expect(r.candidates).toEqual([0, 0.1, 0.3, 0.5, 0.7, 0.9]);
  expect(r.scores).toHaveLength(6);
  expect(r.folds).toBe(3);
  expect(r.shuffles).toBe(2);
  expect(r.reported).toBe(r.chosen);
  expect(r.scores[r.candidates.indexOf(r.chosen)]).toBe(Math.min(...r.scores));
  expect(r.chosen).toBeGreaterThan(0);
  expect(r.autoError).toBeLessThan(1.1 * r.baselineError);
  expect(r.withoutTargets).toEqual({ gradientWeight: 0, selection: null });
  expect(r.leaked).toBe(0);
});

test("bad gradientWeight values ('Auto', out of range beside 'auto', null) get clear errors and leave nothing behind", async ({ gpu }) => {
  const r = await run(gpu, 'autoWeightErrors');
  expect(r.messages[0]).toBe("RangeError: gradientWeight must be a number in [0, 1] or 'auto', got 'Auto'");
  expect(r.messages[1]).toBe("RangeError: gradientWeight[1] must be a number in [0, 1] or 'auto', got 1.5");
  expect(r.messages[2]).toBe('TypeError: gradientWeight[0] is null; give a value for every model (or one value for all)');
  expect(r.messages[3]).toMatch(/^RangeError: gradientWeight has 1 values; expected one per model \(2\)/);
  expect(r.messages[4]).toBe("RangeError: gradientWeight must be a number in [0, 1] or 'auto', got -0.1");
  // Every other option is checked before the selection trains anything.
  expect(r.messages[5]).toMatch(/^RangeError: batchSize must be a positive integer/);
  expect(r.leaked).toBe(0);
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
