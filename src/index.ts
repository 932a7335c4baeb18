export { createContext, Context, type ContextOptions, type AdapterDescription } from './gpu/context';
export {
  WebGpuUnsupportedError,
  NoAdapterError,
  MissingFeatureError,
  DeviceLostError,
  GpuValidationError,
  DestroyedError,
} from './gpu/errors';
export { createMlp, Mlp, type MlpSpec, type LossOptions, type LossAndGradients } from './nn/mlp';
export type { TangentTargets } from './nn/directions';
export type { FitOptions, FitReport, FitProgress } from './nn/fit';
export { ACTIVATIONS, type Activation, type Dataset, type MlpParameters } from './types';
export { compiledKernelCount } from './gpu/pipelines';
