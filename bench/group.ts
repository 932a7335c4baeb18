// In-page benchmark of grouped training, driven by bench/group.mjs:
// the paper's toy2d grid (2 → 4 hidden layers of width 4η → 1, tanh, batch 10, N = 50,
// w ∈ {0, 0.5}, full gradient 'all') as model-steps per second
//   grouped:        every model of the grid in one MlpGroup, one fit;
//   one at a time:  createMlp + fit + destroy for each model in turn (what a loop over
//                   the grid does);
//   pool:           the worker pool, one network per job (src/sweep), same models;
// all in this page, interleaved in rounds (the machine's load drifts), medians reported.
// Plus the adapter's FMA peak (bench/peak.ts), GFLOP/s of the grouped step from the shapes,
// how a grouped step's cost grows with B and with width, and a check that model i of the
// group ends where the lone model does. Query: see `params` below. Result:
// globalThis.__groupBench (or __groupBenchError).
import { createContext, type Context, type Dataset, type MlpParameters } from '../src/index';
import { createPool, type TrainJob } from '../src/sweep/index';
import { median, relErr } from '../src/util/stats';
import { measurePeak, type PeakResult } from './peak';
import { BATCH, dataset, ETAS, grid as makeGrid, groupFlops, LAYERS, LR, N, runGrouped, runSequential, stepsOf, type Model } from './grid';
import { profileDispatches, recordDispatches, type LabelCost } from './profile';
import { pause } from './timing';

const params = new URLSearchParams(location.search);
const list = (name: string, fallback: string) => (params.get(name) ?? fallback).split(',').filter(Boolean).map(Number);
const sections = new Set((params.get('sections') ?? 'peak,check,grid,pool,scale,profile').split(','));
/** η of the grid: hidden width 4η. */
const etas = list('etas', ETAS.join(','));
const weights = list('weights', '0,0.5');
/** The narrow end of the grid, timed as a grid of its own ('' to skip). */
const smallEtas = list('smallEtas', '2,4,8');
const repeats = list('repeats', '1,10');
/** Epochs of each timed fit (5 steps each: N = 50, batch 10). */
const epochs = Number(params.get('epochs') ?? 1);
/** A second, longer fit per grid row: (long − short) ÷ (extra steps) is the per-step cost
 *  without fit's fixed costs (0: skip). */
const longEpochs = Number(params.get('longEpochs') ?? 3);
const rounds = Number(params.get('rounds') ?? 3);
const poolWorkers = Number(params.get('workers') ?? 2);
const scaleB = list('scaleB', '1,4,16,64');
/** Grids whose step is replayed kernel by kernel (profile section). */
const profileR = list('profileR', '1,10');
const scaleWidths = list('scaleWidths', '8,32,128');
const scaleEpochs = Number(params.get('scaleEpochs') ?? 3);
const log = (m: string) => console.log(`[group] ${m}`);
const out = document.getElementById('out')!;

/** The grid of this page's η and w lists. */
const grid = (R: number, etaList = etas, wList = weights): Model[] => makeGrid(R, etaList, wList);

/** The same models as pool jobs: one network per job ('single'), or `groups` jobs that are
 *  groups (models spread by cost, largest first onto the cheapest job). 50 test rows each. Returns ms. */
async function runPool(pool: ReturnType<typeof createPool>, models: Model[], data: Dataset[], ep: number, tag: string, groups?: number): Promise<number> {
  const test = dataset(999, 50);
  const stage = (d: Dataset) => ({ inputs: 2, gradientInputs: [0, 1], train: { x: Float32Array.from(d.x), y: Float32Array.from(d.y), dydx: Float32Array.from(d.dydx!) }, test: { x: Float32Array.from(test.x), y: Float32Array.from(test.y) } });
  const settings = { hiddenLayers: LAYERS, activation: 'tanh' as const, outputActivation: 'linear' as const, epochs: ep, batchSize: BATCH, learningRate: LR, lrDecay: 0, directions: 'all' as const };
  const bins: Model[][] = groups ? Array.from({ length: groups }, () => []) : models.map((m) => [m]);
  if (groups) {
    const cost = bins.map(() => 0);
    for (const m of [...models].sort((a, b) => groupFlops([b]) - groupFlops([a]))) {
      const i = cost.indexOf(Math.min(...cost));
      bins[i].push(m);
      cost[i] += groupFlops([m]);
    }
  }
  const jobs: TrainJob[] = bins.filter((b) => b.length).map((bin, j) => {
    const repeatsUsed = [...new Set(bin.map((m) => m.repeat))];
    return {
      id: `${tag}:${j}`,
      data: repeatsUsed.map((r) => [stage(data[r])]),
      models: bin.map((m) => ({ width: m.width, gradientWeight: m.w, seed: m.seed, data: repeatsUsed.indexOf(m.repeat) })),
      rollout: false,
      settings,
    };
  });
  const t0 = performance.now();
  const results = await pool.run(jobs);
  if (results.some((r) => r.models.some((m) => m.diverged))) throw new Error('a pool job diverged');
  return performance.now() - t0;
}

