// The generative image model with gradient information (docs/experiments.md §C).
export { createGenerator, blobsTangentTargets, trainGenerator, schedule, pixelRmse, type GeneratorModel, type GeneratorTraining, type TargetStats } from './generator';
export { GENERATIVE_PRESETS, type GenerativeConfig } from './presets';
export {
  runGenerativeExperiment,
  modelCount,
  headRows,
  seedsFor,
  stat,
  type GenerativeResult,
  type GenerativeRun,
  type GenerativeSummary,
  type GenerativeMethod,
  type ImageGrid,
  type KStudyRow,
  type ExperimentHooks,
  type Stat,
} from './experiment';
export { measureStepCost, costProblem, type CostOptions, type CostResult, type CostRow, type CostMode } from './cost';
