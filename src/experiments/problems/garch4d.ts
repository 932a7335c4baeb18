/** The paper's GARCH(1,1) volatility forecast (docs/experiments.md §A).
 *  θ = (μ, ω, α, β) ~ U(0,1)⁴, σ₀ ~ Gamma(shape 0.5, scale 1.5), r₀ ~ N(0.1, sd 3):
 *    σ²₁ = ω + α(r₀ − μ)² + βσ₀²,   σ²_h = ω + (α + β)σ²_{h−1},  h = 2..H (H = 5).
 *  Stage s = h − 1 (0-based). Stage 0 input: (μ, ω, α, β, σ₀, r₀ − μ) (6 values);
 *  stage s > 0 input: (μ, ω, α, β, σ_{h−1}) (5 values). Target σ_h. gradientInputs [0,1,2,3].
 *
 *  Derivative convention (default `derivative: 'total'`): dydx holds the TOTAL derivative
 *  dσ_h/dθ of the simulator with σ₀ and r₀ held fixed, i.e. what differentiating the
 *  simulated path gives. So at stage 0 it includes the μ-dependence through r₀ − μ
 *  (∂σ²₁/∂μ = −2α(r₀ − μ)), and at stage h > 1 the dependence through σ_{h−1}. This is NOT
 *  the partial derivative of the stage's own input→output map (which holds the network's
 *  other inputs r₀ − μ and σ_{h−1} fixed); `derivative: 'partial'` gives that one instead,
 *  for which the value and derivative targets are consistent with one function. */
import type { ProblemData, StagePredict, StagedProblem } from './dataset';
import { rolloutStages } from './dataset';
import { Rng } from '../../util/rng';

/** Which θ-derivative the garch4d datasets carry (see the module note). */
export type GarchDerivative = 'total' | 'partial';

/** σ₁ from (θ, σ₀, d = r₀ − μ), float64. θ = [μ, ω, α, β]. */
export function garch4dFirstStep(theta: ArrayLike<number>, sigma0: number, d: number): number {
  return Math.sqrt(theta[1] + theta[2] * d * d + theta[3] * sigma0 * sigma0);
}

/** σ_h from σ_{h−1}, float64. θ = [μ, ω, α, β]. */
export function garch4dNextStep(theta: ArrayLike<number>, sigmaPrev: number): number {
  return Math.sqrt(theta[1] + (theta[2] + theta[3]) * sigmaPrev * sigmaPrev);
}

/** A simulated path in float64: sigma[h−1] = σ_h; total[(h−1)·4 + j] = dσ_h/dθ_j (σ₀, r₀
 *  fixed); partial[(h−1)·4 + j] = ∂σ_h/∂θ_j holding that stage's other inputs fixed. */
export interface GarchPath {
  sigma: Float64Array;
  total: Float64Array;
  partial: Float64Array;
}

/** Simulates σ_1..σ_H for θ = [μ, ω, α, β] with their exact derivatives, float64. */
export function garch4dPath(theta: ArrayLike<number>, sigma0: number, r0: number, horizons = 5): GarchPath {
  const mu = theta[0];
  const alpha = theta[2];
  const beta = theta[3];
  const sigma = new Float64Array(horizons);
  const total = new Float64Array(horizons * 4);
  const partial = new Float64Array(horizons * 4);
  // s2 = σ²_h, ds2 = dσ²_h/dθ (total), ps2 = ∂σ²_h/∂θ (partial, stage inputs fixed).
  const d = r0 - mu;
  let s2 = theta[1] + alpha * d * d + beta * sigma0 * sigma0;
  const ds2 = [-2 * alpha * d, 1, d * d, sigma0 * sigma0];
  let ps2 = [0, 1, d * d, sigma0 * sigma0];
  for (let h = 1; h <= horizons; h++) {
    if (h > 1) {
      const prev = s2;
      s2 = theta[1] + (alpha + beta) * prev;
      ps2 = [0, 1, prev, prev];
      for (let j = 0; j < 4; j++) ds2[j] = ps2[j] + (alpha + beta) * ds2[j];
    }
    const s = Math.sqrt(s2);
    sigma[h - 1] = s;
    for (let j = 0; j < 4; j++) {
      total[(h - 1) * 4 + j] = ds2[j] / (2 * s);
      partial[(h - 1) * 4 + j] = ps2[j] / (2 * s);
    }
  }
  return { sigma, total, partial };
}

export interface Garch4dOptions {
  /** Number of paths (rows). */
  n: number;
  seed: number;
  /** Number of horizons H (default 5). */
  horizons?: number;
  /** Which θ-derivative dydx holds (default 'total', see the module note). */
  derivative?: GarchDerivative;
}

/** Draws n paths and returns one dataset per horizon (stages[h−1]). Inputs of stage h > 1
 *  carry the TRUE σ_{h−1} (training); see rolloutGarch4d for testing. */
export function garch4d(opts: Garch4dOptions): StagedProblem {
  const { n, seed } = opts;
  const H = opts.horizons ?? 5;
  const which = opts.derivative ?? 'total';
  const rng = new Rng(seed).fork('garch4d');
  const stages: ProblemData[] = [];
  for (let h = 1; h <= H; h++) {
    const inputs = h === 1 ? 6 : 5;
    stages.push({
      x: new Float32Array(n * inputs), y: new Float32Array(n), dydx: new Float32Array(n * 4),
      n, inputs, outputs: 1, gradientInputs: [0, 1, 2, 3],
    });
  }
  const theta = new Float32Array(4);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) theta[j] = rng.uniform();
    const sigma0 = Math.fround(rng.gamma(0.5, 1.5));
    // Round r₀ − μ to float32 and simulate with r₀ := μ + d, so targets are exact at the
    // stored inputs.
    const d = Math.fround(rng.normal(0.1, 3) - theta[0]);
    const path = garch4dPath(theta, sigma0, theta[0] + d, H);
    const deriv = which === 'total' ? path.total : path.partial;
    for (let h = 1; h <= H; h++) {
      const st = stages[h - 1];
      const row = i * st.inputs;
      st.x.set(theta, row);
      if (h === 1) {
        st.x[row + 4] = sigma0;
        st.x[row + 5] = d;
      } else {
        st.x[row + 4] = stages[h - 2].y[i];
      }
      st.y[i] = path.sigma[h - 1];
      for (let j = 0; j < 4; j++) st.dydx[i * 4 + j] = deriv[(h - 1) * 4 + j];
    }
  }
  return { name: 'garch4d', n, stages };
}

/** Test-time recursive rollout: stage 0 sees (θ, σ₀, r₀ − μ); stage h > 1 sees (θ, its own
 *  previous prediction of σ_{h−1}). Returns every stage's n×1 prediction. */
export function rolloutGarch4d(problem: StagedProblem, predict: StagePredict): Promise<Float32Array[]> {
  return rolloutStages(problem.stages, predict);
}
