import { sharedPageTest as test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

// The fused kernel against the layered step on the same fit: a step equals it to float32
// rounding; many steps drift only by rounding.
const TOL_ONE_STEP = 1e-6;
const TOL_MANY_STEPS = 1e-4;

type Twin = { err: number; updateErr: number; moved: number; fused: any; layered: any; fusedPipelines: number; layeredPipelines: number; ranFused: boolean };

/** `alone`: the fused fit compiled nothing but the fused kernel (no held-out score). */
function expectTwin(r: Twin, tol: number, label: string, alone = true): void {
  console.log(`${label}: err ${r.err.toExponential(2)}, moved ${r.moved.toExponential(2)}, steps ${r.fused.steps}`);
  expect(r.ranFused, `${label}: the fused fit ran the fused kernel, the other did not`).toBe(true);
  if (alone) expect(r.fusedPipelines, `${label}: the fused fit ran the fused kernel alone`).toBe(1);
  expect(r.layeredPipelines, `${label}: the layered fit runs the layered step (its pipelines)`).toBeGreaterThan(1);
  expect(r.moved, `${label}: training moved the parameters`).toBeGreaterThan(1e-3);
  expect(r.err, label).toBeLessThanOrEqual(tol);
  // The report is the layered path's, up to the loss's rounding.
  const { history, objective, validation, ...rest } = r.fused;
  const { history: h2, objective: o2, validation: v2, ...rest2 } = r.layered;
  expect(validation.length).toBe(v2.length);
  validation.forEach((v: number, i: number) => expect(Math.abs(v - v2[i]), `${label}: validation[${i}]`).toBeLessThanOrEqual(1e-4 * Math.abs(v2[i]) + 1e-7));
  expect(rest).toEqual(rest2);
  expect(history.length).toBe(h2.length);
  history.forEach((v: number, i: number) => expect(Math.abs(v - h2[i]), `${label}: history[${i}]`).toBeLessThanOrEqual(1e-4 * Math.abs(h2[i]) + 1e-7));
  objective.forEach((v: number, i: number) => expect(Math.abs(v - o2[i]), `${label}: objective[${i}]`).toBeLessThanOrEqual(1e-4 * Math.abs(o2[i]) + 1e-7));
}

test('one fused step equals the layered step (≤ 1e-6 relative on the parameters)', async ({ gpu, adapter }) => {
  expect(adapter.description + adapter.vendor).not.toBe('');
  const r = await run(gpu, 'fusedTwin', { inputs: 2, outputs: 1, spec: { hidden: [8, 8], activation: 'tanh', seed: 3 }, n: 10, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'forward', learningRate: 1e-3 } });
  expectTwin(r, TOL_ONE_STEP, 'one step');
});

test('one fused step moves the parameters as the layered one (a large ε: the update follows the gradient)', async ({ gpu }) => {
  const r = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 2, spec: { hidden: [7, 6], activation: 'softplus', seed: 8 }, n: 9, options: { epochs: 1, gradientWeight: 0.6, jacobianMode: 'forward', learningRate: 1e-2, epsilon: 10 } });
  console.log(`one step, ε = 10: update err ${r.updateErr.toExponential(2)}`);
  expectTwin(r, TOL_ONE_STEP, 'one step, ε = 10');
  expect(r.updateErr).toBeLessThanOrEqual(1e-4);
});

test('200 fused steps stay within 1e-4 of the layered ones (minibatches, several outputs)', async ({ gpu }) => {
  const r = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 2, spec: { hidden: [10, 10], activation: 'tanh', seed: 4 }, n: 20, options: { epochs: 40, batchSize: 4, gradientWeight: 0.5, jacobianMode: 'forward', learningRate: 3e-3, lrDecay: 0.01 } });
  expect(r.fused.steps).toBe(200);
  expectTwin(r, TOL_MANY_STEPS, '200 steps');
});

test('one fused step equals the layered one when a thread takes several tiles (layers wider than the workgroup covers at once)', async ({ gpu }) => {
  // 4×4 Adam tiles: W2 (16 × 24) is 24 tiles plus 6 of biases for a workgroup of 4 threads
  // (SwiftShader) or 256; the products' tiles are 3 samples (two row blocks) × 4 units.
  const r = await run(gpu, 'fusedTwin', { inputs: 1, outputs: 1, spec: { hidden: [16, 24], activation: 'tanh', seed: 3 }, n: 9, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'forward', learningRate: 1e-2, epsilon: 10 } });
  console.log(`wide layers, one step, ε = 10: update err ${r.updateErr.toExponential(2)}`);
  expectTwin(r, TOL_ONE_STEP, 'wide layers, one step, ε = 10');
  expect(r.updateErr).toBeLessThanOrEqual(1e-4);
  // 8×8 Adam tiles where a layer has 4 of them per thread: W2 (36 × 44) is 30 wide tiles, with
  // partial ones at both edges; reverse mode's one-block products take 10 samples, 23 rows
  // leave the last tile 3.
  const wide = await run(gpu, 'fusedTwin', { inputs: 2, outputs: 1, spec: { hidden: [36, 44], activation: 'tanh', seed: 6 }, n: 23, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'reverse', learningRate: 1e-2, epsilon: 10 } });
  console.log(`8×8 Adam tiles, one step, ε = 10: update err ${wide.updateErr.toExponential(2)}`);
  expectTwin(wide, TOL_ONE_STEP, '8×8 Adam tiles, one step, ε = 10');
  expect(wide.updateErr).toBeLessThanOrEqual(1e-4);
});

