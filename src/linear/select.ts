/** Validation-based hyper-parameter selection for the linear fits. Each selector evaluates every
 *  grid point, keeps the one with the smallest validation RMSE (on values y; ties go to the first
 *  grid point), and skips grid points whose system is singular ({@link SingularSystemError}). */

import { addDiagonal, fitGiLeastSquares, fitGradientCoefficients, fitLeastSquares, fitRidgeGradient, predictLinear, rmse } from './fit';
import type { GradientFitOptions } from './fit';
import type { GramSums } from './normal-equations';
import { SingularSystemError, choleskyFactor, choleskySolve } from './solve';
import { assertFinite, assertInt, assertNonNegative } from './validate';

/** A validation set: Φ_val (m×p row-major) and the observed values y_val (m). */
export interface ValidationSet {
  phi: Float64Array;
  y: Float64Array;
}

/** Outcome of a selection. */
export interface Selection<P> {
  /** The chosen hyper-parameters. */
  params: P;
  /** Validation RMSE of the chosen fit. */
  validationRmse: number;
  /** Coefficients fitted with the chosen hyper-parameters. */
  beta: Float64Array;
  /** Validation RMSE per grid point (row-major over (λ1, λ2) for 2-D grids); NaN where singular. */
  scores: Float64Array;
  /** Number of grid points skipped because their system was singular. */
  failures: number;
}

/** `k` evenly spaced values from a to b inclusive. */
export function linspace(a: number, b: number, k: number): number[] {
  assertInt('k', k, 1);
  return Array.from({ length: k }, (_, i) => (k === 1 ? a : a + ((b - a) * i) / (k - 1)));
}

/** `k` values 10^e for e evenly spaced from a to b inclusive. */
export function logspace(a: number, b: number, k: number): number[] {
  return linspace(a, b, k).map((e) => 10 ** e);
}

/** λ grid from docs/experiments.md §B: 100 values evenly spaced on [0, 10]. */
export const DEFAULT_LAMBDA_GRID: readonly number[] = linspace(0, 10, 100);
/** γ grid for GI least squares: 25 values 10^−3 … 10^3 (log-spaced, includes 1). */
export const DEFAULT_GAMMA_GRID: readonly number[] = logspace(-3, 3, 25);

function checkGrid(name: string, grid: readonly number[]): void {
  if (grid.length === 0) throw new RangeError(`${name} grid is empty`);
  grid.forEach((v, i) => assertNonNegative(`${name}[${i}]`, v));
}

function checkValidation(val: ValidationSet, p: number): void {
  if (val.y.length === 0 || val.phi.length !== val.y.length * p) {
    throw new RangeError(`validation phi has length ${val.phi.length}, expected m×p = ${val.y.length}×${p}`);
  }
  assertFinite('validation phi', val.phi);
  assertFinite('validation y', val.y);
}

/** Generic selector: fits every candidate, scores it on `val`, returns the exact grid optimum. */
export function selectOverGrid<P>(
  candidates: readonly P[],
  fit: (params: P) => Float64Array,
  val: ValidationSet,
  p: number,
): Selection<P> {
  if (candidates.length === 0) throw new RangeError('selection grid is empty');
  checkValidation(val, p);
  const scores = new Float64Array(candidates.length).fill(NaN);
  let best = -1;
  let bestBeta: Float64Array | undefined;
  let failures = 0;
  let firstFailure: unknown;
  candidates.forEach((c, i) => {
    let beta: Float64Array;
    try {
      beta = fit(c);
    } catch (e) {
      if (!(e instanceof SingularSystemError)) throw e;
      failures++;
      firstFailure ??= e;
      return;
    }
    scores[i] = rmse(predictLinear(val.phi, beta), val.y);
    if (best < 0 || scores[i] < scores[best]) {
      best = i;
      bestBeta = beta;
    }
  });
  if (best < 0 || bestBeta === undefined) {
    throw new SingularSystemError(`every grid point gave a singular system; first: ${(firstFailure as Error).message}`);
  }
  return { params: candidates[best], validationRmse: scores[best], beta: bestBeta, scores, failures };
}

/** Ridge: λ from `grid` (default {@link DEFAULT_LAMBDA_GRID}). */
export function selectRidge(
  s: GramSums,
  val: ValidationSet,
  grid: readonly number[] = DEFAULT_LAMBDA_GRID,
): Selection<{ lambda: number }> {
  checkGrid('lambda', grid);
  return selectOverGrid(grid.map((lambda) => ({ lambda })), ({ lambda }) => fitLeastSquares(s, lambda), val, s.p);
}

