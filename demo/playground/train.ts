// The playground's experiment: N noisy samples of a target function with exact derivatives,
// a baseline (w = 0) and a GI model (w > 0) with the same architecture and initial weights,
// trained side by side as ONE MlpGroup of two, then evaluated on a test grid.
import { createMlpGroup, reference, type Context, type FitProgress, type FitReport, type MlpGroupJson } from '../../src/index';
import { Rng } from '../../src/util/rng';
import type { TargetFunction } from './functions';

export interface PlaygroundSettings {
  n: number;
  /** Standard deviation of the Gaussian noise added to the values (derivatives stay exact). */
  noise: number;
  width: number;
  layers: number;
  /** The GI model's gradient weight w, or 'auto' (fit's cross-validated choice); the
   *  baseline has w = 0. */
  w: number | 'auto';
  /** 'all' (every partial derivative) or k random directions per sample and step. */
  directions: 'all' | number;
  /** Passed to fit only when the user sets them: otherwise fit's own defaults. */
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  domain: [number, number];
  seed: number;
}

export const DEFAULTS: PlaygroundSettings = {
  n: 12, noise: 0, width: 24, layers: 2, w: 0.5, directions: 'all', domain: [-3, 3], seed: 1,
};

/** Points (rows of d values), their values and gradients. */
export interface Samples {
  d: number;
  n: number;
  x: Float32Array;
  y: Float32Array;
  dydx: Float32Array;
}

function evaluate(target: TargetFunction, points: Float64Array, d: number, noise = 0, rng?: Rng): Samples {
  const n = points.length / d;
  const x = Float32Array.from(points);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const p = Array.from(points.subarray(i * d, (i + 1) * d));
    const v = target.value(p);
    const g = target.gradient(p);
    if (!Number.isFinite(v) || !g.every(Number.isFinite)) throw new RangeError(`f is not finite at (${p.map((c) => c.toFixed(3)).join(', ')}): choose another domain or function`);
    y[i] = v + (noise > 0 && rng ? rng.normal(0, noise) : 0);
    dydx.set(g, i * d);
  }
  return { d, n, x, y, dydx };
}

/** N training points drawn uniformly on the domain (seeded), noisy values, exact derivatives. */
export function trainingSamples(target: TargetFunction, s: PlaygroundSettings): Samples {
  const d = target.variables.length;
  const rng = new Rng(s.seed);
  const [lo, hi] = s.domain;
  const pts = Float64Array.from({ length: s.n * d }, () => rng.uniform(lo, hi));
  return evaluate(target, pts, d, s.noise, rng.fork('noise'));
}

/** Grid side of the test set: 201 points in 1-D, 41 × 41 in 2-D. */
export const gridSide = (d: number) => (d === 1 ? 201 : 41);

/** The noise-free test grid over the domain (row-major in 2-D: y outer, x inner). */
export function testGrid(target: TargetFunction, domain: [number, number]): Samples {
  const d = target.variables.length;
  const m = gridSide(d);
  const [lo, hi] = domain;
  const t = (i: number) => lo + ((hi - lo) * i) / (m - 1);
  const pts = new Float64Array(m ** d * d);
  if (d === 1) for (let i = 0; i < m; i++) pts[i] = t(i);
  else for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) pts.set([t(c), t(r)], (r * m + c) * 2);
  return evaluate(target, pts, d);
}

/** One model's result on the test grid. */
export interface ModelResult {
  name: 'baseline' | 'GI';
  gradientWeight: number;
  report: FitReport;
  /** Predictions on the test grid (GPU). */
  prediction: Float32Array;
  /** ∂ŷ/∂x on the test grid and at the first TRAIN_GRADIENT_POINTS training points (float64
   *  reference on the trained weights; NaN where Stop came first). */
  gradient: Float64Array;
  trainGradient: Float64Array;
  rmse: number;
  gradientRmse: number;
}

