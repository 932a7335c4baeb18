/** Host side of the GPU Gram sums (src/linear/gpu-sums.ts): packing a least-squares system
 *  [M | t] into float32 rows, adding the GPU's block partials in float64, and undoing the
 *  centring and scaling in float64.
 *
 *  A "system" is g blocks of n rows: matrices M_j (n×p, row-major) with targets t_j (n),
 *  stacked to g·n rows; its Gram sums are MᵀM = Σ_j M_jᵀM_j and Mᵀt = Σ_j M_jᵀt_j.
 *
 *  Centring: column k is uploaded as c = fl32((x − μ_k)·s_k), with μ_k a sample mean and s_k a
 *  power of two near 1/rms, so float32 rounds relative to the spread of the column rather than
 *  its offset, and no column can underflow or overflow. The GPU sums C = Σ c cᵀ; the column
 *  sums S = Σ(x − μ) are taken in float64 while packing, and
 *  Σ x xᵀ = C/(s sᵀ) + μSᵀ + Sμᵀ + nμμᵀ is formed in float64. (S from the rounded c instead
 *  would carry their float32 rounding times the offset μ into every entry.) */

/** Per-column shift and power-of-two scale of a system's p + 1 columns (features, target). */
export interface ColumnPlan {
  p: number;
  /** Shift μ per column (float64; 0 when not centring). */
  shift: Float64Array;
  /** Scale s per column, a power of two (1 when not centring). */
  scale: Float64Array;
}

/** A system to pack: g blocks of n rows, with names for error messages. */
export interface GramSystem {
  n: number;
  p: number;
  mats: readonly Float64Array[];
  targets: readonly Float64Array[];
  /** Names of the inputs, e.g. ['phi'] / ['y'] or ['dphi[0]', …] / ['dy[0]', …]. */
  matNames: readonly string[];
  targetNames: readonly string[];
}

/** Largest magnitude a packed value may have: a block's float32 sum of squares then stays below
 *  float32's max (3.4e38) for blocks of up to 1e8 rows. */
export const PACK_LIMIT = 1e15;

const SAMPLE_ROWS = 4096;

/** Row stride in floats of a packed system: p features and the target, padded to a multiple of 4. */
export function packedWidth(p: number): number {
  return 4 * Math.ceil((p + 1) / 4);
}

/** Plans shifts and scales from a strided sample of at most 4096 rows (non-finite values are
 *  skipped here and reported by {@link packRows}). Without `centre`: μ = 0, s = 1. */
export function planColumns(sys: GramSystem, centre: boolean): ColumnPlan {
  const { n, p } = sys;
  const shift = new Float64Array(p + 1);
  const scale = new Float64Array(p + 1).fill(1);
  if (!centre) return { p, shift, scale };
  const rows = n * sys.mats.length;
  const m = Math.min(rows, SAMPLE_ROWS);
  const sum = new Float64Array(p + 1);
  const sq = new Float64Array(p + 1);
  const count = new Float64Array(p + 1);
  const visit = (pass: 0 | 1): void => {
    for (let k = 0; k < m; k++) {
      const i = Math.floor((k * rows) / m);
      const j = Math.floor(i / n);
      const r = i - j * n;
      for (let c = 0; c <= p; c++) {
        const x = c < p ? sys.mats[j][r * p + c] : sys.targets[j][r];
        if (!Number.isFinite(x)) continue;
        if (pass === 0) {
          sum[c] += x;
          count[c]++;
        } else sq[c] += (x - shift[c]) ** 2;
      }
    }
  };
  visit(0);
  for (let c = 0; c <= p; c++) shift[c] = count[c] > 0 ? sum[c] / count[c] : 0;
  visit(1);
  for (let c = 0; c <= p; c++) {
    const rms = count[c] > 0 ? Math.sqrt(sq[c] / count[c]) : 0;
    if (rms > 0 && Number.isFinite(rms)) scale[c] = 2 ** Math.max(-120, Math.min(120, -Math.round(Math.log2(rms))));
  }
  return { p, shift, scale };
}

/** 2^41 + 1: Veltkamp's splitter that leaves 53 − 41 = 12 significant bits in a float64's head. */
const SPLITTER = 2 ** 41 + 1;

/** Writes stacked rows [start, start + count) of the system into `out` as float32, adding the
 *  float64 column sums of x − μ to `sums`. One word per value: row stride ld =
 *  {@link packedWidth}(p). `split`: row stride 2·ld, the heads (≤ 12 significant bits, so
 *  head products are exact in float32) then the float32 remainders, which together carry about
 *  36 bits. `out` must be zero-filled, as a new mapped buffer is (padding columns stay 0). A
 *  NaN/±Infinity or a value too large for float32 sums throws an error naming array and index. */
