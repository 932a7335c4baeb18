/** Float64 CPU oracle: forward, JVP, Jacobian, value-and-gradient loss and its backward pass, Adam. */
export { refActivations, type RefActivation } from './activations';
export * from './mlp';
export { refAdamFit, refAdamStep, type RefAdamFitResult, type RefAdamOptions } from './adam';
export { mulberry32, refRandomArray } from './rng';
export { activationBackward } from './backward';
