import type { Context } from '../gpu/context';
import type { Scope } from '../gpu/scope';
import type { Activation } from '../types';
import { Rng } from '../util/rng';
import type { ParamLayout } from './layout';

/** What an Mlp keeps on the GPU, shared with the training session and fit (never public). */
export interface ModelState {
  readonly ctx: Context;
  /** Owns the parameters and every buffer made for this model (inference, training). */
  readonly scope: Scope;
  readonly layout: ParamLayout;
  /** [W_1; b_1 | … | W_L; b_L] flat (see ParamLayout). */
  readonly params: GPUBuffer;
  readonly inputs: number;
  readonly outputs: number;
  readonly outputActivation: Activation;
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