/** Dispatches one fit step records (a 1-epoch fit, divided by its steps). */
async function dispatchesPerStep(ctx: Context, models: Model[], data: Dataset[]): Promise<number> {
  const rec = await recordDispatches(async () => {
    await runGrouped(ctx, models, data, 1);
  });
  rec.release();
  return rec.dispatches.length / stepsOf(1);
}

interface GridRow {
  set: string;
  etas: number[];
  R: number;
  models: number;
  steps: number;
  mflopsPerGroupedStep: number;
  groupedMs: number[];
  sequentialMs: number[];
  /** One-at-a-time measured on this many models (R = 1's grid) and scaled by models / measured. */
  sequentialMeasuredModels: number;
  sequentialExtrapolated: boolean;
  groupedModelStepsPerS: number;
  sequentialModelStepsPerS: number;
  speedup: number;
  groupedMsPerStep: number;
  groupedGflops: number;
  groupedPctPeak: number;
  groupedDispatchesPerStep?: number;
  /** The longer fits (longEpochs) and the per-step figures from the difference. */
  longSteps?: number;
  groupedLongMs: number[];
  sequentialLongMs: number[];
  marginalGroupedMsPerStep?: number;
  marginalSequentialMsPerStep?: number;
  marginalSpeedup?: number;
  marginalGroupedGflops?: number;
  marginalGroupedPctPeak?: number;
}

interface ScaleRow {
  B: number;
  width: number;
  steps: number;
  mflopsPerStep: number;
  ms: number[];
  msPerStep: number;
  gflops: number;
  pctPeak: number;
  /** ms/step of one model (B = 1) of this width, measured the same way. */
  msPerStepPerModel: number;
}

