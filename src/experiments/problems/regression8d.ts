/** The paper's 8-D regression (docs/experiments.md §A), θ 1-indexed in the formula:
 *    y = θ₆θ₂·exp(θ₃(x₁ − 0.1)) + θ₇θ₄·exp(θ₅(x₂ − 0.2)) + θ₈,
 *  θ ~ U(−½, ½)⁸, x₁, x₂ ~ N(0, 1). Network input [θ (8), 1, x₁, x₂] (11 values);
 *  dydx = ∂y/∂θ (8 values, gradientInputs [0..7]); θ₁ does not enter y, so its column is 0.
 *  In code θ is 0-indexed: theta[k] = θ_{k+1}. */
import type { ProblemData, StagedProblem } from './dataset';
import { Rng } from '../../util/rng';

/** y in float64; theta has 8 entries (0-indexed). */
export function regression8dValue(theta: ArrayLike<number>, x1: number, x2: number): number {
  return (
    theta[5] * theta[1] * Math.exp(theta[2] * (x1 - 0.1)) +
    theta[6] * theta[3] * Math.exp(theta[4] * (x2 - 0.2)) +
    theta[7]
  );
}

/** ∂y/∂θ (8 values, 0-indexed) in float64. */
export function regression8dGrad(theta: ArrayLike<number>, x1: number, x2: number): Float64Array {
  const e1 = Math.exp(theta[2] * (x1 - 0.1));
  const e2 = Math.exp(theta[4] * (x2 - 0.2));
  const g = new Float64Array(8);
  g[1] = theta[5] * e1;
  g[2] = theta[5] * theta[1] * (x1 - 0.1) * e1;
  g[3] = theta[6] * e2;
  g[4] = theta[6] * theta[3] * (x2 - 0.2) * e2;
  g[5] = theta[1] * e1;
  g[6] = theta[3] * e2;
  g[7] = 1;
  return g;
}

export interface Regression8dOptions {
  /** Number of rows. */
  n: number;
  seed: number;
}

/** Draws n rows; returns a one-stage problem (stages[0]) with 11 inputs and GI on the first 8. */
export function regression8d(opts: Regression8dOptions): StagedProblem {
  const { n, seed } = opts;
  const rng = new Rng(seed).fork('regression8d');
  const inputs = 11;
  const x = new Float32Array(n * inputs);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n * 8);
  const theta = new Float32Array(8);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 8; j++) theta[j] = rng.uniform(-0.5, 0.5);
    const x1 = Math.fround(rng.normal());
    const x2 = Math.fround(rng.normal());
    const row = i * inputs;
    x.set(theta, row);
    x[row + 8] = 1;
    x[row + 9] = x1;
    x[row + 10] = x2;
    y[i] = regression8dValue(theta, x1, x2);
    dydx.set(regression8dGrad(theta, x1, x2), i * 8);
  }
  const data: ProblemData = { x, y, dydx, n, inputs, outputs: 1, gradientInputs: [0, 1, 2, 3, 4, 5, 6, 7] };
  return { name: 'regression8d', n, stages: [data] };
}
