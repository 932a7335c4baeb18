// The playground page: pick or type a function, train a baseline and a GI network side by side
// (one MlpGroup of two) with live loss curves, then see both fits and their test errors.
// For tests and scripts the page exposes window.__playground (see PlaygroundGlobals).
import { createContext, type Context, type FitProgress, type GpuStats } from '../../src/index';
import { num } from '../shared/figure';
import { probeWebGpu, problemFromError, renderWebGpuProblem } from '../shared/webgpu';
import { compileTarget, ExpressionError, PRESETS, type TargetFunction } from './functions';
import { drawFit1d, drawHeatMaps, LossChart } from './plots';
import { DEFAULTS, gridSide, testGrid, trainingSamples, trainPair, type PairResult, type PlaygroundSettings } from './train';

interface PlaygroundGlobals {
  __playground: {
    ready: boolean;
    running: boolean;
    /** onProgress calls received, over all runs. */
    progressEvents: number;
    runs: number;
    /** The context's buffer counts (null without WebGPU). */
    stats(): GpuStats | null;
    result: null | { aborted: boolean; epochs: number[]; rmse: number[]; gradientRmse: number[]; seconds: number };
    error: string | null;
  };
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLElement>('status');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const progressBar = $<HTMLProgressElement>('progress');
const exprInput = $<HTMLInputElement>('expr');
const exprInfo = $<HTMLElement>('expr-info');
const presetSelect = $<HTMLSelectElement>('preset');

let ctx: Context | null = null;
let controller: AbortController | null = null;
let lossChart: LossChart | null = null;
let fitCharts: { destroy(): void }[] = [];

const g = globalThis as unknown as PlaygroundGlobals;
g.__playground = { ready: false, running: false, progressEvents: 0, runs: 0, stats: () => ctx?.stats() ?? null, result: null, error: null };

// ---- controls -------------------------------------------------------------------------

const fields = {
  n: $<HTMLInputElement>('n'), noise: $<HTMLInputElement>('noise'), width: $<HTMLInputElement>('width'), layers: $<HTMLInputElement>('layers'),
  w: $<HTMLInputElement>('w'), directions: $<HTMLSelectElement>('directions'), epochs: $<HTMLInputElement>('epochs'), lr: $<HTMLInputElement>('lr'),
  batch: $<HTMLInputElement>('batch'), seed: $<HTMLInputElement>('seed'), lo: $<HTMLInputElement>('lo'), hi: $<HTMLInputElement>('hi'),
};

function setPreset(index: number): void {
  const p = PRESETS[index];
  presetSelect.value = String(index);
  exprInput.value = p.expression;
  fields.lo.value = String(p.domain[0]);
  fields.hi.value = String(p.domain[1]);
  checkExpression();
}

PRESETS.forEach((p, i) => presetSelect.append(new Option(p.label, String(i))));
presetSelect.append(new Option('custom (typed below)', 'custom'));
presetSelect.addEventListener('change', () => presetSelect.value !== 'custom' && setPreset(Number(presetSelect.value)));
exprInput.addEventListener('input', () => {
  presetSelect.value = PRESETS.findIndex((p) => p.expression === exprInput.value.trim()) >= 0 ? String(PRESETS.findIndex((p) => p.expression === exprInput.value.trim())) : 'custom';
  checkExpression();
});

fields.n.value = String(DEFAULTS.n);
fields.noise.value = String(DEFAULTS.noise);
fields.width.value = String(DEFAULTS.width);
fields.layers.value = String(DEFAULTS.layers);
fields.w.value = String(DEFAULTS.w);
fields.directions.value = String(DEFAULTS.directions);
fields.epochs.value = String(DEFAULTS.epochs);
fields.lr.value = String(DEFAULTS.learningRate);
fields.batch.value = String(DEFAULTS.batchSize);
fields.seed.value = String(DEFAULTS.seed);
setPreset(0);

// URL parameters fill the form (?f=sin(x)*y&n=30&epochs=200…; autorun=1 starts a run).
const params = new URLSearchParams(location.search);
if (params.has('f')) {
  exprInput.value = params.get('f')!;
  presetSelect.value = 'custom';
}
for (const [name, el] of Object.entries(fields)) if (params.has(name)) el.value = params.get(name)!;
checkExpression();

function checkExpression(): TargetFunction | null {
  try {
    const t = compileTarget(exprInput.value.trim());
    exprInput.removeAttribute('aria-invalid');
    exprInfo.className = 'hint';
    exprInfo.textContent = `${t.variables.length}-D; mathjs: ${t.variables.map((v, i) => `∂f/∂${v} = ${t.derivatives[i]}`).join(';  ')}`;
    return t;
  } catch (e) {
    exprInput.setAttribute('aria-invalid', 'true');
    exprInfo.className = 'hint error';
    exprInfo.textContent = e instanceof ExpressionError ? e.message : String(e);
    return null;
  }
}

function readSettings(): PlaygroundSettings {
  const int = (el: HTMLInputElement, lo: number, hi: number, name: string) => {
    const v = Number(el.value);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be a whole number from ${lo} to ${hi}`);
    return v;
  };
  const real = (el: HTMLInputElement, lo: number, hi: number, name: string) => {
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${name} must be a number from ${lo} to ${hi}`);
    return v;
  };
  const lo = real(fields.lo, -1e6, 1e6, 'the domain start');
  const hi = real(fields.hi, -1e6, 1e6, 'the domain end');
  if (!(hi > lo)) throw new RangeError('the domain end must be above its start');
  const dirs = fields.directions.value;
  return {
    n: int(fields.n, 2, 5000, 'N'),
    noise: real(fields.noise, 0, 1e6, 'noise σ'),
    width: int(fields.width, 1, 512, 'width'),
    layers: int(fields.layers, 1, 8, 'hidden layers'),
    w: real(fields.w, 0.01, 1, 'w'),
    directions: dirs === 'all' ? 'all' : Number(dirs),
    epochs: int(fields.epochs, 1, 1_000_000, 'epochs'),
    learningRate: real(fields.lr, 1e-6, 1, 'learning rate'),
    batchSize: int(fields.batch, 1, 1024, 'batch size'),
    seed: int(fields.seed, -1e9, 1e9, 'seed'),
    domain: [lo, hi],
  };
}

