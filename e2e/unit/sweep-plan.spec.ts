import { test, expect } from '@playwright/test';
import type { JobProgress, JobResult, LazyJob } from '../../src/sweep/job';
import { NN_EXPERIMENTS, PRESET_NAMES, parsePreset, type NnExperiment } from '../../src/experiments/sweep/presets';
import {
  describePlan, estimateSeconds, exposedStore, memoryStore, planNn, runNnExperiments, runNnPlan, type JobExecutor, type PlanProgress,
} from '../../src/experiments/sweep/plan';

/** An executor that trains nothing: each network's RMSE is a function of its meta, so results
 *  are deterministic and independent of grouping (as the real engine's are). */
function fakeExecutor(size = 2): JobExecutor & { made: string[][]; networks: number } {
  const made: string[][] = [];
  const ex = {
    size,
    made,
    networks: 0,
    async run(jobs: LazyJob[], opts: { onResult?: (r: JobResult) => void; onProgress?: (p: JobProgress) => void }) {
      for (const lazy of jobs) {
        const job = lazy.make();
        made.push(job.models.map((m) => `${m.meta!.eta}:${m.meta!.repeat}:${m.meta!.model}`));
        ex.networks += job.models.length;
        opts.onProgress?.({ id: job.id, stage: 0, stages: 1, epoch: 1, epochs: 2, fraction: 0.5, loss: 1 });
        const models = job.models.map((m) => {
          const eta = Number(m.meta!.eta);
          const gi = m.meta!.model === 'gi';
          const rmse = 1 / eta + (gi ? -0.01 : 0) + 0.001 * Number(m.meta!.repeat);
          return { rmse, corr: 1 - rmse, stageRmse: [rmse], stageCorr: [1 - rmse], epochs: [2], finalLoss: [0.1], diverged: false, meta: m.meta };
        });
        opts.onResult?.({ id: job.id, models, trainMs: 5, totalMs: 6, liveBuffers: 0, worker: 0, attempts: 1 });
      }
    },
  };
  return ex;
}

const tiny: NnExperiment = {
  ...NN_EXPERIMENTS.quick[0], stages: 2, nTrain: [20], etas: [2, 4, 8], repeats: 2, poolSize: 60, testSize: 20,
  settings: { ...NN_EXPERIMENTS.quick[0].settings, epochs: 3 },
};

test('presets: quick, full and paper; full has every problem\'s full η grid at its smallest N', () => {
  expect(PRESET_NAMES).toEqual(['tiny', 'quick', 'full', 'paper']);
  expect(parsePreset('full')).toBe('full');
  expect(parsePreset('bogus')).toBeNull();
  expect(parsePreset(null)).toBeNull();
  for (const paper of NN_EXPERIMENTS.paper) {
    const full = NN_EXPERIMENTS.full.find((e) => e.problem === paper.problem)!;
    expect(full.etas).toEqual(paper.etas);
    expect(full.nTrain).toEqual([Math.min(...paper.nTrain)]);
    if (paper.problem !== 'regression8d') expect(full.settings).toEqual(paper.settings); // 300 epochs, the paper's recipe
  }
});

test('plan: networks, grouped steps and cost per sweep; the estimate scales with the calibration', () => {
  const plan = planNn([tiny], 2);
  expect(plan.sweeps).toHaveLength(1);
  const [s] = plan.sweeps;
  expect(s.networks).toBe(3 * 2 * 2);
  expect(s.groupSteps).toBe(2 * 3 * 2); // stages × epochs × ⌈20 / 10⌉
  expect(s.networkSteps).toBe(12 * 12);
  expect(s.key).toMatch(/^toy2d-N20-[0-9a-f]{8}$/);
  // The key changes with anything a network's result depends on, not with the worker count.
  expect(planNn([tiny], 1).sweeps[0].key).toBe(s.key);
  expect(planNn([{ ...tiny, settings: { ...tiny.settings, epochs: 4 } }], 2).sweeps[0].key).not.toBe(s.key);
  const paper = planNn(NN_EXPERIMENTS.paper, 4);
  expect(paper.sweeps).toHaveLength(13);
  expect(paper.networks).toBe(5 * 16 * 2 * 10 + 4 * 18 * 2 * 5 + 4 * 9 * 2 * 5);
  const a = estimateSeconds(plan, { overheadMs: 1, msPerUnit: 0 });
  expect(a.total).toBeCloseTo((s.groups * s.groupSteps * 1) / 1000 / 2, 12);
  const b = estimateSeconds(plan, { overheadMs: 0, msPerUnit: 1e-6 });
  expect(b.total).toBeCloseTo((s.cost * 1e-6) / 1000 / 2, 12);
  expect(describePlan(plan, a)).toContain('12 networks in 1 sweeps');
});

