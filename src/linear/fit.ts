/** Closed-form fits on {@link GramSums}: ridge / least squares, gradient-informed (GI) least
 *  squares (idea 1) and ridge-gradient regularisation (idea 3). All solves are Cholesky and throw
 *  a clear error (never return NaN) for singular or unregularised under-determined systems. */

import type { GramSums } from './normal-equations';
import { SingularSystemError, solveSpd } from './solve';
import { assertFinite, assertLength, assertNonNegative } from './validate';

/** Relative ridge δ used for β_grad: δ = this × mean diagonal of the free block of Σ_jΦ'_jᵀΦ'_j. */
export const DEFAULT_GRADIENT_RIDGE = 1e-10;

/** Returns m + λI (a copy). */
export function addDiagonal(m: Float64Array, p: number, lambda: number): Float64Array {
  const out = Float64Array.from(m);
  for (let i = 0; i < p; i++) out[i * p + i] += lambda;
  return out;
}

function requireDerivatives(s: GramSums, what: string): { DtD: Float64Array; Dty: Float64Array } {
  if (s.DtD === undefined || s.Dty === undefined || s.g === 0) {
    throw new RangeError(`${what} needs derivative sums: call gramSums with dphi and dy`);
  }
  return { DtD: s.DtD, Dty: s.Dty };
}

function checkUnderdetermined(s: GramSums, rows: number, reg: number, what: string): void {
  if (reg === 0 && s.p > rows) {
    throw new SingularSystemError(
      `${what}: p = ${s.p} features > ${rows} equations without regularisation; the system is singular — use λ > 0 or more data`,
    );
  }
}

/** Ridge regression β = (ΦᵀΦ + λI)⁻¹Φᵀy (λ = 0: ordinary least squares; the intercept is
 *  penalised too, as in the paper's formula). Throws if λ = 0 and p > n, or if singular. */
export function fitLeastSquares(s: GramSums, lambda = 0): Float64Array {
  assertNonNegative('lambda', lambda);
  checkUnderdetermined(s, s.n, lambda, 'least squares');
  return solveSpd(addDiagonal(s.AtA, s.p, lambda), s.Aty, s.p);
}

/** GI least squares: argmin ‖y − Φβ‖² + γ Σ_j‖y'_j − Φ'_jβ‖² + λ‖β‖², i.e.
 *  β = (ΦᵀΦ + γΣΦ'ᵀΦ' + λI)⁻¹(Φᵀy + γΣΦ'ᵀy'). γ = 0 reduces to {@link fitLeastSquares}. */
export function fitGiLeastSquares(s: GramSums, gamma: number, lambda = 0): Float64Array {
  assertNonNegative('gamma', gamma);
  assertNonNegative('lambda', lambda);
  const { DtD, Dty } = requireDerivatives(s, 'GI least squares');
  checkUnderdetermined(s, gamma > 0 ? s.n * (1 + s.g) : s.n, lambda, 'GI least squares');
  const p = s.p;
  const a = addDiagonal(s.AtA, p, lambda);
  const b = Float64Array.from(s.Aty);
  for (let i = 0; i < p * p; i++) a[i] += gamma * DtD[i];
  for (let i = 0; i < p; i++) b[i] += gamma * Dty[i];
  return solveSpd(a, b, p);
}

/** Options for {@link fitGradientCoefficients}. */
export interface GradientFitOptions {
  /** Columns with identically-zero derivative (e.g. the constant feature). Default: the columns
   *  whose diagonal entry of Σ_jΦ'_jᵀΦ'_j is exactly 0. */
  zeroGradientColumns?: readonly number[];
  /** Relative ridge (default {@link DEFAULT_GRADIENT_RIDGE}); 0 for none. */
  relativeRidge?: number;
  /** Absolute ridge λ_g on the derivative equations (default 0): β_grad =
   *  (Φ'ᵀΦ' + λ_g I)⁻¹Φ'ᵀy' over the free columns (docs/experiments.md §B; pick it with
   *  selectGradientCoefficients on validation derivatives). Added to the relative ridge. */
  lambda?: number;
}

