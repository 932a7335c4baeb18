import type { Activation } from '../types';
import { mulberry32 } from './rng';
import { traceForward, type RefMlp } from './trace';

export type { RefMlp } from './trace';
export { refLossAndGradients, refProjectTargets, type RefLossOptions, type RefLossResult } from './loss';

/** ŷ for n rows of x (n×inputs) → n×outputs. */
export function refForward(m: RefMlp, x: ArrayLike<number>, n: number): Float64Array {
  const t = traceForward(m, x, n, []);
  return t.layers[t.layers.length - 1].a;
}

/** Value and forward-mode tangent: v (n×inputs) → y (n×outputs), dy = J·v (n×outputs). */
export function refJvp(m: RefMlp, x: ArrayLike<number>, v: ArrayLike<number>, n: number): { y: Float64Array; dy: Float64Array } {
  const t = traceForward(m, x, n, [v]);
  const top = t.layers[t.layers.length - 1];
  return { y: top.a, dy: top.aDot[0] };
}

/** Input Jacobian ∂ŷ/∂x for each row, n×outputs×inputs. */
export function refJacobian(m: RefMlp, x: ArrayLike<number>, n: number): Float64Array {
  const d = m.sizes[0];
  const out = m.sizes[m.sizes.length - 1];
  const units = Array.from({ length: d }, (_, c) => {
    const v = new Float64Array(n * d);
    for (let i = 0; i < n; i++) v[i * d + c] = 1;
    return v;
  });
  const t = traceForward(m, x, n, units);
  const cols = t.layers[t.layers.length - 1].aDot;
  const jac = new Float64Array(n * out * d);
  for (let i = 0; i < n; i++) for (let o = 0; o < out; o++) for (let c = 0; c < d; c++) jac[(i * out + o) * d + c] = cols[c][i * out + o];
  return jac;
}

/**
 * Deterministic random MLP: W ~ U(−1,1)·√(3/fanIn) (variance 1/fanIn), b ~ U(−0.1, 0.1).
 * `activations` is one per layer, or a single name used for every layer.
 */
export function refRandomMlp(sizes: number[], activations: Activation | Activation[], seed: number): RefMlp {
  const L = sizes.length - 1;
  const acts = typeof activations === 'string' ? new Array<Activation>(L).fill(activations) : activations.slice();
  const rand = mulberry32(seed);
  const uniform = (count: number, scale: number) => Float64Array.from({ length: count }, () => (2 * rand() - 1) * scale);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    weights.push(uniform(sizes[l - 1] * sizes[l], Math.sqrt(3 / sizes[l - 1])));
    biases.push(uniform(sizes[l], 0.1));
  }
  return { sizes: sizes.slice(), activations: acts, weights, biases };
}
