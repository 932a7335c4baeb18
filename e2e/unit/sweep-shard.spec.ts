import { test, expect } from '@playwright/test';
import type { JobProgress, JobResult, LazyJob, TrainJob } from '../../src/sweep/job';
import type { Pool } from '../../src/sweep/pool';
import { assignShards, mergeWidthShards, parseShard, runWidthShard, ShardMergeError, widthSweepShard, type WidthShardResult } from '../../src/sweep/shard';
import { jobRecords, widthSweepJobs, widthSweepResult, type WidthSweepConfig } from '../../src/sweep/widths';
import { NN_EXPERIMENTS, type NnExperiment } from '../../src/experiments/sweep/presets';
import { memoryStore, planChunks, planNetworks, planNn, planShards, runNnPlan, shardPlan, type JobExecutor, type ResultStore } from '../../src/experiments/sweep/plan';
import { mergeNnShards, type GroupSource } from '../../src/experiments/sweep/merge';

// Shards of a sweep: which networks each machine trains (balanced, deterministic, covering,
// disjoint, whatever the worker count), and the merge of what they stored. The executor trains
// nothing: a network's metrics are a function of its meta, as the engine's are of its seed.

const fakeModels = (job: TrainJob) =>
  job.models.map((m) => {
    const rmse = 1 / Number(m.meta!.eta) + (m.meta!.model === 'gi' ? -0.01 : 0) + 0.001 * Number(m.meta!.repeat);
    return { rmse, corr: 1 - rmse, stageRmse: [rmse], stageCorr: [1 - rmse], epochs: [2], finalLoss: [0.1], diverged: false, meta: m.meta };
  });

function fakeExecutor(size: number): JobExecutor & { trained: number } {
  const ex = {
    size,
    trained: 0,
    async run(jobs: LazyJob[], opts: { onResult?: (r: JobResult) => void; onProgress?: (p: JobProgress) => void }) {
      for (const lazy of jobs) {
        const job = lazy.make();
        ex.trained += job.models.length;
        opts.onResult?.({ id: job.id, models: fakeModels(job), trainMs: 5, totalMs: 6, liveBuffers: 0, worker: 0, attempts: 1 });
      }
    },
  };
  return ex;
}

const small: NnExperiment[] = [
  { ...NN_EXPERIMENTS.quick[0], stages: 2, nTrain: [20, 30], etas: [2, 4, 8], repeats: 2, poolSize: 60, testSize: 20, settings: { ...NN_EXPERIMENTS.quick[0].settings, epochs: 3 } },
  { ...NN_EXPERIMENTS.quick[2], stages: 1, nTrain: [20], etas: [2, 6], repeats: 1, poolSize: 60, testSize: 20, settings: { ...NN_EXPERIMENTS.quick[2].settings, epochs: 2 } },
];

/** A store that stamps what it keeps, as the runner's folder store does. */
function stamped(stamp: Record<string, string>): ResultStore & { data: Map<string, unknown> } {
  const store = memoryStore();
  return { ...store, put: (key, value) => store.put(key, { ...(value as object), ...stamp }) };
}

const source = (name: string, store: { data: Map<string, unknown> }): GroupSource => ({ name, groups: [...store.data].map(([key, value]) => ({ key, value })) });

test('parseShard: i/n, 1-based; typed errors that say how to write it', () => {
  expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  expect(parseShard({ index: 3, count: 3 })).toEqual({ index: 3, count: 3 });
  expect(() => parseShard('2of3')).toThrow(TypeError);
  expect(() => parseShard('2of3')).toThrow(/written i\/n/);
  expect(() => parseShard('0/3')).toThrow(RangeError);
  expect(() => parseShard('4/3')).toThrow(/\[1, 3\] \(1-based\)/);
  expect(() => parseShard('1/0')).toThrow(RangeError);
});

test('assignShards: every unit in exactly one shard, balanced within the largest unit, deterministic, none empty', () => {
  const costs = [5, 1, 1, 9, 3, 3, 0, 7, 2, 2, 8, 1];
  for (const n of [1, 2, 3, 5, 12]) {
    const s = assignShards(costs, n);
    expect(s).toHaveLength(costs.length);
    expect(s.every((i) => Number.isInteger(i) && i >= 1 && i <= n)).toBe(true);
    expect(new Set(s).size).toBe(n); // none empty
    const load = Array.from({ length: n }, (_, k) => costs.reduce((a, c, i) => a + (s[i] === k + 1 ? c : 0), 0));
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...costs));
    expect(assignShards([...costs], n)).toEqual(s);
  }
  expect(assignShards([0, 0, 0], 3).sort()).toEqual([1, 2, 3]);
  expect(() => assignShards([1, NaN], 2)).toThrow(RangeError);
  expect(() => assignShards([1], 0)).toThrow(RangeError);
});

