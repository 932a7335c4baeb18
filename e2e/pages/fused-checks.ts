// In-page checks of the fused training kernel: the same fit on a context that fuses small
// models and on one that does not (fusedSmallModels: false), parameter by parameter.
import { createContext, createMlp, createMlpGroup, type Context, type Dataset, type FitOptions, type FitReport, type MlpParameters, type ModelSpec } from '../../src/index';
import { refRandomArray } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { fusedCost } from '../../src/nn/fused';
import { flatParameters } from './checks';

/** y_j = Σ_c sin((j + 1)·x_c + c) with its Jacobian, at n seeded points. */
export function sineData(n: number, inputs: number, outputs: number, seed: number): Dataset {
  const x = Float32Array.from(refRandomArray(n * inputs, seed, -1.2, 1.2));
  const y = new Float32Array(n * outputs);
  const dydx = new Float32Array(n * outputs * inputs);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < outputs; j++) {
      for (let c = 0; c < inputs; c++) {
        const u = (j + 1) * x[i * inputs + c] + c;
        y[i * outputs + j] += Math.sin(u);
        dydx[(i * outputs + j) * inputs + c] = (j + 1) * Math.cos(u);
      }
    }
  }
  return { x, y, dydx };
}

const flat = (p: MlpParameters): Float64Array => Float64Array.from(flatParameters(p));

/** Largest elementwise relative difference, each element against max(|b|, floor). */
function maxRelative(a: Float64Array, b: Float64Array): number {
  const scale = Math.max(...b.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3 * scale));
  return worst;
}

/** Runs `body` and says whether it compiled the fused step: a context created with
 *  debugPrograms: ['fused-step'] prints that program's WGSL when it compiles it. */
async function watchFusedCompile<T>(body: () => Promise<T>): Promise<{ out: T; compiledFused: boolean }> {
  const log = console.log;
  let compiledFused = false;
  console.log = (...args: unknown[]) => {
    if (String(args[0]).startsWith('[sobolev-webgpu] program fused-step')) compiledFused = true;
    else log(...args);
  };
  try {
    return { out: await body(), compiledFused };
  } finally {
    console.log = log;
  }
}

// The page's contexts, kept from check to check (and test to test) with their pipelines. The
// layered one prints the fused program's WGSL if it ever compiled it, as a twin's fresh fused
// context does: so a twin sees which of its fits ran the fused kernel.
let fusedContext: Promise<Context> | null = null;
let layeredContext: Promise<Context> | null = null;

export interface TwinCase {
  inputs: number;
  outputs: number;
  spec: ModelSpec;
  n: number;
  options: FitOptions;
  /** The fused kernel's workgroup size (else the adapter's default: 4 emulated). */
  threads?: number;
}

// (Not bestEpoch: without validation it scores each chunk's parameters, and chunks follow the clock.)
type Summary = Pick<FitReport, 'epochs' | 'steps' | 'stopReason' | 'jacobianMode' | 'diverged' | 'stoppedEarly' | 'aborted'> & { history: number[]; objective: number[]; validation: number[] };
const summary = (r: FitReport): Summary => ({
  epochs: r.epochs, steps: r.steps, stopReason: r.stopReason, jacobianMode: r.jacobianMode, diverged: r.diverged,
  stoppedEarly: r.stoppedEarly, aborted: r.aborted, history: r.history, objective: r.objectiveHistory, validation: r.validationHistory,
});

/**
 * One fit on a fresh fused context and on the page's layered one: the largest relative parameter
 * difference, the same of the updates (after − before), how far training moved the parameters,
 * both reports' summaries, and whether the fused fit compiled only the fused kernel (one
 * pipeline on a fresh device: it ran fused).
 */
