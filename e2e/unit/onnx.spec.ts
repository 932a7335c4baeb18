import { test, expect } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { savedToOnnx, ONNX_OPSETS } from '../../src/onnx/export';
import type { MlpGroupJson, MlpJson } from '../../src/nn/saved';
import { refForward, refRandomMlp, refRandomArray, type RefMlp } from '../../src/reference/index';
import { ACTIVATIONS, type Activation } from '../../src/types';

// The exporter works on the saved form, so the whole ONNX path is checked here without a GPU:
// the float64 reference forward (on the same float32 parameters) is the truth that
// onnxruntime's output must match. e2e/onnx.spec.ts does the same through trained models.
ort.env.wasm.numThreads = 1;

const f32 = (a: ArrayLike<number>): number[] => Array.from(Float32Array.from(a));

function saved(ref: RefMlp, activation: Activation, outputActivation: Activation): MlpJson {
  const sizes = ref.sizes;
  return {
    format: 'sobolev-webgpu/mlp', version: 1, inputs: sizes[0], outputs: sizes[sizes.length - 1],
    model: { hidden: sizes.slice(1, -1), activation, outputActivation, seed: 0, trained: true, weights: ref.weights.map(f32), biases: ref.biases.map(f32) },
  };
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, d: number, names = { input: 'x', output: 'y' }): Promise<{ y: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual([names.input]);
    expect(session.outputNames).toEqual([names.output]);
    const out = await session.run({ [names.input]: new ort.Tensor('float32', x, [x.length / d, d]) });
    return { y: out[names.output].data as Float32Array, dims: out[names.output].dims };
  } finally {
    await session.release();
  }
}

/** |onnx − ref| ≤ 1e-5 · max(1, |ref|) for every entry; returns the worst ratio to that bound. */
function worst(got: Float32Array, want: Float64Array): number {
  expect(got.length).toBe(want.length);
  let ratio = 0;
  for (let i = 0; i < want.length; i++) ratio = Math.max(ratio, Math.abs(got[i] - want[i]) / (1e-5 * Math.max(1, Math.abs(want[i]))));
  return ratio;
}

test('every activation exports and runs in onnxruntime within 1e-5 of the float64 forward (opsets 13, 17 and 20)', async () => {
  const n = 37;
  const x = Float32Array.from(refRandomArray(n * 3, 5, -2.5, 2.5));
  for (const [k, act] of ACTIVATIONS.entries()) {
    for (const outputActivation of ['linear', act] as Activation[]) {
      const ref = refRandomMlp([3, 6, 5, 2], [act, act, outputActivation], 10 + k);
      // The reference runs on the float32 parameters the saved model holds.
      const json = saved(ref, act, outputActivation);
      const want = refForward({ ...ref, weights: json.model.weights, biases: json.model.biases }, x, n);
      for (const opset of [13, 17, 20]) {
        const { y, dims } = await runOnnx(savedToOnnx(json, { opset }), x, 3);
        expect(dims).toEqual([n, 2]);
        expect(worst(y, want), `${act} → ${outputActivation}, opset ${opset}`).toBeLessThanOrEqual(1);
      }
    }
  }
});

test('a linear model (no hidden layer), a group member, and custom tensor names', async () => {
  const ref = refRandomMlp([2, 3], ['sigmoid'], 3);
  const json = saved(ref, 'tanh', 'sigmoid');
  const other = saved(refRandomMlp([2, 4, 3], 'sin', 4), 'sin', 'linear');
  const group: MlpGroupJson = { format: 'sobolev-webgpu/mlp-group', version: 1, inputs: 2, outputs: 3, models: [json.model, other.model] };
  const x = Float32Array.from(refRandomArray(10, 9));
  const names = { input: 'features', output: 'response' };
  const lone = await runOnnx(savedToOnnx(json, { inputName: names.input, outputName: names.output }), x, 2, names);
  expect(worst(lone.y, refForward({ ...ref, weights: json.model.weights, biases: json.model.biases }, x, 5))).toBeLessThanOrEqual(1);
  const second = await runOnnx(savedToOnnx(group, {}, 1), x, 2);
  const ref2 = { sizes: [2, 4, 3], activations: ['sin', 'linear'] as Activation[], weights: other.model.weights, biases: other.model.biases };
  expect(worst(second.y, refForward(ref2, x, 5))).toBeLessThanOrEqual(1);
});

test('savedToOnnx refuses bad options and documents with errors that say what to do', () => {
  const json = saved(refRandomMlp([2, 3, 1], 'tanh', 1), 'tanh', 'linear');
  const refusal = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    return 'accepted';
  };
  expect(refusal(() => savedToOnnx(json, { opset: 12 }))).toBe(`RangeError: opset must be an integer from ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}, got 12`);
  expect(refusal(() => savedToOnnx(json, { opst: 17 } as never))).toBe("TypeError: unknown toOnnx option 'opst' (known: opset, inputName, outputName)");
  expect(refusal(() => savedToOnnx(json, { inputName: 'y' }))).toBe("RangeError: inputName and outputName must differ, both are 'y'");
  expect(refusal(() => savedToOnnx({ ...json, format: 'x' } as never))).toBe("TypeError: expected format 'sobolev-webgpu/mlp' or 'sobolev-webgpu/mlp-group', got 'x'");
  expect(refusal(() => savedToOnnx({ format: 'nope' } as never))).toBe("TypeError: expected format 'sobolev-webgpu/mlp' or 'sobolev-webgpu/mlp-group', got 'nope'");
  expect(refusal(() => savedToOnnx({ ...json, model: { ...json.model, weights: [[1], [1]] } }))).toBe('RangeError: model.weights[0] has 1 values; layer 0 (2 → 3) needs 6');
  const group: MlpGroupJson = { format: 'sobolev-webgpu/mlp-group', version: 1, inputs: 2, outputs: 1, models: [json.model] };
  expect(refusal(() => savedToOnnx(group, {}, 1))).toBe('RangeError: model index 1 is out of range: the group has 1 models');
});
