import type { DirectionMode } from '../../shaders/grouped';
import type { Dataset } from '../types';
import type { TangentTargets } from './directions';
import { checkGradientInputs, checkMatrix, checkPositiveInt, checkWeight } from './validate';

export interface LossOptions {
  /** w in [0, 1]: L = (1 − w)·MSE(values) + w·MSE(directional derivatives). */
  gradientWeight: number;
  /** 'all' (default): the unit vectors of the gradient inputs; k: k random unit directions per sample. */
  directions?: 'all' | number;
  /** Inputs that carry derivative targets; dydx is n × outputs × gradientInputs.length. */
  gradientInputs?: number[];
  /** Explicit directions, k × n × inputs (overrides `directions`). */
  directionVectors?: Float32Array;
  /** Seed of the random directions. */
  seed?: number;
  /**
   * Directional-derivative targets from a callback instead of dydx: J·v for directions v
   * (k × n × inputs, block j = direction j of every sample), in user units, as k × n × outputs.
   * With `directions: k` the library draws the directions; with `directionVectors` it uses
   * those. The full Jacobian is never needed (e.g. a renderer's or simulator's JVP).
   */
  tangentTargets?: TangentTargets;
}

/** The loss options checked against a model's shape and a dataset. */
export interface LossSetup {
  n: number;
  /** Tangent blocks per sample (0: values only). */
  k: number;
  mode: DirectionMode;
  gradientWeight: number;
  gradientInputs: number[];
}

/** Checks data and options against a model with `inputs` and `outputs`. */
export function resolveLoss(inputs: number, outputs: number, data: Dataset, opts: LossOptions): LossSetup {
  const gradientWeight = checkWeight(opts?.gradientWeight);
  const n = checkMatrix('x', data?.x, inputs);
  checkMatrix('y', data.y, outputs, n);
  const gradientInputs = checkGradientInputs(opts.gradientInputs, inputs);
  const g = gradientInputs.length;
  const directions = opts.directions ?? 'all';
  let k = 0;
  let mode: DirectionMode = 'all';
  if (opts.directionVectors) {
    k = checkMatrix('directionVectors', opts.directionVectors, n * inputs);
    mode = 'given';
  } else if (directions === 'all') {
    k = g;
  } else {
    k = checkPositiveInt('directions', directions);
    mode = 'random';
  }
  if (opts.tangentTargets !== undefined) {
    if (typeof opts.tangentTargets !== 'function') throw new TypeError('tangentTargets must be a function (x, v, k) => J·v');
    if (mode === 'all') throw new RangeError("tangentTargets needs directions: k (a number) or directionVectors, not 'all'");
    mode = 'perSample';
  } else if (gradientWeight > 0) {
    if (!data.dydx) throw new RangeError('dydx (n × outputs × gradientInputs) is required when gradientWeight > 0');
    checkMatrix('dydx', data.dydx, outputs * g, n);
  }
  if (gradientWeight === 0) {
    k = 0; // values only: no tangent rows, no targets, no callback
    mode = 'all';
  }
  return { n, k, mode, gradientWeight, gradientInputs };
}
