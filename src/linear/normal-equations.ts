/** The sums behind every linear fit: ΦᵀΦ, Φᵀy, Σ_j Φ'_jᵀΦ'_j, Σ_j Φ'_jᵀy'_j.
 *  These are the only O(n) work; a GPU reduction can replace {@link gramSums} through the
 *  {@link SumsBackend} type without touching the fits. */

import { assertFinite, assertInt, assertLength } from './validate';

/** Sufficient statistics of a (gradient-augmented) least-squares problem; matrices row-major p×p. */
export interface GramSums {
  /** Number of training points. */
  n: number;
  /** Number of features. */
  p: number;
  /** ΦᵀΦ (p×p). */
  AtA: Float64Array;
  /** Φᵀy (p). */
  Aty: Float64Array;
  /** Σ_j Φ'_jᵀΦ'_j (p×p); present iff derivative data were given. */
  DtD?: Float64Array;
  /** Σ_j Φ'_jᵀy'_j (p); present iff derivative data were given. */
  Dty?: Float64Array;
  /** Number of derivative blocks j (0 when none). */
  g: number;
}

/** Signature of a sums implementation (CPU float64 here; a GPU reduction later). Arguments:
 *  Φ (n×p row-major), y (n), n, p, optionally Φ'_j (each n×p) and y'_j (each n), same count. */
export type SumsBackend = (
  phi: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  dphi?: readonly Float64Array[],
  dy?: readonly Float64Array[],
) => Promise<GramSums>;

function addGram(m: Float64Array, v: Float64Array, a: Float64Array, t: Float64Array, n: number, p: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * p;
    const ti = t[i];
    for (let r = 0; r < p; r++) {
      const ar = a[row + r];
      if (ar === 0) continue;
      v[r] += ar * ti;
      const mr = r * p;
      for (let c = r; c < p; c++) m[mr + c] += ar * a[row + c];
    }
  }
}

function symmetrise(m: Float64Array, p: number): void {
  for (let r = 0; r < p; r++) for (let c = 0; c < r; c++) m[r * p + c] = m[c * p + r];
}

/** Synchronous CPU float64 sums; validates shapes and finiteness and throws clear errors. */
export function gramSumsSync(
  phi: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  dphi?: readonly Float64Array[],
  dy?: readonly Float64Array[],
): GramSums {
  assertInt('n', n, 1);
  assertInt('p', p, 1);
  assertLength('phi', phi, n * p, `n×p = ${n}×${p}`);
  assertLength('y', y, n, 'n');
  assertFinite('phi', phi);
  assertFinite('y', y);
  if ((dphi === undefined) !== (dy === undefined)) {
    throw new RangeError('dphi and dy must be given together (derivative design matrices and derivative targets)');
  }
  const AtA = new Float64Array(p * p);
  const Aty = new Float64Array(p);
  addGram(AtA, Aty, phi, y, n, p);
  symmetrise(AtA, p);
  if (dphi === undefined || dy === undefined) return { n, p, AtA, Aty, g: 0 };
  if (dphi.length !== dy.length || dphi.length === 0) {
    throw new RangeError(`dphi has ${dphi.length} blocks but dy has ${dy.length}; need the same positive count`);
  }
  const DtD = new Float64Array(p * p);
  const Dty = new Float64Array(p);
  dphi.forEach((d, j) => {
    assertLength(`dphi[${j}]`, d, n * p, `n×p = ${n}×${p}`);
    assertLength(`dy[${j}]`, dy[j], n, 'n');
    assertFinite(`dphi[${j}]`, d);
    assertFinite(`dy[${j}]`, dy[j]);
    addGram(DtD, Dty, d, dy[j], n, p);
  });
  symmetrise(DtD, p);
  return { n, p, AtA, Aty, DtD, Dty, g: dphi.length };
}

/** CPU float64 {@link SumsBackend}: the default; rejects (never resolves NaN) on bad input. */
export const gramSums: SumsBackend = async (phi, y, n, p, dphi, dy) => gramSumsSync(phi, y, n, p, dphi, dy);
