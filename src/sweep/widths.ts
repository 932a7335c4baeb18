/** Hidden-width sweeps: widths η × {baseline w = 0, GI w > 0} × repeats, summarised per η
 *  (mean and sd over repeats) with the GI complexity bound (bound.ts).
 *
 *  The networks of a sweep are trained as GROUPS (src/nn/group.ts): one MlpGroup trains many
 *  networks of different widths in the same dispatches, each on its own repeat's subset.
 *  - `sweepWidths(ctx, { train, test }, options)`: the sweep of the user's own data on one
 *    context, all networks in one group (or `groups` of them).
 *  - `widthSweepJobs(config)` + `runWidthJobs(pool, jobs)`: the same grid packed into a few
 *    group jobs for the worker pool (each worker trains whole groups); the paper's runSweep
 *    (src/experiments/sweep) is a thin layer over these. */
import type { Context } from '../gpu/context';
import type { FitOptions } from '../nn/fit';
import { FIT_DEFAULTS } from '../nn/fit-plan';

/** sweepWidths' fit budget where opts.fit leaves it out: every width trained alike. */
export const SWEEP_DEFAULTS = { epochs: 300, batchSize: 32, lrDecay: 0.01 } as const;
import type { Activation, Dataset } from '../types';
import { meanSd, type MeanSd } from '../util/stats';
import { Rng } from '../util/rng';
import { takeDatasetRows } from '../util/rows';
import { abortError } from '../util/abort';
import { checkOptionKeys } from '../nn/validate';
import { complexityBound, type ComplexityBound } from './bound';
import type { JobModel, JobProgress, JobResult, LazyJob, ModelResult, StageData, TrainJob, TrainSettings } from './job';
import type { Pool, RunProgress } from './pool';
import { runTrainJob } from './train';

type ModelKind = 'baseline' | 'gi';

/** One network of a width sweep. */
export interface SweepNetwork {
  /** The sweep's axis value: the width parameter η (the width itself in sweepWidths). */
  eta: number;
  /** Hidden units per layer. */
  width: number;
  model: ModelKind;
  /** 0 for the baseline; the GI model's weight, or 'auto' (chosen per network by fit). */
  gradientWeight: number | 'auto';
  repeat: number;
  /** Initialisation and minibatch seed (the same for the baseline and GI model of a repeat and η). */
  seed: number;
}

/** One trained-and-tested network of the sweep. */
export interface RunRecord extends SweepNetwork {
  rmse: number;
  corr: number;
  stageRmse: number[];
  epochs: number[];
  finalLoss: number[];
  diverged: boolean;
  /** The weight 'auto' chose, per stage (GI networks with gradientWeight 'auto' only). */
  chosenWeights?: number[];
  /** Fit time of the group the network was trained in (shared by its networks). */
  trainMs: number;
  /** Which group (job) trained it, and on the pool the worker slot and attempts. */
  group: number;
  worker: number;
  attempts: number;
}

export interface ModelSummary {
  rmse: MeanSd;
  corr: MeanSd;
}

/** Metrics of one η averaged over repeats (mean, sample sd, count). */
export interface EtaSummary {
  eta: number;
  width: number;
  baseline: ModelSummary;
  gi: ModelSummary;
}

export interface WidthSweepResult {
  /** Per η, in increasing η. */
  summary: EtaSummary[];
  /** complexityBound of the summary's per-η means. */
  bound: ComplexityBound;
  /** Every network, sorted by η, repeat, model. */
  runs: RunRecord[];
  ms: number;
}

function checkGrid(c: { etas: number[]; repeats: number }, what = 'etas'): void {
  if (!Array.isArray(c.etas) || c.etas.length === 0 || c.etas.some((e) => !Number.isInteger(e) || e < 1)) throw new RangeError(`${what} must be positive integers`);
  if (new Set(c.etas).size !== c.etas.length) throw new RangeError(`${what} must be distinct`);
  if (!Number.isInteger(c.repeats) || c.repeats < 1) throw new RangeError('repeats must be a positive integer');
}

/** Every network of the grid η × {baseline, GI} × repeats, in η, repeat, model order. */
export function sweepNetworks(config: {
  etas: number[];
  repeats: number;
  giWeight?: number | 'auto';
  width?: (eta: number) => number;
  seedOf: (repeat: number, eta: number) => number;
}): SweepNetwork[] {
  checkGrid(config);
  const gi = config.giWeight ?? 0.5;
  if (!(gi === 'auto' || (gi > 0 && gi <= 1))) throw new RangeError(`the GI model's gradient weight must be in (0, 1] or 'auto', got ${typeof gi === 'string' ? `'${gi}'` : gi}`);
  const widthOf = config.width ?? ((eta: number) => eta);
  const nets: SweepNetwork[] = [];
  for (const eta of [...config.etas].sort((a, b) => a - b)) {
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const seed = config.seedOf(repeat, eta);
      nets.push({ eta, width: widthOf(eta), model: 'baseline', gradientWeight: 0, repeat, seed });
      nets.push({ eta, width: widthOf(eta), model: 'gi', gradientWeight: gi, repeat, seed });
    }
  }
  return nets;
}

