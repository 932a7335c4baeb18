/** Measuring a {@link SumsBackend} against the float64 CPU sums: seeded test systems (random
 *  and ill-scaled), an error measure that is fair to every column's scale, and timings. Used by
 *  the GPU tests (e2e/linear-sums.spec.ts) and the demo's precision table. */

import { Rng } from '../util/rng';
import { gramSums } from './normal-equations';
import type { GramSums, SumsBackend } from './normal-equations';

/** `random`: entries U(0, 1) (positive, like RBF features: no cancellation to hide summation
 *  error). `ill-scaled`: column k has spread σ_k = 10^(−3 + 6k/(p−1)) and offset ±σ_k·10^(k mod 4),
 *  targets have offset 100; column 0 is the constant 1. */
export type SumsDataKind = 'random' | 'ill-scaled';

/** A seeded least-squares system with g derivative blocks (g = 0: values only). */
export interface SumsTestData {
  n: number;
  p: number;
  phi: Float64Array;
  y: Float64Array;
  dphi?: Float64Array[];
  dy?: Float64Array[];
}

function matrix(kind: SumsDataKind, rng: Rng, n: number, p: number): Float64Array {
  const m = new Float64Array(n * p);
  for (let k = 0; k < p; k++) {
    const spread = p > 1 ? 10 ** (-3 + (6 * k) / (p - 1)) : 1;
    const offset = spread * 10 ** (k % 4) * (k % 2 ? -1 : 1);
    for (let i = 0; i < n; i++) {
      if (kind === 'random') m[i * p + k] = rng.uniform();
      else m[i * p + k] = k === 0 ? 1 : offset + spread * rng.normal();
    }
  }
  return m;
}

function targets(kind: SumsDataKind, rng: Rng, m: Float64Array, n: number, p: number): Float64Array {
  const w = Array.from({ length: p }, () => rng.normal());
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = kind === 'random' ? 0 : 100;
    for (let k = 0; k < p; k++) s += m[i * p + k] * w[k];
    t[i] = s + 0.1 * rng.normal();
  }
  return t;
}

/** Builds a seeded test system of n rows, p columns and g derivative blocks. */
export function sumsTestData(kind: SumsDataKind, n: number, p: number, g: number, seed: number): SumsTestData {
  const rng = new Rng(seed).fork(`sums:${kind}`);
  const phi = matrix(kind, rng, n, p);
  const data: SumsTestData = { n, p, phi, y: targets(kind, rng, phi, n, p) };
  if (g > 0) {
    data.dphi = Array.from({ length: g }, () => matrix(kind, rng, n, p));
    data.dy = data.dphi.map((d) => targets(kind, rng, d, n, p));
  }
  return data;
}

/** Accurate float64 reference for stacked rows z = [M | t]: with m the column means and
 *  d = z − m, Ĝ = Σ d dᵀ + m Dᵀ + D mᵀ + rows·m mᵀ (D = Σ d) is exact algebra for any shift m,
 *  so the rounding of m does not matter and every sum runs over centred values; one-pass sums
 *  lose about u·(offset/spread)² relative to the spread. C = Σ d dᵀ − D Dᵀ/rows is the centred
 *  sums, used as a scale. Both (p+1)×(p+1). */
function moments(mats: readonly Float64Array[], ts: readonly Float64Array[], p: number): { C: Float64Array; G: Float64Array } {
  const q = p + 1;
  const rows = ts.reduce((s, t) => s + t.length, 0);
  const mean = new Float64Array(q);
  const D = new Float64Array(q);
  const dd = new Float64Array(q * q);
  const z = new Float64Array(q);
  const each = (visit: () => void) =>
    mats.forEach((m, j) => {
      for (let i = 0; i < ts[j].length; i++) {
        for (let c = 0; c < p; c++) z[c] = m[i * p + c];
        z[p] = ts[j][i];
        visit();
      }
    });
  each(() => z.forEach((v, c) => (mean[c] += v)));
  mean.forEach((v, c) => (mean[c] = v / rows));
  each(() => {
    for (let r = 0; r < q; r++) {
      const dr = z[r] - mean[r];
      D[r] += dr;
      for (let c = r; c < q; c++) dd[r * q + c] += dr * (z[c] - mean[c]);
    }
  });
  const C = new Float64Array(q * q);
  const G = new Float64Array(q * q);
  for (let r = 0; r < q; r++) {
    for (let c = r; c < q; c++) {
      C[r * q + c] = C[c * q + r] = dd[r * q + c] - (D[r] * D[c]) / rows;
      G[r * q + c] = G[c * q + r] = dd[r * q + c] + mean[r] * D[c] + D[r] * mean[c] + rows * mean[r] * mean[c];
    }
  }
  return { C, G };
}

/** Errors of sums against references. Every measure covers the entries of MᵀM and Mᵀt, seen as
 *  the blocks of the (p+1)×(p+1) Gram matrix E of [M | t]. */
