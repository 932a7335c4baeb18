/** The GI complexity bound (docs/experiments.md §A, idea 2).
 *
 *  For each width η the test metrics are averaged over repeats, then
 *    ΔRMSE(η) = RMSE_baseline − RMSE_GI,   Δcorr(η) = corr_GI − corr_baseline,
 *    η₁ = argmin |Δcorr|,   η₂ = argmin |ΔRMSE|,
 *    η₃ = first η with Δcorr < 0,   η₄ = first η with ΔRMSE < 0   (only if there is one),
 *    UB = max(η₁, η₂, η₃, η₄),
 *  and UB is reported next to the η with the lowest mean baseline test RMSE. "First" means the
 *  smallest η; argmin ties go to the smallest η. An η whose averages are not finite (a
 *  diverged run) takes part in no argmin and no crossing.
 *
 *  Which branch set UB matters: a crossover (η₃/η₄) is where GI stops helping; where GI never
 *  loses, η₁/η₂ are only the widths of the smallest gap, and when that is the grid's largest η
 *  the bound says "at least the grid's edge", not where to stop. */

/** Mean test metrics of one width for the baseline (w = 0) and the GI model (w > 0). */
export interface BoundRow {
  eta: number;
  baseline: { rmse: number; corr: number };
  gi: { rmse: number; corr: number };
}

/** A branch of the bound: η₁ (smallest |Δcorr|), η₂ (smallest |ΔRMSE|), η₃/η₄ (crossovers). */
export type BoundBranch = 'eta1' | 'eta2' | 'eta3' | 'eta4';

/** What set UB and where it lies on the grid. */
export interface BoundOrigin {
  /** Every branch whose η equals UB, in the order η₁..η₄. */
  ubSetBy: BoundBranch[];
  /** 'crossover' when η₃ or η₄ equals UB (GI turns worse there), else 'smallest-gap'. */
  ubKind: 'crossover' | 'smallest-gap';
  /** 'upper' when UB is the grid's largest η, 'lower' when its smallest (and not the largest),
   *  else null. An upper-edge bound of kind smallest-gap is set by the grid, not the data. */
  ubAtEdge: 'upper' | 'lower' | null;
}

export interface ComplexityBound extends BoundOrigin {
  /** argmin |Δcorr|. */
  eta1: number;
  /** argmin |ΔRMSE|. */
  eta2: number;
  /** First η with Δcorr < 0, or null when GI never loses on correlation. */
  eta3: number | null;
  /** First η with ΔRMSE < 0, or null when GI never loses on RMSE. */
  eta4: number | null;
  /** UB = max of the defined η₁..η₄. */
  ub: number;
  /** The η with the lowest mean baseline test RMSE. */
  bestBaselineEta: number;
  /** bestBaselineEta ≤ ub: the paper's claim holds for this sweep. */
  bestWithinBound: boolean;
  /** Per η, in increasing η: ΔRMSE and Δcorr. */
  deltas: { eta: number; deltaRmse: number; deltaCorr: number }[];
}

function argmin(rows: { eta: number; value: number }[]): number | null {
  let best: { eta: number; value: number } | null = null;
  for (const r of rows) if (Number.isFinite(r.value) && (best === null || r.value < best.value)) best = r;
  return best?.eta ?? null;
}

/**
 * The GI complexity upper bound of a sweep from its per-η mean metrics.
 * @example const b = complexityBound(rows); console.log(`stop the width search at η = ${b.ub}`);
 */
export function complexityBound(rows: readonly BoundRow[]): ComplexityBound {
  if (rows.length === 0) throw new RangeError('complexityBound: no widths');
  const etas = new Set(rows.map((r) => r.eta));
  if (etas.size !== rows.length) throw new RangeError('complexityBound: each η must appear once (average the repeats first)');
  const sorted = [...rows].sort((a, b) => a.eta - b.eta);
  const deltas = sorted.map((r) => ({ eta: r.eta, deltaRmse: r.baseline.rmse - r.gi.rmse, deltaCorr: r.gi.corr - r.baseline.corr }));
  const eta1 = argmin(deltas.map((d) => ({ eta: d.eta, value: Math.abs(d.deltaCorr) })));
  const eta2 = argmin(deltas.map((d) => ({ eta: d.eta, value: Math.abs(d.deltaRmse) })));
  const bestBaselineEta = argmin(sorted.map((r) => ({ eta: r.eta, value: r.baseline.rmse })));
  if (eta1 === null || eta2 === null || bestBaselineEta === null) {
    throw new RangeError('complexityBound: no width has finite metrics for both models (did every run diverge?)');
  }
  const eta3 = deltas.find((d) => d.deltaCorr < 0)?.eta ?? null;
  const eta4 = deltas.find((d) => d.deltaRmse < 0)?.eta ?? null;
  const ub = Math.max(eta1, eta2, eta3 ?? -Infinity, eta4 ?? -Infinity);
  const origin = boundOrigin({ eta1, eta2, eta3, eta4, ub }, sorted.map((r) => r.eta));
  return { eta1, eta2, eta3, eta4, ub, ...origin, bestBaselineEta, bestWithinBound: bestBaselineEta <= ub, deltas };
}

/**
 * Which branches set a bound's UB and whether it sits at the edge of the η grid (also for a
 * bound read back from JSON written before these fields existed).
 * @example boundOrigin(result.bound, result.summary.map((s) => s.eta)).ubKind
 */
export function boundOrigin(b: Pick<ComplexityBound, 'eta1' | 'eta2' | 'eta3' | 'eta4' | 'ub'>, etas: readonly number[]): BoundOrigin {
  if (etas.length === 0) throw new RangeError('boundOrigin: no widths');
  const branches: [BoundBranch, number | null][] = [['eta1', b.eta1], ['eta2', b.eta2], ['eta3', b.eta3], ['eta4', b.eta4]];
  const ubSetBy = branches.filter(([, eta]) => eta === b.ub).map(([name]) => name);
  const ubKind = ubSetBy.includes('eta3') || ubSetBy.includes('eta4') ? 'crossover' : 'smallest-gap';
  const max = Math.max(...etas);
  const min = Math.min(...etas);
  const ubAtEdge = b.ub === max ? 'upper' : b.ub === min ? 'lower' : null;
  return { ubSetBy, ubKind, ubAtEdge };
}