// ---- running --------------------------------------------------------------------------

function setRunning(running: boolean): void {
  g.__playground.running = running;
  runButton.disabled = running || !ctx;
  stopButton.disabled = !running;
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#controls fieldset input, #controls fieldset select')) el.disabled = running;
}

function showResult(result: PairResult): void {
  const [b, gi] = result.models;
  const cell = (k: string, v: string) => (document.querySelector(`[data-k="${k}"]`)!.textContent = v);
  cell('b-rmse', num(b.rmse));
  cell('b-grad', num(b.gradientRmse));
  cell('b-ep', String(b.report.epochs));
  cell('g-rmse', num(gi.rmse));
  cell('g-grad', num(gi.gradientRmse));
  cell('g-ep', String(gi.report.epochs));
  const ratio = gi.rmse / b.rmse;
  $('verdict').textContent =
    ratio < 1
      ? `GI's test RMSE is ${(100 * (1 - ratio)).toFixed(0)} % below the baseline's (${num(gi.rmse)} vs ${num(b.rmse)}).`
      : `The baseline wins this time: GI's test RMSE is ${num(gi.rmse)} vs ${num(b.rmse)} (try fewer points, more epochs or another w).`;
}

async function run(): Promise<void> {
  if (!ctx || g.__playground.running) return;
  let target: TargetFunction | null;
  let s: PlaygroundSettings;
  try {
    target = checkExpression();
    if (!target) throw new RangeError(exprInfo.textContent ?? 'bad expression');
    s = readSettings();
  } catch (e) {
    status.textContent = `Cannot run: ${e instanceof Error ? e.message : String(e)}`;
    status.className = 'error';
    return;
  }
  status.className = '';
  g.__playground.error = null;
  setRunning(true);
  controller = new AbortController();
  g.__playground.runs++;
  lossChart?.destroy();
  for (const c of fitCharts) c.destroy();
  fitCharts = [];
  $('fit').replaceChildren();
  lossChart = new LossChart($('loss'), s.w);
  progressBar.value = 0;
  try {
    const train = trainingSamples(target, s);
    const test = testGrid(target, s.domain);
    status.textContent = `Training baseline and GI (${s.layers} × ${s.width} tanh, ${s.n} points, ${s.epochs} epochs)…`;
    const onProgress = (p: FitProgress) => {
      g.__playground.progressEvents++;
      progressBar.value = p.epoch / p.epochs;
      const parts = p as FitProgress & { valueLosses?: number[]; gradientLosses?: number[] };
      lossChart?.push(p.epoch, p.losses, parts.valueLosses && parts.gradientLosses ? { value: parts.valueLosses, gradient: parts.gradientLosses } : undefined);
      status.textContent = `Epoch ${p.epoch} of ${p.epochs} · ${(p.elapsedMs / 1000).toFixed(1)} s · loss baseline ${num(p.losses[0])}, GI ${num(p.losses[1])}`;
    };
    const result = await trainPair(ctx, train, test, s, { onProgress, signal: controller.signal });
    lossChart.finish(result);
    const host = $('fit');
    if (train.d === 1) fitCharts.push(drawFit1d(host, train, test, result));
    else drawHeatMaps(host, train, test, gridSide(2), s.domain, result);
    showResult(result);
    const [b, gi] = result.models;
    g.__playground.result = { aborted: result.aborted, epochs: [b.report.epochs, gi.report.epochs], rmse: [b.rmse, gi.rmse], gradientRmse: [b.gradientRmse, gi.gradientRmse], seconds: result.seconds };
    status.textContent = `${result.aborted ? 'Stopped' : 'Done'} after ${gi.report.epochs} epochs in ${result.seconds.toFixed(1)} s: test RMSE baseline ${num(b.rmse)}, GI ${num(gi.rmse)}.`;
    progressBar.value = result.aborted ? progressBar.value : 1;
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    g.__playground.error = message;
    console.error(e);
    status.textContent = `Error: ${message}`;
    status.className = 'error';
  } finally {
    controller = null;
    setRunning(false);
  }
}

