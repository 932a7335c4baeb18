// The toy2d grid of the grouped benchmark (issue 10), shared by bench/group.ts (in the page)
// and bench/gpu/node-bench.ts (in Node on Dawn): 2 → 4 hidden layers of width 4η → 1, tanh,
// N = 50 rows, batch 10, w ∈ {0, 0.5} (full gradient), Adam lr 1e-3; and the two ways of
// training it: one MlpGroup, or createMlp + fit + destroy per model.
import { createMlp, createMlpGroup, type Context, type Dataset, type MlpParameters } from '../src/index';
import { mulberry32 } from '../src/reference/index';
import { stepFlops } from './problem';

export const N = 50;
export const BATCH = 10;
export const LAYERS = 4;
export const LR = 1e-3;
/** The paper's η values (hidden width 4η). */
export const ETAS = [2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];

export interface Model {
  eta: number;
  width: number;
  w: number;
  repeat: number;
  seed: number;
}

/** f(x) = sin(2x₀)·cos(1.5x₁) + 0.3x₀x₁ on U(−1, 1)², and its exact gradient. */
export function dataset(seed: number, n = N): Dataset & { dydx: Float32Array } {
  const rand = mulberry32(seed);
  const x = Float32Array.from({ length: 2 * n }, () => 2 * rand() - 1);
  const y = new Float32Array(n);
  const dydx = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [x[2 * i], x[2 * i + 1]];
    y[i] = Math.sin(2 * a) * Math.cos(1.5 * b) + 0.3 * a * b;
    dydx[2 * i] = 2 * Math.cos(2 * a) * Math.cos(1.5 * b) + 0.3 * b;
    dydx[2 * i + 1] = -1.5 * Math.sin(2 * a) * Math.sin(1.5 * b) + 0.3 * a;
  }
  return { x, y, dydx };
}

/** The grid: every η × w for each repeat; repeat r has its own data (seed 1000 + r). */
export function grid(R: number, etaList: number[], wList: number[]): Model[] {
  const models: Model[] = [];
  for (let r = 0; r < R; r++) for (const eta of etaList) for (const w of wList) models.push({ eta, width: 4 * eta, w, repeat: r, seed: 100 * r + eta + (w > 0 ? 7 : 0) });
  return models;
}

export const sizesOf = (width: number) => [2, ...Array.from({ length: LAYERS }, () => width), 1];
/** GEMM FLOPs of one step of every model (k = 2 tangents when w > 0, none when w = 0). */
export const groupFlops = (models: Model[]) => models.reduce((sum, m) => sum + stepFlops(sizesOf(m.width), BATCH, m.w > 0 ? 2 : 0).total, 0);
export const stepsOf = (ep: number) => ep * Math.ceil(N / BATCH);
export const fitOptions = (models: Model[], ep: number) => ({
  epochs: ep,
  batchSize: BATCH,
  learningRate: LR,
  gradientWeight: models.map((m) => m.w),
  seed: models.map((m) => m.seed),
  directions: 'all' as const,
});

/** Grouped: one MlpGroup of all `models`, one fit. Returns ms (create + fit + destroy). */
export async function runGrouped(ctx: Context, models: Model[], data: Dataset[], ep: number, keep?: (i: number, p: MlpParameters, loss: number) => void): Promise<number> {
  const t0 = performance.now();
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: models.map((m) => ({ hidden: sizesOf(m.width).slice(1, -1), activation: 'tanh', seed: m.seed })) });
  try {
    const reports = await group.fit(
      models.map((m) => data[m.repeat]),
      fitOptions(models, ep),
    );
    if (reports.some((r) => r.diverged || r.steps !== stepsOf(ep))) throw new Error(`grouped fit: ${reports.filter((r) => r.diverged).length} diverged, steps ${reports[0].steps}`);
    if (keep) for (let i = 0; i < models.length; i++) keep(i, await group.getParameters(i), reports[i].loss);
  } finally {
    group.destroy();
  }
  return performance.now() - t0;
}

/** One at a time: createMlp + fit + destroy for each model. Returns total ms. */
export async function runSequential(ctx: Context, models: Model[], data: Dataset[], ep: number, keep?: (i: number, p: MlpParameters, loss: number) => void): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < models.length; i++) {
    const m = models[i];
    const mlp = createMlp(ctx, { inputs: 2, hidden: sizesOf(m.width).slice(1, -1), outputs: 1, activation: 'tanh', seed: m.seed });
    try {
      const report = await mlp.fit(data[m.repeat], { epochs: ep, batchSize: BATCH, learningRate: LR, gradientWeight: m.w, seed: m.seed, directions: 'all' });
      if (report.diverged || report.steps !== stepsOf(ep)) throw new Error(`lone fit of width ${m.width}: diverged ${report.diverged}, steps ${report.steps}`);
      if (keep) keep(i, await mlp.getParameters(), report.loss);
    } finally {
      mlp.destroy();
    }
  }
  return performance.now() - t0;
}
