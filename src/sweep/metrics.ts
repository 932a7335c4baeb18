/** Test metrics of the experiments (EXPERIMENTS.md: RMSE over all points and outputs, and
 *  Pearson correlation of the flattened predictions with the truth), and summary statistics. */

function checkSameLength(pred: ArrayLike<number>, truth: ArrayLike<number>, what: string): void {
  if (pred.length !== truth.length) throw new RangeError(`${what}: ${pred.length} predictions for ${truth.length} targets`);
  if (pred.length === 0) throw new RangeError(`${what}: no values`);
}

/** Root-mean-square error over every entry. NaN if a prediction is not finite. */
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

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export interface MeanSd {
  mean: number;
  sd: number;
  n: number;
}

/** Mean and sample standard deviation of `values`. */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}
