// The in-page benchmark: one Sobolev training step (4 → 64 → 64 → 1 tanh MLP, N = 1024 full
// batch, all k = 4 input-derivatives, w = 0.5, Adam) in this library, jax-js (webgpu, wasm;
// reverse-over-forward and reverse-over-reverse) and TF.js (webgpu; double backward and
// hand-written tangents), ours in each jacobianMode, the adapter's FMA peak, a per-kernel
// profile of our step, how our step grows with width and N, and each mode's cost against the
// inputs d and the outputs m. Query: ?quick (smaller, for a smoke run), ?only=ours,jax-webgpu,
// jax-webgpu-rr,jax-webgpu-manual,jax-wasm,jax-wasm-rr,jax-wasm-manual,tfjs-webgpu,tfjs-webgpu-tangents (a prefix such as
// jax-wasm selects every form; ours-forward and ours-reverse force a mode), ?sections=peak,check,main,profile,kernels,width,n,modes.
import { createContext, type Context } from '../src/index';
import { refLossAndGradients } from '../src/reference/index';
import { median, relErr } from '../src/util/stats';
import { compareKernels } from './kernels';
import { measurePeak } from './peak';
import { oursFormulation, oursRunner } from './peers/ours';
import type { Gradients, Runner, Trainer } from './peers/types';
import { directionsOf, leastFlops, makeProblem, stepFlops, type Problem } from './problem';
import { annotateMlpStep, profileDispatches, recordDispatches, summarizeByLabel } from './profile';
import { toMarkdown } from './report';
import type { BenchResult, BestRow, CheckRow, MainRow, ModeRow, SweepRow } from './results';
import { pause, SkippedError, timeTrainer, type TimingOptions } from './timing';

declare global {
  interface Window {
    __bench?: { state: 'running' | 'done' | 'error'; result?: BenchResult; markdown?: string; error?: string };
  }
}

const query = new URLSearchParams(location.search);
const quick = query.has('quick');
const only = query.get('only')?.split(',').filter(Boolean);
const sections = new Set((query.get('sections') ?? 'peak,check,main,profile,kernels,width,n,modes').split(','));
const jaxSync = (query.get('jaxSync') ?? 'block') === 'step' ? 'step' : 'block';
/** ?profileInputs=d: profile the step with d inputs instead of 4 (where a d-input step's time goes). */
const profileInputs = Number(query.get('profileInputs') ?? 4);

const logEl = document.getElementById('log')!;
function log(message: string): void {
  console.log(`[bench] ${message}`);
  logEl.textContent += `${message}\n`;
}
const errorText = (e: unknown): string => (e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e));

interface Entry {
  id: string;
  load: (ctx: Context) => Promise<Runner>;
  /** Gradient check only (not timed). */
  checkOnly?: boolean;
}

// Every formulation of each peer that we know of (bench/peers/*); each keeps its gradient check.
const entries: Entry[] = [
  { id: 'ours', load: async (ctx) => oursRunner(ctx) },
  { id: 'ours-forward', load: async (ctx) => oursRunner(ctx, 'forward') },
  { id: 'ours-reverse', load: async (ctx) => oursRunner(ctx, 'reverse') },
  { id: 'jax-webgpu', load: async () => (await import('./peers/jax')).jaxRunner('webgpu', 'fwd-rev', jaxSync) },
  { id: 'jax-webgpu-rr', load: async () => (await import('./peers/jax')).jaxRunner('webgpu', 'rev-rev', jaxSync) },
  { id: 'jax-webgpu-manual', load: async () => (await import('./peers/jax')).jaxRunner('webgpu', 'rev-manual', jaxSync) },
  { id: 'jax-wasm', load: async () => (await import('./peers/jax')).jaxRunner('wasm', 'fwd-rev', jaxSync) },
  { id: 'jax-wasm-rr', load: async () => (await import('./peers/jax')).jaxRunner('wasm', 'rev-rev', jaxSync) },
  { id: 'jax-wasm-manual', load: async () => (await import('./peers/jax')).jaxRunner('wasm', 'rev-manual', jaxSync) },
  { id: 'tfjs-webgpu', load: async () => (await import('./peers/tfjs')).tfjsRunner('custom', 'double-backward') },
  { id: 'tfjs-webgpu-tangents', load: async () => (await import('./peers/tfjs')).tfjsRunner('builtin', 'tangents') },
  { id: 'tfjs-builtin-tanh', load: async () => (await import('./peers/tfjs')).tfjsRunner('builtin', 'double-backward'), checkOnly: true },
];
const selected = entries.filter((e) => !only || e.id === 'ours' || only.some((o) => e.id === o || e.id.startsWith(`${o}-`)));

