/** Training jobs on a pool of GPU workers (one device each; a job is a group of networks
 *  trained in one MlpGroup per stage), hidden-width sweeps on the user's data (sweepWidths on
 *  a context, widthSweepJobs on the pool), the recursive rollout of staged models, and the GI
 *  complexity bound. Generic: the jobs carry the user's data. */
export { createPool, Pool, WorkerCrashError, JobError } from './pool';
export type { PoolCap, PoolOptions, PoolStats, RunOptions, RunProgress, SubmitOptions } from './pool';
export type { PoolWorker, PoolWorkerEvent, WorkerSource } from './slot';
export { validateJob } from './job';
export type { JobModel, JobProgress, JobResult, LazyJob, ModelResult, StageData, TrainJob, TrainSettings } from './job';
export type { WorkerStats, WorkerInfo } from './worker-api';
export type { TrainWorkerHooks } from './worker-host';
export { runTrainJob, checkJob } from './train';
export type { RunJobOptions } from './train';
export { sweepWidths, widthSweepJobs, runWidthJobs, runWidthRecords, summarize, summaryBound, sweepNetworks, packNetworks, networkCost, jobRecords } from './widths';
export type {
  EtaSummary, ModelSummary, RunRecord, SweepNetwork, SweepOptions, SweepFitOptions, WidthSweepConfig, WidthSweepOptions, WidthSweepProgress, WidthSweepResult,
} from './widths';
export { rolloutStages, rolloutGroup } from './rollout';
export type { GroupStagePredict, RolloutStage, StagePredict } from './rollout';
export { complexityBound } from './bound';
export type { BoundRow, ComplexityBound } from './bound';
export { rmse, pearson, meanSd } from '../util/stats';
export type { MeanSd } from '../util/stats';
export { parseShard, shardLabel, assignShards, shardSweeps, GROUP_STEP_OVERHEAD, networkKey, widthSweepFingerprint, widthSweepShard, runWidthShard, mergeWidthShards, ShardMergeError } from './shard';
export type { Shard, ShardChunk, ShardSweep, WidthSweepShard, WidthShardResult } from './shard';
