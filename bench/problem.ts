// The benchmark problem: a tanh MLP trained on values and all input-derivatives of a smooth
// function, full batch, Adam. Every library gets the same sizes, data and initial parameters.
import { mulberry32 } from '../src/reference/index';

export interface Problem {
  /** [inputs, hidden..., outputs]; hidden layers tanh, output linear. */
  sizes: number[];
  /** Samples (full batch). */
  n: number;
  /** Gradient weight w of L = (1 − w)·MSE(ŷ) + w·MSE(∂ŷ/∂x). */
  w: number;
  learningRate: number;
  x: Float32Array;
  y: Float32Array;
  /** n × outputs × inputs: every input carries a derivative target ('all' mode, k = inputs);
   *  output o is (1 + o/4)·f(x). */
  dydx: Float32Array;
  /** Initial parameters, W_l [fanIn × fanOut] row-major. */
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Tangent directions per sample in full-gradient mode. */
export const directionsOf = (p: { sizes: number[] }): number => p.sizes[0];

/** y = sin(x₀) + x₁x₂ + ½cos(x₃) + 0.1·Σx, and its exact gradient (4 inputs, 1 output). */
function target(x: Float32Array, i: number, d: number, grad: Float32Array): number {
  const v = (j: number) => (j < d ? x[i * d + j] : 0);
  let sum = 0;
  for (let j = 0; j < d; j++) {
    sum += v(j);
    grad[i * d + j] = 0.1;
  }
  grad[i * d] += Math.cos(v(0));
  if (d > 2) {
    grad[i * d + 1] += v(2);
    grad[i * d + 2] += v(1);
  }
  if (d > 3) grad[i * d + 3] += -0.5 * Math.sin(v(3));
  return Math.sin(v(0)) + v(1) * v(2) + 0.5 * Math.cos(v(3)) + 0.1 * sum;
}

/** A seeded problem instance: data x ~ U(−1, 1)^d and Glorot-uniform weights, zero biases. */
export function makeProblem(opts: { sizes: number[]; n: number; w?: number; learningRate?: number; seed?: number }): Problem {
  const { sizes, n } = opts;
  const d = sizes[0];
  const m = sizes[sizes.length - 1];
  const rand = mulberry32(opts.seed ?? 1);
  const x = Float32Array.from({ length: n * d }, () => 2 * rand() - 1);
  const y = new Float32Array(n * m);
  const dydx = new Float32Array(n * m * d);
  const grad = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const f = target(x, i, d, grad);
    for (let o = 0; o < m; o++) {
      const scale = 1 + o / 4;
      y[i * m + o] = scale * f;
      for (let j = 0; j < d; j++) dydx[(i * m + o) * d + j] = scale * grad[i * d + j];
    }
  }
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const limit = Math.sqrt(6 / (sizes[l - 1] + sizes[l]));
    weights.push(Float32Array.from({ length: sizes[l - 1] * sizes[l] }, () => (2 * rand() - 1) * limit));
    biases.push(Float32Array.from({ length: sizes[l] }, () => 0.1 * (2 * rand() - 1)));
  }
  return { sizes: [...sizes], n, w: opts.w ?? 0.5, learningRate: opts.learningRate ?? 1e-3, x, y, dydx, weights, biases };
}

/**
 * FLOPs of one Sobolev step as this library computes it (an FMA counts 2), GEMMs only: the
 * forward over (1 + k)·n stacked rows, the weight gradients [A; Ȧ | 1]ᵀ·[Z̄; Ż̄] (bias row
 * included) and the activation gradients [Z̄; Ż̄]·Wᵀ for every layer but the first. The
 * elementwise kernels (seeds, σ'' coupling, loss, Adam) are O(rows × width) and left out.
 */
export function stepFlops(sizes: number[], n: number, k: number): { forward: number; backward: number; total: number } {
  return stackedFlops(sizes, n, k);
}

/**
 * The least arithmetic that gives a step's gradient: stepFlops with min(k, m) stacked blocks
 * (k tangent blocks forward, or m cotangent blocks in reverse: the input-gradient sweep,
 * the adjoint sweep and the backward are the same three GEMMs per layer over (1 + m)·n rows).
 */
export function leastFlops(sizes: number[], n: number, k: number): number {
  return stackedFlops(sizes, n, Math.min(k, sizes[sizes.length - 1])).total;
}

function stackedFlops(sizes: number[], n: number, k: number): { forward: number; backward: number; total: number } {
  const rows = (1 + k) * n;
  let forward = 0;
  let backward = 0;
  for (let l = 1; l < sizes.length; l++) {
    forward += 2 * rows * sizes[l - 1] * sizes[l];
    backward += 2 * rows * (sizes[l - 1] + 1) * sizes[l];
    if (l > 1) backward += 2 * rows * sizes[l] * sizes[l - 1];
  }
  return { forward, backward, total: forward + backward };
}
