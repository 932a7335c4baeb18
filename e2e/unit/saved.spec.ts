import { test, expect } from '@playwright/test';
import type { Context } from '../../src/gpu/context';
import { loadMlpGroup } from '../../src/nn/group';
import { loadMlp } from '../../src/nn/mlp';
import { checkMatrix } from '../../src/nn/validate';

// A saved model is read whole before anything is built: a context that must not be touched
// shows that every refusal comes before the first allocation (no device, no buffer).
const untouchable = new Proxy({}, { get: (_, key) => { throw new Error(`the context was used (${String(key)}) before the document was checked`); } }) as Context;

/** A well-formed save of a 2 → 3 → 1 model. */
function saved(model: Record<string, unknown> = {}) {
  return {
    format: 'sobolev-webgpu/mlp' as const, version: 1 as const, inputs: 2, outputs: 1,
    model: { hidden: [3], activation: 'tanh', outputActivation: 'linear', seed: 1, trained: true, weights: [[1, 2, 3, 4, 5, 6], [0.5, -0.5, 0.25]], biases: [[0, 0, 0], [0]], ...model },
  };
}

function refusal(json: unknown, load = loadMlp): string {
  try {
    load(untouchable, json as never);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'accepted';
}

test('loadMlp checks counts before building: 8000-wide layers declared with too few arrays are refused at once', () => {
  expect(refusal(saved({ hidden: [8000, 8000], weights: [[1]], biases: [[1]] }))).toBe('RangeError: model.weights has 1 arrays; its 3 layers (2 → 8000 → 8000 → 1) need 3');
  expect(refusal(saved({ weights: [[1, 2, 3], [0.5, -0.5, 0.25]] }))).toBe('RangeError: model.weights[0] has 3 values; layer 0 (2 → 3) needs 6');
});

test('loadMlp requires every saved field, `trained` included: a trained model is never loaded as fresh', () => {
  const { trained: _, ...noTrained } = saved().model;
  expect(refusal({ ...saved(), model: noTrained })).toBe('TypeError: model.trained is missing: a model saved by toJSON() has it');
  expect(refusal(saved({ trained: 'yes' }))).toBe("TypeError: model.trained must be true or false, got 'yes' (a string)");
  expect(refusal({ ...saved(), model: null })).toMatch(/^TypeError: model must be a saved model .*got null/);
  expect(refusal({ ...saved(), inputs: '2' })).toBe("RangeError: inputs must be a positive integer, got '2' (a string)");
  expect(refusal(saved({ seed: undefined }))).toBe('TypeError: model.seed is missing: a model saved by toJSON() has it');
});

test('loadMlp refuses values that are not float32 numbers instead of coercing them', () => {
  expect(refusal(saved({ weights: [[1, 2, 3, 4, 5, 1e39], [0.5, -0.5, 0.25]] }))).toMatch(/^RangeError: model.weights\[0\]\[5\] is 1e\+39: parameters must be finite float32/);
  expect(refusal(saved({ biases: [[0, null, 0], [0]] }))).toBe('TypeError: model.biases[0][1] must be a number, got null');
  expect(refusal(saved({ biases: [[0, true, 0], [0]] }))).toBe('TypeError: model.biases[0][1] must be a number, got true');
  expect(refusal(saved({ biases: [[0, '0.25', 0], [0]] }))).toBe("TypeError: model.biases[0][1] must be a number, got '0.25' (a string)");
  expect(refusal(saved({ biases: [[0, [7], 0], [0]] }))).toBe('TypeError: model.biases[0][1] must be a number, got an array');
  expect(refusal(saved({ weights: ['123456', [0.5, -0.5, 0.25]] }))).toBe("TypeError: model.weights[0] must be an array of numbers, got '123456' (a string)");
});

test('loadMlpGroup checks every model before building the group', () => {
  const group = (models: unknown[]) => ({ format: 'sobolev-webgpu/mlp-group', version: 1, inputs: 2, outputs: 1, models });
  const good = saved().model;
  expect(refusal(group([good, { ...good, hidden: [8000, 8000] }]), loadMlpGroup as never)).toBe('RangeError: models[1].weights has 2 arrays; its 3 layers (2 → 8000 → 8000 → 1) need 3');
  expect(refusal(group([good, { ...good, trained: undefined }]), loadMlpGroup as never)).toBe('TypeError: models[1].trained is missing: a model saved by toJSON() has it');
  expect(refusal(group([]), loadMlpGroup as never)).toBe('TypeError: a saved group needs a non-empty models array');
});

test('data and parameters given as number[] or Float64Array must be finite as float32 (1e39 would be Infinity on the GPU)', () => {
  expect(() => checkMatrix('y', [1, 1e39], 1)).toThrow(/^y\[1\] is 1e\+39: values must be finite float32 numbers/);
  expect(() => checkMatrix('x', Float64Array.of(-4e38, 0), 1)).toThrow(/^x\[0\] is -4e\+38/);
  expect(() => checkMatrix('x', [null, 0], 1)).toThrow(TypeError);
  expect(checkMatrix('x', [3.4028234663852886e38, -1], 1)).toBe(2); // the largest float32 is fine
});

test('specs too large or of the wrong type are refused with what to do, before any GPU work', async () => {
  const { createMlp } = await import('../../src/nn/mlp');
  const { createMlpGroup } = await import('../../src/nn/group');
  const ctx = { check() {} } as unknown as Context; // anything past check() would be GPU work
  const attempt = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    return 'accepted';
  };
  expect(attempt(() => createMlp(ctx, { inputs: 1, outputs: 1, hidden: Array(150_000).fill(1) }))).toBe('RangeError: hidden has 150000 layers; at most 4096 are supported');
  expect(attempt(() => createMlpGroup(ctx, { inputs: 1, outputs: 1, models: Array.from({ length: 150_000 }, () => ({ hidden: [1] })) }))).toBe(
    'RangeError: models has 150000 models; at most 16384 train in one group: split them into several groups',
  );
  expect(attempt(() => createMlp(ctx, { inputs: '2' as never, outputs: 1, hidden: [1] }))).toBe("RangeError: inputs must be a positive integer, got '2' (a string)");
  expect(attempt(() => createMlpGroup(ctx, { inputs: 1, outputs: 1, models: [{ hidden: [1] }, null as never] }))).toBe(
    'TypeError: models[1] must be an object { hidden, activation?, outputActivation?, seed? }, got null',
  );
});
