import { sharedPageTest as test, expect } from './fixtures';
import type { ReverseSpec } from './pages/reverse-checks';
import { ACTIVATIONS } from '../src/types';

// As e2e/sobolev.spec.ts: normwise relative errors against the float64 reference.
const TOL_VALUE = 1e-5;
const TOL_GRAD = 1e-4;
// Forward and reverse on the same step: the same sums taken in another order.
const TOL_AGREE = 1e-5;

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

type Errors = { loss: number; weights: number; biases: number };

function expectStep(r: { forward: Errors; reverse: Errors; agree: Errors; sameDirections: boolean }, label: string): void {
  for (const mode of ['forward', 'reverse'] as const) {
    expect(r[mode].loss, `${mode} loss ${label}`).toBeLessThanOrEqual(TOL_VALUE);
    expect(r[mode].weights, `${mode} weights ${label}`).toBeLessThanOrEqual(TOL_GRAD);
    expect(r[mode].biases, `${mode} biases ${label}`).toBeLessThanOrEqual(TOL_GRAD);
  }
  expect(r.agree.loss, `reverse vs forward loss ${label}`).toBeLessThanOrEqual(TOL_AGREE);
  expect(r.agree.weights, `reverse vs forward weights ${label}`).toBeLessThanOrEqual(TOL_AGREE);
  expect(r.agree.biases, `reverse vs forward biases ${label}`).toBeLessThanOrEqual(TOL_AGREE);
  expect(r.sameDirections, `the same directions ${label}`).toBe(true);
}

ACTIVATIONS.forEach((activation, a) => {
  test(`reverse mode matches the reference and the forward mode on the same step: ${activation}`, async ({ gpu }) => {
    // w ∈ {0, 0.3, 1} across the activations; given directions and tangentTargets alternate.
    const specs: ReverseSpec[] = [
      { sizes: [3, 7, 2], activation, n: 6, gradientWeight: [0, 0.3, 1][a % 3] },
      // A non-linear output, several outputs, two layers, a subset of gradient inputs.
      { sizes: [5, 19, 13, 3], activation, n: 9, gradientWeight: 0.3, gradientInputs: [4, 1], outputActivation: activation },
      { sizes: [4, 10, 1], activation, n: 7, gradientWeight: 1, k: 3 },
      a % 2
        ? { sizes: [4, 10, 2], activation, n: 5, gradientWeight: 0.5, k: 2, gradientInputs: [0, 3], source: 'given' }
        : { sizes: [4, 9, 6, 2], activation, n: 5, gradientWeight: 0.7, k: 3, source: 'callback', outputActivation: activation },
    ];
    for (const spec of specs) expectStep(await run(gpu, 'reverseStep', spec), JSON.stringify(spec));
  });
});

// The adapter picks one GEMM variant (direct on SwiftShader); the other must be right too.
for (const tiled of [true, false]) {
  test(`reverse mode on both GEMM variants, deep and wide (tiled: ${tiled})`, async ({ gpu }) => {
    const specs: ReverseSpec[] = [
      { sizes: [1, 1], activation: 'tanh', n: 1, gradientWeight: 0.5, tiled },
      { sizes: [6, 70, 33, 1], activation: 'gelu', n: 17, gradientWeight: 0.5, gradientInputs: [0, 2, 5], tiled },
      { sizes: [3, 9, 10, 11, 12, 2], activation: 'sin', n: 5, gradientWeight: 1, k: 4, tiled },
      // K = (1 + m)·n = 600 rows for the weight gradient: split-K into partial slices.
      { sizes: [8, 20, 2], activation: 'tanh', n: 200, gradientWeight: 0.5, tiled },
    ];
    for (const spec of specs) expectStep(await run(gpu, 'reverseStep', spec), JSON.stringify(spec));
  });

  test(`a grouped reverse model trains exactly as alone, validation included (tiled: ${tiled})`, async ({ gpu }) => {
    for (const directions of ['all', 2] as const) {
      const r = await run(gpu, 'reverseTwins', tiled, 'reverse', directions);
      expect(r.modes, `group modes (${directions})`).toEqual(['reverse', 'reverse', 'reverse', 'reverse']);
      // A lone model without a derivative term has nothing to differentiate: forward.
      expect(r.loneModes, `lone modes (${directions})`).toEqual(['reverse', 'reverse', 'reverse', 'forward']);
      r.errors.forEach((e: number, i: number) => expect(e, `model ${i} (${directions})`).toBe(0));
      r.moved.forEach((e: number, i: number) => expect(e, `model ${i} trained (${directions})`).toBeGreaterThan(1e-3));
    }
  });
}

test('fit in reverse mode takes the steps of forward mode (tangentTargets, standardised, early stopping)', async ({ gpu }) => {
  const r = await run(gpu, 'reverseFitAgrees');
  expect(r.modes).toEqual(['forward', 'reverse']);
  expect(r.moved, 'trained').toBeGreaterThan(1e-3);
  expect(r.difference).toBeLessThanOrEqual(1e-4);
});

test("'auto' takes reverse when the outputs are fewer than the tangent blocks, forward otherwise; unknown modes are a TypeError", async ({ gpu }) => {
  expect(await run(gpu, 'reverseModeChoice', 3, 1, {})).toBe('reverse'); // m = 1 < k = 3
  expect(await run(gpu, 'reverseModeChoice', 3, 1, { jacobianMode: 'forward' })).toBe('forward');
  expect(await run(gpu, 'reverseModeChoice', 2, 2, {})).toBe('forward'); // a tie: forward
  expect(await run(gpu, 'reverseModeChoice', 2, 2, { jacobianMode: 'reverse' })).toBe('reverse');
  expect(await run(gpu, 'reverseModeChoice', 4, 2, { directions: 1 })).toBe('forward'); // k = 1 < m = 2
  expect(await run(gpu, 'reverseModeChoice', 4, 2, { gradientInputs: [0, 1, 2] })).toBe('reverse'); // m = 2 < g = 3
  expect(await run(gpu, 'reverseModeChoice', 3, 1, { gradientWeight: 0, jacobianMode: 'reverse' })).toBe('forward'); // values only
  expect(await run(gpu, 'reverseModeChoice', 3, 1, { jacobianMode: 'backward' })).toBe("TypeError: jacobianMode must be one of 'auto', 'forward', 'reverse', got backward");
});
