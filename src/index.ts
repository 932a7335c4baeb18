export { createContext, Context, type ContextOptions, type AdapterDescription } from './gpu/context';
export {
  WebGpuUnsupportedError,
  NoAdapterError,
  MissingFeatureError,
  DeviceLostError,
  GpuValidationError,
  DestroyedError,
  BusyError,
} from './gpu/errors';
export { createMlp, loadMlp, Mlp, type MlpSpec, type LossOptions, type LossAndGradients } from './nn/mlp';
export type { JacobianMode } from './nn/loss';
export { createMlpGroup, loadMlpGroup, MlpGroup, type MlpGroupSpec, type ModelSpec } from './nn/group';
export { createEnsemble, Ensemble, type EnsembleOptions, type EnsembleFitOptions, type EnsembleStats } from './nn/ensemble';
export type { MlpJson, MlpGroupJson, SavedModel } from './nn/saved';
export { savedToOnnx, ONNX_OPSETS, type OnnxOptions } from './onnx/export';
export type { GroupFitOptions, GroupLossOptions, PerModel } from './nn/fit-plan';
export type { TangentTargets } from './nn/directions';
export { GRADIENT_WEIGHT_CANDIDATES } from './nn/auto-weight';
export { FitInterruptedError, type FitOptions, type FitReport, type FitProgress, type Divergence, type StopReason, type GradientWeightSelection } from './nn/fit';
export { ACTIVATIONS, type Activation, type Dataset, type MlpParameters } from './types';
export { parseSurrogateCsv, type SurrogateColumns, type SurrogateData } from './data/csv';
export { compiledKernelCount } from './gpu/programs';
export type { GpuStats } from './gpu/scope';

// Everything else, by area (namespaces keep the top level small and the names unambiguous).
// The paper harness (problems, sweeps of the paper, presets, the linear and generative
// experiments) is the second entry, `sobolev-webgpu/experiments`; nothing here imports it.
/** Training jobs on a pool of GPU workers, hidden-width sweeps over the user's data, the staged
 *  rollout, and the GI complexity bound. */
export * as sweep from './sweep/index';
export { createPool, complexityBound, sweepWidths, type WidthSweepOptions, type WidthSweepResult } from './sweep/index';
/** Linear-in-parameters models with gradient information (ridge, GI least squares, ridge-gradient). */
export * as linear from './linear/index';
/** The float64 CPU oracle the GPU code is tested against. */
export * as reference from './reference/index';