test("the paper preset's shards: chunks of one sweep each, disjoint, covering, balanced by cost, the same for any worker count", () => {
  const plan = planNn(NN_EXPERIMENTS.paper, 4);
  expect(planNetworks(plan)).toHaveLength(plan.networks);
  for (const n of [1, 2, 3, 7, 16, 100]) {
    const of = planShards(plan, n);
    expect(planShards(planNn(NN_EXPERIMENTS.paper, 1), n)).toEqual(of);
    expect(planShards(planNn(NN_EXPERIMENTS.paper, 9), n)).toEqual(of);
    const chunks = planChunks(plan, n);
    expect(chunks.reduce((a, c) => a + c.networks.length, 0)).toBe(plan.networks);
    const weight = Array.from({ length: n }, (_, k) => chunks.filter((c) => c.shard === k + 1).reduce((a, c) => a + c.weight, 0));
    expect(weight.every((w) => w > 0)).toBe(true); // none empty
    expect(Math.max(...weight) - Math.min(...weight)).toBeLessThanOrEqual(Math.max(...chunks.map((c) => c.weight)) * (1 + 1e-12));
    const parts = Array.from({ length: n }, (_, k) => shardPlan(plan, `${k + 1}/${n}`));
    const seen = new Map<string, number>();
    for (const part of parts) {
      expect(part.shard!.count).toBe(n);
      for (const s of part.sweeps) for (const k of s.only!) seen.set(`${s.key} ${k}`, (seen.get(`${s.key} ${k}`) ?? 0) + 1);
    }
    expect(seen.size).toBe(plan.networks); // covering
    expect([...seen.values()].every((c) => c === 1)).toBe(true); // disjoint
    expect(parts.reduce((a, p) => a + p.networks, 0)).toBe(plan.networks);
    expect(parts.reduce((a, p) => a + p.cost, 0)).toBeCloseTo(plan.cost, 0);
    // Whole chunks: a shard trains few of the 13 sweeps (each grouped step's overhead is paid per chunk).
    if (n === 16) {
      expect(parts.reduce((a, p) => a + p.sweeps.length, 0) / n).toBeLessThan(6);
      expect(Math.max(...weight) / (weight.reduce((a, b) => a + b, 0) / n)).toBeLessThan(1.05);
    }
  }
  expect(() => shardPlan(shardPlan(plan, '1/2'), '1/2')).toThrow(/already shard 1\/2/);
  // The tiny preset's 4 networks: no shard empty for up to 4 shards.
  const tiny = planNn(NN_EXPERIMENTS.tiny, 2);
  for (const n of [1, 2, 3, 4]) expect(new Set(planChunks(tiny, n).map((c) => c.shard)).size).toBe(n);
});

