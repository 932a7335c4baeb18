// The benchmark for a machine with a GPU and no browser (bench/gpu/run.sh runs it from the
// bundle that bench/gpu/bundle.mjs builds): in Node on Dawn, on the machine's GPU (or on
// SwiftShader with --swiftshader),
//   1. the README's step (4 → 64 → 64 → 1 tanh, N = 1024 full batch, all k = 4 input
//      derivatives, w = 0.5, Adam) in each jacobianMode (forward: k stacked tangent blocks,
//      reverse: m = 1 cotangent block; 'auto' runs reverse here): our gradient against the
//      float64 reference, ms per step, the FMA peak of the adapter and the per-kernel profile
//      of one step; then each mode's step against the inputs d (one output);
//   2. the grouped sweep of bench/group.ts (the toy2d grid, 32 networks, batch 10): one MlpGroup
//      against one network at a time, and model i of the group bitwise against the lone model;
//   3. unless --no-cuda, the PyTorch CUDA peer (bench/gpu/torch_peer.py: double backward
//      through torch.autograd.grad(create_graph=True), and torch.func), its gradients checked
//      against the float64 reference and ours on the same problem.
// Writes <out>/gpu-bench.json and <out>/gpu-bench.md; exits 1 when a gradient check fails.
//   node node-bench.mjs [--swiftshader [ICD]] [--no-cuda] [--quick] [--out DIR] [--python PY]
//                       [--torch-device cuda|cpu] [--icd-setup MODULE]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createNodeContext } from '../../src/node/index';
import type { Context } from '../../src/index';
import { refLossAndGradients } from '../../src/reference/index';
import { median, relErr } from '../../src/util/stats';
import { dataset, ETAS, grid, groupFlops, runGrouped, runSequential, stepsOf } from '../grid';
import { measurePeak, type PeakResult } from '../peak';
import { oursRunner } from '../peers/ours';
import type { Gradients } from '../peers/types';
import { directionsOf, leastFlops, makeProblem, type Problem } from '../problem';
import { annotateMlpStep, profileDispatches, recordDispatches, summarizeByLabel, type StepProfile } from '../profile';
import { timeTrainer } from '../timing';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length && !args[i + 1].startsWith('--') ? args[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(option('out') ?? process.env.OUT ?? 'gpu-bench-out');
const swiftshader = flag('swiftshader') ? (option('swiftshader') ?? process.env.SOBOLEV_WEBGPU_SWIFTSHADER_ICD ?? true) : false;
const quick = flag('quick');
const noCuda = flag('no-cuda');
const TOLERANCE = 1e-3;
/** --sections step,modes,grid,grid-timing,torch (default: all). */
const sectionList = option('sections')?.split(',');
const want = (name: string) => !sectionList || sectionList.includes(name);
const log = (m: string) => console.log(`[gpu-bench] ${m}`);

/** Max over parameter tensors of ‖g − ref‖∞ / ‖ref‖∞. */
function gradientError(g: Gradients, ref: { weights: ArrayLike<number>[]; biases: ArrayLike<number>[] }): number {
  let worst = 0;
  ref.weights.forEach((w, l) => (worst = Math.max(worst, relErr(g.weights[l], w))));
  ref.biases.forEach((b, l) => (worst = Math.max(worst, relErr(g.biases[l], b))));
  return worst;
}

const refOf = (p: Problem) =>
  refLossAndGradients({ sizes: p.sizes, activations: p.sizes.slice(1).map((_, l) => (l < p.sizes.length - 2 ? 'tanh' : 'linear')), weights: p.weights, biases: p.biases }, { x: p.x, y: p.y, dydx: p.dydx }, p.n, { gradientWeight: p.w });

interface Check {
  what: string;
  relErr: number;
  lossRelErr?: number;
  ok: boolean;
}

const MODES = ['forward', 'reverse'] as const;
type Mode = (typeof MODES)[number];

async function stepSection(ctx: Context, peak: PeakResult | undefined, checks: Check[], mode: Mode) {
  const sizes = [4, 64, 64, 1];
  const problem = makeProblem({ sizes, n: 1024, w: 0.5, learningRate: 1e-3, seed: 1 });
  const k = directionsOf(problem);
  // GFLOP/s from the least arithmetic that gives the gradient (min(k, m) blocks), in both modes.
  const flops = leastFlops(sizes, problem.n, k);
  const ours = oursRunner(ctx, mode);
  // Gradient at the initial parameters of the timed problem itself, against float64.
  const ref = refOf(problem);
  const g = await ours.gradients(problem);
  const err = gradientError(g, ref);
  const lossErr = Math.abs(g.loss - ref.loss) / Math.abs(ref.loss);
  checks.push({ what: `sobolev-webgpu step gradient (${mode}) vs float64 reference (N = 1024)`, relErr: err, lossRelErr: lossErr, ok: err <= TOLERANCE && lossErr <= TOLERANCE });
  log(`step (${mode}): gradient rel. error ${err.toExponential(2)} vs float64, loss ${g.loss.toFixed(6)} (reference ${ref.loss.toFixed(6)})`);

  const trainer = await ours.trainer(problem);
  let timing;
  let profile: (StepProfile & { fitMsPerStep: number }) | undefined;
  try {
    timing = await timeTrainer(
      trainer,
      { warmSteps: 2, calibrationSteps: 5, targetBlockMs: quick ? 500 : 1500, minSteps: 3, maxSteps: 2000, repeats: quick ? 3 : 7, budgetMs: quick ? 8000 : 30000 },
      (m) => log(`step (${mode}): ${m}`),
    );
    log(`step (${mode}): ${timing.msPerStep.toFixed(3)} ms/step (median of ${timing.blocks.length} blocks of ${timing.stepsPerBlock})`);
    try {
      const recording = await recordDispatches(() => trainer.run(1));
      try {
        const p = await profileDispatches(ctx.device, recording.dispatches, peak?.submitMs ?? 0, quick ? 50 : 100);
        annotateMlpStep(p.kernels, sizes, problem.n, mode === 'reverse' ? 1 : k, mode === 'reverse');
        p.byLabel = summarizeByLabel(p.kernels);
        profile = { ...p, fitMsPerStep: timing.msPerStep };
        log(`profile: ${p.dispatchesPerStep} dispatches, replayed step ${p.replayMsPerStep.toFixed(3)} ms, isolated sum ${p.sumMs.toFixed(3)} ms`);
      } finally {
        recording.release();
      }
    } catch (error) {
      log(`profile: not available here (${error instanceof Error ? error.message : error})`);
    }
  } finally {
    await trainer.destroy();
  }
  return { mode, problem, ref, ours: g, flops, timing, profile, gflops: flops / (timing.msPerStep * 1e6) };
}

/** Each mode's step (d → 64 → 64 → 1 tanh, N = 1024, 'all') against the inputs d. */
async function modesSection(ctx: Context) {
  const rows: { d: number; mode: Mode; msPerStep: number; mflopsLeast: number }[] = [];
  for (const d of quick ? [1, 4] : [1, 2, 4, 8, 16, 32]) {
    const sizes = [d, 64, 64, 1];
    const problem = makeProblem({ sizes, n: 1024, w: 0.5, learningRate: 1e-3, seed: 5 });
    for (const mode of MODES) {
      const trainer = await oursRunner(ctx, mode, sizes).trainer(problem);
      try {
        const t = await timeTrainer(trainer, { warmSteps: 2, calibrationSteps: 3, targetBlockMs: quick ? 300 : 1000, minSteps: 1, maxSteps: 2000, repeats: quick ? 2 : 5, budgetMs: quick ? 4000 : 15000 });
        rows.push({ d, mode, msPerStep: t.msPerStep, mflopsLeast: leastFlops(sizes, problem.n, d) / 1e6 });
        log(`modes: d = ${d} ${mode}: ${t.msPerStep.toFixed(3)} ms/step`);
      } finally {
        await trainer.destroy();
      }
    }
  }
  return rows;
}

async function gridSection(ctx: Context, checks: Check[]) {
  const weights = [0, 0.5];
  const models = grid(1, ETAS, weights);
  const data = [dataset(1000)];
  // Check: 2 epochs, model i of the group vs the lone model with its spec, seed and options.
  const gp: Float32Array[][] = [];
  const sp: Float32Array[][] = [];
  const gl: number[] = [];
  const sl: number[] = [];
  const flat = (p: { weights: Float32Array[]; biases: Float32Array[] }) => [...p.weights, ...p.biases];
  await runGrouped(ctx, models, data, 2, (i, p, l) => ((gp[i] = flat(p)), (gl[i] = l)));
  await runSequential(ctx, models, data, 2, (i, p, l) => ((sp[i] = flat(p)), (sl[i] = l)));
  let identical = 0;
  let worst = 0;
  const differing: string[] = [];
  for (let i = 0; i < models.length; i++) {
    // Parameters bitwise; the reported loss within 1e-6 (MlpGroup sums its reported losses
    // in double, a lone Mlp reports the float32 figure).
    const same = Math.abs(gl[i] - sl[i]) <= 1e-6 * Math.abs(sl[i]) && gp[i].every((t, j) => t.length === sp[i][j].length && t.every((v, q) => Object.is(v, sp[i][j][q])));
    const e = Math.max(...gp[i].map((t, j) => relErr(t, sp[i][j])));
    worst = Math.max(worst, e);
    if (same) identical++;
    else differing.push(`η ${models[i].eta} w ${models[i].w}: ${e.toExponential(1)}, loss ${gl[i]} vs ${sl[i]}`);
  }
  checks.push({ what: `grouped toy2d grid: model i of the group has bitwise the lone model's parameters (${models.length} models, 2 epochs)`, relErr: worst, ok: identical === models.length });
  log(`grid: ${identical}/${models.length} models bitwise identical to their lone fits (max parameter rel. difference ${worst.toExponential(1)})`);
  for (const d of differing.slice(0, 6)) log(`grid:   differs: ${d}`);
  if (sectionList && !sectionList.includes('grid-timing')) return { models: models.length, identical, worst };

  const rounds = quick ? 2 : 3;
  const t = { g1: [] as number[], g3: [] as number[], s1: [] as number[], s3: [] as number[] };
  await runGrouped(ctx, models, data, 1); // warm every pipeline
  await runSequential(ctx, models, data, 1);
  for (let r = 0; r < rounds; r++) {
    t.g1.push(await runGrouped(ctx, models, data, 1));
    t.s1.push(await runSequential(ctx, models, data, 1));
    t.g3.push(await runGrouped(ctx, models, data, 3));
    t.s3.push(await runSequential(ctx, models, data, 3));
    log(`grid: round ${r + 1}: grouped ${t.g1[r].toFixed(0)} / ${t.g3[r].toFixed(0)} ms, one at a time ${t.s1[r].toFixed(0)} / ${t.s3[r].toFixed(0)} ms (1 / 3 epochs)`);
  }
  const extra = stepsOf(3) - stepsOf(1);
  const groupedMsPerStep = (median(t.g3) - median(t.g1)) / extra;
  const sequentialMsPerStep = (median(t.s3) - median(t.s1)) / extra;
  const flops = groupFlops(models);
  return {
    models: models.length,
    stepsPerEpoch: stepsOf(1),
    groupedMs: median(t.g1),
    sequentialMs: median(t.s1),
    speedupWholeCalls: median(t.s1) / median(t.g1),
    groupedMsPerStep,
    sequentialMsPerStep,
    speedupPerStep: sequentialMsPerStep / groupedMsPerStep,
    mflopsPerGroupedStep: flops / 1e6,
    groupedGflops: flops / (groupedMsPerStep * 1e6),
    identical,
    raw: t,
  };
}

function torchSection(step: Awaited<ReturnType<typeof stepSection>>, checks: Check[]) {
  const p = step.problem;
  const problemFile = join(outDir, 'torch-problem.json');
  const resultFile = join(outDir, 'torch-result.json');
  const arr = (a: ArrayLike<number>) => Array.from(a);
  writeFileSync(
    problemFile,
    JSON.stringify({
      sizes: p.sizes, n: p.n, w: p.w, learningRate: p.learningRate, x: arr(p.x), y: arr(p.y), dydx: arr(p.dydx),
      weights: p.weights.map(arr), biases: p.biases.map(arr),
      reference: { loss: step.ref.loss, weights: step.ref.weights.map(arr), biases: step.ref.biases.map(arr) },
      ours: { loss: step.ours.loss, weights: step.ours.weights.map(arr), biases: step.ours.biases.map(arr) },
      tolerance: TOLERANCE, quick,
    }),
  );
  const python = option('python') ?? process.env.PYTHON ?? 'python3';
  const script = existsSync(join(here, 'torch_peer.py')) ? join(here, 'torch_peer.py') : resolve('bench/gpu/torch_peer.py');
  log(`torch: ${python} ${script} (device ${option('torch-device') ?? 'cuda'}) ...`);
  const run = spawnSync(python, [script, '--problem', problemFile, '--out', resultFile, '--device', option('torch-device') ?? 'cuda'], { stdio: 'inherit', env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  if (run.status !== 0 || !existsSync(resultFile)) {
    checks.push({ what: 'PyTorch peer ran', relErr: Infinity, ok: false });
    return { error: `torch_peer.py exited with ${run.status}${run.error ? ` (${run.error.message})` : ''}` };
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  for (const f of result.formulations) {
    checks.push({ what: `PyTorch ${f.name} gradient vs float64 reference`, relErr: f.relErrReference, lossRelErr: f.lossRelErr, ok: f.ok });
  }
  return result;
}

function markdown(r: Record<string, any>): string {
  const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
  const lines = ['# One-call GPU benchmark (bench/gpu/run.sh)', ''];
  lines.push(`- Date: ${r.date}; adapter: ${r.adapter}; driver: ${r.driver}; mode: ${r.mode}`);
  lines.push(`- Node ${process.version}, Dawn (the webgpu package); ${r.gpuName ? `GPU: ${r.gpuName}` : 'no nvidia-smi'}`);
  if (r.peak) lines.push(`- FMA peak (WGSL FMA-chain kernel, ${r.peak.workgroups} workgroups): ${f(r.peak.peakGflops)} GFLOP/s; ${f(r.peak.dispatchUs, 1)} µs per dispatch`);
  lines.push('', '## The step (4→64→64→1 tanh, N = 1024, k = 4, w = 0.5, Adam)', '');
  const s = r.steps.reverse ?? r.steps.forward;
  lines.push('| library | formulation | ms/step (median) | ratio to ours (reverse) | gradient rel. error vs float64 | check |', '|---|---|---:|---:|---:|---|');
  for (const mode of MODES) {
    const own = r.steps[mode];
    if (!own) continue;
    const oursCheck = r.checks.find((c: Check) => c.what.startsWith(`sobolev-webgpu step gradient (${mode})`));
    const name = mode === 'reverse' ? "cotangents, reverse-over-reverse (jacobianMode 'reverse'; 'auto' picks it)" : "stacked tangents, reverse-over-forward (jacobianMode 'forward')";
    lines.push(`| sobolev-webgpu (Dawn) | ${name} | ${f(own.msPerStep, 3)} | ${f(own.msPerStep / s.msPerStep)}× | ${oursCheck?.relErr.toExponential(1)} | ${oursCheck?.ok ? 'ok' : 'WRONG'} |`);
  }
  for (const t of r.torch?.formulations ?? []) {
    lines.push(`| PyTorch ${r.torch.device} | ${t.name} | ${f(t.msPerStep, 3)} | ${f(t.msPerStep / s.msPerStep)}× | ${t.relErrReference.toExponential(1)} (vs ours ${t.relErrOurs.toExponential(1)}) | ${t.ok ? 'ok' : 'WRONG'} |`);
  }
  if (r.torch?.error) lines.push(`| PyTorch | – | failed: ${r.torch.error} | | | |`);
  if (!r.torch) lines.push('| PyTorch | – | skipped (--no-cuda) | | | |');
  lines.push('', `Ratio: their ms/step ÷ ours in reverse mode (> 1: sobolev-webgpu is faster). Ours (reverse): ${f(s.gflops)} GFLOP/s${r.peak ? `, ${f((100 * s.gflops) / r.peak.peakGflops, 1)} % of the FMA peak` : ''} (${f(s.mflops, 1)} MFLOP per step: the least arithmetic that gives the gradient, min(k, m) = 1 stacked block; both modes' GFLOP/s use it).`, '');
  for (const mode of MODES) {
    const own = r.steps[mode];
    if (!own?.profile) continue;
    lines.push(`Profile (${mode}): ${own.profile.dispatchesPerStep} dispatches per step, replayed back to back ${f(own.profile.replayMsPerStep, 3)} ms, each alone summed ${f(own.profile.sumMs, 3)} ms.`, '');
    lines.push('| kernel | dispatches | ms/step (isolated) | GFLOP/s |', '|---|---:|---:|---:|');
    for (const k of own.profile.byLabel) lines.push(`| ${k.label.replace(/\|/g, '\\|')} | ${k.count} | ${f(k.ms, 3)} | ${f(k.gflops)} |`);
    lines.push('');
  }
  if (r.modes?.length) {
    lines.push('## Each mode against the inputs d (d → 64 → 64 → 1 tanh, N = 1024, all d derivatives)', '');
    lines.push('| d | forward ms/step | reverse ms/step | forward ÷ reverse | reverse vs its d = 1 step |', '|---:|---:|---:|---:|---:|');
    const at = (d: number, mode: Mode) => r.modes.find((x: { d: number; mode: Mode }) => x.d === d && x.mode === mode)?.msPerStep;
    for (const d of [...new Set<number>(r.modes.map((x: { d: number }) => x.d))]) {
      lines.push(`| ${d} | ${f(at(d, 'forward'), 3)} | ${f(at(d, 'reverse'), 3)} | ${f(at(d, 'forward')! / at(d, 'reverse')!)}× | ${f(at(d, 'reverse')! / at(1, 'reverse')!)}× |`);
    }
    lines.push('');
  }
  const g = r.grid;
  lines.push('## The grouped sweep (toy2d grid: 32 networks, 2 → 4×4η → 1, batch 10)', '');
  lines.push('| grouped (s) | one at a time (s) | speed-up (whole 1-epoch calls) | grouped ms/step | one at a time ms/step | speed-up (per step) | grouped GFLOP/s | bitwise = lone |', '|---:|---:|---:|---:|---:|---:|---:|---|');
  lines.push(`| ${f(g.groupedMs / 1000)} | ${f(g.sequentialMs / 1000)} | ${f(g.speedupWholeCalls)}× | ${f(g.groupedMsPerStep, 3)} | ${f(g.sequentialMsPerStep, 3)} | ${f(g.speedupPerStep)}× | ${f(g.groupedGflops)} | ${g.identical}/${g.models} |`);
  lines.push('', '## Checks', '');
  for (const c of r.checks) lines.push(`- ${c.ok ? 'ok' : '**FAILED**'}: ${c.what} (${Number.isFinite(c.relErr) ? c.relErr.toExponential(1) : c.relErr}${c.lossRelErr !== undefined ? `, loss ${c.lossRelErr.toExponential(1)}` : ''})`);
  return `${lines.join('\n')}\n`;
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  // A GPU's Vulkan driver outside the loader's folders (NVIDIA's container mount): the
  // reproduction's Node runner knows where to look (scripts/reproduce-node.mjs preferGpuDriver).
  let driver = swiftshader ? 'SwiftShader (asked for)' : 'the Vulkan loader\'s default drivers';
  const setup = option('icd-setup') ?? process.env.SOBOLEV_ICD_SETUP;
  if (!swiftshader && setup) {
    try {
      const mod = await import(pathToFileURL(resolve(setup)).href);
      driver = mod.preferGpuDriver();
    } catch (error) {
      log(`icd setup (${setup}) failed: ${error instanceof Error ? error.message : error}`);
    }
  }
  const ctx = await createNodeContext({ swiftshader, adapter: { powerPreference: 'high-performance' } });
  // --prefs '{"directTransposeB":false}': GemmPreferences switches (bench/kernels.ts) for an A/B run.
  const prefs = option('prefs');
  if (prefs) Object.assign(ctx, JSON.parse(prefs));
  const info = ctx.adapterInfo;
  const adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown';
  log(`adapter: ${adapter}; driver: ${driver}; tiled GEMM: ${ctx.tiledGemm}`);
  const gpuName = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], { encoding: 'utf8' }).stdout?.trim() || undefined;
  const checks: Check[] = [];
  let peak: (PeakResult & { workgroups: number }) | undefined;
  try {
    const workgroups = ctx.tiledGemm ? 8192 : 256;
    peak = { ...(await measurePeak(ctx.device, quick ? 200 : 400, workgroups)), workgroups };
    log(`peak: ${peak.peakGflops.toFixed(1)} GFLOP/s, ${peak.dispatchUs.toFixed(1)} µs per dispatch`);
  } catch (error) {
    log(`peak: failed (${error instanceof Error ? error.message : error})`);
  }
  if (!want('step')) {
    await gridSection(ctx, checks);
    for (const c of checks) log(`${c.ok ? 'ok' : 'FAILED'}: ${c.what}`);
    process.exit(checks.every((c) => c.ok) ? 0 : 1);
  }
  const steps: Partial<Record<Mode, Awaited<ReturnType<typeof stepSection>>>> = {};
  for (const mode of MODES) steps[mode] = await stepSection(ctx, peak, checks, mode);
  const modes = want('modes') ? await modesSection(ctx) : undefined;
  const gridResult = await gridSection(ctx, checks);
  ctx.destroy();
  const torch = noCuda ? undefined : torchSection(steps.reverse!, checks);
  const result = {
    date: new Date().toISOString(),
    adapter,
    driver,
    gpuName,
    mode: swiftshader ? 'SwiftShader' : 'GPU',
    peak,
    steps: Object.fromEntries(
      Object.entries(steps).map(([mode, s]) => [mode, { msPerStep: s.timing.msPerStep, blocks: s.timing.blocks, stepsPerBlock: s.timing.stepsPerBlock, mflops: s.flops / 1e6, gflops: s.gflops, profile: s.profile }]),
    ),
    modes,
    grid: gridResult,
    torch,
    checks,
    seconds: (performance.now() - started) / 1000,
  };
  writeFileSync(join(outDir, 'gpu-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result);
  writeFileSync(join(outDir, 'gpu-bench.md'), md);
  console.log(`\n${md}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    log(`FAILED checks: ${failed.map((c) => c.what).join('; ')}`);
    process.exit(1);
  }
  log(`all ${checks.length} checks passed; ${result.seconds.toFixed(0)} s; wrote ${join(outDir, 'gpu-bench.json')} and gpu-bench.md`);
  process.exit(0);
}

main().catch((error) => {
  console.error(`[gpu-bench] ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exit(1);
});