export async function fusedTwin(c: TwinCase): Promise<{ err: number; updateErr: number; moved: number; fused: Summary; layered: Summary; fusedPipelines: number; layeredPipelines: number; ranFused: boolean }> {
  const full = sineData(c.n, c.inputs, c.outputs, 11);
  const cols = (c.options.gradientInputs as number[] | undefined) ?? Array.from({ length: c.inputs }, (_, i) => i);
  // dydx holds the gradient inputs' columns only.
  const data = { ...full, dydx: Float32Array.from({ length: c.n * c.outputs * cols.length }, (_, e) => full.dydx![Math.floor(e / cols.length) * c.inputs + cols[e % cols.length]]) };
  // The fused fit on a fresh context (its one pipeline shows the fused kernel ran alone), the
  // layered one on the page's: its pipelines, compiled once, serve every twin.
  const run = async (fused: boolean) => {
    // debugPrograms prints a program's WGSL when it is compiled: how we see the fused kernel ran.
    const ctx = fused ? await createContext({ fusedSmallModels: true, debugPrograms: ['fused-step'] }) : await (layeredContext ??= createContext({ fusedSmallModels: false, debugPrograms: ['fused-step'] }));
    const mlp = createMlp(ctx, { inputs: c.inputs, outputs: c.outputs, ...c.spec });
    try {
      const { out, compiledFused } = await watchFusedCompile(async () => {
        const before = flat(await mlp.getParameters());
        const report = await mlp.fit(data, c.options);
        return { before, report, after: flat(await mlp.getParameters()) };
      });
      return { ...out, pipelines: ctx.stats().pipelines, compiledFused };
    } finally {
      mlp.destroy();
      if (fused) ctx.destroy();
    }
  };
  const savedThreads = fusedCost.threads;
  fusedCost.threads = c.threads ?? savedThreads;
  const f = await run(true).finally(() => (fusedCost.threads = savedThreads));
  const l = await run(false);
  return {
    err: maxRelative(f.after, l.after),
    updateErr: maxRelative(f.after.map((v, i) => v - f.before[i]), l.after.map((v, i) => v - l.before[i])),
    moved: maxRelative(l.before, l.after),
    fused: summary(f.report),
    layered: summary(l.report),
    fusedPipelines: f.pipelines,
    layeredPipelines: l.pipelines,
    ranFused: f.compiledFused && !l.compiledFused,
  };
}

/** A group of `count` copies of one spec (seeds differ) trained fused, and model `which`
 *  alone with its seed: bit-for-bit equal parameters (the count of differing floats).
 *  `reverse`: directions 'all' in reverse mode (else 2 random directions, forward). */
export async function fusedGroupTwin(count: number, which: number, reverse = false): Promise<{ differing: number; total: number; moved: boolean }> {
  const ctx = await (fusedContext ??= createContext({ fusedSmallModels: true }));
  const data = sineData(12, 2, 1, 5);
  const specs: ModelSpec[] = Array.from({ length: count }, (_, i) => ({ hidden: [6 + (i % 3), 5], activation: (['tanh', 'sin', 'gelu'] as const)[i % 3], seed: 40 + i }));
  const rates = specs.map((_, i) => 1e-2 * (1 + i / count));
  const options = { epochs: 20, batchSize: 5, gradientWeight: 0.5, ...(reverse ? { jacobianMode: 'reverse' as const } : { directions: 2 }) } as const;
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: specs });
  const lone = createMlp(ctx, { inputs: 2, outputs: 1, ...specs[which] });
  try {
    await group.fit(data, { ...options, learningRate: rates, seed: specs.map((_, i) => i) });
    const before = flat(await lone.getParameters());
    await lone.fit(data, { ...options, learningRate: rates[which], seed: which });
    const a = flat(await group.getParameters(which));
    const b = flat(await lone.getParameters());
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    return { differing, total: a.length, moved: before.some((v, i) => v !== b[i]) };
  } finally {
    group.destroy();
    lone.destroy();
  }
}

/**
 * Two models past the lone threshold (2→4×120→1 at batch 10, k = 2 in reverse mode: 871,200
 * multiply-adds a step) on two cores: alone each takes the layered step, in a group each keeps the other core
 * busy, so the group is fused. Whether each fit compiled the fused kernel, and how far the
 * grouped model ends from its lone twin (normwise relative).
 */
export async function sharedCoresTwin(): Promise<{ groupFused: boolean; loneFused: boolean; relative: number; moved: boolean }> {
  const data = sineData(10, 2, 1, 5);
  const spec: ModelSpec = { hidden: [120, 120, 120, 120], activation: 'tanh', seed: 21 };
  const options = { epochs: 3, batchSize: 10, gradientWeight: 0.5, learningRate: 1e-3, seed: 4 } as const;
  const saved = fusedCost.cores;
  fusedCost.cores = 2;
  const fitOn = async <T>(train: (ctx: Context) => Promise<T>): Promise<{ out: T; fused: boolean }> => {
    const ctx = await createContext({ debugPrograms: ['fused-step'] });
    try {
      const { out, compiledFused } = await watchFusedCompile(() => train(ctx));
      return { out, fused: compiledFused };
    } finally {
      ctx.destroy();
    }
  };
  try {
    const grouped = await fitOn(async (ctx) => {
      const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: [spec, { ...spec, seed: 22 }] });
      await group.fit(data, options);
      const p = flat(await group.getParameters(0));
      group.destroy();
      return p;
    });
    const lone = await fitOn(async (ctx) => {
      const mlp = createMlp(ctx, { inputs: 2, outputs: 1, ...spec });
      const before = flat(await mlp.getParameters());
      await mlp.fit(data, options);
      const after = flat(await mlp.getParameters());
      mlp.destroy();
      return { before, after };
    });
    return {
      groupFused: grouped.fused,
      loneFused: lone.fused,
      relative: relErr(grouped.out, lone.out.after),
      moved: lone.out.before.some((v, i) => v !== lone.out.after[i]),
    };
  } finally {
    fusedCost.cores = saved;
  }
}
