import { backward } from './backward';
import { sumSquares } from './linalg';
import { checkLength, checkMlp, traceForward, type RefMlp } from './trace';

/** Options of the value-and-gradient loss. */
export interface RefLossOptions {
  /** w in L = (1−w)·mean(ŷ−y)² + w·mean(ẏ−t)², 0 ≤ w ≤ 1. */
  gradientWeight: number;
  /** Inputs whose derivatives are supervised; default all inputs. dydx is n×outputs×g. */
  gradientInputs?: number[];
  /** Explicit directions, k×n×inputs (block j = the j-th direction of every sample). Components
   *  outside gradientInputs still move ẏ = J·v but have no target, so keep them zero.
   *  Absent: 'all' mode, directions e_{gradientInputs[j]}, k = g. */
  directions?: ArrayLike<number>;
  /** Number of direction blocks when `directions` is given (default: directions.length / (n·inputs)). */
  k?: number;
}

/** Loss value and parameter gradients (float64, same shapes as the MLP's parameters). */
export interface RefLossResult {
  loss: number;
  weights: Float64Array[];
  biases: Float64Array[];
}

/** Projected targets t[j,i,o] = Σ_g dydx[i,o,g] · directions[j,i,gradientInputs[g]], shape k×n×outputs. */
export function refProjectTargets(
  dydx: ArrayLike<number>,
  directions: ArrayLike<number>,
  n: number,
  outputs: number,
  inputs: number,
  gradientInputs: number[],
  k: number,
): Float64Array {
  const g = gradientInputs.length;
  checkLength('dydx', dydx, n * outputs * g);
  checkLength('directions', directions, k * n * inputs);
  const t = new Float64Array(k * n * outputs);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < outputs; o++) {
        let s = 0;
        for (let q = 0; q < g; q++) s += dydx[(i * outputs + o) * g + q] * directions[(j * n + i) * inputs + gradientInputs[q]];
        t[(j * n + i) * outputs + o] = s;
      }
    }
  }
  return t;
}

/** Splits a k×rows×cols array into k blocks of rows×cols. */
function splitBlocks(a: ArrayLike<number>, k: number, blockSize: number): Float64Array[] {
  return Array.from({ length: k }, (_, j) => Float64Array.from({ length: blockSize }, (_, i) => a[j * blockSize + i]));
}

/** 'all' mode: direction j is e_{gradientInputs[j]} for every row; its target is dydx[:, :, j]. */
function allModeDirections(dydx: ArrayLike<number>, n: number, outputs: number, inputs: number, gi: number[]) {
  const g = gi.length;
  const directions = gi.map((col) => {
    const v = new Float64Array(n * inputs);
    for (let i = 0; i < n; i++) v[i * inputs + col] = 1;
    return v;
  });
  const targets = gi.map((_, j) => {
    const t = new Float64Array(n * outputs);
    for (let r = 0; r < n * outputs; r++) t[r] = dydx[r * g + j];
    return t;
  });
  return { directions, targets };
}

/** Validates gradientInputs (distinct indices in [0, inputs)) and returns it, defaulting to all inputs. */
function resolveGradientInputs(gi: number[] | undefined, inputs: number): number[] {
  const out = gi ?? Array.from({ length: inputs }, (_, i) => i);
  const seen = new Set<number>();
  for (const c of out) {
    if (!Number.isInteger(c) || c < 0 || c >= inputs || seen.has(c)) throw new Error(`bad gradient input ${c}`);
    seen.add(c);
  }
  return out;
}

/**
 * L = (1−w)·mean_{n,m}(ŷ−y)² + w·mean_{n,m,k}(ẏ−t)² and its exact gradient with respect to every
 * weight and bias, by the hand-written backward pass (with the σ'' coupling term).
 * dydx (n×outputs×g) may be absent when w = 0. A NaN in dydx is a missing target ('all'
 * directions only): the derivative mean is then over the P present entries, w·Σ_present(ẏ−t)²/P.
 */
export function refLossAndGradients(
  m: RefMlp,
  data: { x: ArrayLike<number>; y: ArrayLike<number>; dydx?: ArrayLike<number> },
  n: number,
  opts: RefLossOptions,
): RefLossResult {
  checkMlp(m);
  const w = opts.gradientWeight;
  if (!(w >= 0 && w <= 1)) throw new Error(`gradientWeight must be in [0, 1], got ${w}`);
  const inputs = m.sizes[0];
  const outputs = m.sizes[m.sizes.length - 1];
  checkLength('y', data.y, n * outputs);
  const gi = resolveGradientInputs(opts.gradientInputs, inputs);

  let directions: Float64Array[] = [];
  let targets: Float64Array[] = [];
  // Missing derivative targets (NaN in dydx, 'all' mode only): present[j][i·outputs + o].
  let present: Uint8Array[] | null = null;
  let presentCount = 0;
  if (w > 0) {
    if (!data.dydx) throw new Error('dydx is required when gradientWeight > 0');
    checkLength('dydx', data.dydx, n * outputs * gi.length);
    const missing = Array.prototype.some.call(data.dydx, (v: number) => Number.isNaN(v));
    if (missing && opts.directions) throw new Error("missing derivative targets (NaN in dydx) need the unit directions ('all'), not given directions");
    if (opts.directions) {
      const k = opts.k ?? opts.directions.length / (n * inputs);
      if (!Number.isInteger(k)) throw new Error('directions length is not a multiple of n·inputs');
      const t = refProjectTargets(data.dydx, opts.directions, n, outputs, inputs, gi, k);
      directions = splitBlocks(opts.directions, k, n * inputs);
      targets = splitBlocks(t, k, n * outputs);
    } else {
      ({ directions, targets } = allModeDirections(data.dydx, n, outputs, inputs, gi));
      if (missing) {
        present = targets.map((t) => Uint8Array.from(t, (v) => (Number.isNaN(v) ? 0 : 1)));
        presentCount = present.reduce((sum, p) => sum + p.reduce((a, b) => a + b, 0), 0);
        if (presentCount === 0) throw new Error('every derivative target is missing (NaN): use gradientWeight 0');
      }
    }
    if (directions.length === 0) throw new Error('gradientWeight > 0 needs at least one direction');
  }
  const k = directions.length;

  const trace = traceForward(m, data.x, n, directions);
  const top = trace.layers[trace.layers.length - 1];
  const valueScale = 1 / (n * outputs);
  const residual = top.a.map((v, i) => v - data.y[i]);
  const dotResiduals = top.aDot.map((ad, j) => ad.map((v, i) => (present && !present[j][i] ? 0 : v - targets[j][i])));

  let loss = (1 - w) * valueScale * sumSquares(residual);
  const aBar = residual.map((r) => 2 * (1 - w) * valueScale * r);
  if (present) {
    // The mean over the present entries: each missing one adds nothing, to sum or count.
    for (const r of dotResiduals) loss += (w * sumSquares(r)) / presentCount;
    return { loss, ...backward(m, trace, aBar, dotResiduals.map((rd) => rd.map((r) => (2 * w * r) / presentCount))) };
  }
  for (const r of dotResiduals) loss += (w * valueScale * sumSquares(r)) / k;
  const aDotBar = dotResiduals.map((rd) => rd.map((r) => (2 * w * valueScale * r) / k));
  return { loss, ...backward(m, trace, aBar, aDotBar) };
}
