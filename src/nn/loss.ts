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
  /**
   * How the input derivatives are differentiated: 'forward' stacks one tangent block per
   * direction (k blocks), 'reverse' one cotangent block per output (m blocks: the input
   * gradient by a backward sweep, then the reverse of that sweep), 'auto' (default) takes
   * reverse when m < k, forward otherwise. Both give the same loss and gradients.
   */
  jacobianMode?: JacobianMode;
}

export type JacobianMode = 'auto' | 'forward' | 'reverse';
const JACOBIAN_MODES: readonly JacobianMode[] = ['auto', 'forward', 'reverse'];

/** The loss options checked against a model's shape and a dataset. */
export interface LossSetup {
  n: number;
  /** Tangent blocks per sample (0: values only). */
  k: number;
  mode: DirectionMode;
  gradientWeight: number;
  gradientInputs: number[];
  /** The mode this step runs in (the same for every model of a group; chooseJacobianMode). */
  jacobianMode: 'forward' | 'reverse';
  /** The fraction of dydx's entries that are targets (NaN: missing); 1 without missing ones. */
  present: number;
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
  let present = 1;
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
    const missing = checkMatrix('dydx', data.dydx, outputs * g, n, true);
    if (missing > 0) {
      if (mode !== 'all') throw new RangeError("dydx has missing targets (NaN): they need the unit directions (directions: 'all', no directionVectors)");
      if (missing === n * outputs * g) throw new RangeError('every dydx entry is NaN (a missing target): give some derivative targets, or gradientWeight 0');
      present = 1 - missing / (n * outputs * g);
    }
  }
  if (gradientWeight === 0) {
    k = 0; // values only: no tangent rows, no targets, no callback
    mode = 'all';
  }
  return { n, k, mode, gradientWeight, gradientInputs, jacobianMode: 'forward', present };
}

/** Checks a jacobianMode option (undefined: 'auto'). */
export function checkJacobianMode(value: unknown): JacobianMode {
  if (value === undefined) return 'auto';
  if (!JACOBIAN_MODES.includes(value as JacobianMode)) throw new TypeError(`jacobianMode must be one of ${JACOBIAN_MODES.map((v) => `'${v}'`).join(', ')}, got ${String(value)}`);
  return value as JacobianMode;
}

/**
 * The one mode a group's step runs in, set on every setup: 'auto' takes reverse when the
 * outputs (m cotangent blocks) are fewer than the most tangent blocks a model needs (k),
 * forward otherwise, ties included (fewer dispatches). Without derivative terms (k = 0 for
 * every model) there is nothing to differentiate: forward.
 */
export function chooseJacobianMode(setups: LossSetup[], requested: unknown, outputs: number): LossSetup[] {
  const wanted = checkJacobianMode(requested);
  const k = Math.max(0, ...setups.map((s) => s.k));
  const mode = k === 0 ? 'forward' : wanted === 'auto' ? (outputs < k ? 'reverse' : 'forward') : wanted;
  for (const s of setups) s.jacobianMode = mode;
  return setups;
}

/** Stacked rows per sample a model's step buffers hold: forward [A; k tangent blocks];
 *  reverse max of [A; m adjoint blocks; k directions or derivative outputs] and
 *  [Z; m adjoint blocks; m input-gradient blocks]. */
export function rowsPerSample(setup: LossSetup, outputs: number): number {
  if (setup.jacobianMode === 'forward') return 1 + setup.k;
  const blocks = setup.k > 0 ? outputs : 0;
  return Math.max(1 + blocks + setup.k, 1 + 2 * blocks);
}