async function main() {
  const started = performance.now();
  const ctx = await createContext();
  const warnings: string[] = [];
  ctx.device.addEventListener('uncapturederror', (e) => {
    const message = `WebGPU uncaptured error: ${(e as GPUUncapturedErrorEvent).error.message}`;
    warnings.push(message);
    console.error(message);
  });
  const a = ctx.adapterInfo;
  const adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ');
  log(`adapter: ${adapter}; threads ${navigator.hardwareConcurrency}`);
  const data = Array.from({ length: Math.max(...repeats) }, (_, r) => dataset(1000 + r));

  let peak: PeakResult | undefined;
  if (sections.has('peak')) {
    peak = await measurePeak(ctx.device, 400);
    log(`peak: fma ${peak.fmaGflops.toFixed(2)} GFLOP/s, mul+add ${peak.mulAddGflops.toFixed(2)}, ${peak.dispatchUs.toFixed(1)} µs/dispatch`);
  }
  const pct = (gflops: number) => (peak ? (100 * gflops) / peak.peakGflops : NaN);

  // --- Correctness: model i of the group vs the lone model ---------------------------------
  let check: { models: number; epochs: number; maxParamRelErr: number; maxLossRelErr: number; worst: string } | undefined;
  if (sections.has('check')) {
    const models = grid(1);
    const ep = 2;
    const gp: MlpParameters[] = [];
    const gl: number[] = [];
    const sp: MlpParameters[] = [];
    const sl: number[] = [];
    await runGrouped(ctx, models, data, ep, (i, p, l) => ((gp[i] = p), (gl[i] = l)));
    await runSequential(ctx, models, data, ep, (i, p, l) => ((sp[i] = p), (sl[i] = l)));
    let maxParamRelErr = 0;
    let maxLossRelErr = 0;
    let worst = '';
    models.forEach((m, i) => {
      const flat = (p: MlpParameters) => Float32Array.from([...p.weights, ...p.biases].flatMap((t) => Array.from(t)));
      const e = relErr(flat(gp[i]), flat(sp[i]));
      const le = Math.abs(gl[i] - sl[i]) / Math.abs(sl[i]);
      if (e > maxParamRelErr) worst = `width ${m.width}, w = ${m.w}`;
      maxParamRelErr = Math.max(maxParamRelErr, e);
      maxLossRelErr = Math.max(maxLossRelErr, le);
    });
    check = { models: models.length, epochs: ep, maxParamRelErr, maxLossRelErr, worst };
    log(`check: ${models.length} models, ${ep} epochs: max param rel. error ${maxParamRelErr.toExponential(2)} (${worst}), loss ${maxLossRelErr.toExponential(2)}`);
    if (maxParamRelErr > 1e-5) warnings.push(`grouped and lone parameters differ: ${maxParamRelErr.toExponential(2)} at ${worst}`);
  }

  // --- The grid: grouped vs one at a time ----------------------------------------------------
  const gridRows: GridRow[] = [];
  if (sections.has('grid')) {
    const base = grid(1);
    // Warm-up: compile every pipeline both ways (1 epoch).
    await runGrouped(ctx, base, data, 1);
    await runSequential(ctx, base.slice(0, 2), data, 1);
    // The full grid, and (smallEtas) the narrow end of it, where a step is overhead, not FLOPs.
    const sets: { label: string; etas: number[] }[] = [{ label: 'all η', etas }];
    if (smallEtas.length) sets.push({ label: `η ∈ {${smallEtas.join(', ')}}`, etas: smallEtas });
    const modelsOf = (row: GridRow) => grid(row.R, row.etas);
    for (const set of sets) {
      for (const R of repeats) {
        const models = grid(R, set.etas);
        gridRows.push({
          set: set.label, etas: set.etas, R, models: models.length, steps: stepsOf(epochs), mflopsPerGroupedStep: groupFlops(models) / 1e6,
          groupedMs: [], sequentialMs: [], groupedLongMs: [], sequentialLongMs: [], longSteps: longEpochs > epochs ? stepsOf(longEpochs) : undefined, sequentialMeasuredModels: grid(1, set.etas).length, sequentialExtrapolated: R > 1,
          groupedModelStepsPerS: NaN, sequentialModelStepsPerS: NaN, speedup: NaN, groupedMsPerStep: NaN, groupedGflops: NaN, groupedPctPeak: NaN,
        });
      }
    }
    for (const row of gridRows) {
      try {
        row.groupedDispatchesPerStep = await dispatchesPerStep(ctx, modelsOf(row), data);
      } catch (e) {
        warnings.push(`dispatch count R=${row.R}: ${e instanceof Error ? e.message : e}`);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const set of sets) {
        // One at a time over the R = 1 grid of the set (the per-model cost does not depend on R).
        const one = grid(1, set.etas);
        const seq = await runSequential(ctx, one, data, epochs);
        log(`grid round ${round + 1} (${set.label}): one at a time, ${one.length} models: ${(seq / 1000).toFixed(2)} s`);
        await pause();
        const long = longEpochs > epochs ? await runSequential(ctx, one, data, longEpochs) : NaN;
        if (longEpochs > epochs) log(`grid round ${round + 1} (${set.label}): one at a time, ${one.length} models, ${longEpochs} epochs: ${(long / 1000).toFixed(2)} s`);
        for (const row of gridRows.filter((r) => r.set === set.label)) {
          row.sequentialMs.push((seq * row.models) / one.length);
          const ms = await runGrouped(ctx, modelsOf(row), data, epochs);
          row.groupedMs.push(ms);
          log(`grid round ${round + 1} (${set.label}): grouped R = ${row.R}, ${row.models} models: ${(ms / 1000).toFixed(2)} s`);
          await pause();
          if (longEpochs > epochs) {
            row.sequentialLongMs.push((long * row.models) / one.length);
            const msLong = await runGrouped(ctx, modelsOf(row), data, longEpochs);
            row.groupedLongMs.push(msLong);
            log(`grid round ${round + 1} (${set.label}): grouped R = ${row.R}, ${row.models} models, ${longEpochs} epochs: ${(msLong / 1000).toFixed(2)} s`);
            await pause();
          }
        }
      }
    }
    for (const row of gridRows) {
      const g = median(row.groupedMs);
      const s = median(row.sequentialMs);
      const modelSteps = row.models * row.steps;
      row.groupedModelStepsPerS = modelSteps / (g / 1000);
      row.sequentialModelStepsPerS = modelSteps / (s / 1000);
      row.speedup = s / g;
      row.groupedMsPerStep = g / row.steps;
      row.groupedGflops = (row.mflopsPerGroupedStep * 1e6) / (row.groupedMsPerStep * 1e6);
      row.groupedPctPeak = pct(row.groupedGflops);
      if (row.longSteps && row.groupedLongMs.length) {
        const extra = row.longSteps - row.steps;
        row.marginalGroupedMsPerStep = (median(row.groupedLongMs) - g) / extra;
        row.marginalSequentialMsPerStep = (median(row.sequentialLongMs) - s) / extra;
        row.marginalSpeedup = row.marginalSequentialMsPerStep / row.marginalGroupedMsPerStep;
        row.marginalGroupedGflops = (row.mflopsPerGroupedStep * 1e6) / (row.marginalGroupedMsPerStep * 1e6);
        row.marginalGroupedPctPeak = pct(row.marginalGroupedGflops);
        log(`grid ${row.set}, R = ${row.R}: per extra step grouped ${row.marginalGroupedMsPerStep.toFixed(1)} ms vs one at a time ${row.marginalSequentialMsPerStep.toFixed(1)} ms: ${row.marginalSpeedup.toFixed(2)}×`);
      }
      log(`grid ${row.set}, R = ${row.R}: grouped ${row.groupedModelStepsPerS.toFixed(0)} model-steps/s vs one at a time ${row.sequentialModelStepsPerS.toFixed(0)}: ${row.speedup.toFixed(1)}×; ${row.groupedGflops.toFixed(2)} GFLOP/s`);
    }
  }

  // --- Grouped (one device, this page) vs the worker pool (one network per job) -------------
  interface PoolRow { mode: string; workers: number; jobs: number; models: number; poolMs: number[]; groupedMs: number[]; poolModelStepsPerS: number; groupedModelStepsPerS: number; groupedOverPool: number }
  let poolResult: { coldMs: number; rows: PoolRow[]; note: string } | undefined;
  if (sections.has('pool')) {
    const models = grid(1);
    const pool = createPool({ size: poolWorkers });
    try {
      const t0 = performance.now();
      await runPool(pool, models, data, 1, 'cold');
      await runPool(pool, models, data, 1, 'cold-groups', poolWorkers);
      const coldMs = performance.now() - t0;
      log(`pool: ${poolWorkers} workers started and warmed (1-epoch jobs, both modes) in ${(coldMs / 1000).toFixed(1)} s`);
      const modes: [string, number | undefined][] = [['one network per job', undefined], [`one group per worker (${poolWorkers} jobs)`, poolWorkers]];
      const rows: PoolRow[] = modes.map(([mode, g]) => ({ mode, workers: poolWorkers, jobs: g ?? models.length, models: models.length, poolMs: [], groupedMs: [], poolModelStepsPerS: NaN, groupedModelStepsPerS: NaN, groupedOverPool: NaN }));
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < modes.length; i++) {
          rows[i].poolMs.push(await runPool(pool, models, data, epochs, `warm${round}:${i}`, modes[i][1]));
          await pause();
          rows[i].groupedMs.push(await runGrouped(ctx, models, data, epochs));
          log(`pool round ${round + 1}: pool (${poolWorkers} workers, ${modes[i][0]}) ${(rows[i].poolMs[round] / 1000).toFixed(2)} s, grouped in this page ${(rows[i].groupedMs[round] / 1000).toFixed(2)} s`);
          await pause();
        }
      }
      const modelSteps = models.length * stepsOf(epochs);
      for (const row of rows) {
        const p = median(row.poolMs);
        const g = median(row.groupedMs);
        Object.assign(row, { poolModelStepsPerS: modelSteps / (p / 1000), groupedModelStepsPerS: modelSteps / (g / 1000), groupedOverPool: p / g });
      }
      poolResult = { coldMs, rows, note: 'pool: createPool({ size }) from src/sweep, each job trained as one MlpGroup per stage in a worker with its own device, then tested on 50 rows; grouped: one MlpGroup of all the models in this page, timed right after the pool run of the same round' };
    } finally {
      await pool.destroy();
    }
  }

  // --- How a grouped step grows with B and with width ----------------------------------------
  const scaleRows: ScaleRow[] = [];
  if (sections.has('scale')) {
    const points: [number, number][] = [...scaleB.map((B) => [B, 32] as [number, number]), ...scaleWidths.filter((w) => w !== 32).map((w) => [16, w] as [number, number])];
    const widthsNeeded = [...new Set(points.map(([, w]) => w))];
    const uniform = (B: number, width: number): Model[] => Array.from({ length: B }, (_, i) => ({ eta: width / 4, width, w: 0.5, repeat: 0, seed: 1 + i }));
    for (const w of widthsNeeded) await runGrouped(ctx, uniform(1, w), data, 1);
    const times = new Map<string, { short: number[]; long: number[] }>();
    const key = (B: number, w: number) => `${B}|${w}`;
    const allPoints = [...points, ...widthsNeeded.filter((w) => !points.some(([B, x]) => B === 1 && x === w)).map((w) => [1, w] as [number, number])];
    // ms per step = (fit of scaleEpochs − fit of 1 epoch) ÷ the extra steps: fit's fixed costs cancel.
    for (let round = 0; round < rounds; round++) {
      for (const [B, w] of allPoints) {
        if (!times.has(key(B, w))) times.set(key(B, w), { short: [], long: [] });
        const t = times.get(key(B, w))!;
        t.short.push(await runGrouped(ctx, uniform(B, w), data, 1));
        t.long.push(await runGrouped(ctx, uniform(B, w), data, scaleEpochs));
        await pause(20);
      }
      log(`scale round ${round + 1} done`);
    }
    const steps = stepsOf(scaleEpochs) - stepsOf(1);
    const perStep = (B: number, w: number) => {
      const t = times.get(key(B, w))!;
      return (median(t.long) - median(t.short)) / steps;
    };
    for (const [B, width] of points.sort((x, y) => x[1] - y[1] || x[0] - y[0])) {
      const t = times.get(key(B, width))!;
      const msPerStep = perStep(B, width);
      const flops = groupFlops(uniform(B, width));
      scaleRows.push({ B, width, steps, mflopsPerStep: flops / 1e6, ms: [...t.short, ...t.long], msPerStep, gflops: flops / (msPerStep * 1e6), pctPeak: pct(flops / (msPerStep * 1e6)), msPerStepPerModel: perStep(1, width) });
      log(`scale B = ${B}, width ${width}: ${msPerStep.toFixed(2)} ms/step, ${(flops / (msPerStep * 1e6)).toFixed(2)} GFLOP/s`);
    }
  }

  // --- Where a grouped step's time goes: its dispatches replayed one by one -----------------
  const profiles: { config: string; models: number; dispatchesPerStep: number; replayMsPerStep: number; sumMs: number; byLabel: LabelCost[]; kernels: { label: string; workgroups: number; ms: number }[] }[] = [];
  if (sections.has('profile')) {
    const configs: [string, Model[]][] = [
      ['B = 1, width 32', Array.from({ length: 1 }, (_, i) => ({ eta: 8, width: 32, w: 0.5, repeat: 0, seed: 1 + i }))],
      ['B = 16, width 32', Array.from({ length: 16 }, (_, i) => ({ eta: 8, width: 32, w: 0.5, repeat: 0, seed: 1 + i }))],
      ...profileR.map((R): [string, Model[]] => [`toy2d grid, R = ${R}`, grid(R)]),
    ];
    for (const [config, models] of configs) {
      const rec = await recordDispatches(async () => {
        await runGrouped(ctx, models, data, 1);
      });
      try {
        const perStep = rec.dispatches.length / stepsOf(1);
        const step = rec.dispatches.slice(0, perStep);
        const p = await profileDispatches(ctx.device, step, peak?.submitMs ?? 0, 60);
        profiles.push({ config, models: models.length, dispatchesPerStep: perStep, replayMsPerStep: p.replayMsPerStep, sumMs: p.sumMs, byLabel: p.byLabel, kernels: p.kernels.map((k) => ({ label: k.label, workgroups: k.workgroups, ms: k.ms })) });
        log(`profile ${config}: ${perStep} dispatches/step, replayed ${p.replayMsPerStep.toFixed(2)} ms/step; ${p.byLabel.slice(0, 4).map((k) => `${k.label} ×${k.count} ${k.ms.toFixed(2)} ms`).join(', ')}`);
      } finally {
        rec.release();
      }
    }
  }

  ctx.destroy();
  return {
    date: new Date().toISOString(),
    adapter,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    setup: { etas, smallEtas, weights, repeats, epochs, stepsPerFit: stepsOf(epochs), longEpochs, n: N, batch: BATCH, layers: LAYERS, learningRate: LR, rounds, scaleEpochs },
    peak,
    check,
    grid: gridRows,
    pool: poolResult,
    scale: scaleRows,
    profiles,
    warnings,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

main().then(
  (result) => {
    out.textContent = JSON.stringify(result, null, 2);
    Object.assign(globalThis, { __groupBench: result });
  },
  (e: unknown) => {
    const message = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    out.textContent = `error: ${message}`;
    Object.assign(globalThis, { __groupBenchError: message });
  },
);
