/** Float64 CPU oracle: forward, JVP, Jacobian, value-and-gradient loss and its backward pass. */
export { refActivations, type RefActivation } from './activations';
export * from './mlp';
export { mulberry32, refRandomArray } from './rng';
