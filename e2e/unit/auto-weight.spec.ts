// gradientWeight 'auto' chooses from the candidates' per-fold held-out errors: the rule alone.
import { test, expect } from '@playwright/test';
import { chooseCandidate, foldRows, SHUFFLE_SEEDS } from '../../src/nn/auto-weight';

test("'auto' scores each candidate by the geometric mean of its folds, so one unlucky fold does not decide", () => {
  // Arithmetic means: w = 0 at 5, the other at 34; geometric: 5 and 100^(1/3) ≈ 4.64.
  const { scores, chosen } = chooseCandidate([[5, 5, 5], [1, 1, 100]]);
  expect(scores[0]).toBeCloseTo(5, 12);
  expect(scores[1]).toBeCloseTo(Math.cbrt(100), 12);
  expect(chosen).toBe(1);
});

test("'auto' keeps w = 0 unless a candidate's score is 5 % below it; a diverged (NaN) candidate never wins", () => {
  expect(chooseCandidate([[1.02, 1.02], [1, 1], [1.01, 1]]).chosen).toBe(0);
  expect(chooseCandidate([[1, 1], [0.96, 0.96], [0.94, 0.94]]).chosen).toBe(2);
  expect(chooseCandidate([[1, 1], [NaN, 0.1], [0.5, 0.5]]).chosen).toBe(2);
  expect(chooseCandidate([[NaN, 1], [0.5, 0.5], [0.7, 0.7]]).chosen).toBe(1);
  expect(chooseCandidate([[0.2, 0.2], [0.3, 0.15], [0.4, 0.4]]).chosen).toBe(0);
  expect(chooseCandidate([[0.2, 0.2], [0.3, 0.1], [0.4, 0.4]]).chosen).toBe(1);
});

test("'auto' folds: each shuffle's held-out sets are disjoint, equal in size, and their training rows the rest; the two shuffles group the rows differently", () => {
  const n = 17;
  const shuffles = SHUFFLE_SEEDS.map((seed) => foldRows(n, 3, seed));
  expect(shuffles).toHaveLength(2);
  for (const { folds, train, held } of shuffles) {
    expect(folds).toBe(3);
    const seen = new Set<number>();
    for (let f = 0; f < folds; f++) {
      expect(held[f]).toHaveLength(5);
      for (const r of held[f]) seen.add(r);
      expect(train[f]).toHaveLength(n - 5);
      expect([...train[f], ...held[f]].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(seen.size).toBe(15);
  }
  const together = (s: (typeof shuffles)[number], a: number, b: number) => s.held.some((h) => h.includes(a) && h.includes(b));
  const pairs = Array.from({ length: n * n }, (_, k) => [Math.floor(k / n), k % n]).filter(([a, b]) => a < b);
  expect(pairs.some(([a, b]) => together(shuffles[0], a, b) !== together(shuffles[1], a, b))).toBe(true);
});
