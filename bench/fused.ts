// In-page benchmark of the fused training kernel (src/nn/fused.ts), driven by bench/fused.mjs:
// ms per step of fit on a context that fuses small models (the default) and on one that does
// not (fusedSmallModels: false), same page, rounds interleaved, medians. Per step = (long fit
// − short fit) ÷ the extra steps, so fit's fixed costs (buffers, pipelines, readbacks of the
// first chunk) cancel. Sections: 'lone' (the shapes), 'sweep' (2 → 4×η → 1 at batch 10
// with the fused step forced past the threshold: the crossover), 'grid' (the toy2d grid
// grouped). Result: globalThis.__fusedBench (or __fusedBenchError).
import { createContext, createMlp, createMlpGroup, type Context, type Dataset } from '../src/index';
import { fusedCost, stackedBlocks, stepMacs } from '../src/nn/fused';
import { paramLayout } from '../src/nn/layout';
import { median } from '../src/util/stats';
import { dataset as toy2d, ETAS, grid as makeGrid, sizesOf } from './grid';
import { recordDispatches } from './profile';
import { pause } from './timing';

const params = new URLSearchParams(location.search);
const rounds = Number(params.get('rounds') ?? 3);
/** Target ms of the long fit of each measurement (the extra steps are chosen for it). */
const budgetMs = Number(params.get('budgetMs') ?? 1200);
const sections = new Set((params.get('sections') ?? 'lone,sweep,grid').split(','));
const sweepEtas = (params.get('etas') ?? '2,4,8,12,16,24,32,60').split(',').map(Number);
const loneCases = params.get('lone')?.split(',').map(Number);
if (params.get('threads')) fusedCost.threads = Number(params.get('threads'));
const gridRepeats = (params.get('repeats') ?? '1,10').split(',').map(Number);
/** forceGrid=1: the grid's every model on the fused step (else fit's choice, per model). */
const forceGrid = params.get('forceGrid') === '1';
const log = (m: string) => console.log(`[fused] ${m}`);
const out = document.getElementById('out')!;

/** y = Σ_c sin(x_c + c/3) · (1 + 0.1·c) on U(−1, 1)^d, with its gradient. */
function data(n: number, d: number, seed: number): Dataset {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: n * d }, () => 2 * rand() - 1);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      y[i] += Math.sin(x[i * d + c] + c / 3) * (1 + 0.1 * c);
      dydx[i * d + c] = Math.cos(x[i * d + c] + c / 3) * (1 + 0.1 * c);
    }
  }
  return { x, y, dydx };
}

interface Case {
  name: string;
  sizes: number[];
  n: number;
  batch: number;
  /** Models of a group (toy2d grid) instead of one. */
  grid?: number;
}

/** One fit of `epochs` epochs (create + fit + destroy); returns ms, the steps taken and the Jacobian mode of its last model. */
async function fitOnce(ctx: Context, c: Case, epochs: number, ds: Dataset | Dataset[]): Promise<{ ms: number; steps: number; mode: string }> {
  const t0 = performance.now();
  if (c.grid) {
    const models = makeGrid(c.grid / 32, ETAS, [0, 0.5]);
    const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: models.map((m) => ({ hidden: sizesOf(m.width).slice(1, -1), activation: 'tanh', seed: m.seed })) });
    try {
      const reports = await group.fit(models.map((m) => (ds as Dataset[])[m.repeat]), {
        epochs, batchSize: c.batch, learningRate: 1e-3, gradientWeight: models.map((m) => m.w), seed: models.map((m) => m.seed), directions: 'all',
      });
      if (reports.some((r) => r.diverged)) throw new Error(`${c.name}: a model diverged`);
      return { ms: performance.now() - t0, steps: reports[0].steps, mode: reports[reports.length - 1].jacobianMode };
    } finally {
      group.destroy();
    }
  }
  const mlp = createMlp(ctx, { inputs: c.sizes[0], hidden: c.sizes.slice(1, -1), outputs: 1, activation: 'tanh', seed: 3 });
  try {
    const report = await mlp.fit(ds as Dataset, { epochs, batchSize: c.batch, learningRate: 1e-3, gradientWeight: 0.5, seed: 1 });
    if (report.diverged) throw new Error(`${c.name}: diverged`);
    return { ms: performance.now() - t0, steps: report.steps, mode: report.jacobianMode };
  } finally {
    mlp.destroy();
  }
}

interface Row {
  name: string;
  sizes: number[];
  n: number;
  batch: number;
  models: number;
  /** The fused fit's Jacobian mode (the grid: its w = 0.5 models'). */
  mode: string;
  /** Multiply-adds per step of the fused fit's stacked rows (k = d tangent blocks forward, one cotangent block reverse). */
  macs: number;
  fusedSelected: boolean;
  extraSteps: number;
  fusedMs: number[];
  layeredMs: number[];
  /** Compute dispatches per step of a 3-epoch fit (all its chunks). */
  fusedDispatches: number;
  layeredDispatches: number;
  fusedMsPerStep: number;
  layeredMsPerStep: number;
  speedup: number;
}