/** Relative cost of training a network: per sample, the hidden layers' multiply-adds (plus a
 *  per-layer overhead), × 2.3 with derivative targets (measured for w = 0.5 on SwiftShader),
 *  × 4 more for 'auto' (its cross-validation, bench/RESULTS.md). */
export function networkCost(net: Pick<SweepNetwork, 'width' | 'gradientWeight'>, hiddenLayers: number): number {
  const perLayer = (net.width + 1) * (net.width + 1) + 64;
  return hiddenLayers * perLayer * (net.gradientWeight === 0 ? 1 : net.gradientWeight === 'auto' ? 9.2 : 2.3);
}

/** Splits networks into `groups` groups of about equal cost (longest-processing-time first:
 *  each network, costliest first, goes to the cheapest group so far). Groups keep the
 *  networks' order; empty groups are dropped. */
export function packNetworks<T extends SweepNetwork>(nets: readonly T[], groups: number, cost: (net: T) => number): T[][] {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`groups must be a positive integer, got ${groups}`);
  const bins = Array.from({ length: Math.min(groups, nets.length) }, () => ({ load: 0, members: [] as number[] }));
  const order = nets.map((n, i) => ({ i, c: cost(n) })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { i, c } of order) {
    let best = bins[0];
    for (const b of bins) if (b.load < best.load) best = b;
    best.load += c;
    best.members.push(i);
  }
  return bins.map((b) => b.members.sort((x, y) => x - y).map((i) => nets[i])).filter((g) => g.length > 0);
}

/** The job of one group: its repeats' data sets (each once) and its networks. */
function groupJob(id: string, nets: readonly SweepNetwork[], dataOf: (repeat: number) => StageData[], settings: TrainSettings, rollout: boolean | undefined, group: number): TrainJob {
  const repeats = [...new Set(nets.map((n) => n.repeat))].sort((a, b) => a - b);
  const data = repeats.map((r) => dataOf(r));
  const models: JobModel[] = nets.map((n) => ({
    width: n.width,
    gradientWeight: n.gradientWeight,
    seed: n.seed,
    data: repeats.indexOf(n.repeat),
    meta: { eta: n.eta, width: n.width, model: n.model, gradientWeight: n.gradientWeight, repeat: n.repeat, seed: n.seed, group },
  }));
  return { id, data, models, rollout: rollout ?? data[0].length > 1, settings };
}

/** A width sweep for the pool: its grid, the data of each repeat, the recipe. */
export interface WidthSweepConfig {
  /** Width parameters η (distinct positive integers). */
  etas: number[];
  /** Hidden units per layer of η (default: η itself). */
  width?: (eta: number) => number;
  repeats: number;
  /** Gradient weight of the GI model (default 0.5). */
  giWeight?: number | 'auto';
  settings: TrainSettings;
  /** Seeds the initialisation and minibatch order of every network (default seed of repeat r
   *  and η: (seed·1000 + 97·r + η) mod 2³², the same for a baseline/GI pair). */
  seed: number;
  seedOf?: (repeat: number, eta: number) => number;
  /** The stages of repeat `repeat` (the same for the baseline and the GI model of a repeat;
   *  the same shapes and rows for every repeat). Called when a worker takes a job that has
   *  networks of that repeat, and again for a retry: return fresh arrays, they are
   *  transferred to the worker. */
  stages(repeat: number): StageData[];
  /** Test with a recursive rollout (default: when there is more than one stage). */
  rollout?: boolean;
  /** Prefix of the job ids (default 'sweep'). */
  name?: string;
  /** Number of group jobs the networks are packed into, of about equal cost (default 1; give
   *  the pool's size, or a small multiple of it, to keep every worker busy). */
  groups?: number;
  /** Networks to leave out (e.g. already trained in an earlier, resumed run); the rest are
   *  packed. A network trains to the same parameters in any group, so its record does not
   *  depend on which networks share its group. */
  exclude?: (net: SweepNetwork) => boolean;
}

/** The sweep's networks packed into `groups` group jobs of about equal cost (each job: one
 *  MlpGroup per stage on a worker; a network's repeat decides its data set). */