test('run: each group stored as it finishes; a rerun skips every stored network and gives the same result', async () => {
  const store = memoryStore();
  const ex = fakeExecutor(2);
  const progress: PlanProgress[] = [];
  const plan = planNn([tiny], ex.size);
  const [first] = await runNnPlan(ex, plan, { store, onProgress: (p) => progress.push(p) });
  expect(ex.networks).toBe(12);
  expect(store.data.size).toBe(ex.made.length);
  expect([...store.data.keys()].every((k) => k.startsWith(`${plan.sweeps[0].key}-`))).toBe(true);
  expect(first.runs).toHaveLength(12);
  expect(first.bound.bestBaselineEta).toBe(8);
  const last = progress.at(-1)!;
  expect(last).toMatchObject({ networks: 12, networksDone: 12, networksResumed: 0, networkSteps: 144, networkStepsDone: 144 });
  expect(last.etaS).toBe(0);

  // A full rerun trains nothing.
  const again = fakeExecutor(2);
  const [second] = await runNnPlan(again, plan, { store });
  expect(again.networks).toBe(0);
  expect(second.summary).toEqual(first.summary);
  expect(second.runs).toEqual(first.runs);

  // An interrupted run: drop one stored group; the rerun (with another worker count) trains just its networks.
  const dropped = [...store.data.keys()][0];
  const lost = (store.data.get(dropped) as { records: unknown[] }).records.length;
  store.data.delete(dropped);
  const third = fakeExecutor(1);
  const prog3: PlanProgress[] = [];
  const [resumed] = await runNnPlan(third, planNn([tiny], 1), { store, onProgress: (p) => prog3.push(p) });
  expect(third.networks).toBe(lost);
  expect(prog3[0].networksResumed).toBe(12 - lost);
  expect(resumed.summary).toEqual(first.summary);
  // A different configuration shares nothing with it.
  const other = fakeExecutor(2);
  await runNnPlan(other, planNn([{ ...tiny, repeats: 1 }], 2), { store });
  expect(other.networks).toBe(6);
});

test('runNnExperiments logs the plan before training and progress with an ETA', async () => {
  const lines: string[] = [];
  const ex = fakeExecutor(2);
  const r = await runNnExperiments(ex, [tiny], { calibrate: false, log: (l) => lines.push(l), logEveryS: 0 });
  expect(lines[0]).toMatch(/^plan: 12 networks in 1 sweeps, \d+ grouped steps \(144 network-steps\) on 2 worker/);
  expect(lines[1]).toContain('toy2d N=20: 12 networks (3 η × 2 × 2 repeats), 2 stage(s) × 3 epochs × 2 steps = 12 steps per group');
  expect(lines.some((l) => /^progress: 12\/12 networks, 144\/144 network-steps, .* elapsed, ETA 0s/.test(l))).toBe(true);
  expect(r.results).toHaveLength(1);
  expect(r.estimateS).toBeNull();
});

test('exposedStore: the page functions reproduce.mjs exposes, JSON across the boundary', async () => {
  const files = new Map<string, string>();
  const scope = {
    __storeList: async (prefix: string) => [...files.keys()].filter((k) => k.startsWith(prefix)),
    __storeGet: async (key: string) => files.get(key) ?? null,
    __storePut: async (key: string, text: string) => void files.set(key, text),
  };
  const store = exposedStore(scope)!;
  await store.put('a-1', { records: [{ eta: 2 }] });
  expect(files.get('a-1')).toBe('{"records":[{"eta":2}]}');
  expect(await store.list('a-')).toEqual(['a-1']);
  expect(await store.get('a-1')).toEqual({ records: [{ eta: 2 }] });
  expect(await store.get('b')).toBeUndefined();
  expect(exposedStore({})).toBeUndefined();
});
