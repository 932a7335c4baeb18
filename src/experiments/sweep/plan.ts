/** A preset's NN sweeps as a plan that can be sized, estimated, run with progress and resumed.
 *
 *  - `planNn(experiments, workers)`: every (problem, N) sweep with its networks, its grouped
 *    training steps and a relative cost.
 *  - `calibrate(executor)` times two probe groups on the executor's workers (all busy at once,
 *    as in the run) and fits ms per step = overhead + cost · msPerUnit; `estimateSeconds`
 *    applies it to the plan.
 *  - `runNnPlan(executor, plan, { store })` trains the sweeps; each finished group job's
 *    records are written to the store at once, and a rerun with the same store skips every
 *    network already recorded there (its parameters do not depend on which networks share its
 *    group, so the rest are packed afresh). Progress: networks and steps done, ETA.
 *  The executor is the browser's worker pool, the Node pool, or `contextExecutor` (one
 *  context, in-process). */
import type { Context } from '../../gpu/context';
import { abortError } from '../../util/abort';
import type { JobProgress, JobResult, LazyJob, StageData, TrainJob, TrainSettings } from '../../sweep/job';
import { fingerprintText, parseShard, shardLabel, shardSweeps, type Shard, type ShardChunk } from '../../sweep/shard';
import { runTrainJob } from '../../sweep/train';
import { jobRecords, networkCost, sweepNetworks, widthSweepJobs, widthSweepResult, type RunRecord, type SweepNetwork } from '../../sweep/widths';
import { Rng } from '../../util/rng';
import type { NnExperiment } from './presets';
import { SweepData } from './problems';
import { MAX_GROUP_SIZE, sweepGroups, widthOf, type SweepConfig, type SweepResult } from './sweep';

/** Runs group jobs: what the pools (browser and Node) and {@link contextExecutor} offer. */
export interface JobExecutor {
  readonly size: number;
  run(jobs: LazyJob[], opts: { signal?: AbortSignal; onResult?: (r: JobResult) => void; onProgress?: (p: JobProgress) => void }): Promise<unknown>;
}

/** Where finished groups are kept between runs (a folder on disk, through the page or Node). */
export interface ResultStore {
  /** Keys that start with `prefix`. */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
}

/** A store in memory (tests, or a run without an output folder). */
export function memoryStore(): ResultStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    list: async (prefix) => [...data.keys()].filter((k) => k.startsWith(prefix)),
    get: async (key) => structuredClone(data.get(key)),
    put: async (key, value) => void data.set(key, structuredClone(value)),
  };
}

/** Rows per step and grouped steps of one stage. */
const stepsPerEpoch = (nTrain: number, batch: number) => Math.ceil(nTrain / batch);

/** Relative cost of one network for one step: hidden-layer multiply-adds per row × rows, the
 *  GI model with its derivative blocks (1 + 0.65·b: 2.3 at b = 2, as networkCost measured on
 *  SwiftShader). b is the k derivative directions in forward mode; the paper's problems have
 *  one output, so jacobianMode 'auto' or 'reverse' differentiates them with b = 1 cotangent
 *  block whenever k > 1. */
export function stepCost(net: Pick<SweepNetwork, 'width' | 'gradientWeight'>, settings: Pick<TrainSettings, 'hiddenLayers' | 'batchSize' | 'jacobianMode'>, gradientInputs: number): number {
  const base = networkCost({ width: net.width, gradientWeight: 0 }, settings.hiddenLayers) * settings.batchSize;
  const blocks = settings.jacobianMode === 'forward' ? gradientInputs : Math.min(gradientInputs, 1);
  return net.gradientWeight !== 0 ? base * (1 + 0.65 * blocks) * (net.gradientWeight === 'auto' ? 4 : 1) : base;
}

/** Derivative directions (GI inputs) of a problem's stages. */
const GRADIENT_INPUTS: Record<string, number> = { toy2d: 2, garch4d: 4, regression8d: 8 };

