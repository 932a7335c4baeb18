// In-page checks of model-batched training: a group of ragged models against lone models
// trained the same way, and against the float64 reference.
import { createContext, createMlp, createMlpGroup, type Activation, type Dataset, type MlpParameters, type ModelSpec } from '../../src/index';
import { refLossAndGradients, refRandomArray, type RefMlp } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { context, flatParameters } from './checks';

/** A smooth 2-input, 2-output function with its Jacobian, at n seeded points. */
function waveData(n: number, seed: number): Dataset {
  const x = Float32Array.from(refRandomArray(2 * n, seed, -1.5, 1.5));
  const y = new Float32Array(2 * n);
  const dydx = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [x[2 * i], x[2 * i + 1]];
    y[2 * i] = Math.sin(2 * a) * Math.cos(b);
    y[2 * i + 1] = a * b + 0.5 * a * a;
    dydx.set([2 * Math.cos(2 * a) * Math.cos(b), -Math.sin(2 * a) * Math.sin(b), b + a, a], 4 * i);
  }
  return { x, y, dydx };
}

/** Normwise relative error between two parameter sets (all layers flattened). */
function paramsErr(a: MlpParameters, b: MlpParameters): number {
  return relErr(flatParameters(a), flatParameters(b));
}

const MODELS: ModelSpec[] = [
  { hidden: [1], activation: 'tanh', seed: 1 },
  { hidden: [7, 7], activation: 'sin', seed: 2 },
  { hidden: [33], activation: 'gelu', outputActivation: 'tanh', seed: 3 },
  { hidden: [240], activation: 'softplus', seed: 4 },
  { hidden: [12, 5, 9], activation: 'sigmoid', seed: 5 },
];
const WEIGHTS = [0, 0.5, 1, 0.3, 0.7];
const RATES = [3e-3, 1e-3, 2e-3, 5e-4, 1e-3];
const SEEDS = [7, 8, 9, 10, 11];

/**
 * Each model of a group (mixed widths 1…240, depths 1–3, activations, gradient weights,
 * learning rates, seeds; shared or per-model data) after `epochs` epochs against a lone Mlp
 * with the same spec and options: normwise relative error of the parameters, per model.
 */
export async function groupEquivalence(tiled: boolean, directions: 'all' | number, perModelData: boolean, epochs: number): Promise<{ errors: number[]; moved: number[]; steps: number }> {
  const ctx = await context(tiled);
  const n = 24;
  const datasets = MODELS.map((_, i) => waveData(n, perModelData ? 100 + i : 100));
  const options = { epochs, batchSize: 8, lrDecay: 0.01, directions };
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: MODELS });
  try {
    const initial = await Promise.all(MODELS.map((_, i) => group.getParameters(i)));
    const reports = await group.fit(perModelData ? datasets : datasets[0], { ...options, gradientWeight: WEIGHTS, learningRate: RATES, seed: SEEDS });
    const errors: number[] = [];
    const moved: number[] = [];
    for (let i = 0; i < MODELS.length; i++) {
      const lone = createMlp(ctx, { inputs: 2, outputs: 2, ...MODELS[i] });
      try {
        await lone.fit(datasets[i], { ...options, gradientWeight: WEIGHTS[i], learningRate: RATES[i], seed: SEEDS[i] });
        const expected = await lone.getParameters();
        const got = await group.getParameters(i);
        errors.push(paramsErr(got, expected));
        moved.push(paramsErr(initial[i], expected));
      } finally {
        lone.destroy();
      }
    }
    return { errors, moved, steps: reports[0].steps };
  } finally {
    group.destroy();
  }
}

/** Every model's loss and gradients from one grouped dispatch sequence vs the float64 reference. */
export async function groupLossAndGradients(tiled: boolean): Promise<{ loss: number; weights: number; biases: number }[]> {
  const ctx = await context(tiled);
  const n = 9;
  const datasets = MODELS.map((_, i) => waveData(n, 200 + i));
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: MODELS });
  try {
    const gpu = await group.lossAndGradients(datasets, { gradientWeight: WEIGHTS });
    return await Promise.all(
      MODELS.map(async (spec, i) => {
        const p = await group.getParameters(i);
        const L = spec.hidden.length + 1;
        const acts: Activation[] = Array.from({ length: L }, (_, l) => (l === L - 1 ? spec.outputActivation ?? 'linear' : spec.activation ?? 'tanh'));
        const ref: RefMlp = {
          sizes: [2, ...spec.hidden, 2],
          activations: acts,
          weights: p.weights.map((w) => Float64Array.from(w)),
          biases: p.biases.map((b) => Float64Array.from(b)),
        };
        const cpu = refLossAndGradients(ref, datasets[i], n, { gradientWeight: WEIGHTS[i] });
        return {
          loss: Math.abs(gpu[i].loss - cpu.loss) / Math.max(Math.abs(cpu.loss), 1e-12),
          weights: Math.max(...gpu[i].weights.map((w, l) => relErr(w, cpu.weights[l]))),
          biases: Math.max(...gpu[i].biases.map((b, l) => relErr(b, cpu.biases[l]))),
        };
      }),
    );
  } finally {
    group.destroy();
  }
}

/** A model with a huge learning rate diverges alone: the others end exactly as in a group
 *  without it, and it gets its last finite parameters back. */
