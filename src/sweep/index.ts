/** Training jobs on a pool of GPU workers (one device each), hidden-width sweeps, the recursive
 *  rollout of staged models, and the GI complexity bound. Generic: the jobs carry the user's data. */
export { createPool, Pool, WorkerCrashError, JobError } from './pool';
export type { PoolOptions, PoolStats, RunOptions, RunProgress, SubmitOptions } from './pool';
export type { WorkerSource } from './slot';
export type { JobProgress, JobResult, LazyJob, StageData, TrainJob, TrainSettings } from './job';
export type { WorkerStats, WorkerInfo } from './worker-api';
export type { TrainWorkerHooks } from './worker-host';
export { runTrainJob } from './train';
export { sweepWidths, widthSweepJobs, runWidthJobs, summarize, widthOf } from './widths';
export type { EtaSummary, ModelSummary, RunRecord, SweepOptions, WidthSweepConfig, WidthSweepResult } from './widths';
export { rolloutStages } from './rollout';
export type { RolloutStage, StagePredict } from './rollout';
export { complexityBound } from './bound';
export type { BoundRow, ComplexityBound } from './bound';
export { rmse, pearson, meanSd } from '../util/stats';
export type { MeanSd } from '../util/stats';