/** GI least squares: γ from `grid` (default {@link DEFAULT_GAMMA_GRID}), with a fixed ridge λ (default 0). */
export function selectGiLeastSquares(
  s: GramSums,
  val: ValidationSet,
  grid: readonly number[] = DEFAULT_GAMMA_GRID,
  lambda = 0,
): Selection<{ gamma: number }> {
  checkGrid('gamma', grid);
  return selectOverGrid(grid.map((gamma) => ({ gamma })), ({ gamma }) => fitGiLeastSquares(s, gamma, lambda), val, s.p);
}

/** Ridge-gradient over a list of (λ1, λ2). For a fixed S = λ1 + λ2 the fit is linear in λ2:
 *  β = A_S⁻¹Φᵀy + λ2·A_S⁻¹β_grad with A_S = ΦᵀΦ + S·I, so the validation residual is
 *  r0 + λ2·r1 and its squared norm a + 2λ2·b + λ2²·c: one Cholesky factor, two solves and three
 *  dot products per distinct S, then O(1) per grid point (the paper preset's 100×100 grid has
 *  only 349 distinct sums). The chosen β is refitted directly with {@link fitRidgeGradient} and
 *  its validation RMSE recomputed from predictions. */
/** Distinct sums λ1 + λ2 and, per pair, the index of its sum. Memoised on the grid contents
 *  (the experiment reuses one grid for every dataset), so the boxing Map runs once per grid. */
interface PairSlots {
  l1s: Float64Array;
  l2s: Float64Array;
  sums: Float64Array;
  slot: Int32Array;
}
let lastSlots: PairSlots | undefined;

