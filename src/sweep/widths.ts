/** A hidden-width sweep on the user's data: widths η × {baseline w = 0, GI w > 0} × repeats,
 *  run on the worker pool, summarised per η (mean and sd over repeats) with the GI complexity
 *  bound. The data of each repeat come from a callback, so any staged dataset can be swept. */
import { complexityBound, type ComplexityBound } from './bound';
import type { JobResult, LazyJob, StageData, TrainSettings } from './job';
import type { Pool, RunProgress } from './pool';
import { meanSd, type MeanSd } from '../util/stats';

export interface WidthSweepConfig {
  /** Width parameters η (distinct positive integers); each hidden layer has widthOf(η) units. */
  etas: number[];
  repeats: number;
  /** Gradient weight of the GI model (default 0.5). */
  giWeight?: number;
  settings: TrainSettings;
  /** Seeds the initialisation and minibatch order of every job (same for a baseline/GI pair). */
  seed: number;
  /** The stages of repeat `repeat` (the same for the baseline and the GI model of a repeat).
   *  Called when a worker takes a job, and again for a retry: return fresh arrays, they are
   *  transferred to the worker. */
  stages(repeat: number): StageData[];
  /** Test with a recursive rollout (default: when there is more than one stage). */
  rollout?: boolean;
  /** Prefix of the job ids (default 'sweep'). */
  name?: string;
}

/** One trained-and-tested model (a network per stage) of the sweep. */
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

export interface WidthSweepResult {
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

/** Hidden width of η: 4·η units per layer. */
export function widthOf(eta: number): number {
  return 4 * eta;
}

function checkConfig(c: { etas: number[]; repeats: number }): void {
  if (!c.etas?.length || c.etas.some((e) => !Number.isInteger(e) || e < 1)) throw new RangeError('etas must be positive integers');
  if (new Set(c.etas).size !== c.etas.length) throw new RangeError('etas must be distinct');
  if (!Number.isInteger(c.repeats) || c.repeats < 1) throw new RangeError('repeats must be a positive integer');
}

/** The sweep's jobs, widest first (the longest jobs start first, so the pool ends together). */
export function widthSweepJobs(config: WidthSweepConfig): LazyJob[] {
  checkConfig(config);
  const gi = config.giWeight ?? 0.5;
  const name = config.name ?? 'sweep';
  const jobs: LazyJob[] = [];
  for (const eta of [...config.etas].sort((a, b) => b - a)) {
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      for (const [model, w] of [['baseline', 0], ['gi', gi]] as const) {
        const id = `${name}:eta${eta}:${model}:r${repeat}`;
        jobs.push({
          id,
          make: () => {
            const stages = config.stages(repeat);
            return {
              id,
              stages,
              rollout: config.rollout ?? stages.length > 1,
              width: widthOf(eta),
              gradientWeight: w,
              settings: config.settings,
              // The same initial weights and minibatch order for the baseline and the GI model.
              seed: (config.seed * 1000 + repeat * 97 + eta) >>> 0,
              meta: { eta, repeat, model },
            };
          },
        });
      }
    }
  }
  return jobs;
}

function toRecord(r: JobResult, giWeight: number): RunRecord {
  const meta = r.meta ?? {};
  const eta = Number(meta.eta);
  const model = meta.model === 'gi' ? 'gi' : 'baseline';
  return {
    eta,
    width: widthOf(eta),
    model,
    gradientWeight: model === 'gi' ? giWeight : 0,
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

/** Runs the jobs of a width sweep (from widthSweepJobs) on the pool: per-run metrics, per-η
 *  summaries and the bound. */
export async function runWidthJobs(pool: Pool, jobs: LazyJob[], giWeight: number, opts: SweepOptions = {}): Promise<WidthSweepResult> {
  const started = performance.now();
  const runs: RunRecord[] = [];
  await pool.run(jobs, {
    signal: opts.signal,
    onRunProgress: opts.onProgress,
    onResult: (r) => {
      const record = toRecord(r, giWeight);
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
  return { runs, summary, bound, ms: performance.now() - started };
}

/**
 * Sweeps hidden widths on the pool over the user's data and returns per-run metrics, per-η
 * summaries and the GI complexity bound.
 * @example
 * const result = await sweepWidths(pool, { etas: [2, 4, 8], repeats: 3, seed: 1, settings,
 *   stages: (repeat) => [{ inputs: 2, gradientInputs: [0, 1], train: trainOf(repeat), test }] });
 * console.log(result.bound.ub, result.bound.bestBaselineEta);
 */
export function sweepWidths(pool: Pool, config: WidthSweepConfig, opts: SweepOptions = {}): Promise<WidthSweepResult> {
  return runWidthJobs(pool, widthSweepJobs(config), config.giWeight ?? 0.5, opts);
}
