import { test, expect } from '@playwright/test';
import { blobsDataset, renderJacobian, BLOB_THETA_DIM } from '../../src/experiments/problems/blobs';
import { Rng } from '../../src/util/rng';
import { blobsTangentTargets, pixelRmse, schedule, type TargetStats } from '../../src/experiments/generative/generator';
import { headRows, modelCount, seedsFor, stat } from '../../src/experiments/generative/experiment';
import { costProblem } from '../../src/experiments/generative/cost';
import { GENERATIVE_PRESETS } from '../../src/experiments/generative/presets';
import { generativeMarkdown, gridJson } from '../../demo/sections/generative-report';

/** J·v from the full Jacobian, k × n × pixels (block layout, like the engine's tangent rows). */
function jacobianTimes(x: Float32Array, v: Float32Array, k: number, size: number): Float64Array {
  const n = x.length / BLOB_THETA_DIM;
  const hw = size * size;
  const out = new Float64Array(k * n * hw);
  for (let i = 0; i < n; i++) {
    const J = renderJacobian(x.subarray(i * 6, i * 6 + 6), { size });
    for (let j = 0; j < k; j++) {
      for (let p = 0; p < hw; p++) {
        let s = 0;
        for (let m = 0; m < 6; m++) s += J[p * 6 + m] * v[(j * n + i) * 6 + m];
        out[(j * n + i) * hw + p] = s;
      }
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function randomArray(count: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: count }, () => r.normal());
}

test.describe('generative model helpers', () => {
  test('blobsTangentTargets returns J·v per direction block and counts its work', async () => {
    for (const size of [16, 28]) {
      const { x } = blobsDataset({ n: 5, seed: 3, size, jacobian: false });
      const k = 3;
      const v = randomArray(k * 5 * 6, size);
      const stats: TargetStats = { calls: 0, jvps: 0, ms: 0 };
      const t = await blobsTangentTargets(size, stats)(x, v, k);
      const expected = jacobianTimes(x, v, k, size);
      const scale = Math.max(...Array.from(expected, Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      expect(maxAbsDiff(t, expected) / scale).toBeLessThan(1e-5);
      expect(stats).toMatchObject({ calls: 1, jvps: k * 5 });
    }
  });

  test('schedule gives about `steps` updates and decays the learning rate to lrEnd', () => {
    const training = { steps: 500, batchSize: 10, learningRate: 1e-2, lrEnd: 0.1, directions: 2 };
    for (const n of [5, 25, 100, 400, 1000]) {
      const { epochs, lrDecay } = schedule(n, training);
      const perEpoch = Math.ceil(n / Math.min(10, n));
      expect(epochs * perEpoch).toBeGreaterThanOrEqual(500);
      expect((epochs - 1) * perEpoch).toBeLessThan(500);
      if (epochs > 1) expect(Math.pow(1 + lrDecay, -(epochs - 1))).toBeCloseTo(0.1, 10);
    }
    expect(schedule(10_000, training)).toEqual({ epochs: 1, lrDecay: 0 });
  });

  test('pixelRmse', () => {
    expect(pixelRmse([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(pixelRmse([0, 0, 0, 0], [1, -1, 1, -1])).toBeCloseTo(1, 12);
    expect(pixelRmse([3, 0], [0, 0])).toBeCloseTo(Math.sqrt(4.5), 12);
    expect(() => pixelRmse([1], [1, 2])).toThrow(RangeError);
  });

  test('stat: mean and sample sd', () => {
    expect(stat([2])).toEqual({ mean: 2, sd: 0 });
    const s = stat([1, 2, 3, 4]);
    expect(s.mean).toBeCloseTo(2.5, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  test('training sets are nested, seeded, and distinct per repeat and from the test set', () => {
    const config = GENERATIVE_PRESETS.quick;
    const a = seedsFor(config, 16, 0);
    expect(seedsFor(config, 16, 0)).toEqual(a);
    const b = seedsFor(config, 16, 1);
    expect(b.pool).not.toBe(a.pool);
    expect(b.init).not.toBe(a.init);
    expect(b.test).toBe(a.test);
    expect(new Set([a.pool, a.test]).size).toBe(2);
    expect(seedsFor({ ...config, seed: 2 }, 16, 0).pool).not.toBe(a.pool);
    const pool = blobsDataset({ n: 100, seed: a.pool, size: 16, jacobian: true });
    const small = headRows(pool, 25);
    expect(Array.from(small.x)).toEqual(Array.from(pool.x.subarray(0, 25 * 6)));
    expect(Array.from(small.y)).toEqual(Array.from(pool.y.subarray(0, 25 * 256)));
    expect(small.dydx!.length).toBe(25 * 256 * 6);
    expect(headRows(blobsDataset({ n: 30, seed: 1, size: 16, jacobian: false }), 10).dydx).toBeUndefined();
  });

  test('padded factors: the image ignores them, targets and Jacobian columns match the 6-factor problem', async () => {
    const six = costProblem(16, 6, 4, 9, true);
    const wide = costProblem(16, 10, 4, 9, true);
    expect(wide.data.x.length).toBe(4 * 10);
    for (let i = 0; i < 4; i++) {
      expect(Array.from(wide.data.x.subarray(i * 10, i * 10 + 6))).toEqual(Array.from(six.data.x.subarray(i * 6, i * 6 + 6)));
      expect(Array.from(wide.data.x.subarray(i * 10 + 6, i * 10 + 10))).toEqual([0, 0, 0, 0]);
    }
    for (let r = 0; r < 4 * 256; r++) {
      expect(wide.data.dydx![r * 10 + 7]).toBe(0);
      expect(wide.data.dydx![r * 10 + 2]).toBe(six.data.dydx![r * 6 + 2]);
    }
    const k = 2;
    const v = randomArray(k * 4 * 10, 4);
    const v6 = Float32Array.from({ length: k * 4 * 6 }, (_, i) => v[Math.floor(i / 6) * 10 + (i % 6)]);
    const stats: TargetStats = { calls: 0, jvps: 0, ms: 0 };
    const t = await wide.targets(stats)(wide.data.x, v, k);
    expect(maxAbsDiff(t, await six.targets(stats)(six.data.x, v6, k))).toBe(0);
    expect(stats.calls).toBe(2);
    expect(() => costProblem(16, 5, 4, 9, false)).toThrow(RangeError);
  });

  test('presets: quick is small, paper runs the full protocol', () => {
    const { quick, paper } = GENERATIVE_PRESETS;
    expect(quick.sizes).toEqual([16]);
    expect(Math.min(...quick.nTrain)).toBe(25);
    expect(paper.nTrain).toEqual([25, 50, 100, 200, 400]);
    expect(paper.sizes).toEqual([16, 28]);
    expect(paper.repeats).toBeGreaterThan(1);
    for (const c of [quick, paper]) {
      expect(c.giWeight).toBe(0.5);
      expect(c.cost.ks).toEqual([1, 2, 4]);
      expect(c.kStudy.ks).toEqual([1, 2, 4]);
    }
    // quick: 2 N × 2 methods, plus k = 1, 4 and full in the k study (values and k = 2 reused).
    expect(modelCount(quick)).toBe(4 + 3);
    expect(modelCount({ ...quick, kStudy: { ...quick.kStudy, nTrain: 50 } })).toBe(4 + 5);
  });
});

test('report: markdown tables and JSON-safe grids', () => {
  const config = GENERATIVE_PRESETS.quick;
  const summary = [
    { size: 16, nTrain: 25, baseline: { mean: 0.08, sd: 0 }, gi: { mean: 0.05, sd: 0 }, giWins: 1, repeats: 1 },
    { size: 16, nTrain: 100, baseline: { mean: 0.06, sd: 0 }, gi: { mean: 0.048, sd: 0 }, giWins: 1, repeats: 1 },
  ];
  const kStudy = { size: 16, nTrain: 25, rows: [{ label: 'values only', k: 0, rmse: 0.08, seconds: 1 }, { label: 'k = 2', k: 2, rmse: 0.04, seconds: 2 }] };
  const grid = { size: 2, nTrain: 25, theta: [[0.5, 0.5, 0.5, 0.5, 0.5, 0.5]], truth: [Float32Array.of(0.123456, 1, 0, 0.5)], baseline: [Float32Array.of(0, 0, 0, 0)], gi: [Float32Array.of(1, 1, 1, 1)] };
  const result = { config, runs: [], summary, grids: [grid], kStudy };
  const row = (mode: 'values' | 'projected', k: number, ms: number) => ({ size: 16, pixels: 256, factors: 6, mode, k, msPerStep: ms, medianMsPerStep: ms, ratio: ms / 2, predicted: 1 + k, targetMsPerStep: 0.1, roundsMs: [ms] });
  const cost = { batchSize: 10, steps: 128, epochs: 3, rounds: 1, hidden: [64, 64], rows: [row('values', 0, 2), row('projected', 2, 5)] };
  const md = generativeMarkdown(result, cost, 'test adapter', 'preamble');
  expect(md).toContain('| 16×16 | 25 | 0.0800 | 0.0500 | 0.625 | 1/1 |');
  expect(md).toContain('| k = 2 | 2 | 0.0400 | 0.500 |');
  expect(md).toContain('| 16×16 | 6 | projected, k = 2 | 5.00 (5.00) | 2.50 | 3 | 0.100 |');
  expect(md).toContain('Step cost on test adapter');
  const json = JSON.parse(JSON.stringify(gridJson(grid)));
  expect(json.truth).toEqual([[0.1235, 1, 0, 0.5]]);
  expect(json.gi).toEqual([[1, 1, 1, 1]]);
});
