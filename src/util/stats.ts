/** Summary statistics and error measures used across the library, its tests and benchmarks.
 *  Everything runs in float64 on plain arrays (Float32Array or number[]). */

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`${what} needs equal non-empty lengths, got ${a.length} predictions and ${b.length} targets`);
  }
}

/** Root-mean-square error over every entry (RangeError for unequal or empty arrays). NaN if
 *  a prediction is not finite. */
export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkSameLength(pred, truth, 'rmse');
  let sum = 0;
  for (let i = 0; i < pred.length; i++) sum += (pred[i] - truth[i]) ** 2;
  return Math.sqrt(sum / pred.length);
}

/** Pearson correlation of the flattened arrays (float64 two-pass). 0 when either is constant. */
export function pearson(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkSameLength(pred, truth, 'pearson');
  const n = pred.length;
  let mp = 0;
  let mt = 0;
  for (let i = 0; i < n; i++) {
    mp += pred[i] / n;
    mt += truth[i] / n;
  }
  let cov = 0;
  let vp = 0;
  let vt = 0;
  for (let i = 0; i < n; i++) {
    const a = pred[i] - mp;
    const b = truth[i] - mt;
    cov += a * b;
    vp += a * a;
    vt += b * b;
  }
  if (vp === 0 || vt === 0) return Number.isFinite(cov) ? 0 : NaN;
  return cov / Math.sqrt(vp * vt);
}

/** Normwise relative error ‖a − b‖∞ / ‖b‖∞ (absolute when b is all zero); Infinity when the
 *  lengths differ or `a` holds a non-finite value. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

/** Arithmetic mean (NaN for no values). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : NaN;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export interface MeanSd {
  mean: number;
  sd: number;
  n: number;
}

/** Mean and sample standard deviation of `values` (NaN for no values). */
export function meanSd(values: ArrayLike<number>): MeanSd {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - m) ** 2;
  return { mean: m, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

/** Sample standard deviation (n − 1; 0 for a single value, NaN for none). */
export function sd(values: ArrayLike<number>): number {
  return meanSd(values).sd;
}

/** Standard error of the mean, sd / √n (NaN for no values). */
export function standardError(values: ArrayLike<number>): number {
  const s = meanSd(values);
  return s.sd / Math.sqrt(s.n);
}

/** Median (the mean of the two middle values for an even count; NaN for no values). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  const s = Array.from(values).sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
