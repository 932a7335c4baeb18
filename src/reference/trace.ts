import type { Activation } from '../types';
import { refActivations } from './activations';
import { map, matmul } from './linalg';

/** A float64 MLP: z_l = a_{l-1} W_l + b_l, a_l = σ_l(z_l). */
export interface RefMlp {
  /** [inputs, h1, ..., outputs], length L+1. */
  sizes: number[];
  /** σ_l for l = 1..L, length L. */
  activations: Activation[];
  /** W_l as [sizes[l-1] × sizes[l]], row-major. */
  weights: ArrayLike<number>[];
  /** b_l, length sizes[l]. */
  biases: ArrayLike<number>[];
}

/** What one layer of the forward pass keeps for the backward pass (k tangent blocks). */
export interface LayerTrace {
  z: Float64Array;
  a: Float64Array;
  zDot: Float64Array[];
  aDot: Float64Array[];
}

/** Forward pass with tangents: layer 0 is the input (z unused), layers 1..L follow. */
export interface Trace {
  n: number;
  layers: LayerTrace[];
}

/** Throws unless the MLP's arrays agree with its sizes. */
export function checkMlp(m: RefMlp): void {
  const L = m.sizes.length - 1;
  if (L < 1) throw new Error('RefMlp needs at least one layer');
  if (m.activations.length !== L || m.weights.length !== L || m.biases.length !== L) {
    throw new Error(`RefMlp: expected ${L} activations, weights and biases`);
  }
  for (let l = 1; l <= L; l++) {
    if (!(m.activations[l - 1] in refActivations)) throw new Error(`unknown activation ${m.activations[l - 1]}`);
    if (m.weights[l - 1].length !== m.sizes[l - 1] * m.sizes[l]) throw new Error(`W_${l} has the wrong length`);
    if (m.biases[l - 1].length !== m.sizes[l]) throw new Error(`b_${l} has the wrong length`);
  }
}

/** Throws unless `a` holds exactly `count` numbers. */
export function checkLength(name: string, a: ArrayLike<number>, count: number): void {
  if (a.length !== count) throw new Error(`${name}: expected ${count} numbers, got ${a.length}`);
}

/** One layer forward: z = aW + b (primal), ż = ȧW (tangents, no bias), a = σ(z), ȧ = σ'(z) ⊙ ż. */
function layerForward(prev: LayerTrace, w: ArrayLike<number>, b: ArrayLike<number>, act: Activation, n: number, fanIn: number, fanOut: number): LayerTrace {
  const s = refActivations[act];
  const z = map(matmul(prev.a, w, n, fanIn, fanOut), (v, i) => v + b[i % fanOut]);
  const zDot = prev.aDot.map((ad) => matmul(ad, w, n, fanIn, fanOut));
  const a = map(z, s.f);
  const aDot = zDot.map((zd) => map(zd, (v, i) => s.d1(z[i]) * v));
  return { z, a, zDot, aDot };
}

/** Forward pass of n rows x (n×inputs) with k tangent blocks `directions` (each n×inputs). */
export function traceForward(m: RefMlp, x: ArrayLike<number>, n: number, directions: ArrayLike<number>[]): Trace {
  checkMlp(m);
  checkLength('x', x, n * m.sizes[0]);
  directions.forEach((v, j) => checkLength(`direction ${j}`, v, n * m.sizes[0]));
  const input: LayerTrace = { z: new Float64Array(0), a: Float64Array.from(x), zDot: [], aDot: directions.map((v) => Float64Array.from(v)) };
  const layers = [input];
  for (let l = 1; l < m.sizes.length; l++) {
    layers.push(layerForward(layers[l - 1], m.weights[l - 1], m.biases[l - 1], m.activations[l - 1], n, m.sizes[l - 1], m.sizes[l]));
  }
  return { n, layers };
}