test('a workgroup of 64 threads (as on a GPU: many SIMD groups meet at every barrier) trains as the layered step, in both modes', async ({ gpu }) => {
  for (const jacobianMode of ['forward', 'reverse']) {
    const r = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 2, spec: { hidden: [9, 7], activation: 'tanh', seed: 5 }, n: 12, threads: 64, options: { epochs: 10, batchSize: 6, learningRate: 5e-3, gradientWeight: 0.5, jacobianMode } });
    expectTwin(r, TOL_MANY_STEPS, `64 threads, ${jacobianMode}`);
  }
});

// Every activation (hidden and output), k ∈ {0, 1, 4}, random directions, a gradient-input
// subset, several outputs, weight decay, 'auto' (forward under the fused kernel).
const CASES: { label: string; inputs: number; outputs: number; spec: object; options: object }[] = [
  { label: 'sigmoid, k = 0 (values only)', inputs: 2, outputs: 1, spec: { hidden: [6], activation: 'sigmoid', seed: 1 }, options: { gradientWeight: 0 } },
  { label: 'softplus, k = 1 (one random direction)', inputs: 3, outputs: 1, spec: { hidden: [7, 5], activation: 'softplus', seed: 2 }, options: { directions: 1 } },
  { label: 'sin, k = 4 (all of 4 inputs), 2 outputs', inputs: 4, outputs: 2, spec: { hidden: [9], activation: 'sin', seed: 3 }, options: { gradientWeight: 0.7 } },
  { label: 'gelu, random k = 4 on a gradient-input subset', inputs: 3, outputs: 1, spec: { hidden: [8, 4], activation: 'gelu', seed: 4 }, options: { directions: 4, gradientInputs: [0, 2] } },
  { label: 'relu, tanh output, weight decay', inputs: 2, outputs: 2, spec: { hidden: [12], activation: 'relu', outputActivation: 'tanh', seed: 5 }, options: { weightDecay: 1e-2 } },
  { label: 'tanh, sigmoid output, depth 4', inputs: 2, outputs: 1, spec: { hidden: [5, 5, 5], activation: 'tanh', outputActivation: 'sigmoid', seed: 6 }, options: {} },
];
for (const c of CASES) {
  test(`fused equals layered: ${c.label}`, async ({ gpu }) => {
    const r = await run(gpu, 'fusedTwin', { inputs: c.inputs, outputs: c.outputs, spec: c.spec, n: 12, options: { epochs: 10, batchSize: 6, learningRate: 5e-3, jacobianMode: 'forward', ...c.options } });
    expectTwin(r, TOL_MANY_STEPS, c.label);
  });
}

// Reverse mode (one cotangent block per output, directions 'all'): the same cases where it applies.
const REVERSE_CASES = [
  ...CASES.filter((c) => !('directions' in c.options) && (c.options as { gradientWeight?: number }).gradientWeight !== 0),
  { label: 'softplus, a gradient-input subset, 2 outputs', inputs: 4, outputs: 2, spec: { hidden: [7, 5], activation: 'softplus', seed: 7 }, options: { gradientInputs: [1, 3] } },
  { label: 'gelu output, depth 1 (no hidden layer)', inputs: 3, outputs: 1, spec: { hidden: [], activation: 'gelu', outputActivation: 'gelu', seed: 8 }, options: {} },
];
for (const c of REVERSE_CASES) {
  test(`fused equals layered in reverse mode: ${c.label}`, async ({ gpu }) => {
    const r = await run(gpu, 'fusedTwin', { inputs: c.inputs, outputs: c.outputs, spec: c.spec, n: 12, options: { epochs: 10, batchSize: 6, learningRate: 5e-3, ...c.options, jacobianMode: 'reverse' } });
    expect(r.fused.jacobianMode).toBe('reverse');
    expectTwin(r, TOL_MANY_STEPS, `reverse: ${c.label}`);
  });
}

test('one fused step in reverse mode equals the layered one (≤ 1e-6), also with wide layers', async ({ gpu }) => {
  const narrow = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 1, spec: { hidden: [8, 8], activation: 'tanh', seed: 3 }, n: 10, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'reverse', learningRate: 1e-2, epsilon: 10 } });
  expectTwin(narrow, TOL_ONE_STEP, 'reverse, one step');
  expect(narrow.updateErr).toBeLessThanOrEqual(1e-4);
  const wide = await run(gpu, 'fusedTwin', { inputs: 5, outputs: 2, spec: { hidden: [16, 24], activation: 'sin', seed: 3 }, n: 9, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'reverse', learningRate: 1e-2, epsilon: 10 } });
  expectTwin(wide, TOL_ONE_STEP, 'reverse, wide layers, one step');
  expect(wide.updateErr).toBeLessThanOrEqual(1e-4);
});

