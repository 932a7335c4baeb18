import { refLossAndGradients, type RefLossOptions } from './loss';
import { checkMlp, type RefMlp } from './trace';

/** Adam's hyperparameters (Kingma & Ba 2015, Algorithm 1). */
export interface RefAdamOptions {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** L2 decay λ of the weights (not the biases): refAdamFit adds λ·W to their gradient. Default 0. */
  weightDecay?: number;
}

/**
 * One Adam step in float64, in place, in the textbook form with bias correction:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   m̂ = m / (1−β1^t),  v̂ = v / (1−β2^t),  p ← p − lr·m̂ / (√v̂ + ε).
 * t is the 1-based step count (t = 1 on the first step, with m = v = 0 before it).
 */
export function refAdamStep(
  params: Float64Array,
  grads: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  t: number,
  opts: RefAdamOptions,
): void {
  const n = params.length;
  if (grads.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError(`refAdamStep: params ${n}, grads ${grads.length}, m ${m.length}, v ${v.length} must match`);
  }
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`refAdamStep: t must be an integer ≥ 1, got ${t}`);
  const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = opts;
  const c1 = 1 - Math.pow(beta1, t);
  const c2 = 1 - Math.pow(beta2, t);
  for (let i = 0; i < n; i++) {
    const g = grads[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    const mHat = m[i] / c1;
    const vHat = v[i] / c2;
    params[i] -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
  }
}

/** Flattens weights then biases, layer by layer: W_1, b_1, W_2, b_2, ... */
function flatten(weights: ArrayLike<number>[], biases: ArrayLike<number>[]): Float64Array {
  const total = weights.reduce((s, w, l) => s + w.length + biases[l].length, 0);
  const out = new Float64Array(total);
  let o = 0;
  for (let l = 0; l < weights.length; l++) {
    out.set(Array.from(weights[l]), o);
    o += weights[l].length;
    out.set(Array.from(biases[l]), o);
    o += biases[l].length;
  }
  return out;
}

/** Inverse of flatten for the shapes of `like`. */
function unflatten(flat: Float64Array, like: RefMlp): { weights: Float64Array[]; biases: Float64Array[] } {
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  let o = 0;
  for (let l = 0; l < like.weights.length; l++) {
    weights.push(flat.slice(o, (o += like.weights[l].length)));
    biases.push(flat.slice(o, (o += like.biases[l].length)));
  }
  return { weights, biases };
}

/** What refAdamFit returns: the trained copy of the model and the loss before each step. */
export interface RefAdamFitResult {
  mlp: RefMlp;
  /** history[s] is the full-batch loss at the parameters before step s+1. */
  history: number[];
}

/**
 * T full-batch Adam steps on the value-and-gradient loss of refLossAndGradients (float64,
 * constant learning rate). Step t uses the gradient at the parameters after step t−1.
 * `m` is not modified; the trained model is a copy.
 */
export function refAdamFit(
  m: RefMlp,
  data: { x: ArrayLike<number>; y: ArrayLike<number>; dydx?: ArrayLike<number> },
  n: number,
  steps: number,
  loss: RefLossOptions,
  adam: RefAdamOptions,
): RefAdamFitResult {
  checkMlp(m);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`refAdamFit: steps must be an integer ≥ 0, got ${steps}`);
  const params = flatten(m.weights, m.biases);
  const m1 = new Float64Array(params.length);
  const m2 = new Float64Array(params.length);
  let current: RefMlp = { sizes: m.sizes.slice(), activations: m.activations.slice(), ...unflatten(params, m) };
  const history: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const r = refLossAndGradients(current, data, n, loss);
    history.push(r.loss);
    const decay = adam.weightDecay ?? 0;
    const weightGrads = r.weights.map((g, l) => Float64Array.from(g, (v, j) => v + decay * current.weights[l][j]));
    refAdamStep(params, flatten(weightGrads, r.biases), m1, m2, t, adam);
    current = { ...current, ...unflatten(params, m) };
  }
  return { mlp: current, history };
}