/** One (problem, N) sweep of a plan. */
export interface PlannedSweep {
  experiment: NnExperiment;
  config: SweepConfig;
  /** `problem-N<n>-<fingerprint>`: the prefix of its stored groups. */
  key: string;
  networks: number;
  /** Grouped training steps of one group: stages × epochs × ⌈N / batch⌉. */
  groupSteps: number;
  /** Σ over networks of the steps each trains (networks × groupSteps). */
  networkSteps: number;
  /** Σ over networks of stepCost × steps (relative units). */
  cost: number;
  /** Group jobs when nothing is stored yet (sweepGroups of its networks and the workers). */
  groups: number;
  /** In a shard's plan (shardPlan): the networks ('η:repeat:model') this machine trains; the
   *  sweep's result then waits for the merge. */
  only?: ReadonlySet<string>;
  /** 'i/n' in a shard's plan. */
  shard?: string;
}

export interface NnPlan {
  sweeps: PlannedSweep[];
  workers: number;
  networks: number;
  /** Σ over group jobs of their grouped steps (each step trains all networks of the group). */
  groupSteps: number;
  networkSteps: number;
  cost: number;
  /** A shard's plan (shardPlan): which shard of how many. */
  shard?: Shard;
}

/** Everything a network's result depends on, but not the grouping. */
function sweepFingerprint(c: SweepConfig): string {
  const { problem, stages, poolSize, testSize, seed, nTrain, etas, repeats, giWeight, settings } = c;
  return fingerprintText(JSON.stringify({ problem, stages, poolSize, testSize, seed, nTrain, etas, repeats, giWeight: giWeight ?? 0.5, settings }));
}

/** The sweeps of a preset's experiments, sized. */
export function planNn(experiments: readonly NnExperiment[], workers: number): NnPlan {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const sweeps: PlannedSweep[] = [];
  for (const experiment of experiments) {
    for (const nTrain of experiment.nTrain) {
      const config: SweepConfig = { ...experiment, nTrain };
      const s = experiment.settings;
      const groupSteps = experiment.stages * s.epochs * stepsPerEpoch(nTrain, s.batchSize);
      const nets = sweepNetworks({ etas: config.etas, repeats: config.repeats, width: widthOf, seedOf: () => 0 });
      const k = GRADIENT_INPUTS[experiment.problem] ?? 1;
      const cost = nets.reduce((a, n) => a + stepCost(n, s, k), 0) * groupSteps;
      const groups = sweepGroups(nets.length, workers);
      sweeps.push({
        experiment, config, key: `${experiment.problem}-N${nTrain}-${sweepFingerprint(config)}`,
        networks: nets.length, groupSteps, networkSteps: nets.length * groupSteps, cost, groups,
      });
    }
  }
  const sum = (f: (s: PlannedSweep) => number) => sweeps.reduce((a, s) => a + f(s), 0);
  return { sweeps, workers, networks: sum((s) => s.networks), groupSteps: sum((s) => s.groups * s.groupSteps), networkSteps: sum((s) => s.networkSteps), cost: sum((s) => s.cost) };
}

// ---------------------------------------------------------------- shards

/** A network's key within its sweep: 'η:repeat:model'. */
const netKey = (n: Pick<SweepNetwork, 'eta' | 'repeat' | 'model'>) => `${n.eta}:${n.repeat}:${n.model}`;

/** Relative cost of training one network of a sweep (stepCost × its grouped steps). */
function sweepNetworkCost(sweep: PlannedSweep, net: Pick<SweepNetwork, 'width' | 'gradientWeight'>): number {
  return stepCost(net, sweep.config.settings, GRADIENT_INPUTS[sweep.experiment.problem] ?? 1) * sweep.groupSteps;
}

/** The networks of one sweep of a plan, in sweepNetworks order (η, repeat, model). */
const networksOf = (sweep: PlannedSweep) => sweepNetworks({ etas: sweep.config.etas, repeats: sweep.config.repeats, giWeight: sweep.config.giWeight, width: widthOf, seedOf: () => 0 });

/** Every network of a plan in a stable order (its sweeps in order, each in sweepNetworks
 *  order) with its relative cost. */
