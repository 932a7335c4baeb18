// The conditional generator of the image experiment (docs/experiments.md §C): an MLP θ → image
// over H·W pixels, trained on values and projected JVPs of the blob renderer. The renderer's
// JVPs reach the engine through `tangentTargets`, so no full Jacobian ∂image/∂θ is formed.
import type { Context } from '../../gpu/context';
import type { TangentTargets } from '../../nn/directions';
import type { FitReport } from '../../nn/fit';
import { createMlp, type Mlp } from '../../nn/mlp';
import { BLOB_THETA_DIM, blobsProjectedTargets } from '../problems/blobs';
import type { Activation, Dataset } from '../../types';
import { rmse } from '../../util/stats';

/** Architecture of a generator; inputs are the 6 blob factors, outputs size² pixels. */
export interface GeneratorModel {
  /** Hidden layer widths. */
  hidden: number[];
  /** Hidden activation (default 'tanh'). */
  activation?: Activation;
  /** Output activation (default 'linear'; 'sigmoid' keeps pixels in (0, 1)). */
  outputActivation?: Activation;
}

/** How a generator is trained (Adam through Mlp.fit). */
export interface GeneratorTraining {
  /** Optimiser steps to aim for; epochs = ⌈steps / batches per epoch⌉, so every N_train
   *  gets about the same number of updates. */
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Learning-rate factor reached at the last epoch (lrDecay is derived from it). */
  lrEnd: number;
  /** Random θ-directions per sample (k of the projected loss). */
  directions: number;
  /** Let fit standardise θ and (for a linear output) every pixel; default false: θ is
   *  already in [0, 1], and per-pixel scaling blows up pixels that are almost always dark. */
  normalize?: boolean;
}

/**
 * A generator θ (6 factors) → size×size image.
 * @example const g = createGenerator(ctx, 16, { hidden: [64, 64] }, 1);
 */
export function createGenerator(ctx: Context, size: number, model: GeneratorModel, seed: number): Mlp {
  return createMlp(ctx, {
    inputs: BLOB_THETA_DIM,
    hidden: model.hidden,
    outputs: size * size,
    activation: model.activation ?? 'tanh',
    outputActivation: model.outputActivation ?? 'linear',
    seed,
  });
}

/** Time and work spent in a tangentTargets callback. */
export interface TargetStats {
  calls: number;
  /** Directional derivatives rendered (k·n per call). */
  jvps: number;
  ms: number;
}

/** The renderer's projected JVPs as a `tangentTargets` callback (k × n × H·W, user units);
 *  `stats`, when given, accumulates the calls and the time they took. */
export function blobsTangentTargets(size: number, stats?: TargetStats): TangentTargets {
  return (x, v, k) => {
    const started = performance.now();
    const t = blobsProjectedTargets(x, v, { size, k });
    if (stats) {
      stats.calls++;
      stats.jvps += v.length / BLOB_THETA_DIM;
      stats.ms += performance.now() - started;
    }
    return t;
  };
}

/** Epochs and per-epoch lr decay that give about `steps` updates on n samples. */
export function schedule(n: number, t: GeneratorTraining): { epochs: number; lrDecay: number } {
  const batchesPerEpoch = Math.ceil(n / Math.min(t.batchSize, n));
  const epochs = Math.max(1, Math.ceil(t.steps / batchesPerEpoch));
  return { epochs, lrDecay: epochs > 1 ? Math.pow(t.lrEnd, -1 / (epochs - 1)) - 1 : 0 };
}

/**
 * Trains a generator on (θ, image) and, for gradientWeight > 0, on the renderer's JVPs along
 * `training.directions` random θ-directions per sample (redrawn every epoch). With
 * `fullJacobian` it matches every column of data.dydx instead ('all'; for comparison only:
 * that needs the n × pixels × 6 Jacobian the projected loss never forms).
 */
export function trainGenerator(
  mlp: Mlp,
  data: Dataset,
  size: number,
  opts: { training: GeneratorTraining; gradientWeight: number; seed: number; fullJacobian?: boolean; signal?: AbortSignal; stats?: TargetStats },
): Promise<FitReport> {
  const { training, gradientWeight } = opts;
  const n = data.x.length / BLOB_THETA_DIM;
  const projected = gradientWeight > 0 && !opts.fullJacobian;
  return mlp.fit(opts.fullJacobian ? data : { x: data.x, y: data.y }, {
    ...schedule(n, training),
    batchSize: training.batchSize,
    learningRate: training.learningRate,
    normalize: training.normalize ?? false,
    gradientWeight,
    directions: opts.fullJacobian ? 'all' : projected ? training.directions : undefined,
    tangentTargets: projected ? blobsTangentTargets(size, opts.stats) : undefined,
    seed: opts.seed,
    signal: opts.signal,
  });
}

/** Root-mean-square error over every pixel of every image. */
export function pixelRmse(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  return rmse(predicted, truth);
}