const FALLBACK_NAMES: Record<string, [string, string, string]> = {
  ours: ['sobolev-webgpu', 'webgpu', oursFormulation('auto', [4, 64, 64, 1])],
  'ours-forward': ['sobolev-webgpu', 'webgpu', oursFormulation('forward', [4, 64, 64, 1])],
  'ours-reverse': ['sobolev-webgpu', 'webgpu', oursFormulation('reverse', [4, 64, 64, 1])],
  'jax-webgpu': ['jax-js', 'webgpu (jit)', 'reverse-over-forward'],
  'jax-webgpu-rr': ['jax-js', 'webgpu (jit)', 'reverse-over-reverse'],
  'jax-webgpu-manual': ['jax-js', 'webgpu (jit)', 'hand-written input gradient + grad'],
  'jax-wasm': ['jax-js', 'wasm (jit)', 'reverse-over-forward'],
  'jax-wasm-manual': ['jax-js', 'wasm (jit)', 'hand-written input gradient + grad'],
  'jax-wasm-rr': ['jax-js', 'wasm (jit)', 'reverse-over-reverse'],
  'tfjs-webgpu': ['TF.js', 'webgpu', 'double backward'],
  'tfjs-webgpu-tangents': ['TF.js', 'webgpu', 'hand-written tangents'],
  'tfjs-builtin-tanh': ['TF.js (built-in tanh)', 'webgpu', 'double backward'],
};

/** Normwise relative error, max over the parameter tensors. */
function gradientError(g: Gradients, ref: { weights: ArrayLike<number>[]; biases: ArrayLike<number>[] }): number {
  let worst = 0;
  const tensors: [ArrayLike<number>, ArrayLike<number>][] = [];
  ref.weights.forEach((w, l) => tensors.push([g.weights[l], w]));
  ref.biases.forEach((b, l) => tensors.push([g.biases[l], b]));
  for (const [a, b] of tensors) worst = Math.max(worst, a ? relErr(a, b) : Infinity);
  return worst;
}

const GRADIENT_TOLERANCE = 1e-3;

/** Per peer library and device: its fastest formulation (median ms/step) among those that ran
 *  and passed the gradient check, and our ratio to it. */
