import { test, expect } from './fixtures';
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

test('dev', async ({ gpu }) => {
  const spec: ReverseSpec = { sizes: [3, 7, 2], activation: 'tanh', n: 6, gradientWeight: 0.5 };
  const r = await run(gpu, 'reverseStep', spec);
  console.log(JSON.stringify(r));
  expectStep(r, JSON.stringify(spec));
});
