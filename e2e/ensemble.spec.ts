import * as ort from 'onnxruntime-web';
import { sharedPageTest as test, expect } from './fixtures';

ort.env.wasm.numThreads = 1;

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('an ensemble is unsure away from its data: spread far from the samples ≥ 10× the spread at them; mean and sd are those of the members alone; destroy frees everything', async ({ gpu, adapter }) => {
  expect(adapter.vendor).toBeTruthy();
  const r = await run(gpu, 'ensembleSpread');
  console.log(`ensemble of ${r.members}: sd at samples ${r.sdAtSamples.toExponential(2)}, far ${r.sdFar.toExponential(2)} (×${(r.sdFar / r.sdAtSamples).toFixed(0)}); steps ${r.steps}; fit error ${r.fitErr.toExponential(1)}; mean/sd vs members ${r.meanErr.toExponential(1)} ${r.sdErr.toExponential(1)}, Jacobian ${r.jacMeanErr.toExponential(1)} ${r.jacSdErr.toExponential(1)}`);
  expect(r.shapes).toBe('6 41 41');
  expect(r.fitErr).toBeLessThan(0.1);
  expect(r.sdFar).toBeGreaterThan(10 * r.sdAtSamples);
  expect(r.jacSdFar).toBeGreaterThan(0);
  for (const key of ['meanErr', 'sdErr', 'jacMeanErr', 'jacSdErr']) expect(r[key], key).toBeLessThanOrEqual(1e-6);
  expect(r.alive).toBe(false);
  expect(r.afterDestroy).toBe('DestroyedError');
  expect(r.leaked).toBe(0);
  // ensemble.toOnnx(2) is member 2: onnxruntime gives its predictions within 1e-5.
  const session = await ort.InferenceSession.create(Uint8Array.from(r.onnx));
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(r.grid), [r.grid.length, 1]) });
  await session.release();
  const y = out.y.data as Float32Array;
  r.member2.forEach((want: number, i: number) => expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want))));
});

test('createEnsemble refuses bad options before allocating', async ({ gpu }) => {
  const r = await run(gpu, 'ensembleRefusals');
  expect(r.messages).toEqual([
    'RangeError: members must be at least 2: one member has no spread (use createMlp)',
    "RangeError: members must be a positive integer, got 2.5",
    "TypeError: unknown ensemble option 'seeds' (known: members, seed)",
    'RangeError: seed must be a finite number, got NaN',
    'TypeError: createEnsemble needs options { members, seed? }, e.g. { members: 8 }',
  ]);
  expect(r.leaked).toBe(0);
});

test('MlpGroup.jacobian equals each model alone, by backward sweeps (3 → 1) and by tangent blocks (1 → 2)', async ({ gpu }) => {
  const errors = await run(gpu, 'groupJacobian');
  expect(errors).toHaveLength(2);
  for (const e of errors) expect(e).toBeLessThanOrEqual(1e-6);
});
