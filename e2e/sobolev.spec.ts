import { sharedPageTest as test, expect } from './fixtures';
import type { LossSpec, ModelSpec } from './pages/checks';
import { ACTIVATIONS } from '../src/types';

// Normwise relative errors, GPU float32 vs float64 reference on float32-exact inputs.
const TOL_VALUE = 1e-5;
const TOL_GRAD = 1e-4; // gradients sum (1+k)·n products per entry, with σ'' terms

/** The loss within TOL_VALUE and every weight and bias gradient within TOL_GRAD. */
function expectGradients(r: { loss: number; weights: number; biases: number }, label: string): void {
  expect(r.loss, `loss ${label}`).toBeLessThanOrEqual(TOL_VALUE);
  expect(r.weights, `weights ${label}`).toBeLessThanOrEqual(TOL_GRAD);
  expect(r.biases, `biases ${label}`).toBeLessThanOrEqual(TOL_GRAD);
}

const check = (page: import('@playwright/test').Page, fn: string, spec: unknown) =>
  page.evaluate(([f, s]) => (globalThis as any).checks[f as string](s), [fn, spec] as const);

for (const activation of ACTIVATIONS) {
  test(`jvp and jacobian match the reference: ${activation}`, async ({ gpu }) => {
    const specs: ModelSpec[] = [
      { sizes: [1, 1], activation, n: 1 },
      { sizes: [3, 7, 2], activation, n: 5 },
      { sizes: [4, 33, 17, 3], activation, n: 37, outputActivation: activation },
    ];
    for (const spec of specs) {
      const jvp = await check(gpu, 'checkJvp', spec);
      expect(jvp.y, `y ${JSON.stringify(spec)}`).toBeLessThanOrEqual(TOL_VALUE);
      expect(jvp.dy, `dy ${JSON.stringify(spec)}`).toBeLessThanOrEqual(TOL_VALUE);
      expect(await check(gpu, 'checkJacobian', spec), `J ${JSON.stringify(spec)}`).toBeLessThanOrEqual(TOL_VALUE);
    }
  });

  test(`lossAndGradients match the reference: ${activation}`, async ({ gpu }) => {
    const specs: LossSpec[] = [];
    for (const gradientWeight of [0, 0.5, 1]) {
      specs.push(
        { sizes: [1, 1], activation, n: 1, gradientWeight },
        { sizes: [3, 7, 2], activation, n: 6, gradientWeight },
        { sizes: [5, 19, 13, 2], activation, n: 9, gradientWeight, gradientInputs: [4, 1], outputActivation: activation },
      );
    }
    specs.push({ sizes: [4, 10, 3], activation, n: 7, gradientWeight: 0.5, k: 3 });
    for (const spec of specs) {
      expectGradients(await check(gpu, 'checkLossAndGradients', spec), JSON.stringify(spec));
    }
  });
}

test('gradients on wide and deep networks (widths to 300, 10 layers, several outputs)', async ({ gpu }) => {
  const specs: LossSpec[] = [
    { sizes: [4, 300, 1], activation: 'tanh', n: 10, gradientWeight: 0.5 },
    { sizes: [6, 130, 67, 3], activation: 'gelu', n: 21, gradientWeight: 0.5, gradientInputs: [0, 2, 5] },
    { sizes: [3, 9, 10, 11, 12, 13, 14, 15, 16, 17, 2], activation: 'tanh', n: 5, gradientWeight: 0.5 },
  ];
  for (const spec of specs) {
    expectGradients(await check(gpu, 'checkLossAndGradients', spec), JSON.stringify(spec));
  }
});

// The adapter picks one GEMM variant (direct on SwiftShader); the other must be right too.
for (const tiled of [true, false]) {
  test(`both GEMM variants match the reference (tiled: ${tiled})`, async ({ gpu }) => {
    const specs: LossSpec[] = [
      { sizes: [1, 1], activation: 'tanh', n: 1, gradientWeight: 0.5, tiled },
      { sizes: [5, 3, 70, 2], activation: 'sin', n: 17, gradientWeight: 0.5, tiled },
      { sizes: [4, 33, 1], activation: 'gelu', n: 40, gradientWeight: 1, k: 3, tiled },
      // K = (1 + k)·n = 800 rows for the weight gradient: split-K into partial slices.
      { sizes: [3, 20, 2], activation: 'tanh', n: 200, gradientWeight: 0.5, k: 3, tiled },
    ];
    for (const spec of specs) {
      const label = JSON.stringify(spec);
      expect(await check(gpu, 'checkPredict', spec), `predict ${label}`).toBeLessThanOrEqual(TOL_VALUE);
      expect(await check(gpu, 'checkJacobian', spec), `J ${label}`).toBeLessThanOrEqual(TOL_VALUE);
      expectGradients(await check(gpu, 'checkLossAndGradients', spec), label);
    }
  });
}

test('large batches fold elementwise dispatches into 2-D (n·width over 65535 workgroups)', async ({ gpu }) => {
  test.setTimeout(180_000);
  const spec: LossSpec = { sizes: [1, 64, 1], activation: 'tanh', n: 70_000, gradientWeight: 0.5 };
  const r = await check(gpu, 'checkLossAndGradients', spec);
  // Each gradient entry sums 2·70000 float32 products in sequence (measured ~1e-5).
  expectGradients(r, JSON.stringify(spec));
  console.log(`n = 70000: loss ${r.loss.toExponential(1)}, weights ${r.weights.toExponential(1)}, biases ${r.biases.toExponential(1)}`);
});