export function packRows(sys: GramSystem, plan: ColumnPlan, start: number, count: number, out: Float32Array, sums: Float64Array, split = false): void {
  const { n, p } = sys;
  const ld = packedWidth(p);
  const stride = split ? 2 * ld : ld;
  const end = start + count;
  const row = new Float64Array(p + 1);
  for (let j = Math.floor(start / n); j * n < end; j++) {
    const mat = sys.mats[j];
    const tgt = sys.targets[j];
    const r0 = Math.max(start - j * n, 0);
    const r1 = Math.min(end - j * n, n);
    let bad = false;
    for (let r = r0, o = (j * n + r0 - start) * stride; r < r1; r++, o += stride) {
      for (let c = 0; c < p; c++) row[c] = mat[r * p + c];
      row[p] = tgt[r];
      bad = centreRow(row, plan, sums) || bad;
      if (split) splitRow(row, out, o, ld);
      else out.set(row, o);
    }
    if (bad) reportBadValue(sys, plan, j, r0, r1);
  }
}

/** row ← (row − μ)·s in place, adds row − μ to sums; true when a value cannot be packed. */
function centreRow(row: Float64Array, plan: ColumnPlan, sums: Float64Array): boolean {
  const { shift, scale } = plan;
  let bad = false;
  for (let c = 0; c < row.length; c++) {
    const d = row[c] - shift[c];
    const v = d * scale[c];
    sums[c] += d;
    row[c] = v;
    bad ||= !(v <= PACK_LIMIT && v >= -PACK_LIMIT);
  }
  return bad;
}

/** Writes heads (≤ 12 significant bits) at out[o…] and float32 remainders at out[o + ld…]. */
function splitRow(row: Float64Array, out: Float32Array, o: number, ld: number): void {
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    const t = v * SPLITTER;
    const head = Math.fround(t - (t - v));
    out[o + c] = head;
    out[o + ld + c] = v - head;
  }
}

/** Finds and throws for the first value of block j (rows r0..r1) that cannot be packed. */
function reportBadValue(sys: GramSystem, plan: ColumnPlan, j: number, r0: number, r1: number): never {
  const { p } = sys;
  const centred = plan.shift.some((v) => v !== 0) || plan.scale.some((v) => v !== 1);
  const check = (name: string, index: number, x: number, c: number): void => {
    if (!Number.isFinite(x)) throw new RangeError(`${name}[${index}] is ${String(x)}; all entries must be finite (no NaN/Infinity)`);
    if (!(Math.abs((x - plan.shift[c]) * plan.scale[c]) <= PACK_LIMIT)) {
      throw new RangeError(
        `${name}[${index}] = ${x} is too large for float32 sums (|packed value| > ${PACK_LIMIT})` +
          (centred ? ': it is an extreme outlier of its column; rescale the data' : ': rescale the data or enable centring'),
      );
    }
  };
  for (let r = r0; r < r1; r++) {
    for (let c = 0; c < p; c++) check(sys.matNames[j], r * p + c, sys.mats[j][r * p + c], c);
    check(sys.targetNames[j], r, sys.targets[j][r], p);
  }
  throw new Error('packRows: a value failed the check but could not be found again');
}

/** Upper-triangle 4×4 tiles of a width-w Gram matrix in the kernel's order (row by row). */
export function gramTiles(width: number): [number, number][] {
  const tiles: [number, number][] = [];
  for (let r = 0; r < width; r++) for (let c = r; c < width; c++) tiles.push([r, c]);
  return tiles;
}

/** Adds the partials of `blocks` blocks (layout [block][tile][16 sums, 16 corrections]) to
 *  the upper triangle of h (ld×ld, float64): each entry gets Σ_blocks (sum + correction). */
export function addPartials(h: Float64Array, ld: number, partials: Float32Array, blocks: number): void {
  const tiles = gramTiles(ld / 4);
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    for (const [tr, tc] of tiles) {
      for (let i = 0; i < 4; i++) {
        const row = (4 * tr + i) * ld + 4 * tc;
        for (let j = 0; j < 4; j++) {
          if (tr !== tc || i <= j) h[row + j] += partials[o + i * 4 + j] + partials[o + 16 + i * 4 + j];
        }
      }
      o += 32;
    }
  }
}

/** Undoes centring and scaling: from the packed Gram h (upper triangle, ld×ld), the float64
 *  column sums S = Σ(x − μ) (length p + 1) and the row count, returns MᵀM (p×p, full and
 *  exactly symmetric) and Mᵀt (p). Constant columns come out exact (constant zero: exactly 0). */
export function unpackGram(h: Float64Array, plan: ColumnPlan, sums: Float64Array, count: number): { MtM: Float64Array; Mtt: Float64Array } {
  const { p, shift, scale } = plan;
  const ld = packedWidth(p);
  const at = (r: number, c: number): number => (r <= c ? h[r * ld + c] : h[c * ld + r]);
  const g = (r: number, c: number): number =>
    at(r, c) / (scale[r] * scale[c]) + shift[r] * sums[c] + sums[r] * shift[c] + count * shift[r] * shift[c];
  const MtM = new Float64Array(p * p);
  const Mtt = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    for (let c = r; c < p; c++) MtM[r * p + c] = MtM[c * p + r] = g(r, c);
    Mtt[r] = g(r, p);
  }
  return { MtM, Mtt };
}
