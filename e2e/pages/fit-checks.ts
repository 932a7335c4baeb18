// In-page training checks: each returns numbers for the spec to compare.
import { compiledKernelCount, createMlp, type Dataset } from '../../src/index';
import { refAdamFit, refRandomArray, refRandomMlp } from '../../src/reference/index';
import { rmse } from '../../src/util/stats';
import { context, flatParameters as flat, relErr } from './checks';


/** f(x) = sin(x1)·cos(x2) with its gradient, on a seeded sample of [−2, 2]². */
export function wave(n: number, seed: number): Dataset {
  const x = Float32Array.from(refRandomArray(2 * n, seed, -2, 2));
  const y = new Float32Array(n);
  const dydx = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [x[2 * i], x[2 * i + 1]];
    y[i] = Math.sin(a) * Math.cos(b);
    dydx[2 * i] = Math.cos(a) * Math.cos(b);
    dydx[2 * i + 1] = -Math.sin(a) * Math.sin(b);
  }
  return { x, y, dydx };
}

/** Baseline (w = 0) vs GI (w = 0.5) on the same small training set and budget. */
export async function giVersusBaseline(nTrain: number, epochs: number): Promise<{ baseline: number; gi: number; lossFirst: number; lossLast: number }> {
  const ctx = await context();
  const train = wave(nTrain, 3);
  const test = wave(400, 99);
  const out = { baseline: 0, gi: 0, lossFirst: 0, lossLast: 0 };
  for (const w of [0, 0.5]) {
    const mlp = createMlp(ctx, { inputs: 2, hidden: [24, 24], outputs: 1, seed: 7 });
    const report = await mlp.fit(train, { epochs, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01, gradientWeight: w, seed: 1 });
    const err = rmse(await mlp.predict(test.x), test.y);
    if (w === 0) out.baseline = err;
    else {
      out.gi = err;
      out.lossFirst = report.history[0];
      out.lossLast = report.history[report.history.length - 1];
    }
    mlp.destroy();
  }
  return out;
}

/** createBuffer calls of two fits that differ only in epochs (several chunks each). */
export async function allocationsPerFit(): Promise<{ short: number; long: number; steps: [number, number]; kernelsAdded: number }> {
  const ctx = await context();
  const data = wave(64, 5);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1 });
  const fit = async (epochs: number) => {
    const before = ctx.stats().buffersCreated;
    const report = await mlp.fit(data, { epochs, batchSize: 8, learningRate: 1e-3, gradientWeight: 0.5 });
    return { calls: ctx.stats().buffersCreated - before, steps: report.steps };
  };
  await fit(1);
  const short = await fit(40);
  const long = await fit(160);
  // Widths and batch sizes travel in uniforms. Pipelines depend only on compile-time facts
  // (and, for the direct GEMM, on a few shape classes): after one model of each class, a
  // sweep over other widths and batch sizes compiles nothing.
  const train = async (width: number, batchSize: number) => {
    const other = createMlp(ctx, { inputs: 2, hidden: [width], outputs: 1 });
    await other.fit(data, { epochs: 2, batchSize, learningRate: 1e-3, gradientWeight: 0.5 });
    other.destroy();
  };
  // One model of each class: rows ≤ 16, ≤ 32 and more (batch 10 and 13 with 2 tangent
  // blocks), weight gradients of fanIn + 1 rows in each row class. (These networks are small
  // enough for the fused kernel, whose pipelines depend on k and the activations only.)
  for (const batchSize of [10, 13]) for (const width of [5, 31, 40, 200]) await train(width, batchSize);
  const kernels = compiledKernelCount(ctx.device);
  for (const width of [7, 12, 40, 64, 200]) await train(width, 10 + (width % 7));
  const kernelsAdded = compiledKernelCount(ctx.device) - kernels;
  mlp.destroy();
  return { short: short.calls, long: long.calls, steps: [short.steps, long.steps], kernelsAdded };
}

