/** Activations every layer may use. The WGSL table (shaders/activations.ts) and the float64
 *  table (src/reference/activations.ts) implement value, σ' and σ'' for each of them. */
export const ACTIVATIONS = ['tanh', 'sigmoid', 'softplus', 'sin', 'gelu', 'relu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Training data, row-major. x: n×inputs, y: n×outputs, dydx: n×outputs×g where g is the
 *  number of gradient inputs (default: all inputs). */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  dydx?: Float32Array;
}

export interface MlpParameters {
  /** W_l as [fanIn × fanOut], row-major. */
  weights: Float32Array[];
  biases: Float32Array[];
}

export function isActivation(name: unknown): name is Activation {
  return typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name);
}
