import { sharedPageTest as test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('GI beats the baseline at small N with the same budget, and the loss falls', async ({ gpu }) => {
  const r = await run(gpu, 'giVersusBaseline', 20, 150);
  console.log(`wave N=20: test RMSE baseline ${r.baseline.toFixed(4)}, GI ${r.gi.toFixed(4)}`);
  expect(r.gi).toBeLessThan(0.8 * r.baseline);
  expect(r.lossLast).toBeLessThan(0.2 * r.lossFirst);
});

// Each epoch with batchSize = n is one Adam step on the full-batch loss (the shuffle changes
// only the summation order), so T epochs must land where the float64 Adam reference does.
// Normwise relative errors after 4 steps on SwiftShader: parameters 3e-7, the update p_T − p_0
// 8e-6 (small gradients make g/√v̂ sensitive to float32 rounding), loss history 1e-6.
const TOL_ADAM = 1e-5;
const TOL_ADAM_UPDATE = 1e-4;

for (const weightDecay of [0, 0.5]) {
  test(`Adam${weightDecay ? ` with weight decay ${weightDecay}` : ''}: 4 full-batch fit epochs match the float64 Adam reference`, async ({ gpu }) => {
    const r = await run(gpu, 'adamFullBatch', 4, weightDecay);
    console.log(`Adam (λ = ${weightDecay}), 4 full-batch steps: params ${r.params.toExponential(2)}, update ${r.delta.toExponential(2)}, loss history ${r.loss.toExponential(2)} (moved ${r.moved.toExponential(2)})`);
    expect(r.steps).toBe(4);
    expect(r.moved).toBeGreaterThan(100 * TOL_ADAM); // the steps are far above the tolerance
    expect(r.params).toBeLessThanOrEqual(TOL_ADAM);
    expect(r.delta).toBeLessThanOrEqual(TOL_ADAM_UPDATE);
    expect(r.loss).toBeLessThanOrEqual(TOL_ADAM);
  });
}

test('the training loop allocates nothing per step and compiles nothing per width', async ({ gpu }) => {
  const r = await run(gpu, 'allocationsPerFit');
  expect(r.steps[1]).toBe(4 * r.steps[0]);
  expect(r.steps[1]).toBeGreaterThan(256 * 2); // several command-buffer chunks
  expect(r.long).toBe(r.short);
  expect(r.kernelsAdded).toBe(0);
});

test('a diverging fit stops, says so, and restores the last finite parameters', async ({ gpu }) => {
  const r = await run(gpu, 'divergence');
  expect(r).toEqual({ diverged: true, epochs: 0, restored: true, finite: true });
});

test('an AbortSignal stops training cleanly', async ({ gpu }) => {
  const r = await run(gpu, 'abortMidway');
  expect(r.aborted).toBe(true);
  // The first chunk is one step (it measures the starting loss); its progress report aborts the rest.
  expect(r.steps).toBe(1);
  expect(r.epochs).toBe(0);
  expect(r.finite).toBe(true);
  expect(r.predictsAfter).toBe(true);
});

test('projected directions: k = d orthonormal equals all, random draws match all on average', async ({ gpu }) => {
  const r = await run(gpu, 'projectedVersusAll', 300);
  expect(r.orthonormal).toBeLessThan(1e-4);
  expect(r.orthonormalLoss).toBeLessThan(1e-5);
  expect(r.single).toBeGreaterThan(0.05); // one draw is noisy ...
  expect(r.average).toBeLessThan(0.1); // ... the mean over draws is unbiased
});

test('bad input gets a clear error and the context keeps working', async ({ gpu }) => {
  const r = await run(gpu, 'badInputs');
  const expected = [
    /x has length 3; expected a non-zero multiple of 2/,
    /x\[1\] is NaN/,
    /v has length 2; expected 4 × 2/,
    /y has length 3; expected 4 × 1/,
    /y\[2\] is Infinity/,
    /gradientWeight must be a number in \[0, 1\] or 'auto', got 1.5/,
    /batchSize must be a positive integer/,
    /epochs must be a positive integer/,
    /learningRate must be a positive number/,
    /dydx .* is required when gradientWeight > 0/,
    /gradientInputs has 2, not an input index/,
    /directions must be a positive integer/,
    /hidden\[0\] must be a positive integer/,
    /'swish' is not a known activation/,
    /is not a known activation/,
    /over this device's limit/,
    /weights\[0\] has length 7; expected 2 × 4/,
    /This Mlp has been destroyed/,
  ];
  expect(r.messages.length).toBe(expected.length);
  r.messages.forEach((m: string, i: number) => expect(m).toMatch(expected[i]));
  expect(r.worksAfter).toBe(true);
});

test('tangentTargets: targets from a JVP callback equal those from dydx, and train without a Jacobian', async ({ gpu }) => {
  const r = await run(gpu, 'tangentTargetsAgree');
  console.log(`wave N=20, one projected direction from a callback: baseline ${r.baseline.toFixed(4)}, GI ${r.gi.toFixed(4)}`);
  expect(r.gradients).toBeLessThan(1e-5);
  expect(r.loss).toBeLessThan(1e-5);
  expect(r.gi).toBeLessThan(0.8 * r.baseline);
});

test('training is reproducible: the same seeds give bit-identical results', async ({ gpu }) => {
  const [a, b] = await gpu.evaluate(async () => {
    const c = (globalThis as any).checks;
    return [await c.giVersusBaseline(20, 20), await c.giVersusBaseline(20, 20)];
  });
  expect(a.gi).toBeGreaterThan(0);
  expect(b).toEqual(a);
});