export function planNetworks(plan: NnPlan): { sweep: PlannedSweep; net: SweepNetwork; key: string; cost: number }[] {
  return plan.sweeps.flatMap((sweep) => networksOf(sweep).map((net) => ({ sweep, net, key: netKey(net), cost: sweepNetworkCost(sweep, net) })));
}

/** The plan's sweeps cut into chunks, each with its shard of `count` (shardSweeps: chunks of
 *  at most MAX_GROUP_SIZE networks, balanced by cost with each grouped step's overhead);
 *  `sweep` indexes plan.sweeps, `networks` its networksOf. Independent of the plan's workers. */
export function planChunks(plan: NnPlan, count: number): ShardChunk[] {
  return shardSweeps(plan.sweeps.map((sweep) => ({
    networks: networksOf(sweep), cost: (n: SweepNetwork) => stepCost(n, sweep.config.settings, GRADIENT_INPUTS[sweep.experiment.problem] ?? 1), steps: sweep.groupSteps,
  })), count, MAX_GROUP_SIZE);
}

/** The shard (1-based) of every network of a plan (planChunks): per sweep key, network key →
 *  shard. The same for a preset on every machine, whatever its workers. */
export function planShards(plan: NnPlan, count: number): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>(plan.sweeps.map((s) => [s.key, new Map()]));
  for (const chunk of planChunks(plan, count)) {
    const sweep = plan.sweeps[chunk.sweep];
    const nets = networksOf(sweep);
    for (const i of chunk.networks) out.get(sweep.key)!.set(netKey(nets[i]), chunk.shard);
  }
  return out;
}

/**
 * One machine's part of a plan: the networks of shard i of n (planShards), sweep by sweep
 * (sweeps without any are left out), sized for this plan's workers. runNnPlan trains and
 * stores them (under keys that name the shard) and returns no sweep results: merge the
 * shards' stores (mergeNnShards) for those.
 */
export function shardPlan(plan: NnPlan, shard: string | Shard): NnPlan {
  const s = parseShard(shard);
  if (plan.shard) throw new RangeError(`the plan is already shard ${shardLabel(plan.shard)}: shard the whole plan (planNn)`);
  const of = planShards(plan, s.count);
  const sweeps: PlannedSweep[] = [];
  for (const sweep of plan.sweeps) {
    const mine = planNetworks({ ...plan, sweeps: [sweep] }).filter((n) => of.get(sweep.key)!.get(n.key) === s.index);
    if (mine.length === 0) continue;
    sweeps.push({
      ...sweep, only: new Set(mine.map((n) => n.key)), shard: shardLabel(s), networks: mine.length, networkSteps: mine.length * sweep.groupSteps,
      cost: mine.reduce((a, n) => a + n.cost, 0), groups: Math.min(sweepGroups(mine.length, plan.workers), mine.length),
    });
  }
  const sum = (f: (s: PlannedSweep) => number) => sweeps.reduce((a, x) => a + f(x), 0);
  return { sweeps, workers: plan.workers, networks: sum((x) => x.networks), groupSteps: sum((x) => x.groups * x.groupSteps), networkSteps: sum((x) => x.networkSteps), cost: sum((x) => x.cost), shard: s };
}

// ---------------------------------------------------------------- estimate

/** Measured time on an executor: a fit of S grouped steps takes
 *  fitMs + S · (overheadMs + msPerUnit · Σ stepCost of its networks). */
export interface Calibration {
  /** Per fit (a stage of a group job): upload, standardisation, first dispatches, readback. */
  fitMs: number;
  overheadMs: number;
  msPerUnit: number;
  /** The probes' own measurements: Σ stepCost of the group and ms per step. */
  probes: { cost: number; msPerStep: number }[];
  seconds: number;
}

/** A probe job: `widths` networks (baseline and GI alternating) of 4 tanh layers on toy2d-like
 *  data (2 inputs, N = 50, batch 10), one stage of `epochs` epochs. */
