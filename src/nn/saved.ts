import type { MlpParameters } from '../types';
import type { ResolvedModelSpec } from './engine';

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

export const savedParameters = (m: SavedModel): MlpParameters => {
  if (!Array.isArray(m.weights) || !Array.isArray(m.biases)) throw new TypeError('a saved model needs weights and biases arrays');
  return { weights: m.weights.map((w) => Float32Array.from(w)), biases: m.biases.map((b) => Float32Array.from(b)) };
};
