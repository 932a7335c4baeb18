/** Cholesky factorisation and solves for small symmetric positive-definite systems (float64).
 *  Never returns NaN: non-SPD, singular or numerically ill-conditioned systems throw. */

import { assertFinite, assertInt, assertLength } from './validate';

/** Default relative pivot tolerance: a pivot ≤ this × (largest diagonal entry) is rejected. */
export const DEFAULT_PIVOT_TOLERANCE = 1e-12;

/** Thrown when a matrix is not (numerically) symmetric positive definite. */
export class SingularSystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SingularSystemError';
  }
}

/** Options for {@link choleskyFactor}. */
export interface CholeskyOptions {
  /** Relative pivot tolerance (default {@link DEFAULT_PIVOT_TOLERANCE}). */
  pivotTolerance?: number;
}

/** Factors the SPD p×p matrix `a` (row-major; only checked for symmetry, lower triangle used)
 *  as L·Lᵀ and returns L (row-major, zeros above the diagonal). Throws
 *  {@link SingularSystemError} when a pivot is ≤ pivotTolerance·max(diag a) (not positive
 *  definite, singular, or too ill-conditioned to solve reliably), and `Error` for bad shapes,
 *  non-finite entries or an asymmetric matrix. */
export function choleskyFactor(a: Float64Array, p: number, opts: CholeskyOptions = {}): Float64Array {
  assertInt('p', p, 1);
  assertLength('matrix', a, p * p, `p×p = ${p}×${p}`);
  assertFinite('matrix', a);
  const tol = opts.pivotTolerance ?? DEFAULT_PIVOT_TOLERANCE;
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`pivotTolerance must be finite and ≥ 0, got ${tol}`);
  let maxDiag = 0;
  let maxAbs = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, a[i * p + i]);
  for (let i = 0; i < p * p; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]));
  if (!(maxDiag > 0)) {
    throw new SingularSystemError(`matrix is not positive definite: largest diagonal entry is ${maxDiag} (≤ 0)`);
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(a[i * p + j] - a[j * p + i]) > 1e-10 * maxAbs) {
        throw new RangeError(`matrix is not symmetric: a[${i},${j}] = ${a[i * p + j]} but a[${j},${i}] = ${a[j * p + i]}`);
      }
    }
  }
  const l = new Float64Array(p * p);
  const floor = tol * maxDiag;
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= l[j * p + k] * l[j * p + k];
    if (!(d > floor)) {
      throw new SingularSystemError(
        `matrix is singular, not positive definite, or too ill-conditioned: Cholesky pivot ${j} is ${d.toExponential(3)} ` +
          `≤ ${tol}·max diagonal (${maxDiag.toExponential(3)}); add regularisation (e.g. λ > 0) or more data`,
      );
    }
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L·Lᵀ·x = b given the Cholesky factor L from {@link choleskyFactor}. */
export function choleskySolve(l: Float64Array, b: ArrayLike<number>, p: number): Float64Array {
  assertInt('p', p, 1);
  assertLength('factor', l, p * p, `p×p = ${p}×${p}`);
  assertLength('rhs', b, p, 'p');
  assertFinite('rhs', b);
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  for (let i = 0; i < p; i++) {
    if (!Number.isFinite(x[i])) throw new SingularSystemError(`solution entry ${i} is ${x[i]}: system is too ill-conditioned`);
  }
  return x;
}

/** Solves the SPD system A·x = b (A row-major p×p) by Cholesky; throws as {@link choleskyFactor}. */
export function solveSpd(a: Float64Array, b: ArrayLike<number>, p: number, opts: CholeskyOptions = {}): Float64Array {
  return choleskySolve(choleskyFactor(a, p, opts), b, p);
}