function probeJob(id: string, widths: number[], epochs: number): TrainJob {
  const rng = new Rng(7);
  const n = 50;
  const x = new Float32Array(2 * n).map(() => rng.uniform(0, 15));
  const y = new Float32Array(n).map((_, i) => Math.cos(0.1 * x[2 * i]) * Math.cos(0.1 * x[2 * i + 1]));
  const dydx = new Float32Array(2 * n).map(() => rng.uniform(-0.1, 0.1));
  const stage: StageData = { inputs: 2, gradientInputs: [0, 1], train: { x, y, dydx }, test: { x: x.slice(), y: y.slice() } };
  return {
    id,
    data: [[stage]],
    models: widths.map((width, i) => ({ width, gradientWeight: i % 2 ? 0.5 : 0, seed: 11 + i })),
    rollout: false,
    settings: { hiddenLayers: 4, activation: 'tanh', outputActivation: 'linear', epochs, batchSize: 10, learningRate: 1e-3, lrDecay: 0.01 },
  };
}

/**
 * Times probe groups on every worker of the executor at once (after a warm-up that compiles
 * the pipelines): a small group for two lengths (the per-fit and per-step overheads) and a
 * wide group (the cost per unit), and fits the time model. Seconds on SwiftShader.
 */
export async function calibrate(executor: JobExecutor, opts: { signal?: AbortSignal } = {}): Promise<Calibration> {
  const started = performance.now();
  const shapes = [[8, 8], [8, 8], [64, 64, 96, 96, 128, 128]];
  const epochs = [2, 6, 2];
  const measure = async (widths: number[], e: number, tag: string) => {
    const jobs = Array.from({ length: executor.size }, (_, w) => ({ id: `probe:${tag}:${w}`, make: () => probeJob(`probe:${tag}:${w}`, widths, e) }));
    const results: JobResult[] = [];
    await executor.run(jobs, { signal: opts.signal, onResult: (r) => results.push(r) });
    const ms = results.reduce((a, r) => a + r.trainMs, 0) / results.length;
    const cost = widths.reduce((a, w, i) => a + stepCost({ width: w, gradientWeight: i % 2 ? 0.5 : 0 }, { hiddenLayers: 4, batchSize: 10 }, 2), 0);
    return { cost, steps: e * stepsPerEpoch(50, 10), ms };
  };
  // Warm-up: every pipeline the probes use (both kinds, every shape class) is compiled here.
  await measure(shapes[0], 1, 'warm0');
  await measure(shapes[2], 1, 'warm2');
  const m = [];
  for (let i = 0; i < shapes.length; i++) m.push(await measure(shapes[i], epochs[i], `p${i}`));
  const [short, long, wide] = m;
  // The small group at two lengths: per-step time (its cost is tiny) and per-fit time.
  const smallStepMs = Math.max((long.ms - short.ms) / (long.steps - short.steps), 0);
  const fitMs = Math.max(short.ms - short.steps * smallStepMs, 0);
  const wideStepMs = Math.max((wide.ms - fitMs) / wide.steps, 0);
  const msPerUnit = Math.max((wideStepMs - smallStepMs) / (wide.cost - short.cost), 1e-12);
  const overheadMs = Math.max(smallStepMs - msPerUnit * short.cost, 0);
  const probes = m.map((x) => ({ cost: x.cost, msPerStep: (x.ms - fitMs) / x.steps }));
  return { fitMs, overheadMs, msPerUnit, probes, seconds: (performance.now() - started) / 1000 };
}

/** Estimated seconds of a plan: every group's steps × (overhead + its cost · msPerUnit), the
 *  groups spread evenly over the workers (which the calibration measured all busy at once). */
export function estimateSeconds(plan: NnPlan, cal: Pick<Calibration, 'overheadMs' | 'msPerUnit'> & { fitMs?: number }): { total: number; perSweep: number[] } {
  const perSweep = plan.sweeps.map((s) => {
    const fits = s.groups * s.experiment.stages * (cal.fitMs ?? 0);
    const ms = fits + s.groups * s.groupSteps * cal.overheadMs + s.cost * cal.msPerUnit;
    return ms / 1000 / plan.workers;
  });
  return { total: perSweep.reduce((a, b) => a + b, 0), perSweep };
}

