import { test, expect } from '@playwright/test';
import { networkCost, packNetworks, sweepNetworks, widthSweepJobs, type WidthSweepConfig } from '../../src/sweep/widths';
import { validateJob, type StageData } from '../../src/sweep/job';

/** Stage data of repeat r, recognisable by its values. */
function stagesOf(repeat: number, count: number): StageData[] {
  return Array.from({ length: count }, (_, s) => ({
    inputs: 1,
    gradientInputs: [0],
    train: { x: Float32Array.of(repeat, s), y: Float32Array.of(1, 2), dydx: Float32Array.of(0, 0) },
    test: { x: Float32Array.of(0), y: Float32Array.of(0) },
  }));
}

const base: WidthSweepConfig = {
  etas: [1, 5, 3], repeats: 2, seed: 9, name: 'mine', stages: (r) => stagesOf(r, 1), width: (eta) => 4 * eta,
  settings: { hiddenLayers: 1, outputActivation: 'linear', epochs: 1, batchSize: 2, learningRate: 1e-3, lrDecay: 0 },
};

test('the grid: η × {baseline, GI} × repeats, each once, paired seeds', () => {
  const nets = sweepNetworks({ etas: [3, 1], repeats: 2, giWeight: 0.7, seedOf: (r, eta) => 10 * r + eta });
  expect(nets.map((n) => `${n.eta}:${n.repeat}:${n.model}:${n.gradientWeight}:${n.seed}`)).toEqual([
    '1:0:baseline:0:1', '1:0:gi:0.7:1', '1:1:baseline:0:11', '1:1:gi:0.7:11',
    '3:0:baseline:0:3', '3:0:gi:0.7:3', '3:1:baseline:0:13', '3:1:gi:0.7:13',
  ]);
  expect(nets.every((n) => n.width === n.eta)).toBe(true); // sweepWidths: η is the width
  expect(() => sweepNetworks({ etas: [2, 2], repeats: 1, seedOf: () => 0 })).toThrow(/distinct/);
  expect(() => sweepNetworks({ etas: [0], repeats: 1, seedOf: () => 0 })).toThrow(/positive integers/);
  expect(() => sweepNetworks({ etas: [1], repeats: 0, seedOf: () => 0 })).toThrow(/repeats/);
  expect(() => sweepNetworks({ etas: [1], repeats: 1, giWeight: 0, seedOf: () => 0 })).toThrow(/gradient weight/);
});

test("the GI arm may be 'auto': its networks carry it into their jobs, cost more, and pass the job check", () => {
  const nets = sweepNetworks({ etas: [4], repeats: 1, giWeight: 'auto', seedOf: () => 1 });
  expect(nets.map((n) => n.gradientWeight)).toEqual([0, 'auto']);
  expect(networkCost(nets[1], 2)).toBeGreaterThan(networkCost({ width: 4, gradientWeight: 0.5 }, 2));
  const job = widthSweepJobs({ ...base, giWeight: 'auto' })[0].make();
  expect(new Set(job.models.map((m) => m.gradientWeight))).toEqual(new Set([0, 'auto']));
  expect(() => validateJob(job)).not.toThrow();
  expect(() => sweepNetworks({ etas: [1], repeats: 1, giWeight: 'Auto' as never, seedOf: () => 0 })).toThrow(/'auto', got 'Auto'/);
});

test('packing: every network in exactly one group, groups of about equal cost', () => {
  const nets = sweepNetworks({ etas: [2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60], repeats: 10, width: (e) => 4 * e, seedOf: (r, e) => r * 100 + e });
  const cost = (n: (typeof nets)[number]) => networkCost(n, 4);
  for (const groups of [1, 2, 3, 4, 7]) {
    const packs = packNetworks(nets, groups, cost);
    expect(packs.length).toBe(groups);
    const keys = packs.flat().map((n) => `${n.eta}:${n.repeat}:${n.model}`);
    expect(keys.length).toBe(nets.length);
    expect(new Set(keys).size).toBe(nets.length);
    const loads = packs.map((p) => p.reduce((a, n) => a + cost(n), 0));
    // LPT: the heaviest group exceeds the mean by at most the costliest network.
    const mean = loads.reduce((a, b) => a + b, 0) / groups;
    expect(Math.max(...loads) - mean).toBeLessThanOrEqual(Math.max(...nets.map(cost)));
    expect(Math.max(...loads) / mean).toBeLessThan(1.02);
  }
  // More groups than networks: one network each, no empty group.
  expect(packNetworks(nets.slice(0, 3), 5, cost).map((p) => p.length)).toEqual([1, 1, 1]);
  expect(() => packNetworks(nets, 0, cost)).toThrow(/groups/);
  // A GI network costs more than its baseline, a wider one more than a narrower one.
  expect(networkCost({ width: 8, gradientWeight: 0.5 }, 2)).toBeGreaterThan(networkCost({ width: 8, gradientWeight: 0 }, 2));
  expect(networkCost({ width: 9, gradientWeight: 0 }, 2)).toBeGreaterThan(networkCost({ width: 8, gradientWeight: 0 }, 2));
});

