import * as ort from 'onnxruntime-web';
import { test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

ort.env.wasm.numThreads = 1;

// Trained on the GPU, exported in the page, run by onnxruntime (wasm) here:
// |onnx − mlp.predict| ≤ 1e-5 · max(1, |mlp.predict|) for every entry.
// (Opsets 13 and 20, gelu's two forms, are covered from saved models in e2e/unit/onnx.spec.ts.)
test('trained models of every activation export to ONNX that onnxruntime runs like mlp.predict', async ({ gpu, adapter }) => {
  expect(adapter.vendor).toBeTruthy();
  const models: { activation: string; bytes: number[]; x: number[]; y: number[] }[] = await run(gpu, 'trainedOnnx');
  expect(models.map((m) => m.activation)).toEqual(['tanh', 'sigmoid', 'softplus', 'sin', 'gelu', 'relu', 'linear']);
  for (const m of models) {
    const session = await ort.InferenceSession.create(Uint8Array.from(m.bytes));
    const x = Float32Array.from(m.x);
    const out = await session.run({ x: new ort.Tensor('float32', x, [x.length / 2, 2]) });
    await session.release();
    const y = out.y.data as Float32Array;
    expect(out.y.dims).toEqual([x.length / 2, 2]);
    const worst = Math.max(...m.y.map((want, i) => Math.abs(y[i] - want) / Math.max(1, Math.abs(want))));
    console.log(`${m.activation}: ${m.bytes.length} bytes, worst scaled error ${worst.toExponential(1)}`);
    expect(worst, m.activation).toBeLessThanOrEqual(1e-5);
  }
});