/** One line: networks, steps, estimate. */
export function describePlan(plan: NnPlan, estimate?: { total: number }): string {
  const est = estimate ? `, estimated ${formatSeconds(estimate.total)} on this adapter` : '';
  return `${plan.networks} networks in ${plan.sweeps.length} sweeps, ${plan.groupSteps} grouped steps (${plan.networkSteps} network-steps) on ${plan.workers} worker(s)${est}`;
}

/** 95 s → "1m35s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

// ---------------------------------------------------------------- run

/** Progress of a plan's run. */
export interface PlanProgress {
  /** The sweep in training, e.g. 'toy2d N=50'. */
  task: string;
  networks: number;
  networksDone: number;
  /** Networks taken from the store (an earlier run). */
  networksResumed: number;
  networkSteps: number;
  networkStepsDone: number;
  elapsedS: number;
  /** Seconds left, from this run's measured pace over the cost done (NaN before any). */
  etaS: number;
}

export interface RunPlanOptions {
  store?: ResultStore;
  signal?: AbortSignal;
  onProgress?: (p: PlanProgress) => void;
  /** Each (problem, N) sweep's result as soon as it is complete. */
  onSweep?: (s: PlannedSweep, result: SweepResult) => void;
  /** Called when a group's records were stored (its key, its networks). */
  onStored?: (key: string, records: number) => void;
}

/** Runs a plan's sweeps in order on the executor; resumes from and writes to `store`. */
export async function runNnPlan(executor: JobExecutor, plan: NnPlan, opts: RunPlanOptions = {}): Promise<SweepResult[]> {
  const started = performance.now();
  const out: SweepResult[] = [];
  let networksDone = 0;
  let resumed = 0;
  let stepsDone = 0;
  let costDone = 0;
  let costResumed = 0;
  for (const sweep of plan.sweeps) {
    if (opts.signal?.aborted) throw abortError('The run was cancelled');
    const sweepStarted = performance.now();
    const records = new Map<string, RunRecord>();
    if (opts.store) {
      for (const key of await opts.store.list(`${sweep.key}-`)) {
        const stored = (await opts.store.get(key)) as { records?: RunRecord[] } | undefined;
        // A shard keeps its own networks (a folder may hold other shards' groups too).
        for (const r of stored?.records ?? []) if (!sweep.only || sweep.only.has(netKey(r))) records.set(netKey(r), r);
      }
    }
    const costOf = (n: Pick<SweepNetwork, 'width' | 'gradientWeight'>) => sweepNetworkCost(sweep, n);
    resumed += records.size;
    networksDone += records.size;
    stepsDone += records.size * sweep.groupSteps;
    for (const r of records.values()) costResumed += costOf(r);
    const task = `${sweep.experiment.problem} N=${sweep.config.nTrain}`;
    const live = new Map<string, { fraction: number; steps: number; cost: number }>();
    const finished = new Set<string>(); // a job's last progress event can arrive after its result
    const report = () => {
      let steps = stepsDone;
      let cost = costDone;
      for (const j of live.values()) {
        steps += j.fraction * j.steps;
        cost += j.fraction * j.cost;
      }
      const elapsedS = (performance.now() - started) / 1000;
      const left = plan.cost - costResumed - cost;
      opts.onProgress?.({
        task, networks: plan.networks, networksDone, networksResumed: resumed, networkSteps: plan.networkSteps,
        networkStepsDone: Math.round(steps), elapsedS, etaS: cost > 0 ? (elapsedS * Math.max(left, 0)) / cost : NaN,
      });
    };
    report();
    const remaining = sweep.networks - records.size;
    if (remaining > 0) {
      const data = new SweepData(sweep.config);
      const groups = sweepGroups(remaining, executor.size);
      const jobs = widthSweepJobs({
        etas: sweep.config.etas, width: widthOf, repeats: sweep.config.repeats, giWeight: sweep.config.giWeight,
        settings: sweep.config.settings, seed: sweep.config.seed, stages: (repeat) => data.stageData(sweep.config.nTrain, repeat),
        rollout: sweep.config.stages > 1, groups,
        // A shard's groups are stored under keys of their own: shards can share a folder.
        name: `${sweep.key}-${sweep.shard ? `s${sweep.shard.replace('/', 'of')}-` : ''}r${records.size}`,
        exclude: (n) => records.has(netKey(n)) || (sweep.only !== undefined && !sweep.only.has(netKey(n))),
      });
      // Job sizes (networks, steps, cost) from the jobs' own networks, read when they are made.
      const sizes = new Map<string, { networks: number; steps: number; cost: number }>();
      const lazy: LazyJob[] = jobs.map((j) => ({
        id: j.id,
        make: () => {
          const job = j.make();
          const cost = job.models.reduce((a, m) => a + costOf(m), 0);
          sizes.set(j.id, { networks: job.models.length, steps: job.models.length * sweep.groupSteps, cost });
          return job;
        },
      }));
      const writes: Promise<void>[] = [];
      await executor.run(lazy, {
        signal: opts.signal,
        onProgress: (p) => {
          const size = sizes.get(p.id);
          if (size && !finished.has(p.id)) live.set(p.id, { fraction: Math.min(Math.max(p.fraction, 0), 1), steps: size.steps, cost: size.cost });
          report();
        },
        onResult: (r) => {
          const recs = jobRecords(r);
          for (const rec of recs) records.set(netKey(rec), rec);
          const size = sizes.get(r.id);
          finished.add(r.id);
          live.delete(r.id);
          networksDone += recs.length;
          stepsDone += recs.length * sweep.groupSteps;
          costDone += size?.cost ?? recs.reduce((a, m) => a + costOf(m), 0);
          report();
          if (opts.store) {
            const key = `${sweep.key}-${r.id.slice(sweep.key.length + 1).replace(/[^A-Za-z0-9_-]/g, '_')}`;
            // Written as it completes; a failed write fails the run once the sweep ends.
            writes.push(opts.store.put(key, { sweep: sweep.key, job: r.id, savedAt: new Date().toISOString(), records: recs }).then(() => opts.onStored?.(key, recs.length)));
          }
        },
      });
      await Promise.all(writes);
    }
    if (sweep.only) continue; // a shard's part: the sweep's result needs every shard (mergeNnShards)
    const result: SweepResult = { config: sweep.config, ...widthSweepResult([...records.values()], performance.now() - sweepStarted) };
    out.push(result);
    opts.onSweep?.(sweep, result);
  }
  return out;
}

