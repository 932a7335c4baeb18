import { test, expect } from '@playwright/test';
import { boundOrigin, complexityBound, type BoundRow } from '../../src/sweep/bound';

/** A table row from ΔRMSE and Δcorr (baseline fixed at RMSE 1, corr 0.5) and a baseline RMSE. */
function row(eta: number, deltaRmse: number, deltaCorr: number, baselineRmse = 1): BoundRow {
  return { eta, baseline: { rmse: baselineRmse, corr: 0.5 }, gi: { rmse: baselineRmse - deltaRmse, corr: 0.5 + deltaCorr } };
}

test('no negative crossing: UB = max(η₁, η₂), η₃ = η₄ = null', () => {
  // |Δcorr| is smallest at η = 8, |ΔRMSE| at η = 4; GI never loses.
  const b = complexityBound([row(2, 0.3, 0.2), row(4, 0.01, 0.1), row(8, 0.05, 0.001), row(12, 0.2, 0.05, 0.9)]);
  expect(b).toMatchObject({ eta1: 8, eta2: 4, eta3: null, eta4: null, ub: 8, bestBaselineEta: 12, bestWithinBound: false });
  expect(b.deltas.map((d) => d.eta)).toEqual([2, 4, 8, 12]);
  expect(b.deltas[0].deltaRmse).toBeCloseTo(0.3, 12);
  expect(b.deltas[0].deltaCorr).toBeCloseTo(0.2, 12);
});

test('Δcorr turns negative: η₃ is the FIRST such η and can set UB', () => {
  // Δcorr < 0 at 6 and 10 (first: 6); argmins at 2 (corr) and 2 (RMSE).
  const b = complexityBound([row(2, 0.001, 0.0001), row(6, 0.2, -0.3), row(10, 0.1, -0.5), row(14, 0.3, 0.4)]);
  expect(b).toMatchObject({ eta1: 2, eta2: 2, eta3: 6, eta4: null, ub: 6 });
});

test('ΔRMSE turns negative: η₄ is the first such η and can set UB', () => {
  const b = complexityBound([row(10, 0.5, 0.01), row(20, -0.2, 0.3), row(30, -0.9, 0.2), row(40, 0.4, 0.3)]);
  expect(b).toMatchObject({ eta1: 10, eta2: 20, eta3: null, eta4: 20, ub: 20 });
});

test('both cross: UB is the largest of η₁..η₄, argmins can exceed the crossings', () => {
  const b = complexityBound([row(2, 0.3, -0.1), row(4, -0.3, 0.2), row(6, 0.2, 0.3), row(8, 0.001, 0.0001, 0.5)]);
  expect(b).toMatchObject({ eta1: 8, eta2: 8, eta3: 2, eta4: 4, ub: 8, bestBaselineEta: 8, bestWithinBound: true });
});

test('crossing beyond the argmins sets UB', () => {
  const b = complexityBound([row(2, 0.001, 0.001), row(4, 0.2, 0.2), row(6, 0.1, -0.01), row(8, -0.1, 0.3)]);
  expect(b).toMatchObject({ eta1: 2, eta2: 2, eta3: 6, eta4: 8, ub: 8 });
});

test('rows in any order; ties go to the smallest η; best baseline η', () => {
  const b = complexityBound([row(9, 0.1, 0.2, 0.7), row(3, 0.1, 0.2, 0.7), row(6, 0.1, -0.2, 0.8)]);
  expect(b).toMatchObject({ eta1: 3, eta2: 3, eta3: 6, eta4: null, ub: 6, bestBaselineEta: 3, bestWithinBound: true });
});

test('non-finite averages take part in no argmin and no crossing', () => {
  const b = complexityBound([row(2, 0.2, 0.2), row(4, NaN, NaN, NaN), row(6, 0.1, 0.1, 0.9)]);
  expect(b).toMatchObject({ eta1: 6, eta2: 6, eta3: null, eta4: null, ub: 6, bestBaselineEta: 6 });
});

test('invalid tables are refused with a clear error', () => {
  expect(() => complexityBound([])).toThrow(/no widths/);
  expect(() => complexityBound([row(2, 0.1, 0.1), row(2, 0.2, 0.2)])).toThrow(/once/);
  expect(() => complexityBound([row(2, NaN, NaN, NaN)])).toThrow(/finite/);
});

test('which branch set UB, and whether it sits at the grid edge', () => {
  // GI never loses and the gaps shrink with η: UB = the largest η, set by the smallest gap.
  const edge = complexityBound([row(2, 0.3, 0.2), row(4, 0.2, 0.1), row(8, 0.01, 0.001)]);
  expect(edge).toMatchObject({ ub: 8, ubSetBy: ['eta1', 'eta2'], ubKind: 'smallest-gap', ubAtEdge: 'upper' });
  // ΔRMSE crosses at 4 inside the grid; the argmins are at 2: a crossover sets UB.
  const cross = complexityBound([row(2, 0.001, 0.0001), row(4, -0.2, 0.3), row(6, 0.3, 0.2), row(8, 0.2, 0.4)]);
  expect(cross).toMatchObject({ eta4: 4, ub: 4, ubSetBy: ['eta4'], ubKind: 'crossover', ubAtEdge: null });
  // A gap inside the grid: neither edge.
  const inner = complexityBound([row(2, 0.3, 0.2), row(4, 0.01, 0.01), row(8, 0.2, 0.1)]);
  expect(inner).toMatchObject({ ub: 4, ubSetBy: ['eta1', 'eta2'], ubKind: 'smallest-gap', ubAtEdge: null });
  // Smallest η: the lower edge.
  const low = complexityBound([row(2, 0.01, 0.01), row(4, 0.3, 0.2)]);
  expect(low).toMatchObject({ ub: 2, ubAtEdge: 'lower' });
  // A crossover at the largest η is still a crossover.
  expect(boundOrigin({ eta1: 2, eta2: 2, eta3: null, eta4: 8, ub: 8 }, [2, 4, 8])).toEqual({ ubSetBy: ['eta4'], ubKind: 'crossover', ubAtEdge: 'upper' });
  expect(() => boundOrigin({ eta1: 2, eta2: 2, eta3: null, eta4: null, ub: 2 }, [])).toThrow(/no widths/);
});
