import { test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('one fused step equals the layered step (≤ 1e-6 relative on the parameters)', async ({ gpu, adapter }) => {
  expect(adapter.vendor + adapter.description).toBeTruthy();
  const r = await run(gpu, 'fusedTwin', { inputs: 2, outputs: 1, spec: { hidden: [8, 8], activation: 'tanh', seed: 3 }, n: 10, options: { epochs: 1, gradientWeight: 0.5, jacobianMode: 'forward' } });
  console.log(`one step: err ${r.err.toExponential(2)}, moved ${r.moved.toExponential(2)}, pipelines fused ${r.fusedPipelines} layered ${r.layeredPipelines}`);
  expect(r.fusedPipelines).toBe(1);
  expect(r.layeredPipelines).toBeGreaterThan(1);
  expect(r.moved).toBeGreaterThan(1e-4);
  expect(r.err).toBeLessThanOrEqual(1e-6);
});
