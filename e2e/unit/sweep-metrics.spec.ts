import { test, expect } from '@playwright/test';
import { meanSd, pearson, rmse } from '../../src/util/stats';
import { MAX_GROUP_SIZE, summarize, sweepGroups, sweepJobs, type RunRecord, type SweepConfig } from '../../src/experiments/sweep/sweep';
import { NN_EXPERIMENTS } from '../../src/experiments/sweep/presets';

test('rmse, pearson and meanSd on hand-computed values', () => {
  expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
  expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
  expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
  expect(Number.isNaN(rmse([NaN], [1]))).toBe(true);
  expect(() => rmse([1], [1, 2])).toThrow(/predictions/);
  expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), n: 4 });
  expect(meanSd([7])).toEqual({ mean: 7, sd: 0, n: 1 });
});

const config: SweepConfig = {
  problem: 'toy2d', stages: 2, poolSize: 200, testSize: 50, seed: 4, nTrain: 30, etas: [1, 3], repeats: 2,
  settings: { hiddenLayers: 2, outputActivation: 'linear', epochs: 1, batchSize: 10, learningRate: 1e-3, lrDecay: 0.01 },
};

test('sweep jobs: η × {baseline, GI} × repeats packed in groups, paired subsets, fresh per repeat', () => {
  const jobs = sweepJobs(config, undefined, 2);
  expect(jobs.length).toBe(2);
  expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
  const built = jobs.map((j) => j.make());
  const nets = built.flatMap((j) => j.models.map((m) => ({ ...m, stages: j.data[m.data ?? 0], rollout: j.rollout })));
  expect(nets.length).toBe(2 * 2 * 2);
  expect(nets.map((m) => m.width).sort((a, b) => a - b)).toEqual([4, 4, 4, 4, 12, 12, 12, 12]);
  const find = (eta: number, model: string, repeat: number) => nets.find((j) => j.meta?.eta === eta && j.meta?.model === model && j.meta?.repeat === repeat)!;
  const b0 = find(3, 'baseline', 0);
  const g0 = find(3, 'gi', 0);
  const b1 = find(3, 'baseline', 1);
  expect([b0.gradientWeight, g0.gradientWeight]).toEqual([0, 0.5]);
  expect(g0.stages[0].train.x).toEqual(b0.stages[0].train.x); // same rows for the pair
  expect(g0.seed).toBe(b0.seed); // same initial weights
  expect(b1.stages[0].train.x).not.toEqual(b0.stages[0].train.x); // a fresh subset per repeat
  expect(b0.stages[0].test.x).toEqual(b1.stages[0].test.x); // one test set
  expect(b0.rollout).toBe(true);
  expect(b0.stages[1].inputs).toBe(3);
  // make() returns fresh arrays every time (they are transferred to a worker).
  expect(jobs[0].make().data[0][0].train.x).not.toBe(jobs[0].make().data[0][0].train.x);
  expect(() => sweepJobs({ ...config, etas: [1, 1] })).toThrow(/distinct/);
  expect(() => sweepJobs({ ...config, nTrain: 500 })).not.toThrow(); // data are built lazily
  expect(() => sweepJobs({ ...config, nTrain: 500 })[0].make()).toThrow(/larger than the pool/);
});

test('summaries average over repeats per η and model', () => {
  const run = (eta: number, model: 'baseline' | 'gi', repeat: number, r: number, c: number): RunRecord => ({
    eta, width: 4 * eta, model, gradientWeight: model === 'gi' ? 0.5 : 0, repeat, seed: repeat, rmse: r, corr: c, stageRmse: [r], epochs: [1],
    finalLoss: [0], diverged: false, trainMs: 1, group: 0, worker: 0, attempts: 1,
  });
  const s = summarize([run(2, 'baseline', 0, 1, 0.1), run(2, 'baseline', 1, 3, 0.3), run(2, 'gi', 0, 0.5, 0.5), run(2, 'gi', 1, 0.5, 0.7), run(1, 'gi', 0, 9, 0)]);
  expect(s.map((x) => x.eta)).toEqual([1, 2]);
  expect(s[1].baseline.rmse.mean).toBe(2);
  expect(s[1].baseline.rmse.sd).toBeCloseTo(Math.SQRT2, 12);
  expect(s[1].gi.corr.mean).toBeCloseTo(0.6, 12);
  expect(s[0].baseline.rmse.n).toBe(0);
});

test('presets: paper follows docs/experiments.md §A; quick is a subset of it in size', () => {
  const paper = Object.fromEntries(NN_EXPERIMENTS.paper.map((e) => [e.problem, e]));
  expect(paper.toy2d.etas).toEqual([2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
  expect(paper.garch4d.etas[0]).toBe(2);
  expect(paper.garch4d.etas.at(-1)).toBe(70);
  expect(paper.regression8d.etas).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  expect(paper.toy2d.nTrain).toEqual([50, 100, 300, 500, 700]);
  expect([paper.toy2d.repeats, paper.garch4d.repeats, paper.regression8d.repeats]).toEqual([10, 5, 5]);
  expect([paper.toy2d.settings.batchSize, paper.garch4d.settings.batchSize, paper.regression8d.settings.batchSize]).toEqual([10, 10, 100]);
  expect(paper.garch4d.settings).toMatchObject({ learningRate: 1e-2, outputActivation: 'softplus', hiddenLayers: 4, epochs: 300, lrDecay: 0.01 });
  for (const q of NN_EXPERIMENTS.quick) {
    const p = paper[q.problem];
    expect(q.nTrain).toEqual([p.nTrain[0]]);
    expect(q.settings.epochs).toBeLessThan(p.settings.epochs);
    expect(q.stages).toBeLessThanOrEqual(p.stages);
  }
});

test('runSweep packs one group per worker, more (a multiple of the pool size) past MAX_GROUP_SIZE networks', () => {
  expect(MAX_GROUP_SIZE).toBe(32);
  expect(sweepGroups(12, 2)).toBe(2); // the quick preset: one group of 6 per worker
  expect(sweepGroups(12, 4)).toBe(4);
  expect(sweepGroups(64, 2)).toBe(2);
  expect(sweepGroups(65, 2)).toBe(4);
  expect(sweepGroups(320, 4)).toBe(12); // the paper's toy2d grid: 16 η × 2 × 10 repeats
  expect(sweepGroups(3, 4)).toBe(4); // fewer networks than workers: packNetworks drops empty groups
  const paper = NN_EXPERIMENTS.paper[0];
  const jobs = sweepJobs({ ...paper, nTrain: 50 }, undefined, sweepGroups(paper.etas.length * 2 * paper.repeats, 4));
  const sizes = jobs.map((j) => j.make().models.length);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(320);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_GROUP_SIZE);
});