export function widthSweepJobs(config: WidthSweepConfig): LazyJob[] {
  const seedOf = config.seedOf ?? ((repeat: number, eta: number) => (config.seed * 1000 + repeat * 97 + eta) >>> 0);
  const all = sweepNetworks({ etas: config.etas, repeats: config.repeats, giWeight: config.giWeight, width: config.width, seedOf });
  const nets = config.exclude ? all.filter((n) => !config.exclude!(n)) : all;
  if (nets.length === 0) return [];
  const packs = packNetworks(nets, config.groups ?? 1, (n) => networkCost(n, config.settings.hiddenLayers));
  const name = config.name ?? 'sweep';
  return packs.map((pack, g) => {
    const id = `${name}:g${g}`;
    return { id, make: () => groupJob(id, pack, config.stages, config.settings, config.rollout, g) };
  });
}

/** The RunRecords of a job's result (from the networks' meta). */
export function jobRecords(result: JobResult): RunRecord[] {
  return result.models.map((m: ModelResult) => {
    const meta = m.meta ?? {};
    return {
      eta: Number(meta.eta),
      width: Number(meta.width),
      model: meta.model === 'gi' ? 'gi' : 'baseline',
      gradientWeight: meta.gradientWeight === 'auto' ? 'auto' : Number(meta.gradientWeight),
      repeat: Number(meta.repeat),
      seed: Number(meta.seed),
      rmse: m.rmse,
      corr: m.corr,
      stageRmse: m.stageRmse,
      epochs: m.epochs,
      finalLoss: m.finalLoss,
      diverged: m.diverged,
      ...(m.chosenWeights ? { chosenWeights: m.chosenWeights } : {}),
      trainMs: result.trainMs,
      group: Number(meta.group),
      worker: result.worker ?? -1,
      attempts: result.attempts ?? 1,
    };
  });
}

/** Per-η means and standard deviations over repeats, in increasing η. */
export function summarize(runs: readonly RunRecord[]): EtaSummary[] {
  const etas = [...new Set(runs.map((r) => r.eta))].sort((a, b) => a - b);
  const pick = (eta: number, model: ModelKind): ModelSummary => {
    const rs = runs.filter((r) => r.eta === eta && r.model === model);
    return { rmse: meanSd(rs.map((r) => r.rmse)), corr: meanSd(rs.map((r) => r.corr)) };
  };
  return etas.map((eta) => ({ eta, width: runs.find((r) => r.eta === eta)!.width, baseline: pick(eta, 'baseline'), gi: pick(eta, 'gi') }));
}

/** The bound of a summary's per-η means. */
export function summaryBound(summary: readonly EtaSummary[]): ComplexityBound {
  return complexityBound(
    summary.map((s) => ({
      eta: s.eta,
      baseline: { rmse: s.baseline.rmse.mean, corr: s.baseline.corr.mean },
      gi: { rmse: s.gi.rmse.mean, corr: s.gi.corr.mean },
    })),
  );
}

/** A sweep's result from its networks' records: sorted runs, per-η summary and the bound. */
export function widthSweepResult(runs: RunRecord[], ms: number): WidthSweepResult {
  runs.sort((a, b) => a.eta - b.eta || a.repeat - b.repeat || a.model.localeCompare(b.model));
  const summary = summarize(runs);
  return { summary, bound: summaryBound(summary), runs, ms };
}

function finish(runs: RunRecord[], started: number): WidthSweepResult {
  return widthSweepResult(runs, performance.now() - started);
}

export interface SweepOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Each network's record as soon as its group finishes. */
  onRun?: (r: RunRecord) => void;
}

/** Runs group jobs of a width sweep on the pool: every network's record (no summary; a
 *  shard's part of a sweep has no complete η). */
export async function runWidthRecords(pool: Pool, jobs: LazyJob[], opts: SweepOptions = {}): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  await pool.run(jobs, {
    signal: opts.signal,
    onRunProgress: opts.onProgress,
    onResult: (r) => {
      for (const record of jobRecords(r)) {
        runs.push(record);
        opts.onRun?.(record);
      }
    },
  });
  return runs;
}

/** Runs the group jobs of a width sweep (from widthSweepJobs) on the pool: per-network
 *  records, per-η summaries and the bound. */
export async function runWidthJobs(pool: Pool, jobs: LazyJob[], opts: SweepOptions = {}): Promise<WidthSweepResult> {
  const started = performance.now();
  return finish(await runWidthRecords(pool, jobs, opts), started);
}

