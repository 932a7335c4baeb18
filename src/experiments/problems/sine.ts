/** Data for the GI linear-regression experiment (docs/experiments.md §B):
 *  y = sin x + ε, ε ~ N(0, noise), x ~ U(0, 2.5π); dy/dx = cos x, noise-free. */
import type { ProblemData } from './dataset';
import { Rng } from '../../util/rng';

/** Upper end of the x range, 2.5π. */
export const SINE_X_MAX = 2.5 * Math.PI;

export interface SineOptions {
  /** Number of rows. */
  n: number;
  seed: number;
  /** Standard deviation of the value noise (default 0.1); the derivative is noise-free. */
  noise?: number;
}

/** n noisy samples: x n×1, y = sin x + ε n×1, dydx = cos x n×1×1. */
export function sineData(opts: SineOptions): ProblemData {
  const { n, seed } = opts;
  const noise = opts.noise ?? 0.1;
  const rng = new Rng(seed).fork('sine');
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = Math.fround(rng.uniform(0, SINE_X_MAX));
    x[i] = xi;
    y[i] = Math.sin(xi) + rng.normal(0, noise);
    dydx[i] = Math.cos(xi);
  }
  return { x, y, dydx, n, inputs: 1, outputs: 1, gradientInputs: [0] };
}

/** Noise-free test grid of n evenly spaced points over [0, 2.5π], endpoints included. */
export function sineGrid(n = 100): ProblemData {
  if (!Number.isInteger(n) || n < 2) throw new Error(`sineGrid: n must be an integer ≥ 2, got ${n}`);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = Math.fround((SINE_X_MAX * i) / (n - 1));
    x[i] = xi;
    y[i] = Math.sin(xi);
    dydx[i] = Math.cos(xi);
  }
  return { x, y, dydx, n, inputs: 1, outputs: 1, gradientInputs: [0] };
}