/** An executor on one context in this thread: the jobs one after another (Node without a
 *  worker pool, tests). */
export function contextExecutor(ctx: Context): JobExecutor {
  return {
    size: 1,
    async run(jobs, opts) {
      for (const lazy of jobs) {
        if (opts.signal?.aborted) throw abortError('The run was cancelled');
        const job = lazy.make();
        const result = await runTrainJob(ctx, job, { signal: opts.signal, onProgress: opts.onProgress });
        opts.onResult?.({ ...result, worker: 0, attempts: 1 });
      }
    },
  };
}

/** A store behind functions the page was given (scripts/reproduce.mjs exposes
 *  `__storeList`, `__storeGet`, `__storePut` with page.exposeFunction, backed by the output
 *  folder); undefined when they are missing (a page opened by hand). */
export function exposedStore(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): ResultStore | undefined {
  const { __storeList: list, __storeGet: get, __storePut: put } = scope as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
  if (typeof list !== 'function' || typeof get !== 'function' || typeof put !== 'function') return undefined;
  return {
    list: async (prefix) => (await list(prefix)) as string[],
    get: async (key) => {
      const text = (await get(key)) as string | null;
      return text ? JSON.parse(text) : undefined;
    },
    put: async (key, value) => void (await put(key, JSON.stringify(value))),
  };
}