/** Fit options of a sweep: everything of FitOptions but what the sweep sets per network. */
export type SweepFitOptions = Omit<FitOptions, 'gradientWeight' | 'seed' | 'signal' | 'onProgress'>;

/** Progress of sweepWidths. */
export interface WidthSweepProgress {
  /** Fraction of the whole sweep done, in [0, 1]. */
  fraction: number;
  /** The group in training (0-based) and the number of groups. */
  group: number;
  groups: number;
  epoch: number;
  epochs: number;
  /** Mean of the group's networks' last training losses (standardised units). */
  loss: number;
}

export interface WidthSweepOptions {
  /** Hidden widths (units per layer; distinct positive integers): the η axis of the bound. */
  widths: number[];
  hiddenLayers: number;
  repeats: number;
  /** Rows of `train` each repeat draws (without replacement; default: all rows). */
  subsetSize?: number;
  /** Gradient weight of the GI model (default 0.5), or 'auto' (fit's cross-validated choice
   *  per network, RunRecord.chosenWeights); the baseline has 0. */
  gradientWeight?: number | 'auto';
  /** How every network is fit (epochs, batchSize, learningRate, lrDecay, directions,
   *  gradientInputs, normalize, …); gradientWeight and seed are set per network. */
  fit: SweepFitOptions;
  /** Seeds the subsets, initialisations and minibatch orders (default 0). */
  seed?: number;
  /** Hidden activation (default tanh) and output activation (default linear). */
  activation?: Activation;
  outputActivation?: Activation;
  /** Columns of x and of y (default: inferred from the data where they can be). */
  inputs?: number;
  outputs?: number;
  /** MlpGroups the networks are trained in, one after another (default 1: all together). */
  groups?: number;
  signal?: AbortSignal;
  onProgress?: (p: WidthSweepProgress) => void;
}

/** The options sweepWidths reads (a misspelt one is refused, not ignored). */
const SWEEP_WIDTHS_KEYS = ['widths', 'hiddenLayers', 'repeats', 'subsetSize', 'gradientWeight', 'fit', 'seed', 'activation', 'outputActivation', 'inputs', 'outputs', 'groups', 'signal', 'onProgress'] as const;

/** Columns of x and y: given, or inferred from n (when one is given) or from dydx. */
function dataShape(train: Dataset, opts: WidthSweepOptions): { inputs: number; outputs: number; n: number } {
  if (!train || !(train.x?.length > 0) || !(train.y?.length > 0)) throw new TypeError('sweepWidths: train must be a Dataset { x, y, dydx? } with rows');
  let { inputs, outputs } = opts;
  if (inputs === undefined && outputs !== undefined) inputs = train.x.length / (train.y.length / outputs);
  if (inputs === undefined && train.dydx?.length && !opts.fit?.gradientInputs) inputs = train.dydx.length / train.y.length; // g = inputs
  if (inputs === undefined || !Number.isInteger(inputs) || inputs < 1) {
    throw new RangeError(`sweepWidths: cannot tell the columns of x (got inputs = ${inputs}); give options.inputs`);
  }
  const n = train.x.length / inputs;
  outputs ??= train.y.length / n;
  if (!Number.isInteger(n) || !Number.isInteger(outputs) || outputs < 1 || n * outputs !== train.y.length) {
    throw new RangeError(`sweepWidths: train.x (${train.x.length} values) and train.y (${train.y.length}) are not n×${inputs} and n×outputs`);
  }
  return { inputs, outputs, n };
}

/**
 * The width sweep of idea 2 on the user's own data, on one context: widths × {baseline
 * w = 0, GI w} × repeats, each repeat on a fresh seeded subset of `subsetSize` rows of
 * `train` (its baseline and GI networks share the subset and the initialisation), every
 * network trained in one MlpGroup (or `groups` of them) and tested on `test`. Multi-output
 * data are allowed. Compiles nothing per width and leaves no buffer alive.
 * @example
 * const { summary, bound } = await sweepWidths(ctx, { train, test }, { widths: [4, 8, 16, 32],
 *   hiddenLayers: 2, repeats: 3, subsetSize: 50, fit: { epochs: 200, batchSize: 10, learningRate: 1e-2 } });
 * console.log(`stop the width search at ${bound.ub} units; best baseline width ${bound.bestBaselineEta}`);
 */