/** A loss that overflows: fit must stop, report diverged and restore finite parameters. */
export async function divergence(): Promise<{ diverged: boolean; epochs: number; restored: boolean; finite: boolean }> {
  const ctx = await context();
  const data = wave(20, 8);
  data.y = data.y.map((v) => v * 1e30);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1 });
  const before = await mlp.getParameters();
  const report = await mlp.fit(data, { epochs: 5, batchSize: 20, learningRate: 1e-2, gradientWeight: 0, normalize: false });
  const after = await mlp.getParameters();
  mlp.destroy();
  return {
    diverged: report.diverged,
    epochs: report.epochs,
    restored: relErr(flat(after), flat(before)) === 0,
    finite: flat(after).every(Number.isFinite),
  };
}

/** Abort after the first progress report. */
export async function abortMidway(): Promise<{ aborted: boolean; epochs: number; steps: number; finite: boolean; predictsAfter: boolean }> {
  const ctx = await context();
  const data = wave(512, 9);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1 });
  const controller = new AbortController();
  const report = await mlp.fit(data, {
    epochs: 200,
    batchSize: 2,
    learningRate: 1e-3,
    gradientWeight: 0.5,
    progressIntervalMs: 0,
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  const p = await mlp.getParameters();
  const y = await mlp.predict(data.x.subarray(0, 8));
  mlp.destroy();
  return {
    aborted: report.aborted,
    epochs: report.epochs,
    steps: report.steps,
    finite: [...p.weights, ...p.biases].every((a) => a.every(Number.isFinite)),
    predictsAfter: y.length === 4 && y.every(Number.isFinite),
  };
}

/** Projected losses: with k = g orthonormal directions they equal 'all'; random directions
 *  match 'all' on average. Errors are normwise relative, over all weight gradients. */
export async function projectedVersusAll(draws: number): Promise<{ orthonormal: number; orthonormalLoss: number; average: number; single: number }> {
  const ctx = await context();
  const n = 6;
  const d = 3;
  const data = wave(n, 4);
  const x = new Float32Array(n * d);
  const dydx = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    x.set([data.x[2 * i], data.x[2 * i + 1], 0.3 * i - 1], i * d);
    dydx.set([data.dydx![2 * i], data.dydx![2 * i + 1], 0.5], i * d);
  }
  const set = { x, y: data.y, dydx };
  const mlp = createMlp(ctx, { inputs: d, hidden: [12], outputs: 1, seed: 3 });
  const flat = (r: { weights: Float32Array[]; biases: Float32Array[] }) => [...r.weights, ...r.biases].flatMap((a) => [...a]);
  const all = await mlp.lossAndGradients(set, { gradientWeight: 1 });
  // A rotation per sample (Gram–Schmidt of random vectors): k = d orthonormal directions.
  const dirs = new Float32Array(d * n * d);
  const rnd = refRandomArray(d * n * d, 17, -1, 1);
  for (let i = 0; i < n; i++) {
    const basis: number[][] = [];
    for (let j = 0; j < d; j++) {
      const v = Array.from({ length: d }, (_, c) => rnd[(j * n + i) * d + c]);
      for (const b of basis) {
        const dot = v.reduce((s, vc, c) => s + vc * b[c], 0);
        for (let c = 0; c < d; c++) v[c] -= dot * b[c];
      }
      const norm = Math.hypot(...v);
      basis.push(v.map((c) => c / norm));
      dirs.set(basis[j], (j * n + i) * d);
    }
  }
  const ortho = await mlp.lossAndGradients(set, { gradientWeight: 1, directionVectors: dirs });
  const sum = new Float64Array(flat(all).length);
  let single = 0;
  for (let s = 0; s < draws; s++) {
    const r = flat(await mlp.lossAndGradients(set, { gradientWeight: 1, directions: 2, seed: 1000 + s }));
    if (s === 0) single = relErr(r, flat(all));
    r.forEach((v, i) => (sum[i] += v / draws));
  }
  // The GPU's random directions go to the reference too: their gradient must be exact.
  mlp.destroy();
  return {
    orthonormal: relErr(flat(ortho), flat(all)),
    orthonormalLoss: Math.abs(ortho.loss - all.loss) / all.loss,
    average: relErr(sum, flat(all)),
    single,
  };
}