export interface RunExperimentsOptions extends Omit<RunPlanOptions, 'onSweep'> {
  /** A line of text: the plan, the estimate, progress every `logEveryS` seconds. */
  log?: (line: string) => void;
  logEveryS?: number;
  /** Time probe groups first for the estimate (default true). */
  calibrate?: boolean;
  /** Stop after the plan and the estimate (size a preset without running it). */
  estimateOnly?: boolean;
  onSweep?: (experiment: NnExperiment, result: SweepResult) => void;
  /** Train only shard i of n of the networks ('2/3'; shardPlan): they are stored, no sweep
   *  result is made (onSweep is not called); mergeNnShards gathers the shards' stores. */
  shard?: string | Shard;
}

export interface RunExperimentsResult {
  plan: NnPlan;
  calibration: Calibration | null;
  estimateS: number | null;
  results: { experiment: NnExperiment; result: SweepResult }[];
  seconds: number;
}

/**
 * A preset's NN experiments end to end: the plan and its estimate (logged before anything
 * trains), then the sweeps with progress (networks, steps, ETA) and resume from `store`.
 * @example
 * const r = await runNnExperiments(pool, NN_EXPERIMENTS.full, { store, log: console.log });
 */
export async function runNnExperiments(executor: JobExecutor, experiments: readonly NnExperiment[], opts: RunExperimentsOptions = {}): Promise<RunExperimentsResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const whole = planNn(experiments, executor.size);
  const plan = opts.shard === undefined ? whole : shardPlan(whole, opts.shard);
  if (plan.shard) log(`shard ${shardLabel(plan.shard)}: ${plan.networks} of the preset's ${whole.networks} networks, ${(100 * plan.cost / whole.cost).toFixed(1)} % of its estimated cost`);
  log(`plan: ${describePlan(plan)}`);
  for (const s of plan.sweeps) {
    log(`  ${s.experiment.problem} N=${s.config.nTrain}: ${s.networks} networks (${s.shard ? `shard ${s.shard} of ` : ''}${s.config.etas.length} η × 2 × ${s.config.repeats} repeats), ${s.experiment.stages} stage(s) × ${s.config.settings.epochs} epochs × ${stepsPerEpoch(s.config.nTrain, s.config.settings.batchSize)} steps = ${s.groupSteps} steps per group, ~${s.groups} groups`);
  }
  let calibration: Calibration | null = null;
  let estimateS: number | null = null;
  if (opts.calibrate !== false) {
    calibration = await calibrate(executor, { signal: opts.signal });
    const est = estimateSeconds(plan, calibration);
    estimateS = est.total;
    log(`estimate: ${formatSeconds(est.total)} on this adapter (${plan.sweeps.map((s, i) => `${s.experiment.problem} N=${s.config.nTrain} ${formatSeconds(est.perSweep[i])}`).join(', ')}); ` +
      `measured ${calibration.fitMs.toFixed(0)} ms per fit + ${calibration.overheadMs.toFixed(2)} ms per grouped step + ${(calibration.msPerUnit * 1e6).toFixed(2)} ms per 10⁶ cost units, probes ${calibration.seconds.toFixed(1)} s`);
  }
  if (opts.estimateOnly) return { plan, calibration, estimateS, results: [], seconds: (performance.now() - started) / 1000 };
  const every = (opts.logEveryS ?? 30) * 1000;
  let lastLog = -Infinity;
  const results: RunExperimentsResult['results'] = [];
  await runNnPlan(executor, plan, {
    ...opts,
    onProgress: (p) => {
      opts.onProgress?.(p);
      const now = performance.now();
      if (now - lastLog >= every || p.networksDone === p.networks) {
        lastLog = now;
        log(`progress: ${p.networksDone}/${p.networks} networks${p.networksResumed ? ` (${p.networksResumed} resumed)` : ''}, ` +
          `${p.networkStepsDone}/${p.networkSteps} network-steps, ${formatSeconds(p.elapsedS)} elapsed, ETA ${formatSeconds(p.etaS)} (${p.task})`);
      }
    },
    onSweep: (s, result) => {
      results.push({ experiment: s.experiment, result });
      opts.onSweep?.(s.experiment, result);
    },
  });
  return { plan, calibration, estimateS, results, seconds: (performance.now() - started) / 1000 };
}