export async function sweepWidths(ctx: Context, data: { train: Dataset; test: Dataset }, options: WidthSweepOptions): Promise<WidthSweepResult> {
  const started = performance.now();
  const opts = options;
  if (!opts?.fit) throw new TypeError('sweepWidths: options.fit (epochs, batchSize, learningRate, …) is required');
  checkOptionKeys('sweepWidths', opts, SWEEP_WIDTHS_KEYS);
  if (typeof opts.fit !== 'object') throw new TypeError('sweepWidths: options.fit must be an object of fit options (epochs, batchSize, learningRate, …)');
  checkOptionKeys('sweepWidths fit', opts.fit, [], {
    gradientWeight: "the sweep sets it per network (0 for the baseline): give the GI networks' weight as sweepWidths' own gradientWeight",
    seed: "the sweep seeds every network from sweepWidths' own seed: give that",
    signal: "give sweepWidths' own signal",
    onProgress: "give sweepWidths' own onProgress",
  }, true);
  checkGrid({ etas: opts.widths, repeats: opts.repeats }, 'widths');
  if (!Number.isInteger(opts.hiddenLayers) || opts.hiddenLayers < 1) throw new RangeError(`hiddenLayers must be a positive integer, got ${opts.hiddenLayers}`);
  const { train, test } = data ?? ({} as { train: Dataset; test: Dataset });
  const { inputs, outputs, n } = dataShape(train, opts);
  if (!test?.x || !test.y || test.x.length % inputs !== 0 || test.y.length * inputs !== test.x.length * outputs || test.x.length === 0) {
    throw new RangeError(`sweepWidths: test must hold n_test×${inputs} inputs and n_test×${outputs} outputs`);
  }
  const subsetSize = opts.subsetSize ?? n;
  if (!Number.isInteger(subsetSize) || subsetSize < 1 || subsetSize > n) throw new RangeError(`subsetSize must be an integer in [1, ${n}], got ${subsetSize}`);
  const gradientInputs = opts.fit.gradientInputs ?? Array.from({ length: inputs }, (_, i) => i);
  const seed = opts.seed ?? 0;
  const root = new Rng(seed);
  const nets = sweepNetworks({
    etas: opts.widths,
    repeats: opts.repeats,
    giWeight: opts.gradientWeight ?? 0.5,
    seedOf: (repeat, width) => root.fork(`init:${repeat}:${width}`).uint32(),
  });
  const shape = { inputs, outputs, gradients: gradientInputs.length };
  const testStage = { x: Float32Array.from(test.x), y: Float32Array.from(test.y) };
  const subsets = new Map<number, StageData[]>();
  const dataOf = (repeat: number): StageData[] => {
    let stages = subsets.get(repeat);
    if (!stages) {
      const rows = root.fork(`subset:${repeat}`).sampleIndices(n, subsetSize);
      const sub = takeDatasetRows(train, shape, rows);
      stages = [{ inputs, gradientInputs, train: { x: sub.x, y: sub.y, dydx: sub.dydx ?? new Float32Array(0) }, test: testStage }];
      subsets.set(repeat, stages);
    }
    return stages;
  };
  const { epochs, batchSize, learningRate, lrDecay, gradientInputs: _g, ...fitRest } = opts.fit;
  void _g;
  const settings: TrainSettings = {
    hiddenLayers: opts.hiddenLayers,
    activation: opts.activation ?? 'tanh',
    outputActivation: opts.outputActivation ?? 'linear',
    // A sweep compares widths at one fixed budget (the paper's protocol), not fit's
    // converging one: SWEEP_DEFAULTS for what the caller leaves out.
    epochs: epochs ?? SWEEP_DEFAULTS.epochs,
    batchSize: batchSize === 'full' ? subsetSize : (batchSize ?? SWEEP_DEFAULTS.batchSize),
    learningRate: learningRate ?? FIT_DEFAULTS.learningRate,
    lrDecay: lrDecay ?? SWEEP_DEFAULTS.lrDecay,
  };
  const packs = packNetworks(nets, opts.groups ?? 1, (net) => networkCost(net, opts.hiddenLayers));
  const runs: RunRecord[] = [];
  for (let g = 0; g < packs.length; g++) {
    if (opts.signal?.aborted) throw abortError('The sweep was cancelled');
    const job = groupJob(`sweepWidths:g${g}`, packs[g], dataOf, settings, false, g);
    const result = await runTrainJob(ctx, job, {
      signal: opts.signal,
      fit: fitRest,
      onProgress: (p: JobProgress) =>
        opts.onProgress?.({ fraction: (g + p.fraction) / packs.length, group: g, groups: packs.length, epoch: p.epoch, epochs: p.epochs, loss: p.loss }),
    });
    runs.push(...jobRecords(result));
  }
  opts.onProgress?.({ fraction: 1, group: packs.length - 1, groups: packs.length, epoch: settings.epochs, epochs: settings.epochs, loss: NaN });
  return finish(runs, started);
}