export async function groupDivergence(): Promise<Record<string, unknown>> {
  const ctx = await context(false);
  const data = waveData(24, 300);
  const specs = [MODELS[0], MODELS[1], MODELS[2]];
  const options = { epochs: 30, batchSize: 8, directions: 'all' as const };
  const withBad = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: specs });
  const without = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: [specs[0], specs[2]] });
  try {
    const bad = await withBad.fit(data, { ...options, gradientWeight: [0.5, 0.5, 0.5], learningRate: [1e-3, 1e30, 2e-3], seed: [1, 2, 3] });
    const good = await without.fit(data, { ...options, gradientWeight: [0.5, 0.5], learningRate: [1e-3, 2e-3], seed: [1, 3] });
    const restored = await withBad.getParameters(1);
    return {
      diverged: bad.map((r) => r.diverged),
      epochs: bad.map((r) => r.epochs),
      othersEpochs: good.map((r) => r.epochs),
      first: paramsErr(await withBad.getParameters(0), await without.getParameters(0)),
      third: paramsErr(await withBad.getParameters(2), await without.getParameters(1)),
      // Chunk lengths follow the clock (a group of 3 is slower than one of 2): an epoch split
      // over chunks carries its float32 sums from one to the next, so they match bit for bit.
      historySame: JSON.stringify([bad[2].history, bad[2].valueHistory, bad[2].gradientHistory, bad[2].objectiveHistory])
        === JSON.stringify([good[1].history, good[1].valueHistory, good[1].gradientHistory, good[1].objectiveHistory]),
      restoredFinite: [...restored.weights, ...restored.biases].every((t) => t.every(Number.isFinite)),
    };
  } finally {
    withBad.destroy();
    without.destroy();
  }
}

/** Groups of other widths compile no new pipeline (pipelines exist per GEMM shape class —
 *  outputs ≤ 4, ≤ 16 or wider, rows ≤ 16, ≤ 32 or more — not per width); destroy frees everything. */
export async function groupCaching(): Promise<Record<string, number>> {
  const ctx = await createContext();
  try {
    const data = waveData(12, 400);
    // Each width as a baseline (w = 0) and a GI model (w = 0.5), as a sweep trains them.
    const run = async (widths: number[]) => {
      const g = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: widths.flatMap((w, i) => [{ hidden: [w, w], seed: i }, { hidden: [w, w], seed: i }]) });
      await g.fit(data, { epochs: 2, batchSize: 4, learningRate: 1e-3, gradientWeight: widths.flatMap(() => [0, 0.5]) });
      await g.predict(data.x);
      g.destroy();
    };
    await run([4, 12, 20, 40]);
    const first = ctx.stats();
    await run([3, 8, 10, 28, 36, 44, 52]);
    const second = ctx.stats();
    return { pipelinesFirst: first.pipelines, pipelinesSecond: second.pipelines, live: second.liveBuffers, scopes: second.scopes };
  } finally {
    ctx.destroy();
  }
}

/** Group predictions, for one input and for one input per model, vs each model's own lone
 *  predictions (same parameters). */
export async function groupPredict(): Promise<number> {
  const ctx = await context(false);
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 2, models: MODELS });
  const x = Float32Array.from(refRandomArray(2 * 37, 500, -2, 2));
  const xs = MODELS.map((_, i) => Float32Array.from(refRandomArray(2 * 37, 600 + i, -2, 2)));
  try {
    const ys = await group.predict(x);
    const own = await group.predict(xs);
    let worst = 0;
    for (let i = 0; i < MODELS.length; i++) {
      const lone = createMlp(ctx, { inputs: 2, outputs: 2, ...MODELS[i] });
      worst = Math.max(worst, relErr(ys[i], await lone.predict(x)), relErr(own[i], await lone.predict(xs[i])));
      lone.destroy();
    }
    return worst;
  } finally {
    group.destroy();
  }
}

/** predict and getParameters called from onProgress run after the fit, in user units. */
export async function callsDuringFit(): Promise<Record<string, number>> {
  const ctx = await context(false);
  const n = 24;
  const base = waveData(n, 700);
  // An offset and a scale that standardisation removes inside fit.
  const data = { x: base.x, y: base.y.map((v) => 100 + 5 * v), dydx: base.dydx!.map((v) => 5 * v) };
  const mlp = createMlp(ctx, { inputs: 2, outputs: 2, hidden: [16], seed: 3 });
  try {
    let during: Promise<Float32Array> | null = null;
    let params: Promise<MlpParameters> | null = null;
    await mlp.fit(data, {
      epochs: 20, batchSize: 8, learningRate: 1e-2, gradientWeight: 0.5,
      onProgress: () => {
        during ??= mlp.predict(data.x);
        params ??= mlp.getParameters();
      },
    });
    const inside = await during!;
    const after = await mlp.predict(data.x);
    const meanOf = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    return { inside: meanOf(inside), after: meanOf(after), same: relErr(inside, after), paramsSame: paramsErr(await params!, await mlp.getParameters()) };
  } finally {
    mlp.destroy();
  }
}

/**
 * A model that does not move (learning rate 1e-30) over equal minibatches that partition the
 * rows: every epoch's loss is the same full-data loss. The first epoch is always taken in
 * parts (fit's first chunk is one step), later ones whole or in parts as the clock has it: the
 * history per path (fused, then layered).
 */
export async function frozenHistory(): Promise<{ fused: number[][]; layered: number[][] }> {
  const data = waveData(24, 7);
  const out: number[][][] = [];
  for (const fusedSmallModels of [true, false]) {
    const ctx = await createContext({ fusedSmallModels });
    const mlp = createMlp(ctx, { inputs: 2, outputs: 2, hidden: [8, 8], seed: 3 });
    try {
      const report = await mlp.fit(data, { epochs: 6, batchSize: 8, learningRate: 1e-30, gradientWeight: 0.5 });
      out.push([report.history, report.valueHistory, report.gradientHistory, report.objectiveHistory]);
    } finally {
      mlp.destroy();
      ctx.destroy();
    }
  }
  return { fused: out[0], layered: out[1] };
}
