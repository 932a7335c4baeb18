import type { MlpParameters } from '../types';
import { resolveModelSpec, type ResolvedModelSpec } from './engine';
import { checkPositiveInt, describeValue } from './validate';

/** One saved model: its spec, whether it was ever trained, and its parameters as numbers
 *  (float32 values written as JSON numbers read back bit-exactly). */
export interface SavedModel extends ResolvedModelSpec {
  trained: boolean;
  weights: number[][];
  biases: number[][];
}

/** What Mlp.toJSON() returns and loadMlp reads. */
export interface MlpJson {
  format: 'sobolev-webgpu/mlp';
  version: 1;
  inputs: number;
  outputs: number;
  model: SavedModel;
}

/** What MlpGroup.toJSON() returns and loadMlpGroup reads. */
export interface MlpGroupJson {
  format: 'sobolev-webgpu/mlp-group';
  version: 1;
  inputs: number;
  outputs: number;
  models: SavedModel[];
}

export function saveModel(spec: Readonly<ResolvedModelSpec>, parameters: MlpParameters, fresh: boolean): SavedModel {
  return {
    hidden: [...spec.hidden],
    activation: spec.activation,
    outputActivation: spec.outputActivation,
    seed: spec.seed,
    trained: !fresh,
    weights: parameters.weights.map((w) => Array.from(w)),
    biases: parameters.biases.map((b) => Array.from(b)),
  };
}

/** Checks the envelope of a saved model or group (shapes are checked by setParameters). */
export function checkSaved(json: unknown, format: MlpJson['format'] | MlpGroupJson['format']): void {
  const j = json as { format?: unknown; version?: unknown };
  if (typeof json === 'string') throw new TypeError(`expected a saved model (an object with format '${format}'), got a string: pass JSON.parse(text), not the text`);
  if (!j || typeof j !== 'object') throw new TypeError(`expected a saved model (an object with format '${format}'), got ${json === null ? 'null' : typeof json}`);
  if (j.format !== format) throw new TypeError(`expected format '${format}', got '${String(j.format)}'`);
  if (j.version !== 1) throw new RangeError(`saved version ${String(j.version)} is not supported by this release (it reads version 1)`);
}

/** The largest finite float32: a parameter beyond it would load as ±Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A saved model read and checked whole before anything is allocated: its spec (hidden,
 *  activations, seed), `trained` (required: a trained model must never be mistaken for a fresh
 *  one, which the next fit would reinitialise around), and every parameter array: a real array
 *  of the size its layers declare, of numbers that are finite as float32. Throws TypeError for
 *  a wrong type or a missing field, RangeError for a wrong size or value, naming the field. */
export function readSavedModel(m: unknown, inputs: number, outputs: number, where: string): { spec: ResolvedModelSpec; parameters: MlpParameters; trained: boolean } {
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new TypeError(`${where} must be a saved model (an object with hidden, activation, outputActivation, seed, trained, weights, biases), got ${m === null ? 'null' : Array.isArray(m) ? 'an array' : typeof m}`);
  const saved = m as Partial<Record<keyof SavedModel, unknown>>;
  for (const key of ['hidden', 'activation', 'outputActivation', 'seed', 'trained', 'weights', 'biases'] as const) {
    if (saved[key] === undefined) throw new TypeError(`${where}.${key} is missing: a model saved by toJSON() has it`);
  }
  if (typeof saved.trained !== 'boolean') throw new TypeError(`${where}.trained must be true or false, got ${describeValue(saved.trained)}`);
  if (typeof saved.seed !== 'number' || !Number.isFinite(saved.seed)) throw new TypeError(`${where}.seed must be a number, got ${describeValue(saved.seed)}`);
  const spec = resolveModelSpec(saved as SavedModel, `${where}.`);
  const sizes = [inputs, ...spec.hidden, outputs];
  const layers = sizes.length - 1;
  const arrays = (key: 'weights' | 'biases'): number[][] => {
    const list = saved[key];
    if (!Array.isArray(list)) throw new TypeError(`${where}.${key} must be an array of ${layers} arrays of numbers, got ${describeValue(list)}`);
    if (list.length !== layers) throw new RangeError(`${where}.${key} has ${list.length} arrays; its ${layers} layers (${sizes.join(' → ')}) need ${layers}`);
    list.forEach((values: unknown, l) => {
      const name = `${where}.${key}[${l}]`;
      const expected = key === 'weights' ? sizes[l] * sizes[l + 1] : sizes[l + 1];
      if (!Array.isArray(values) && !(values instanceof Float32Array)) throw new TypeError(`${name} must be an array of numbers, got ${describeValue(values)}`);
      if (values.length !== expected) throw new RangeError(`${name} has ${values.length} values; layer ${l} (${sizes[l]} → ${sizes[l + 1]}) needs ${expected}`);
    });
    // Sizes first (cheap), then every value.
    (list as unknown[][]).forEach((values, l) => {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw new TypeError(`${where}.${key}[${l}][${i}] must be a number, got ${describeValue(v)}`);
        if (!(Math.abs(v) <= FLOAT32_MAX)) throw new RangeError(`${where}.${key}[${l}][${i}] is ${v}: parameters must be finite float32 values (|v| ≤ 3.4028234663852886e38)`);
      }
    });
    return list as number[][];
  };
  const weights = arrays('weights');
  const biases = arrays('biases');
  return { spec, trained: saved.trained, parameters: { weights: weights.map((w) => Float32Array.from(w)), biases: biases.map((b) => Float32Array.from(b)) } };
}

/** The saved envelope's inputs and outputs, checked. */
export function savedShape(json: { inputs?: unknown; outputs?: unknown }): { inputs: number; outputs: number } {
  return { inputs: checkPositiveInt('inputs', json.inputs), outputs: checkPositiveInt('outputs', json.outputs) };
}
