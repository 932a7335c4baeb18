/** The hidden-size sweep of idea 2: widths η × {baseline w = 0, GI w > 0} × repeats for one
 *  problem and N_train, run on the worker pool, summarised per η with the GI complexity bound. */
import { complexityBound, type ComplexityBound } from '../../sweep/bound';
import type { JobResult, LazyJob, TrainSettings } from '../../sweep/job';
import { meanSd, type MeanSd } from '../../util/stats';
import type { Pool, RunProgress } from '../../sweep/pool';
import { SweepData, type ProblemSetup } from './problems';

export interface SweepConfig extends ProblemSetup {
  nTrain: number;
  /** Width parameters η; each hidden layer has 4·η units. */
  etas: number[];
  repeats: number;
  /** Gradient weight of the GI model (the paper: 0.5). */
  giWeight?: number;
  settings: TrainSettings;
}

/** One trained-and-tested network (per stage) of the sweep. */
export interface RunRecord {
  eta: number;
  width: number;
  model: 'baseline' | 'gi';
  gradientWeight: number;
  repeat: number;
  rmse: number;
  corr: number;
  stageRmse: number[];
  epochs: number[];
  diverged: boolean;
  trainMs: number;
  worker: number;
  attempts: number;
}

export interface ModelSummary {
  rmse: MeanSd;
  corr: MeanSd;
}

/** Metrics of one η averaged over repeats. */
export interface EtaSummary {
  eta: number;
  width: number;
  baseline: ModelSummary;
  gi: ModelSummary;
}

export interface SweepResult {
  config: SweepConfig;
  runs: RunRecord[];
  summary: EtaSummary[];
  bound: ComplexityBound;
  ms: number;
}

export interface SweepOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Each run as soon as it finishes. */
  onRun?: (r: RunRecord) => void;
}

/** Hidden width of η (EXPERIMENTS.md: 4·η per layer). */
export function widthOf(eta: number): number {
  return 4 * eta;
}

function checkConfig(c: SweepConfig): void {
  if (!c.etas?.length || c.etas.some((e) => !Number.isInteger(e) || e < 1)) throw new RangeError('etas must be positive integers');
  if (new Set(c.etas).size !== c.etas.length) throw new RangeError('etas must be distinct');
  if (!Number.isInteger(c.repeats) || c.repeats < 1) throw new RangeError('repeats must be a positive integer');
  if (!Number.isInteger(c.nTrain) || c.nTrain < 1) throw new RangeError('nTrain must be a positive integer');
}

/** The sweep's jobs, widest first (the longest jobs start first, so the pool ends together). */
export function sweepJobs(config: SweepConfig, data = new SweepData(config)): LazyJob[] {
  checkConfig(config);
  const gi = config.giWeight ?? 0.5;
  const jobs: LazyJob[] = [];
  for (const eta of [...config.etas].sort((a, b) => b - a)) {
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      for (const [model, w] of [['baseline', 0], ['gi', gi]] as const) {
        const id = `${config.problem}:N${config.nTrain}:eta${eta}:${model}:r${repeat}`;
        jobs.push({
          id,
          make: () => ({
            id,
            stages: data.stageData(config.nTrain, repeat),
            rollout: config.stages > 1,
            width: widthOf(eta),
            gradientWeight: w,
            settings: config.settings,
            // The same initial weights and minibatch order for the baseline and the GI model.
            seed: (config.seed * 1000 + repeat * 97 + eta) >>> 0,
            meta: { eta, repeat, model },
          }),
        });
      }
    }
  }
  return jobs;
}

function toRecord(r: JobResult): RunRecord {
  const meta = r.meta ?? {};
  const eta = Number(meta.eta);
  return {
    eta,
    width: widthOf(eta),
    model: meta.model === 'gi' ? 'gi' : 'baseline',
    gradientWeight: 0,
    repeat: Number(meta.repeat),
    rmse: r.rmse,
    corr: r.corr,
    stageRmse: r.stageRmse,
    epochs: r.epochs,
    diverged: r.diverged,
    trainMs: r.trainMs,
    worker: r.worker ?? -1,
    attempts: r.attempts ?? 1,
  };
}

/** Per-η means and standard deviations over repeats, in increasing η. */
export function summarize(runs: readonly RunRecord[]): EtaSummary[] {
  const etas = [...new Set(runs.map((r) => r.eta))].sort((a, b) => a - b);
  const pick = (eta: number, model: RunRecord['model']): ModelSummary => {
    const rs = runs.filter((r) => r.eta === eta && r.model === model);
    return { rmse: meanSd(rs.map((r) => r.rmse)), corr: meanSd(rs.map((r) => r.corr)) };
  };
  return etas.map((eta) => ({ eta, width: widthOf(eta), baseline: pick(eta, 'baseline'), gi: pick(eta, 'gi') }));
}

/**
 * Runs a width sweep on the pool and returns per-run metrics, per-η summaries and the bound.
 * @example
 * const result = await runSweep(pool, { problem: 'toy2d', stages: 2, poolSize: 1000, testSize: 1000,
 *   seed: 1, nTrain: 50, etas: [2, 4, 8], repeats: 2, settings });
 * console.log(result.bound.ub, result.bound.bestBaselineEta);
 */
export async function runSweep(pool: Pool, config: SweepConfig, opts: SweepOptions = {}): Promise<SweepResult> {
  const started = performance.now();
  const giWeight = config.giWeight ?? 0.5;
  const runs: RunRecord[] = [];
  await pool.run(sweepJobs(config), {
    signal: opts.signal,
    onRunProgress: opts.onProgress,
    onResult: (r) => {
      const record = toRecord(r);
      if (record.model === 'gi') record.gradientWeight = giWeight;
      runs.push(record);
      opts.onRun?.(record);
    },
  });
  runs.sort((a, b) => a.eta - b.eta || a.repeat - b.repeat || a.model.localeCompare(b.model));
  const summary = summarize(runs);
  const bound = complexityBound(
    summary.map((s) => ({
      eta: s.eta,
      baseline: { rmse: s.baseline.rmse.mean, corr: s.baseline.corr.mean },
      gi: { rmse: s.gi.rmse.mean, corr: s.gi.corr.mean },
    })),
  );
  return { config, runs, summary, bound, ms: performance.now() - started };
}