/** Every bad input must throw a clear error before GPU work, and the context must still work. */
export async function badInputs(): Promise<{ messages: string[]; worksAfter: boolean }> {
  const ctx = await context();
  const mlp = createMlp(ctx, { inputs: 2, hidden: [4], outputs: 1 });
  const good = wave(4, 1);
  const attempts: (() => unknown)[] = [
    () => mlp.predict(new Float32Array(3)),
    () => mlp.predict(Float32Array.from([0, NaN])),
    () => mlp.jvp(good.x, new Float32Array(2)),
    () => mlp.fit({ ...good, y: new Float32Array(3) }, { epochs: 1, batchSize: 2, learningRate: 1e-3, gradientWeight: 0 }),
    () => mlp.fit({ ...good, y: Float32Array.from([1, 2, Infinity, 4]) }, { epochs: 1, batchSize: 2, learningRate: 1e-3, gradientWeight: 0 }),
    () => mlp.fit(good, { epochs: 1, batchSize: 2, learningRate: 1e-3, gradientWeight: 1.5 }),
    () => mlp.fit(good, { epochs: 1, batchSize: 0, learningRate: 1e-3, gradientWeight: 0 }),
    () => mlp.fit(good, { epochs: 0, batchSize: 2, learningRate: 1e-3, gradientWeight: 0 }),
    () => mlp.fit(good, { epochs: 1, batchSize: 2, learningRate: -1, gradientWeight: 0 }),
    () => mlp.fit({ x: good.x, y: good.y }, { epochs: 1, batchSize: 2, learningRate: 1e-3, gradientWeight: 0.5 }),
    () => mlp.fit(good, { epochs: 1, batchSize: 2, learningRate: 1e-3, gradientWeight: 0.5, gradientInputs: [0, 2] }),
    () => mlp.lossAndGradients(good, { gradientWeight: 0.5, directions: 0 }),
    () => createMlp(ctx, { inputs: 2, hidden: [0], outputs: 1 }),
    () => createMlp(ctx, { inputs: 2, hidden: [4], outputs: 1, activation: 'swish' as never }),
    () => createMlp(ctx, { inputs: 2, hidden: [4], outputs: 1, activation: 'tanh); }' as never }),
    () => createMlp(ctx, { inputs: 2, hidden: [200_000], outputs: 1 }),
    () => mlp.setParameters({ weights: [new Float32Array(7), new Float32Array(4)], biases: [new Float32Array(4), new Float32Array(1)] }),
  ];
  const messages: string[] = [];
  for (const attempt of attempts) {
    try {
      await attempt();
      messages.push('NO ERROR');
    } catch (e) {
      messages.push(e instanceof Error ? e.message : String(e));
    }
  }
  const destroyed = createMlp(ctx, { inputs: 2, hidden: [4], outputs: 1 });
  destroyed.destroy();
  try {
    await destroyed.predict(good.x);
    messages.push('NO ERROR');
  } catch (e) {
    messages.push((e as Error).message);
  }
  const y = await mlp.predict(good.x);
  mlp.destroy();
  return { messages, worksAfter: y.length === 4 && y.every(Number.isFinite) };
}

/** J·v of the wave function, as a tangentTargets callback would compute it (no Jacobian kept). */
function waveTargets(x: Float32Array, v: Float32Array, k: number): Float32Array {
  const n = x.length / 2;
  const t = new Float32Array(k * n);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      const [a, b] = [x[2 * i], x[2 * i + 1]];
      const row = j * n + i;
      t[row] = Math.cos(a) * Math.cos(b) * v[2 * row] - Math.sin(a) * Math.sin(b) * v[2 * row + 1];
    }
  }
  return t;
}

/** tangentTargets (targets from a callback) vs dydx (targets computed on the GPU) with the
 *  same directions, and a fit that learns from the callback alone. */
