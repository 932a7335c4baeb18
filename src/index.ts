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

// Everything else, by area (namespaces keep the top level small and the names unambiguous).
/** Hidden-size sweeps on a pool of GPU workers, and the GI complexity bound. */
export * as sweep from './sweep/index';
export { createPool, complexityBound, runSweep } from './sweep/index';
/** Linear-in-parameters models with gradient information (ridge, GI least squares, ridge-gradient). */
export * as linear from './linear/index';
/** Seeded problems with exact derivatives (toy2d, garch4d, regression8d, sine, blob images). */
export * as problems from './problems/index';
/** The float64 CPU oracle the GPU code is tested against. */
export * as reference from './reference/index';
/** The generative image model trained with projected JVP losses (renderer JVPs as targets). */
export * as generative from './generative/index';