$<HTMLFormElement>('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  void run();
});
stopButton.addEventListener('click', () => {
  controller?.abort(new Error('stopped by the user'));
  status.textContent = 'Stopping after the current chunk of steps…';
});
addEventListener('pagehide', () => controller?.abort());

// ---- start ----------------------------------------------------------------------------

async function start(): Promise<void> {
  setRunning(false);
  const probe = await probeWebGpu();
  if (!probe.ok) {
    renderWebGpuProblem($('webgpu'), probe.problem, 'The playground trains on the GPU, so it cannot run here. The report page can still show a saved results.json and run the linear section on the CPU.');
    status.textContent = 'No WebGPU: see the notice above.';
    status.className = 'error';
    g.__playground.error = probe.problem.kind;
    g.__playground.ready = true;
    return;
  }
  try {
    ctx = await createContext();
  } catch (e) {
    const problem = problemFromError(e);
    renderWebGpuProblem($('webgpu'), problem);
    g.__playground.error = problem.kind;
    g.__playground.ready = true;
    status.textContent = 'No WebGPU: see the notice above.';
    return;
  }
  $('adapter').textContent = `WebGPU adapter: ${probe.description}`;
  status.textContent = 'Ready: choose a function and press Run.';
  setRunning(false);
  g.__playground.ready = true;
  if (params.get('autorun') === '1') void run();
}

void start();