/** β_grad = argmin Σ_j‖y'_j − Φ'_jβ‖² + λ_g‖β‖² — the coefficients implied by the derivative
 *  data alone (λ_g = `opts.lambda`, default 0). The derivative of a constant feature is 0, so its
 *  coefficient is not identified by y': it is set to 0 (also the minimum-norm solution, and
 *  what any λ_g > 0 gives) and only the other "free" columns are solved for, with
 *  λ_g + δ on the diagonal, δ = relativeRidge × mean(diag of the free block of ΣΦ'ᵀΦ') so that
 *  the λ_g = 0 solve cannot fail on near-collinear derivative features. */
export function fitGradientCoefficients(s: GramSums, opts: GradientFitOptions = {}): Float64Array {
  const { DtD, Dty } = requireDerivatives(s, 'β_grad');
  const p = s.p;
  const rel = opts.relativeRidge ?? DEFAULT_GRADIENT_RIDGE;
  const lambdaG = opts.lambda ?? 0;
  assertNonNegative('relativeRidge', rel);
  assertNonNegative('lambda', lambdaG);
  const zero = new Set<number>();
  if (opts.zeroGradientColumns) {
    for (const c of opts.zeroGradientColumns) {
      if (!Number.isInteger(c) || c < 0 || c >= p) throw new RangeError(`zeroGradientColumns entry ${c} is not a column in 0..${p - 1}`);
      zero.add(c);
    }
  } else {
    for (let c = 0; c < p; c++) if (DtD[c * p + c] === 0) zero.add(c);
  }
  const free: number[] = [];
  for (let c = 0; c < p; c++) if (!zero.has(c)) free.push(c);
  const beta = new Float64Array(p);
  if (free.length === 0) return beta;
  const q = free.length;
  const a = new Float64Array(q * q);
  const b = new Float64Array(q);
  let trace = 0;
  for (let r = 0; r < q; r++) {
    b[r] = Dty[free[r]];
    for (let c = 0; c < q; c++) a[r * q + c] = DtD[free[r] * p + free[c]];
    trace += a[r * q + r];
  }
  const sub = solveSpd(addDiagonal(a, q, lambdaG + (rel * trace) / q), b, q);
  free.forEach((c, r) => (beta[c] = sub[r]));
  return beta;
}

/** Ridge-gradient (idea 3): argmin ‖y − Φβ‖² + λ1‖β‖² + λ2‖β − β_grad‖², i.e.
 *  β = (ΦᵀΦ + (λ1+λ2)I)⁻¹(Φᵀy + λ2β_grad). β_grad defaults to {@link fitGradientCoefficients}(s). */
export function fitRidgeGradient(s: GramSums, lambda1: number, lambda2: number, betaGrad?: Float64Array): Float64Array {
  assertNonNegative('lambda1', lambda1);
  assertNonNegative('lambda2', lambda2);
  const bg = betaGrad ?? fitGradientCoefficients(s);
  assertLength('betaGrad', bg, s.p, 'p');
  assertFinite('betaGrad', bg);
  checkUnderdetermined(s, s.n, lambda1 + lambda2, 'ridge-gradient');
  const b = Float64Array.from(s.Aty);
  for (let i = 0; i < s.p; i++) b[i] += lambda2 * bg[i];
  return solveSpd(addDiagonal(s.AtA, s.p, lambda1 + lambda2), b, s.p);
}

/** Predictions Φβ for Φ row-major n×p (p = beta.length, n = phi.length / p). */
export function predictLinear(phi: Float64Array, beta: Float64Array): Float64Array {
  const p = beta.length;
  if (p === 0 || phi.length % p !== 0) {
    throw new RangeError(`phi has length ${phi.length}, not a multiple of p = beta.length = ${p}`);
  }
  const n = phi.length / p;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += phi[i * p + k] * beta[k];
    out[i] = s;
  }
  return out;
}

/** Root-mean-square error (one definition for the whole library, in src/util/stats). */
export { rmse } from '../util/stats';
