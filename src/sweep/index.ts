/** Hidden-size sweeps on a pool of GPU workers, and the GI complexity bound. */
export { createPool, Pool, WorkerCrashError, JobError } from './pool';
export type { PoolOptions, PoolStats, RunOptions, RunProgress, SubmitOptions } from './pool';
export type { JobProgress, JobResult, LazyJob, StageData, TrainJob, TrainSettings } from './job';
export type { WorkerStats, WorkerInfo } from './worker-api';
export { runTrainJob } from './train';
export { complexityBound } from './bound';
export type { BoundRow, ComplexityBound } from './bound';
export { rmse, pearson, meanSd } from './metrics';
export type { MeanSd } from './metrics';
export { runSweep, sweepJobs, summarize, widthOf } from './sweep';
export type { EtaSummary, ModelSummary, RunRecord, SweepConfig, SweepOptions, SweepResult } from './sweep';
export { SweepData, generateProblem, PROBLEM_NAMES } from './problems';
export type { ProblemName, ProblemSetup } from './problems';
export { NN_EXPERIMENTS } from './experiments';
export type { NnExperiment, NnPreset } from './experiments';