function bestPeers(rows: MainRow[], ours: number, oursBest: number): BestRow[] {
  const groups = new Map<string, MainRow[]>();
  for (const r of rows) {
    if (r.id?.startsWith('ours')) continue;
    const key = `${r.library}|${r.device}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: BestRow[] = [];
  for (const list of groups.values()) {
    const correct = list.filter((r) => r.status === 'ok' && r.gradientCheck === 'ok' && r.msPerStep !== undefined);
    const best = correct.sort((a, b) => a.msPerStep! - b.msPerStep!)[0];
    out.push({
      library: list[0].library,
      device: list[0].device,
      formulations: list.map((r) => `${r.formulation}: ${r.status !== 'ok' ? 'failed' : r.gradientCheck !== 'ok' ? `check ${r.gradientCheck ?? 'not run'}` : `${r.msPerStep!.toFixed(2)} ms`}`),
      ...(best ? { formulation: best.formulation, msPerStep: best.msPerStep, bestMsPerStep: best.bestMsPerStep, ratio: best.msPerStep! / ours, bestRatio: best.bestMsPerStep! / oursBest } : {}),
    });
  }
  return out;
}

async function main(): Promise<BenchResult> {
  const started = performance.now();
  const warnings: string[] = [];
  const ctx = await createContext();
  ctx.device.addEventListener('uncapturederror', (event) => {
    const message = `WebGPU uncaptured error (sobolev-webgpu device): ${(event as GPUUncapturedErrorEvent).error.message}`;
    warnings.push(message);
    console.error(message);
  });
  const adapter = ctx.adapterInfo;
  log(`adapter: ${adapter.vendor} / ${adapter.architecture} / ${adapter.description}; crossOriginIsolated=${crossOriginIsolated}, threads=${navigator.hardwareConcurrency}`);

  const sizes = [4, 64, 64, 1];
  const problem = makeProblem({ sizes, n: 1024, w: 0.5, learningRate: 1e-3, seed: 1 });
  const k = directionsOf(problem);
  // GFLOP/s and % of peak count the least arithmetic that gives the gradient (min(k, m) blocks).
  const flops = leastFlops(sizes, problem.n, k);
  const result: BenchResult = {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    adapter: { vendor: adapter.vendor, architecture: adapter.architecture, device: adapter.device, description: adapter.description },
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    quick,
    problem: { sizes, n: problem.n, k, w: problem.w, learningRate: problem.learningRate, mflopsPerStep: flops / 1e6, activation: 'tanh hidden, linear output', loss: "full-gradient loss ('all')" },
    checks: [],
    main: [],
    width: [],
    n: [],
    modes: [],
    warnings,
    totalSeconds: 0,
  };

  // --- Peak -----------------------------------------------------------------------------
  if (sections.has('peak')) {
    log('peak: FMA-chain kernel, dispatch overhead, round trip ...');
    result.peak = await measurePeak(ctx.device, quick ? 200 : 400);
    const pk = result.peak;
    log(`peak: fma ${pk.fmaGflops.toFixed(2)} GFLOP/s, mul+add ${pk.mulAddGflops.toFixed(2)} GFLOP/s, ${pk.dispatchUs.toFixed(1)} µs/dispatch, readback ${pk.readbackMs.toFixed(2)} ms`);
  }
  const peak = result.peak?.peakGflops;
  const pctOfPeak = (gflops: number) => (peak ? (100 * gflops) / peak : NaN);

  // --- Load the runners -----------------------------------------------------------------
  const runners = new Map<string, Runner>();
  const loadErrors = new Map<string, string>();
  for (const e of selected) {
    try {
      runners.set(e.id, await e.load(ctx));
    } catch (err) {
      loadErrors.set(e.id, `load: ${errorText(err)}`);
      log(`${e.id}: failed to load: ${errorText(err)}`);
    }
  }
  const names = (id: string): [string, string, string] => {
    const r = runners.get(id);
    return r ? [r.library, r.device, r.formulation] : FALLBACK_NAMES[id];
  };

  // --- Gradient check -------------------------------------------------------------------
  const checkStatus = new Map<string, CheckRow['status']>();
  if (sections.has('check')) {
    const small = makeProblem({ sizes, n: 64, w: 0.5, seed: 7 });
    const ref = refLossAndGradients(
      { sizes, activations: ['tanh', 'tanh', 'linear'], weights: small.weights, biases: small.biases },
      { x: small.x, y: small.y, dydx: small.dydx },
      small.n,
      { gradientWeight: small.w },
    );
    let oursGrad: Gradients | null = null;
    for (const e of selected) {
      const [library, device, formulation] = names(e.id);
      const row: CheckRow = { library, device, formulation, status: 'failed', refLoss: ref.loss };
      const runner = runners.get(e.id);
      if (!runner) row.error = loadErrors.get(e.id);
      else {
        try {
          log(`check: ${library} ${device} ...`);
          const g = await runner.gradients(small);
          if (e.id === 'ours') oursGrad = g;
          row.loss = g.loss;
          row.gradRelErr = gradientError(g, ref);
          if (oursGrad && e.id !== 'ours') row.vsOursRelErr = gradientError(g, oursGrad);
          const lossErr = Math.abs(g.loss - ref.loss) / Math.abs(ref.loss);
          row.status = row.gradRelErr <= GRADIENT_TOLERANCE && lossErr <= GRADIENT_TOLERANCE ? 'ok' : 'wrong';
          if (e.checkOnly) row.note = "TF.js's own tanh gradient (not timed): shows why the custom tanh is needed";
          if (row.status === 'wrong' && !e.checkOnly) warnings.push(`${library} ${device} ${formulation}: gradients disagree with the float64 reference (rel. error ${row.gradRelErr.toExponential(1)}, loss rel. error ${lossErr.toExponential(1)})`);
        } catch (err) {
          row.error = errorText(err);
        }
      }
      checkStatus.set(e.id, row.status);
      log(`check: ${library} ${device} ${formulation}: ${row.status}${row.gradRelErr !== undefined ? `, rel. error ${row.gradRelErr.toExponential(1)}` : ''}${row.error ? `: ${row.error}` : ''}`);
      result.checks.push(row);
    }
  }

  // --- Main comparison: interleaved blocks ----------------------------------------------
  let oursMsPerStep = NaN;
  let oursBestMsPerStep = NaN;
  if (sections.has('main')) {
    interface Live {
      id: string;
      runner: Runner;
      trainer: Trainer;
      steps: number;
      blocks: number[];
      warmupMs: number;
      maxBlocks: number;
    }
    const live: Live[] = [];
    const rows = new Map<string, MainRow>();
    const rounds = quick ? 3 : 5;
    for (const e of selected.filter((x) => !x.checkOnly)) {
      const [library, device, formulation] = names(e.id);
      const runner = runners.get(e.id);
      const row: MainRow = { id: e.id, library, device, formulation, method: runner?.method ?? '', status: 'failed', gradientCheck: checkStatus.get(e.id) };
      rows.set(e.id, row);
      if (!runner) {
        row.error = loadErrors.get(e.id);
        continue;
      }
      let trainer: Trainer | null = null;
      try {
        log(`main: ${library} ${device} ${formulation}: warm-up ...`);
        trainer = await runner.trainer(problem);
        // Warm-up (compilation), then a calibration run that sizes the timed blocks: every
        // library gets blocks of about the same duration, each ending with a readback.
        let t0 = performance.now();
        await trainer.run(2);
        const warmupMs = performance.now() - t0;
        t0 = performance.now();
        await trainer.run(3);
        const estimate = (performance.now() - t0) / 3;
        const target = quick ? 1000 : 2000;
        const steps = Math.max(e.id === 'ours' ? 3 : 1, Math.min(runner.maxStepsPerBlock ?? 400, Math.round(target / estimate)));
        // Keep a slow peer within about 90 s of timed blocks.
        const maxBlocks = Math.max(2, Math.min(rounds, Math.floor((quick ? 30_000 : 90_000) / (steps * estimate))));
        log(`main: ${library} ${device}: warm-up ${warmupMs.toFixed(0)} ms, ~${estimate.toFixed(2)} ms/step → blocks of ${steps} steps`);
        live.push({ id: e.id, runner, trainer, steps, blocks: [], warmupMs, maxBlocks });
      } catch (err) {
        row.error = errorText(err);
        log(`main: ${library} ${device}: failed: ${row.error}`);
        try {
          await trainer?.destroy();
        } catch {
          /* already broken */
        }
      }
      await pause();
    }
    for (let round = 0; round < rounds; round++) {
      for (const l of live) {
        if (l.blocks.length >= l.maxBlocks || rows.get(l.id)!.error) continue;
        try {
          const t0 = performance.now();
          await l.trainer.run(l.steps);
          l.blocks.push((performance.now() - t0) / l.steps);
          log(`main: round ${round + 1}: ${l.runner.library} ${l.runner.device} ${l.runner.formulation}: ${l.blocks[l.blocks.length - 1].toFixed(2)} ms/step`);
        } catch (err) {
          rows.get(l.id)!.error = errorText(err);
          log(`main: ${l.runner.library} ${l.runner.device}: failed: ${errorText(err)}`);
        }
        await pause();
      }
    }
    for (const l of live) {
      const row = rows.get(l.id)!;
      if (!row.error && l.blocks.length) {
        row.status = 'ok';
        row.msPerStep = median(l.blocks);
        row.blocks = l.blocks;
        row.bestMsPerStep = Math.min(...l.blocks);
        row.stepsPerBlock = l.steps;
        row.warmupMs = l.warmupMs;
        row.gflops = flops / (row.msPerStep * 1e6);
        row.pctPeak = pctOfPeak(row.gflops);
        try {
          row.loss = await l.trainer.lastLoss?.();
        } catch {
          /* a sanity figure only */
        }
        if (l.id === 'ours') {
          oursMsPerStep = row.msPerStep;
          oursBestMsPerStep = row.bestMsPerStep;
        }
      }
      try {
        await l.trainer.destroy();
      } catch (err) {
        warnings.push(`${l.runner.library} ${l.runner.device}: destroy: ${errorText(err)}`);
      }
    }
    for (const row of rows.values()) {
      if (row.msPerStep !== undefined && Number.isFinite(oursMsPerStep)) row.ratio = row.msPerStep / oursMsPerStep;
      if (row.bestMsPerStep !== undefined && Number.isFinite(oursBestMsPerStep)) row.bestRatio = row.bestMsPerStep / oursBestMsPerStep;
      result.main.push(row);
    }
    result.best = bestPeers(result.main, oursMsPerStep, oursBestMsPerStep);
  }

  // --- Profile of our step --------------------------------------------------------------
  if (sections.has('profile')) {
    log('profile: recording one fit() step and replaying its dispatches ...');
    const shape = [profileInputs, ...sizes.slice(1)];
    const profiled = profileInputs === sizes[0] ? problem : makeProblem({ sizes: shape, n: problem.n, w: problem.w, learningRate: problem.learningRate, seed: 1 });
    const ours = oursRunner(ctx, 'auto', shape);
    const trainer = await ours.trainer(profiled);
    result.profileFormulation = `${ours.formulation}, d = ${profileInputs}`;
    await trainer.run(2);
    // fit() itself, right here, to set against the replay of its recorded dispatches.
    const fitSteps = 5;
    const t0 = performance.now();
    await trainer.run(fitSteps);
    const fitHereMs = (performance.now() - t0) / fitSteps;
    log(`profile: fit() ${fitHereMs.toFixed(2)} ms/step over ${fitSteps} steps`);
    const recording = await recordDispatches(() => trainer.run(1));
    try {
      const empty = result.peak?.submitMs ?? 0;
      const profile = await profileDispatches(ctx.device, recording.dispatches, empty, quick ? 50 : 100);
      annotateMlpStep(profile.kernels, shape, problem.n, Math.min(profileInputs, shape[shape.length - 1]), ours.formulation.startsWith('cotangents'));
      profile.byLabel = summarizeByLabel(profile.kernels);
      result.profile = { ...profile, dispatchFloorMs: (profile.dispatchesPerStep * (result.peak?.dispatchUs ?? NaN)) / 1000, fitMsPerStep: fitHereMs };
      log(`profile: ${profile.dispatchesPerStep} dispatches/step, isolated sum ${profile.sumMs.toFixed(2)} ms, replayed step ${profile.replayMsPerStep.toFixed(2)} ms`);
      for (const k of profile.byLabel) log(`profile:   ${k.label} ×${k.count}: ${k.ms.toFixed(3)} ms`);
    } finally {
      await trainer.destroy();
      recording.release();
    }
  }

  // --- Kernel A/B (the direct GEMM path's switches) ----------------------------------------
  if (sections.has('kernels') && !ctx.tiledGemm) {
    log('kernels: each direct-GEMM change against the path without it ...');
    result.kernels = await compareKernels(ctx, quick ? 3 : 7, log);
  }

  // --- Sweeps (our library only) --------------------------------------------------------
  const dispatchesPerStep = result.profile?.dispatchesPerStep;
  const sweep = async (label: string, width: number, n: number): Promise<SweepRow> => {
    const s = [4, width, width, 1];
    const fl = stepFlops(s, n, 4).total;
    const row: SweepRow = { width, n, rows: 5 * n, mflopsPerStep: fl / 1e6, msPerStep: NaN, blocks: [], stepsPerBlock: 0, gflops: NaN, pctPeak: NaN };
    if (dispatchesPerStep && result.peak) row.dispatchFloorMs = (dispatchesPerStep * result.peak.dispatchUs) / 1000;
    let trainer: Trainer | null = null;
    try {
      const p: Problem = makeProblem({ sizes: s, n, w: 0.5, learningRate: 1e-3, seed: 3 });
      trainer = await oursRunner(ctx).trainer(p);
      const options: TimingOptions = {
        warmSteps: 1,
        calibrationSteps: 2,
        targetBlockMs: quick ? 600 : 1500,
        minSteps: 1,
        maxSteps: 200,
        repeats: quick ? 2 : 3,
        budgetMs: quick ? 6000 : 12000,
        // Past this the size is listed as skipped (keeps `npm run bench` within ~10 min here).
        maxMsPerStep: quick ? 4000 : 8000,
      };
      const t = await timeTrainer(trainer, options, (m) => log(`${label}: ${m}`));
      row.msPerStep = t.msPerStep;
      row.blocks = t.blocks;
      row.stepsPerBlock = t.stepsPerBlock;
      row.gflops = fl / (t.msPerStep * 1e6);
      row.pctPeak = pctOfPeak(row.gflops);
      log(`${label}: ${t.msPerStep.toFixed(2)} ms/step, ${row.gflops.toFixed(2)} GFLOP/s`);
    } catch (err) {
      row.error = err instanceof SkippedError ? err.message : `failed: ${errorText(err)}`;
      if (err instanceof SkippedError) row.msPerStep = err.msPerStep;
      log(`${label}: ${row.error}`);
    } finally {
      await trainer?.destroy();
    }
    await pause();
    return row;
  };
  // Sizes grow until one is too slow for this adapter; the larger ones are then listed as skipped.
  const sweepAll = async (label: string, points: [number, number][], into: SweepRow[]) => {
    let skipping = false;
    for (const [width, n] of points) {
      if (skipping) {
        const fl = stepFlops([4, width, width, 1], n, 4).total;
        into.push({ width, n, rows: 5 * n, mflopsPerStep: fl / 1e6, msPerStep: NaN, blocks: [], stepsPerBlock: 0, gflops: NaN, pctPeak: NaN, error: 'skipped: a smaller size was already too slow here' });
        continue;
      }
      const row = await sweep(`${label} ${label === 'width' ? width : n}`, width, n);
      into.push(row);
      if (row.error?.startsWith('skipped')) skipping = true;
    }
  };
  if (sections.has('width')) {
    const widths = quick ? [16, 64, 256] : [16, 32, 64, 128, 256, 512];
    await sweepAll('width', widths.map((w) => [w, 1024]), result.width);
  }
  if (sections.has('n')) {
    const ns = quick ? [256, 1024, 4096] : [256, 512, 1024, 2048, 4096, 8192, 16384];
    await sweepAll('N', ns.map((n) => [64, n]), result.n);
  }

  // --- Each jacobianMode against d (one output) and against m (d = 8) ---------------------
  if (sections.has('modes')) {
    const points: [number, number][] = [...(quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32]).map((d): [number, number] => [d, 1]), ...(quick ? [4] : [2, 4, 8]).map((m): [number, number] => [8, m])];
    for (const [d, m] of points) {
      const s = [d, 64, 64, m];
      const p = makeProblem({ sizes: s, n: 1024, w: 0.5, learningRate: 1e-3, seed: 5 });
      const least = leastFlops(s, p.n, d);
      // The three modes' blocks interleaved (as the main comparison's), so a change in the
      // machine's load hits all of them alike.
      const live: { row: ModeRow; trainer: Trainer; steps: number }[] = [];
      for (const mode of ['forward', 'reverse', 'auto'] as const) {
        const row: ModeRow = { d, m, mode, ran: mode === 'auto' ? (m < d ? 'reverse' : 'forward') : mode, mflopsLeast: least / 1e6, msPerStep: NaN, blocks: [], gflops: NaN, pctPeak: NaN };
        result.modes.push(row);
        let trainer: Trainer | null = null;
        try {
          trainer = await oursRunner(ctx, mode, s).trainer(p);
          await trainer.run(1);
          const t0 = performance.now();
          await trainer.run(1);
          const estimate = performance.now() - t0;
          if (estimate > (quick ? 4000 : 8000)) throw new SkippedError(estimate);
          live.push({ row, trainer, steps: Math.max(1, Math.min(200, Math.round((quick ? 600 : 1500) / estimate))) });
        } catch (err) {
          row.error = err instanceof SkippedError ? err.message : `failed: ${errorText(err)}`;
          log(`modes d=${d} m=${m} ${mode}: ${row.error}`);
          await trainer?.destroy();
        }
      }
      for (let round = 0; round < (quick ? 3 : 5); round++) {
        for (const l of live) {
          const t0 = performance.now();
          await l.trainer.run(l.steps);
          l.row.blocks.push((performance.now() - t0) / l.steps);
          await pause();
        }
      }
      for (const { row, trainer } of live) {
        row.msPerStep = median(row.blocks);
        row.gflops = least / (row.msPerStep * 1e6);
        row.pctPeak = pctOfPeak(row.gflops);
        log(`modes d=${d} m=${m} ${row.mode}: ${row.msPerStep.toFixed(2)} ms/step`);
        await trainer.destroy();
      }
    }
  }

  for (const r of runners.values()) {
    try {
      await r.dispose?.();
    } catch {
      /* best effort */
    }
  }
  ctx.destroy();
  result.totalSeconds = (performance.now() - started) / 1000;
  return result;
}

function render(result: BenchResult, markdown: string): void {
  const out = document.getElementById('report')!;
  out.textContent = markdown;
  document.title = `bench: ${result.main.find((m) => m.library === 'sobolev-webgpu')?.msPerStep?.toFixed(2) ?? '?'} ms/step`;
}

window.__bench = { state: 'running' };
main().then(
  (result) => {
    const markdown = toMarkdown(result);
    render(result, markdown);
    window.__bench = { state: 'done', result, markdown };
    log('done');
  },
  (err) => {
    const message = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    log(`FAILED: ${message}`);
    window.__bench = { state: 'error', error: message };
  },
);