test('shards run apart and merged give the whole run; a missing shard, another preset, code version, sweep or split is refused', async () => {
  const whole = await runNnPlan(fakeExecutor(2), planNn(small, 2), {});
  const stores = [];
  for (let i = 1; i <= 3; i++) {
    // Each machine its own worker count: the split does not depend on it.
    const ex = fakeExecutor(i);
    const store = stamped({ preset: 'small', code: 'c1', shard: `${i}/3` });
    const part = shardPlan(planNn(small, ex.size), `${i}/3`);
    expect(await runNnPlan(ex, part, { store })).toEqual([]); // partial sweeps: no results
    expect(ex.trained).toBe(part.networks);
    expect([...store.data.keys()].every((k) => k.includes(`-s${i}of3-`))).toBe(true);
    stores.push(store);
  }
  const sources = stores.map((s, i) => source(`shard${i + 1}`, s));
  const merged = await mergeNnShards(small, sources, { preset: 'small', code: 'c1' });
  expect(merged.shards).toEqual(['1/3', '2/3', '3/3']);
  expect(merged.duplicates).toBe(0);
  expect(merged.results.map((r) => r.result.summary)).toEqual(whole.map((r) => r.summary));
  expect(merged.results.map((r) => r.result.bound)).toEqual(whole.map((r) => r.bound));
  const strip = (runs: { eta: number; repeat: number; model: string; rmse: number; corr: number }[]) => runs.map(({ eta, repeat, model, rmse, corr }) => ({ eta, repeat, model, rmse, corr }));
  expect(merged.results.map((r) => strip(r.result.runs))).toEqual(whole.map((r) => strip(r.runs)));
  // A shard given twice: its networks counted once.
  const first = [...stores[0].data.values()].reduce((a: number, g) => a + (g as { records: unknown[] }).records.length, 0);
  expect(first).toBeGreaterThan(0);
  expect((await mergeNnShards(small, [...sources, sources[0]], { preset: 'small', code: 'c1' })).duplicates).toBe(first);

  // Shard 2 missing: named, with its networks.
  const missing = await mergeNnShards(small, [sources[0], sources[2]], { preset: 'small', code: 'c1' }).catch((e) => e);
  expect(missing).toBeInstanceOf(ShardMergeError);
  expect(missing.missing.map((m: { shard: string }) => m.shard)).toEqual(['2/3']);
  expect(missing.message).toMatch(/shard 2\/3: \d+ network\(s\) \((toy2d|garch4d) N=\d+ η=\d+ r\d (baseline|gi)/);

  const edit = (s: GroupSource, change: Record<string, unknown>): GroupSource => ({ name: `${s.name}*`, groups: s.groups.map((g) => ({ key: g.key, value: { ...(g.value as object), ...change } })) });
  const refusal = (extra: GroupSource) => mergeNnShards(small, [sources[0], sources[2], extra], { preset: 'small', code: 'c1' }).catch((e) => e);
  const otherPreset = await refusal(edit(sources[1], { preset: 'quick' }));
  expect(otherPreset).toBeInstanceOf(ShardMergeError);
  expect(otherPreset.message).toContain('is of preset quick, not small');
  expect((await refusal(edit(sources[1], { code: 'c0' }))).message).toContain('was made by code version c0, this one is c1');
  expect((await refusal(edit(sources[1], { code: undefined }))).message).toContain('code version (none recorded)');
  expect((await refusal(edit(sources[1], { sweep: 'toy2d-N20-00000000' }))).message).toContain('another configuration');
  expect((await refusal(edit(sources[1], { shard: '2/4' }))).message).toMatch(/different splits: into 3.*; into 4/);
  expect((await refusal({ name: 'junk', groups: [{ key: 'x', value: null }] })).message).toContain('junk: x is not a stored group');
  await expect(mergeNnShards(small, [], { preset: 'small' })).rejects.toThrow(TypeError);
});

test('width sweeps on the pool: widthSweepShard → runWidthShard on each machine → mergeWidthShards', async () => {
  const stage = { inputs: 1, gradientInputs: [0], train: { x: new Float32Array([0, 1]), y: new Float32Array([0, 1]), dydx: new Float32Array([1, 1]) }, test: { x: new Float32Array([0.5]), y: new Float32Array([0.5]) } };
  const config: WidthSweepConfig = {
    etas: [3, 5, 9], repeats: 2, seed: 4, name: 'mydata', stages: () => [stage],
    settings: { hiddenLayers: 2, activation: 'tanh', outputActivation: 'linear', epochs: 2, batchSize: 2, learningRate: 1e-2, lrDecay: 0 },
  };
  // A pool that trains nothing (the fake metrics above).
  const pool = {
    size: 2,
    async run(jobs: LazyJob[], opts: { onResult?: (r: JobResult) => void }) {
      for (const lazy of jobs) {
        const job = lazy.make();
        opts.onResult?.({ id: job.id, models: fakeModels(job), trainMs: 1, totalMs: 1, liveBuffers: 0, worker: 0, attempts: 1 });
      }
    },
  } as unknown as Pool;
  const all: JobResult[] = [];
  await (pool as unknown as { run: typeof pool.run }).run(widthSweepJobs(config), { onResult: (r: JobResult) => all.push(r) });
  const reference = widthSweepResult(all.flatMap(jobRecords), 0);

  const parts: WidthShardResult[] = [];
  for (let i = 1; i <= 3; i++) {
    const part = widthSweepShard(config, `${i}/3`);
    expect(part.networks.length).toBeGreaterThan(0);
    const result = await runWidthShard(pool, part);
    expect(result.runs.map((r) => `η=${r.eta} r${r.repeat} ${r.model}`).sort()).toEqual([...part.networks].sort());
    parts.push(JSON.parse(JSON.stringify(result))); // what a machine hands back is plain JSON
  }
  const keys = parts.flatMap((p) => p.runs.map((r: { eta: number; repeat: number; model: string }) => `${r.eta}:${r.repeat}:${r.model}`));
  expect(new Set(keys).size).toBe(keys.length); // disjoint
  expect(keys).toHaveLength(12); // covering
  const merged = mergeWidthShards(config, parts);
  expect(merged.summary).toEqual(reference.summary);
  expect(merged.bound).toEqual(reference.bound);
  expect(merged.runs.map((r) => r.rmse)).toEqual(reference.runs.map((r) => r.rmse));

  const missing = (() => { try { mergeWidthShards(config, [parts[0], parts[2]]); } catch (e) { return e as ShardMergeError; } })()!;
  expect(missing).toBeInstanceOf(ShardMergeError);
  expect(missing.message).toMatch(/networks missing; run shard 2\/3: \d+ network\(s\) \(η=\d r\d (baseline|gi)/);
  expect(() => mergeWidthShards({ ...config, name: 'otherdata' }, parts)).toThrow(/of another sweep: fingerprint/);
  expect(() => mergeWidthShards({ ...config, settings: { ...config.settings, epochs: 3 } }, parts)).toThrow(ShardMergeError);
  expect(() => mergeWidthShards(config, [...parts, { ...parts[0], shard: '1/4' }])).toThrow(/of a split into 4, the others of 3/);
  expect(() => mergeWidthShards(config, [])).toThrow(TypeError);
  expect(() => widthSweepShard(config, '3/2')).toThrow(RangeError);
});