export interface PairResult {
  models: [ModelResult, ModelResult];
  aborted: boolean;
  seconds: number;
  /** Both trained models, saved (for the ONNX download). */
  saved: MlpGroupJson;
}

/** Training points whose model derivatives are computed after a fit (the points are drawn
 *  uniformly, so the first ones are a uniform sample). */
export const TRAIN_GRADIENT_POINTS = 500;
/** Rows of the float64 reference per slice: the page stays responsive between slices. */
const REFERENCE_ROWS = 64;

/**
 * reference.refJacobian over `n` rows of `x` in slices, yielding to the page between them, so
 * that a large grid never freezes it and Stop (`signal`) ends it: the rows not reached are NaN.
 */
export async function referenceJacobian(ref: Parameters<typeof reference.refJacobian>[0], x: Float32Array, n: number, signal?: AbortSignal): Promise<Float64Array> {
  const d = ref.sizes[0];
  const m = ref.sizes[ref.sizes.length - 1];
  const out = new Float64Array(n * m * d).fill(NaN);
  for (let start = 0; start < n && !signal?.aborted; start += REFERENCE_ROWS) {
    const rows = Math.min(REFERENCE_ROWS, n - start);
    out.set(reference.refJacobian(ref, x.subarray(start * d, (start + rows) * d), rows), start * m * d);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out;
}

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
};

/**
 * Trains the baseline and the GI model as one group of two (same architecture, same seed so
 * the same initial weights) and evaluates both on `test`. The group is destroyed before this
 * returns, aborted or not, so the context's live buffers are back to what they were.
 */
export async function trainPair(
  ctx: Context,
  train: Samples,
  test: Samples,
  s: PlaygroundSettings,
  hooks: { onProgress?: (p: FitProgress) => void; signal?: AbortSignal },
): Promise<PairResult> {
  const hidden = Array.from({ length: s.layers }, () => s.width);
  const group = createMlpGroup(ctx, { inputs: train.d, outputs: 1, models: [{ hidden, seed: s.seed }, { hidden, seed: s.seed }] });
  const started = performance.now();
  try {
    const reports = await group.fit(
      { x: train.x, y: train.y, dydx: train.dydx },
      {
        ...(s.epochs !== undefined && { epochs: s.epochs }),
        ...(s.batchSize !== undefined && { batchSize: s.batchSize }),
        ...(s.learningRate !== undefined && { learningRate: s.learningRate }),
        gradientWeight: [0, s.w],
        directions: s.directions,
        seed: s.seed,
        onProgress: hooks.onProgress,
        progressIntervalMs: 50,
        signal: hooks.signal,
      },
    );
    const predictions = await group.predict(test.x);
    const models = await Promise.all(
      [0, 1].map(async (i): Promise<ModelResult> => {
        const p = await group.getParameters(i);
        const ref = { sizes: [train.d, ...hidden, 1], activations: [...hidden.map(() => 'tanh' as const), 'linear' as const], weights: p.weights, biases: p.biases };
        const gradient = await referenceJacobian(ref, test.x, test.n, hooks.signal);
        const trainGradient = await referenceJacobian(ref, train.x.subarray(0, Math.min(train.n, TRAIN_GRADIENT_POINTS) * train.d), Math.min(train.n, TRAIN_GRADIENT_POINTS), hooks.signal);
        return {
          name: i === 0 ? 'baseline' : 'GI',
          gradientWeight: reports[i].gradientWeight,
          report: reports[i],
          prediction: predictions[i],
          gradient,
          trainGradient,
          rmse: rmse(predictions[i], test.y),
          gradientRmse: rmse(gradient, test.dydx),
        };
      }),
    );
    return { models: models as [ModelResult, ModelResult], saved: group.toJSON(), aborted: reports.some((r) => r.aborted) || !!hooks.signal?.aborted, seconds: (performance.now() - started) / 1000 };
  } finally {
    group.destroy();
  }
}
