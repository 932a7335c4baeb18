/** The paper's NN width sweeps (docs/experiments.md §A) on the engine's pool: problems as staged
 *  data, the η × {baseline, GI} × repeats grid, its summary and the presets. */
export { runSweep, sweepJobs, sweepGroups, summarize, widthOf, MAX_GROUP_SIZE } from './sweep';
export type { EtaSummary, ModelSummary, RunRecord, RunSweepOptions, SweepConfig, SweepOptions, SweepResult } from './sweep';
export { SweepData, generateProblem, PROBLEM_NAMES } from './problems';
export type { ProblemName, ProblemSetup } from './problems';
export { NN_EXPERIMENTS } from './presets';
export type { NnExperiment, NnPreset } from './presets';
export { PRESET_NAMES, parsePreset, pagePreset, pageShard } from './presets';
export { planNn, planNetworks, planChunks, planShards, shardPlan, calibrate, estimateSeconds, describePlan, formatSeconds, runNnPlan, runNnExperiments, contextExecutor, memoryStore, exposedStore, stepCost } from './plan';
export type { Calibration, JobExecutor, NnPlan, PlannedSweep, PlanProgress, ResultStore, RunPlanOptions, RunExperimentsOptions, RunExperimentsResult } from './plan';
export { mergeNnShards } from './merge';
export type { GroupSource, NnMerge, StoredGroup } from './merge';
export { parseShard, ShardMergeError } from '../../sweep/shard';
export type { Shard } from '../../sweep/shard';
