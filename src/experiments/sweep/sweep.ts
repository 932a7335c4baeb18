/** The hidden-size sweep of idea 2 on the paper's problems: widths η × {baseline w = 0, GI
 *  w > 0} × repeats for one problem and N_train — a thin layer over the engine's width sweep
 *  (src/sweep/widths): the paper's data (SweepData), its width rule (4·η units per layer) and
 *  its seeds; the networks are packed into one group job per pool worker (of about equal
 *  cost, mixing widths and repeats; more, a multiple of the pool's size, when a group would
 *  exceed MAX_GROUP_SIZE networks), so each worker trains whole MlpGroups, one per stage. */
import type { LazyJob, TrainSettings } from '../../sweep/job';
import type { Pool } from '../../sweep/pool';
import { runWidthJobs, widthSweepJobs, type SweepOptions, type WidthSweepResult } from '../../sweep/widths';
import { SweepData, type ProblemSetup } from './problems';

export { summarize } from '../../sweep/widths';
export type { EtaSummary, ModelSummary, RunRecord, SweepOptions } from '../../sweep/widths';

/** Hidden width of η: 4·η units per layer (the paper's rule). */
export function widthOf(eta: number): number {
  return 4 * eta;
}

export interface SweepConfig extends ProblemSetup {
  nTrain: number;
  /** Width parameters η; each hidden layer has 4·η units. */
  etas: number[];
  repeats: number;
  /** Gradient weight of the GI model (the paper: 0.5). */
  giWeight?: number;
  settings: TrainSettings;
}

export interface SweepResult extends WidthSweepResult {
  config: SweepConfig;
}

export interface RunSweepOptions extends SweepOptions {
  /** Group jobs the networks are packed into (default: sweepGroups(networks, pool.size)). */
  groups?: number;
}

/** Most networks a default group holds: a group that loses its worker is rerun whole, so
 *  smaller groups retry cheaper after a crash. */
export const MAX_GROUP_SIZE = 32;

/** Default number of group jobs: one per worker, or a multiple of the pool's size that keeps
 *  every group at most MAX_GROUP_SIZE networks (equal-cost groups end together). */
export function sweepGroups(networks: number, poolSize: number): number {
  return poolSize * Math.max(1, Math.ceil(Math.ceil(networks / MAX_GROUP_SIZE) / poolSize));
}

/** The sweep's group jobs: `groups` groups of about equal cost; every repeat draws a fresh
 *  training subset of the pool (the same rows for its baseline and GI model), all test on one
 *  test set. */
export function sweepJobs(config: SweepConfig, data = new SweepData(config), groups = 1): LazyJob[] {
  if (!Number.isInteger(config.nTrain) || config.nTrain < 1) throw new RangeError('nTrain must be a positive integer');
  return widthSweepJobs({
    etas: config.etas,
    width: widthOf,
    repeats: config.repeats,
    giWeight: config.giWeight,
    settings: config.settings,
    seed: config.seed,
    stages: (repeat) => data.stageData(config.nTrain, repeat),
    rollout: config.stages > 1,
    name: `${config.problem}:N${config.nTrain}`,
    groups,
  });
}

/**
 * Runs a width sweep of a paper problem on the pool: per-run metrics, per-η summaries, the bound.
 * @example
 * const result = await runSweep(pool, { problem: 'toy2d', stages: 2, poolSize: 1000, testSize: 1000,
 *   seed: 1, nTrain: 50, etas: [2, 4, 8], repeats: 2, settings });
 * console.log(result.bound.ub, result.bound.bestBaselineEta);
 */
export async function runSweep(pool: Pool, config: SweepConfig, opts: RunSweepOptions = {}): Promise<SweepResult> {
  const groups = opts.groups ?? sweepGroups(config.etas.length * 2 * config.repeats, pool.size);
  const result = await runWidthJobs(pool, sweepJobs(config, undefined, groups), opts);
  return { config, ...result };
}