export async function tangentTargetsAgree(): Promise<{ gradients: number; loss: number; baseline: number; gi: number }> {
  const ctx = await context();
  const data = wave(9, 21);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [10], outputs: 1, seed: 2 });
  const directionVectors = Float32Array.from(refRandomArray(3 * 9 * 2, 4, -1, 1));
  const flat = (r: { weights: Float32Array[]; biases: Float32Array[] }) => [...r.weights, ...r.biases].flatMap((a) => [...a]);
  const viaDydx = await mlp.lossAndGradients(data, { gradientWeight: 0.7, directionVectors });
  const viaCallback = await mlp.lossAndGradients({ x: data.x, y: data.y }, { gradientWeight: 0.7, directionVectors, tangentTargets: waveTargets });
  mlp.destroy();
  const train = wave(20, 3);
  const test = wave(400, 99);
  const errors: number[] = [];
  for (const w of [0, 0.5]) {
    const model = createMlp(ctx, { inputs: 2, hidden: [24, 24], outputs: 1, seed: 7 });
    await model.fit({ x: train.x, y: train.y }, { epochs: 150, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01, gradientWeight: w, directions: 1, tangentTargets: waveTargets, seed: 1 });
    errors.push(rmse(await model.predict(test.x), test.y));
    model.destroy();
  }
  return {
    gradients: relErr(flat(viaCallback), flat(viaDydx)),
    loss: Math.abs(viaCallback.loss - viaDydx.loss) / viaDydx.loss,
    baseline: errors[0],
    gi: errors[1],
  };
}

/** T full-batch epochs of fit (batchSize = n: one Adam step each, the shuffle changes only
 *  the summation order) vs the float64 Adam reference from the same float32 parameters.
 *  Errors are normwise relative, ‖a − b‖∞ / ‖b‖∞, over every weight and bias. */
export async function adamFullBatch(steps: number, weightDecay = 0): Promise<{ params: number; delta: number; loss: number; moved: number; steps: number }> {
  const ctx = await context();
  const sizes = [3, 10, 8, 2];
  const n = 12;
  const [lr, gradientWeight] = [1e-2, 0.5];
  const ref = refRandomMlp(sizes, ['tanh', 'tanh', 'linear'], 23);
  // The GPU runs float32: give the reference exactly the float32 parameters and data.
  ref.weights = ref.weights.map((w) => Float64Array.from(Float32Array.from(w)));
  ref.biases = ref.biases.map((b) => Float64Array.from(Float32Array.from(b)));
  const data = {
    x: Float32Array.from(refRandomArray(n * 3, 31, -1.5, 1.5)),
    y: Float32Array.from(refRandomArray(n * 2, 32, -1, 1)),
    dydx: Float32Array.from(refRandomArray(n * 2 * 3, 33, -1, 1)),
  };
  const mlp = createMlp(ctx, { inputs: 3, hidden: [10, 8], outputs: 2, activation: 'tanh', outputActivation: 'linear' });
  try {
    mlp.setParameters({ weights: ref.weights.map((w) => Float32Array.from(w)), biases: ref.biases.map((b) => Float32Array.from(b)) });
    const report = await mlp.fit(data, { epochs: steps, batchSize: n, learningRate: lr, lrDecay: 0, normalize: false, gradientWeight, directions: 'all', seed: 4, weightDecay });
    const gpu = await mlp.getParameters();
    const cpu = refAdamFit(ref, data, n, steps, { gradientWeight }, { lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay });
    const flat = (p: { weights: ArrayLike<number>[]; biases: ArrayLike<number>[] }) => [...p.weights, ...p.biases].flatMap((a) => Array.from(a));
    const [p0, pGpu, pCpu] = [flat(ref), flat(gpu), flat(cpu.mlp)];
    const dGpu = pGpu.map((v, i) => v - p0[i]);
    const dCpu = pCpu.map((v, i) => v - p0[i]);
    return {
      params: relErr(pGpu, pCpu),
      delta: relErr(dGpu, dCpu),
      loss: relErr(report.history, cpu.history),
      moved: relErr(pCpu, p0),
      steps: report.steps,
    };
  } finally {
    mlp.destroy();
  }
}
