/** The paper's 2-D toy time series (docs/experiments.md §A):
 *  θ ~ U(0,15)², y_t = [cos(0.1(θ₁ − t − 5)) · cos(0.1(θ₂ − t − 5))]², t = 1..T.
 *  Stage s = t − 1 (0-based). Stage 0 input: (θ₁, θ₂); stage s > 0 input: (θ₁, θ₂, y_{t−1}).
 *
 *  Derivative convention: dydx holds dy_t/dθ (gradientInputs = [0, 1]). y_t depends on θ
 *  only directly, never through y_{t−1}, so the total derivative through the chain and the
 *  partial derivative holding the input y_{t−1} fixed are the same number. The derivative
 *  w.r.t. the input y_{t−1} (truly 0) is not supervised. */
import type { ProblemData, StagePredict, StagedProblem } from './dataset';
import { rolloutStages } from './dataset';
import { Rng } from '../../util/rng';

/** θ range: U(0, THETA_MAX) per component. */
export const TOY2D_THETA_MAX = 15;

/** y_t(θ) in float64; t is the 1-based time step. */
export function toy2dValue(theta1: number, theta2: number, t: number): number {
  const c = Math.cos(0.1 * (theta1 - t - 5)) * Math.cos(0.1 * (theta2 - t - 5));
  return c * c;
}

/** [∂y_t/∂θ₁, ∂y_t/∂θ₂] in float64 (= the total derivative, see the module note). */
export function toy2dGrad(theta1: number, theta2: number, t: number): [number, number] {
  const a1 = 0.1 * (theta1 - t - 5);
  const a2 = 0.1 * (theta2 - t - 5);
  const c1 = Math.cos(a1);
  const c2 = Math.cos(a2);
  return [-0.2 * c1 * Math.sin(a1) * c2 * c2, -0.2 * c2 * Math.sin(a2) * c1 * c1];
}

export interface Toy2dOptions {
  /** Number of paths (rows). */
  n: number;
  seed: number;
  /** Number of time steps T (default 10). */
  steps?: number;
}

/** Draws n paths and returns one dataset per time step (stages[t−1]). Inputs of stage t > 1
 *  carry the TRUE y_{t−1} (what training uses; see rolloutToy2d for testing). */
export function toy2d(opts: Toy2dOptions): StagedProblem {
  const { n, seed } = opts;
  const T = opts.steps ?? 10;
  const rng = new Rng(seed).fork('toy2d');
  // θ is rounded to float32 first, so y and dydx are exact at the stored inputs.
  const theta = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) theta[i] = rng.uniform(0, TOY2D_THETA_MAX);

  const stages: ProblemData[] = [];
  let prev: Float32Array | null = null;
  for (let t = 1; t <= T; t++) {
    const inputs = t === 1 ? 2 : 3;
    const x = new Float32Array(n * inputs);
    const y = new Float32Array(n);
    const dydx = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const t1 = theta[2 * i];
      const t2 = theta[2 * i + 1];
      x[i * inputs] = t1;
      x[i * inputs + 1] = t2;
      if (prev) x[i * inputs + 2] = prev[i];
      y[i] = toy2dValue(t1, t2, t);
      const [g1, g2] = toy2dGrad(t1, t2, t);
      dydx[2 * i] = g1;
      dydx[2 * i + 1] = g2;
    }
    stages.push({ x, y, dydx, n, inputs, outputs: 1, gradientInputs: [0, 1] });
    prev = y;
  }
  return { name: 'toy2d', n, stages };
}

/** Test-time recursive rollout: stage 0 sees θ; stage t > 1 sees (θ, its own previous
 *  prediction) instead of the true y_{t−1}. Returns every stage's n×1 prediction. */
export function rolloutToy2d(problem: StagedProblem, predict: StagePredict): Promise<Float32Array[]> {
  return rolloutStages(problem.stages, predict);
}