test('200 fused steps in reverse mode stay within 1e-4 of the layered ones (minibatches, 2 outputs)', async ({ gpu }) => {
  const r = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 2, spec: { hidden: [10, 10], activation: 'tanh', seed: 4 }, n: 20, options: { epochs: 40, batchSize: 4, gradientWeight: 0.5, jacobianMode: 'reverse', learningRate: 3e-3, lrDecay: 0.01 } });
  expect(r.fused.steps).toBe(200);
  expectTwin(r, TOL_MANY_STEPS, 'reverse, 200 steps');
});

test("'auto': the fused kernel takes reverse mode where it saves enough (fusedMode), else forward; the same training as the layered step", async ({ gpu }) => {
  // 3 → 64 → 64 → 1, full batch 12: reverse saves (3 − 1)·12·4,352 = 104,448 multiply-adds a step.
  const large = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 1, spec: { hidden: [64, 64], activation: 'tanh', seed: 12 }, n: 12, options: { epochs: 10, batchSize: 12, learningRate: 5e-3 } });
  expect(large.fused.jacobianMode).toBe('reverse');
  expect(large.layered.jacobianMode).toBe('reverse');
  expectTwin(large, TOL_MANY_STEPS, "'auto', reverse");
  // 3 → 6 → 6 → 1 at batch 6 saves 720: forward.
  const small = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 1, spec: { hidden: [6, 6], activation: 'tanh', seed: 12 }, n: 12, options: { epochs: 10, batchSize: 6, learningRate: 5e-3 } });
  expect(small.fused.jacobianMode).toBe('forward');
  expect(small.layered.jacobianMode).toBe('reverse');
  expectTwin({ ...small, fused: { ...small.fused, jacobianMode: 'reverse' } }, TOL_MANY_STEPS, "'auto', forward");
  // Random directions: forward, the kernel's only mode for them.
  const random = await run(gpu, 'fusedTwin', { inputs: 3, outputs: 1, spec: { hidden: [64, 64], activation: 'tanh', seed: 12 }, n: 12, options: { epochs: 10, batchSize: 12, learningRate: 5e-3, directions: 3 } });
  expect(random.fused.jacobianMode).toBe('forward');
  expect(random.layered.jacobianMode).toBe('reverse');
  expectTwin({ ...random, fused: { ...random.fused, jacobianMode: 'reverse' } }, TOL_MANY_STEPS, "'auto', random directions");
});

test('early stopping on a validation split, standardised data: the fused fit reports as the layered one', async ({ gpu }) => {
  const r = await run(gpu, 'fusedTwin', { inputs: 2, outputs: 1, spec: { hidden: [8, 8], activation: 'tanh', seed: 9 }, n: 24, options: { epochs: 400, batchSize: 6, learningRate: 3e-2, gradientWeight: 0.5, validation: 0.25, earlyStopping: { patience: 3 }, jacobianMode: 'forward' } });
  expect(r.fused.stoppedEarly).toBe(true);
  expectTwin(r, TOL_MANY_STEPS, 'early stopping', false);
});

test('a diverging fused fit stops and restores as the layered one', async ({ gpu }) => {
  const r = await run(gpu, 'fusedTwin', { inputs: 2, outputs: 1, spec: { hidden: [6], activation: 'tanh', seed: 2 }, n: 10, options: { epochs: 50, learningRate: 50, gradientWeight: 0.5, divergenceFactor: 2, normalize: false, jacobianMode: 'forward' } });
  console.log(`divergence: fused ${r.fused.diverged} at ${r.fused.epochs}, layered ${r.layered.diverged} at ${r.layered.epochs}, err ${r.err}`);
  expect(r.ranFused).toBe(true);
  expect(r.fused.diverged).toBe(true);
  expect(r.layered.diverged).toBe(true);
  // (Where it stops and what it restores follow chunk boundaries, which follow the clock.)
  expect(Number.isFinite(r.err), 'the restored parameters are finite').toBe(true);
});

test('a model of a fused group equals its lone fused twin bit for bit (forward and reverse mode)', async ({ gpu }) => {
  for (const reverse of [false, true]) {
    const r = await run(gpu, 'fusedGroupTwin', 5, 3, reverse);
    expect(r.moved).toBe(true);
    expect(r.differing, `reverse ${reverse}: of ${r.total}`).toBe(0);
  }
});

test('a group whose models keep each other\'s cores busy is fused past the lone threshold; its model ends within the group contract (1e-5 normwise) of its layered lone twin', async ({ gpu }) => {
  const r = await run(gpu, 'sharedCoresTwin');
  expect(r.loneFused, 'alone: the layered step').toBe(false);
  expect(r.groupFused, 'in the group: the fused kernel').toBe(true);
  expect(r.moved).toBe(true);
  expect(r.relative).toBeLessThanOrEqual(1e-5);
});