export interface SumsError {
  /** max |ΔE_rc| / √(E_rr·E_cc) against the one-pass float64 CPU sums: each entry's error
   *  relative to its Cauchy–Schwarz bound, invariant to column scaling and not inflated by
   *  entries that are small through cancellation. */
  scaled: number;
  /** max |ΔE_rc| / √(C_rr·C_cc) against accurate (centred two-pass) float64 sums, C the
   *  centred sums (constant columns left out): the error relative to the spread the fit learns
   *  from, which column offsets would hide from `scaled`. */
  centred: number;
  /** max |ΔE_rc| / |E_rc| against the float64 CPU sums (inflated by cancellation; for reference). */
  elementwise: number;
}

function extended(mtm: Float64Array, mtt: Float64Array, p: number, tt: number): Float64Array {
  const q = p + 1;
  const e = new Float64Array(q * q);
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < p; c++) e[r * q + c] = mtm[r * p + c];
    e[r * q + p] = e[p * q + r] = mtt[r];
  }
  e[p * q + p] = tt;
  return e;
}

function blockError(a: Float64Array, ref: Float64Array, acc: { C: Float64Array; G: Float64Array }, p: number): SumsError {
  const q = p + 1;
  const out: SumsError = { scaled: 0, centred: 0, elementwise: 0 };
  const { C, G } = acc;
  // A column whose spread is float64 rounding of its mean counts as constant.
  const spread = (k: number) => (C[k * q + k] <= 1e-20 * G[k * q + k] ? 0 : C[k * q + k]);
  for (let r = 0; r < q; r++) {
    for (let c = r; c < q; c++) {
      if (r === p && c === p) continue; // tᵀt is not part of the sums
      const i = r * q + c;
      if (!Number.isFinite(a[i])) return { scaled: Infinity, centred: Infinity, elementwise: Infinity };
      const e = Math.abs(a[i] - ref[i]);
      const bound = Math.sqrt(ref[r * q + r] * ref[c * q + c]);
      out.scaled = Math.max(out.scaled, bound > 0 ? e / bound : e);
      out.elementwise = Math.max(out.elementwise, ref[i] !== 0 ? e / Math.abs(ref[i]) : e);
      const s = Math.sqrt(spread(r) * spread(c));
      if (s > 0) out.centred = Math.max(out.centred, Math.abs(a[i] - G[i]) / s);
    }
  }
  return out;
}

/** Errors of `a` for the value block (ΦᵀΦ, Φᵀy) and, when present, the derivative block. The
 *  `cpu` entry measures the float64 CPU sums themselves against the two-pass reference. */
export function sumsError(a: GramSums, ref: GramSums, data: SumsTestData): { values: SumsError; derivatives: SumsError | null; cpuCentred: number } {
  const p = ref.p;
  const sq = (ts: readonly Float64Array[]) => ts.reduce((s, t) => s + t.reduce((u, v) => u + v * v, 0), 0);
  const tv = sq([data.y]);
  const mv = moments([data.phi], [data.y], p);
  const values = blockError(extended(a.AtA, a.Aty, p, tv), extended(ref.AtA, ref.Aty, p, tv), mv, p);
  let cpuCentred = blockError(extended(ref.AtA, ref.Aty, p, tv), extended(ref.AtA, ref.Aty, p, tv), mv, p).centred;
  if (!ref.DtD || !ref.Dty || !data.dphi || !data.dy) return { values, derivatives: null, cpuCentred };
  if (!a.DtD || !a.Dty) throw new Error('the sums under test lack the derivative sums');
  const td = sq(data.dy);
  const md = moments(data.dphi, data.dy, p);
  const refD = extended(ref.DtD, ref.Dty, p, td);
  const derivatives = blockError(extended(a.DtD, a.Dty, p, td), refD, md, p);
  cpuCentred = Math.max(cpuCentred, blockError(refD, refD, md, p).centred);
  return { values, derivatives, cpuCentred };
}

/** One comparison: errors of `backend` vs the CPU float64 sums, and the time of each (ms). */
export interface SumsComparison {
  n: number;
  p: number;
  g: number;
  kind: SumsDataKind;
  /** Worst block: max over (ΦᵀΦ, Φᵀy) and (Σ Φ'ᵀΦ', Σ Φ'ᵀy') of each measure. */
  error: SumsError;
  fields: ReturnType<typeof sumsError>;
  ms: { backend: number; cpu: number };
}

/** Runs `backend` and the CPU float64 sums on the same seeded system and compares them. */
export async function compareSums(backend: SumsBackend, kind: SumsDataKind, n: number, p: number, g: number, seed = 1): Promise<SumsComparison> {
  const data = sumsTestData(kind, n, p, g, seed);
  const call = (b: SumsBackend) => b(data.phi, data.y, n, p, data.dphi, data.dy);
  let t = performance.now();
  const a = await call(backend);
  const backendMs = performance.now() - t;
  t = performance.now();
  const ref = await call(gramSums);
  const cpuMs = performance.now() - t;
  const fields = sumsError(a, ref, data);
  const present = [fields.values, ...(fields.derivatives ? [fields.derivatives] : [])];
  const worst = (k: keyof SumsError) => Math.max(...present.map((f) => f[k]));
  const error: SumsError = { scaled: worst('scaled'), centred: worst('centred'), elementwise: worst('elementwise') };
  return { n, p, g, kind, error, fields, ms: { backend: backendMs, cpu: cpuMs } };
}