function sameContents(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function pairSlots(l1s: Float64Array, l2s: Float64Array): PairSlots {
  if (lastSlots && sameContents(lastSlots.l1s, l1s) && sameContents(lastSlots.l2s, l2s)) return lastSlots;
  const index = new Map<number, number>();
  const slot = new Int32Array(l1s.length);
  for (let i = 0; i < l1s.length; i++) {
    const sum = l1s[i] + l2s[i];
    let k = index.get(sum);
    if (k === undefined) {
      k = index.size;
      index.set(sum, k);
    }
    slot[i] = k;
  }
  lastSlots = { l1s: Float64Array.from(l1s), l2s: Float64Array.from(l2s), sums: Float64Array.from(index.keys()), slot };
  return lastSlots;
}

/** Options of the ridge-gradient selectors: how β_grad is fitted, or β_grad itself. */
export interface RidgeGradientOptions extends GradientFitOptions {
  /** β_grad to use (e.g. from {@link selectGradientCoefficients}); default
   *  fitGradientCoefficients(s, options). */
  betaGrad?: Float64Array;
}

/** Validation derivatives: Φ'_j of the validation points (each m×p) and the observed y'_j (each m). */
export interface DerivativeValidationSet {
  dphi: readonly Float64Array[];
  dy: readonly Float64Array[];
}

/**
 * β_grad as a ridge regression of its own on the derivative equations, λ_g from `grid` by the
 * RMSE of Φ'_val β_grad against the validation derivatives y'_val (docs/experiments.md §B; the
 * authors' procedure). Singular grid points (λ_g = 0 on collinear derivative features) are
 * skipped. `params.lambdaG` is the chosen λ_g; `validationRmse` the derivative RMSE.
 * @example const g = selectGradientCoefficients(sums, { dphi: vd.dphi, dy: [valDydx] });
 *          selectRidgeGradient1d(sums, val, grid, { betaGrad: g.beta });
 */
export function selectGradientCoefficients(
  s: GramSums,
  val: DerivativeValidationSet,
  grid: readonly number[] = DEFAULT_LAMBDA_GRID,
  opts: Omit<GradientFitOptions, 'lambda'> = {},
): Selection<{ lambdaG: number }> {
  checkGrid('lambdaG', grid);
  if (val.dphi.length === 0 || val.dphi.length !== val.dy.length) {
    throw new RangeError(`validation derivatives: ${val.dphi.length} dphi blocks and ${val.dy.length} dy blocks; need the same positive count`);
  }
  if (val.dphi.length !== s.g) throw new RangeError(`validation derivatives have ${val.dphi.length} blocks, the sums ${s.g}`);
  // Stack the blocks: one validation set of m·g derivative equations.
  const m = val.dy[0].length;
  const phi = new Float64Array(m * s.p * val.dphi.length);
  const y = new Float64Array(m * val.dphi.length);
  val.dphi.forEach((d, j) => {
    if (d.length !== m * s.p || val.dy[j].length !== m) throw new RangeError(`validation derivative block ${j} is not ${m}×${s.p} with ${m} targets`);
    phi.set(d, j * m * s.p);
    y.set(val.dy[j], j * m);
  });
  return selectOverGrid(grid.map((lambdaG) => ({ lambdaG })), ({ lambdaG }) => fitGradientCoefficients(s, { ...opts, lambda: lambdaG }), { phi, y }, s.p);
}

function selectRidgeGradientPairs(
  s: GramSums,
  val: ValidationSet,
  l1s: Float64Array,
  l2s: Float64Array,
  gradOpts: RidgeGradientOptions,
): Selection<{ lambda1: number; lambda2: number }> {
  checkValidation(val, s.p);
  const { p, n } = s;
  const m = val.y.length;
  const bg = gradOpts.betaGrad ?? fitGradientCoefficients(s, gradOpts);
  if (bg.length !== p || !bg.every(Number.isFinite)) throw new RangeError(`betaGrad must hold ${p} finite values`);
  const { sums, slot } = pairSlots(l1s, l2s);
  // per distinct sum S: a = ‖r0‖², b = r0·r1, c = ‖r1‖² (NaN when A_S is singular)
  const qa = new Float64Array(sums.length);
  const qb = new Float64Array(sums.length);
  const qc = new Float64Array(sums.length);
  let firstFailure: SingularSystemError | undefined;
  for (let k = 0; k < sums.length; k++) {
    const sum = sums[k];
    try {
      if (sum === 0 && p > n) {
        throw new SingularSystemError(`ridge-gradient: p = ${p} features > ${n} equations with λ1 + λ2 = 0`);
      }
      const l = choleskyFactor(addDiagonal(s.AtA, p, sum), p);
      const r0 = predictLinear(val.phi, choleskySolve(l, s.Aty, p));
      const r1 = predictLinear(val.phi, choleskySolve(l, bg, p));
      for (let j = 0; j < m; j++) {
        const e = r0[j] - val.y[j];
        qa[k] += e * e;
        qb[k] += e * r1[j];
        qc[k] += r1[j] * r1[j];
      }
    } catch (e) {
      if (!(e instanceof SingularSystemError)) throw e;
      firstFailure ??= e;
      qa[k] = NaN;
    }
  }
  const scores = new Float64Array(l1s.length);
  let best = -1;
  let failures = 0;
  for (let i = 0; i < l1s.length; i++) {
    const k = slot[i];
    const lambda2 = l2s[i];
    const ss = qa[k] + lambda2 * (2 * qb[k] + lambda2 * qc[k]);
    if (Number.isNaN(ss)) {
      failures++;
      scores[i] = NaN;
      continue;
    }
    scores[i] = Math.sqrt(Math.max(ss, 0) / m);
    if (best < 0 || scores[i] < scores[best]) best = i;
  }
  if (best < 0) {
    throw new SingularSystemError(`every grid point gave a singular system; first: ${firstFailure?.message ?? 'unknown'}`);
  }
  const params = { lambda1: l1s[best], lambda2: l2s[best] };
  const beta = fitRidgeGradient(s, params.lambda1, params.lambda2, bg);
  return { params, validationRmse: rmse(predictLinear(val.phi, beta), val.y), beta, scores, failures };
}

/** Ridge-gradient on the 2-D grid λ1 ∈ grid1 × λ2 ∈ grid2 (scores row-major [i1·|grid2| + i2]). */
export function selectRidgeGradient(
  s: GramSums,
  val: ValidationSet,
  grid1: readonly number[] = DEFAULT_LAMBDA_GRID,
  grid2: readonly number[] = grid1,
  gradOpts: RidgeGradientOptions = {},
): Selection<{ lambda1: number; lambda2: number }> {
  checkGrid('lambda1', grid1);
  checkGrid('lambda2', grid2);
  const l1s = new Float64Array(grid1.length * grid2.length);
  const l2s = new Float64Array(grid1.length * grid2.length);
  for (let i = 0; i < grid1.length; i++) {
    for (let j = 0; j < grid2.length; j++) {
      l1s[i * grid2.length + j] = grid1[i];
      l2s[i * grid2.length + j] = grid2[j];
    }
  }
  return selectRidgeGradientPairs(s, val, l1s, l2s, gradOpts);
}

/** Ridge-gradient, 1-D variant with λ1 = λ2 = λ from `grid`. */
export function selectRidgeGradient1d(
  s: GramSums,
  val: ValidationSet,
  grid: readonly number[] = DEFAULT_LAMBDA_GRID,
  gradOpts: RidgeGradientOptions = {},
): Selection<{ lambda1: number; lambda2: number }> {
  checkGrid('lambda', grid);
  return selectRidgeGradientPairs(s, val, Float64Array.from(grid), Float64Array.from(grid), gradOpts);
}