test('group jobs over user data: data built lazily per repeat, each repeat once per job, paired networks', () => {
  const asked: number[] = [];
  const jobs = widthSweepJobs({ ...base, groups: 2, stages: (r) => (asked.push(r), stagesOf(r, 1)) });
  expect(asked).toEqual([]); // nothing is built before a worker takes the job
  expect(jobs.map((j) => j.id)).toEqual(['mine:g0', 'mine:g1']);
  const built = jobs.map((j) => j.make());
  const models = built.flatMap((j) => j.models.map((m) => ({ ...m, job: j })));
  expect(models.length).toBe(3 * 2 * 2);
  const keys = models.map((m) => `${m.meta!.eta}:${m.meta!.repeat}:${m.meta!.model}`);
  expect(new Set(keys).size).toBe(12);
  for (const j of built) {
    // Each job holds each of its repeats' data once, and a network trains on its repeat's data.
    const repeats = j.data.map((set) => set[0].train.x[0]);
    expect(new Set(repeats).size).toBe(repeats.length);
    for (const m of j.models) {
      expect(j.data[m.data!][0].train.x[0]).toBe(m.meta!.repeat);
      expect(m.width).toBe(4 * Number(m.meta!.eta));
      expect(m.gradientWeight).toBe(m.meta!.model === 'gi' ? 0.5 : 0);
      expect(m.meta!.gradientWeight).toBe(m.gradientWeight);
    }
    expect(j.rollout).toBe(false); // one stage
  }
  const find = (eta: number, repeat: number, model: string) => models.find((m) => m.meta!.eta === eta && m.meta!.repeat === repeat && m.meta!.model === model)!;
  expect(find(5, 0, 'gi').seed).toBe(find(5, 0, 'baseline').seed); // same initial weights
  expect(find(5, 1, 'gi').seed).not.toBe(find(5, 0, 'gi').seed);
  expect(find(5, 0, 'gi').seed).toBe((9 * 1000 + 0 * 97 + 5) >>> 0);
  expect(widthSweepJobs({ ...base, stages: (r) => stagesOf(r, 3) })[0].make().rollout).toBe(true);
  const one = widthSweepJobs({ ...base, giWeight: 0.9, rollout: false, stages: (r) => stagesOf(r, 3) });
  expect(one.length).toBe(1); // default: all networks in one group
  const j = one[0].make();
  expect(j.rollout).toBe(false);
  expect(j.models.length).toBe(12);
  expect(j.data.length).toBe(2);
  expect(j.models.filter((m) => m.gradientWeight === 0.9).length).toBe(6);
});

test('rolloutGroup: each network feeds its own previous n×1 prediction; one predict call per stage', async () => {
  const { rolloutGroup } = await import('../../src/sweep/rollout');
  const stage = (v: number) => ({ x: Float32Array.of(1, v, 2, v), inputs: 2 });
  const nets = [[stage(0), stage(7)], [stage(0), stage(7)]];
  const calls: number[][][] = [];
  const predict = async (s: number, xs: Float32Array[]) => {
    calls.push(xs.map((x) => Array.from(x)));
    return xs.map((_, i) => Float32Array.of(100 * (s + 1) + 10 * i, 100 * (s + 1) + 10 * i + 1));
  };
  const preds = await rolloutGroup(nets, predict);
  expect(calls).toEqual([
    [[1, 0, 2, 0], [1, 0, 2, 0]],
    [[1, 100, 2, 101], [1, 110, 2, 111]], // network 1 sees its own stage-0 prediction
  ]);
  expect(preds.map((p) => p.map((y) => Array.from(y)))).toEqual([[[100, 101], [200, 201]], [[110, 111], [210, 211]]]);
  expect(Array.from(nets[1][1].x)).toEqual([1, 7, 2, 7]); // inputs are not modified
  calls.length = 0;
  await rolloutGroup(nets, predict, false);
  expect(calls[1]).toEqual([[1, 7, 2, 7], [1, 7, 2, 7]]);
  await expect(rolloutGroup([[stage(0)], [stage(0), stage(1)]], predict)).rejects.toThrow(/same number of stages/);
  await expect(rolloutGroup(nets, async () => [new Float32Array(2)])).rejects.toThrow(/returned 1 predictions for 2 networks/);
});