/** ms/step of one case on both contexts: rounds of (short, long) fits, interleaved. */
async function measure(fused: Context, layered: Context, c: Case, force: boolean): Promise<Row> {
  const ds = c.grid ? Array.from({ length: c.grid / 32 }, (_, r) => toy2d(1000 + r)) : data(c.n, c.sizes[0], 7);
  const perEpoch = Math.ceil(c.n / c.batch);
  const saved = { ...fusedCost };
  const limit = fused.emulated ? saved.emulatedMaxMacs : saved.gpuMaxMacs;
  if (force) Object.assign(fusedCost, { emulatedMaxMacs: Infinity, gpuMaxMacs: Infinity });
  try {
    // Warm both (pipelines), and size the long fit from the slower of the two.
    const probe = await Promise.all([fused, layered].map(async (ctx) => {
      await fitOnce(ctx, c, 1, ds);
      const a = await fitOnce(ctx, c, 1, ds);
      const b = await fitOnce(ctx, c, 3, ds);
      return Math.max(0.01, (b.ms - a.ms) / (2 * perEpoch));
    }));
    let mode = '';
    const dispatches = async (ctx: Context) => {
      let steps = 0;
      const rec = await recordDispatches(async () => {
        const fit = await fitOnce(ctx, c, 3, ds);
        steps = fit.steps;
        if (ctx === fused) mode = fit.mode;
      });
      rec.release();
      return rec.dispatches.length / steps;
    };
    const fusedDispatches = await dispatches(fused);
    const layeredDispatches = await dispatches(layered);
    const extraEpochs = Math.max(2, Math.min(400, Math.round(budgetMs / Math.max(...probe) / perEpoch)));
    const perStep: Record<'fused' | 'layered', number[]> = { fused: [], layered: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [key, ctx] of [['fused', fused], ['layered', layered]] as const) {
        const short = await fitOnce(ctx, c, 1, ds);
        const long = await fitOnce(ctx, c, 1 + extraEpochs, ds);
        perStep[key].push((long.ms - short.ms) / (long.steps - short.steps));
        await pause(20);
      }
    }
    const model = paramLayout(c.sizes, c.sizes.slice(1).map(() => 'tanh'));
    const macs = stepMacs(model, (1 + stackedBlocks(model, { k: c.sizes[0], jacobianMode: mode === 'reverse' ? 'reverse' : 'forward' })) * c.batch);
    const row: Row = {
      name: c.name, sizes: c.sizes, n: c.n, batch: c.batch, models: c.grid ?? 1, mode,
      macs: c.grid ? NaN : macs,
      fusedSelected: force || (!c.grid && macs <= limit),
      extraSteps: extraEpochs * perEpoch,
      fusedMs: perStep.fused, layeredMs: perStep.layered, fusedDispatches, layeredDispatches,
      fusedMsPerStep: median(perStep.fused), layeredMsPerStep: median(perStep.layered),
      speedup: median(perStep.layered) / median(perStep.fused),
    };
    log(`${c.name}: fused ${row.fusedMsPerStep.toFixed(3)} ms/step, layered ${row.layeredMsPerStep.toFixed(3)} ms/step, ${row.speedup.toFixed(2)}×, dispatches/step ${fusedDispatches.toFixed(2)} vs ${layeredDispatches.toFixed(1)} (${row.extraSteps} extra steps, MACs/step ${row.macs})`);
    return row;
  } finally {
    Object.assign(fusedCost, saved);
  }
}

async function main() {
  const started = performance.now();
  const fused = await createContext();
  const layered = await createContext({ fusedSmallModels: false });
  const a = fused.adapterInfo;
  const adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ');
  log(`adapter: ${adapter}; ${navigator.hardwareConcurrency} threads`);
  const result: { adapter: string; date: string; rounds: number; budgetMs: number; lone: Row[]; sweep: Row[]; grid: Row[]; seconds: number; threshold: number; reverseMinSavedMacs: number } = {
    adapter, date: new Date().toISOString(), rounds, budgetMs, lone: [], sweep: [], grid: [], seconds: 0, threshold: fused.emulated ? fusedCost.emulatedMaxMacs : fusedCost.gpuMaxMacs, reverseMinSavedMacs: fusedCost.reverseMinSavedMacs,
  };
  const paper = (eta: number): Case => ({ name: `2→4×${4 * eta}→1 (η = ${eta}), batch 10 of 50`, sizes: sizesOf(4 * eta), n: 50, batch: 10 });
  if (sections.has('lone')) {
    const cases: Case[] = [
      ...[2, 8, 16, 60].map(paper),
      { name: '2→16→16→1, N = 20 full batch', sizes: [2, 16, 16, 1], n: 20, batch: 20 },
      { name: '2→16→16→1, N = 100 full batch', sizes: [2, 16, 16, 1], n: 100, batch: 100 },
      { name: '8→64→64→1, N = 256 full batch', sizes: [8, 64, 64, 1], n: 256, batch: 256 },
    ];
    for (const c of cases.filter((_, i) => !loneCases || loneCases.includes(i))) result.lone.push(await measure(fused, layered, c, false));
  }
  if (sections.has('sweep')) {
    for (const eta of sweepEtas) result.sweep.push(await measure(fused, layered, paper(eta), true));
  }
  if (sections.has('grid')) {
    for (const R of gridRepeats) result.grid.push(await measure(fused, layered, { name: `toy2d grid, ${32 * R} models grouped`, sizes: sizesOf(240), n: 50, batch: 10, grid: 32 * R }, forceGrid));
  }
  result.seconds = (performance.now() - started) / 1000;
  fused.destroy();
  layered.destroy();
  out.textContent = JSON.stringify(result, null, 2);
  (globalThis as any).__fusedBench = result;
}

main().catch((e) => {
  console.error(e);
  (globalThis as any).__fusedBenchError = String(e?.stack ?? e);
});
