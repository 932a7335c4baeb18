import { Rng } from '../util/rng';
import type { Activation } from '../types';

/** Where each layer's [W_l; b_l] lives in the model's one flat parameter buffer.
 *  W_l is fanIn × fanOut row-major and b_l follows it as row fanIn, so the pair is one
 *  (fanIn + 1) × fanOut matrix: the gradient GEMM writes both at once. */
export interface ParamLayout {
  sizes: number[];
  activations: Activation[];
  weightOffsets: number[];
  biasOffsets: number[];
  total: number;
}

export function paramLayout(sizes: number[], activations: Activation[]): ParamLayout {
  const weightOffsets: number[] = [];
  const biasOffsets: number[] = [];
  let total = 0;
  for (let l = 1; l < sizes.length; l++) {
    weightOffsets.push(total);
    total += sizes[l - 1] * sizes[l];
    biasOffsets.push(total);
    total += sizes[l];
  }
  return { sizes, activations, weightOffsets, biasOffsets, total };
}

/** Splits a flat parameter vector into per-layer weights and biases. */
export function splitParams(layout: ParamLayout, flat: Float32Array): { weights: Float32Array[]; biases: Float32Array[] } {
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 1; l < layout.sizes.length; l++) {
    const w = layout.weightOffsets[l - 1];
    const b = layout.biasOffsets[l - 1];
    weights.push(flat.slice(w, w + layout.sizes[l - 1] * layout.sizes[l]));
    biases.push(flat.slice(b, b + layout.sizes[l]));
  }
  return { weights, biases };
}

/** Joins per-layer weights and biases into a flat vector (shapes checked by the caller). */
export function joinParams(layout: ParamLayout, weights: ArrayLike<number>[], biases: ArrayLike<number>[]): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(layout.total);
  for (let l = 0; l < weights.length; l++) {
    flat.set(weights[l], layout.weightOffsets[l]);
    flat.set(biases[l], layout.biasOffsets[l]);
  }
  return flat;
}

/** Glorot-uniform weights and zero biases, seeded. */
export function initialParams(layout: ParamLayout, seed: number): Float32Array {
  const rng = new Rng(seed);
  const flat = new Float32Array(layout.total);
  const { sizes, weightOffsets } = layout;
  for (let l = 1; l < sizes.length; l++) {
    const limit = Math.sqrt(6 / (sizes[l - 1] + sizes[l]));
    const count = sizes[l - 1] * sizes[l];
    for (let i = 0; i < count; i++) flat[weightOffsets[l - 1] + i] = rng.uniform(-limit, limit);
  }
  return flat;
}
