// The playground page: pick or type a function (its data and true function are drawn at once),
// train a baseline and a GI network side by side (one MlpGroup of two) with live loss curves,
// then see both fits, their test errors and training losses. The settings live in the URL.
// For tests and scripts the page exposes window.__playground (see PlaygroundGlobals).
import { createContext, type Context, type FitProgress, type FitReport, type GpuStats } from '../../src/index';
import { num } from '../shared/figure';
import { probeWebGpu, problemFromError, renderWebGpuProblem } from '../shared/webgpu';
import { compileTarget, ExpressionError, PRESETS, type TargetFunction } from './functions';
import { EnsemblePanel } from './ensemble';
import { OnnxDownload } from './export';
import { mountDataPanel } from './data';
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
const results = document.querySelector<HTMLElement>('.results')!;
const ensemblePanel = new EnsemblePanel($<HTMLFormElement>('controls'), results, new URLSearchParams(location.search));
const onnxDownload = new OnnxDownload(results.querySelector('#verdict')!);
/** Pipelines are compiled on the first run only (they are cached on the context). */
let compiled = false;

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
type FieldName = keyof typeof fields;

// Each field's error is shown under it (and the field marked aria-invalid), not only in the status.
for (const el of Object.values(fields)) {
  const note = document.createElement('span');
  note.id = `${el.id}-error`;
  note.className = 'field-error';
  note.hidden = true;
  el.closest('label')!.append(note);
  el.setAttribute('aria-describedby', note.id);
}

function markField(el: HTMLInputElement | HTMLSelectElement, message: string | null): void {
  const note = $(`${el.id}-error`);
  note.textContent = message ?? '';
  note.hidden = message === null;
  if (message === null) el.removeAttribute('aria-invalid');
  else el.setAttribute('aria-invalid', 'true');
}

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
fields.seed.value = String(DEFAULTS.seed);
setPreset(0);

// URL parameters fill the form (?f=sin(x)*y&n=30&epochs=200…; autorun=1 starts a run), and the
// form writes them back as it changes, so the address is a link to these settings.
const params = new URLSearchParams(location.search);
if (params.has('f')) {
  exprInput.value = params.get('f')!;
  const preset = PRESETS.findIndex((p) => p.expression === exprInput.value.trim());
  presetSelect.value = preset >= 0 ? String(preset) : 'custom';
}
for (const [name, el] of Object.entries(fields)) if (params.has(name)) el.value = params.get(name)!;
checkExpression();

/** The form as URL parameters: the function, its domain, and every field that differs from the
 *  page's defaults or is set (epochs, learning rate and batch are empty by default). */
function settingsQuery(): URLSearchParams {
  const q = new URLSearchParams({ f: exprInput.value.trim(), lo: fields.lo.value, hi: fields.hi.value });
  const defaults: Partial<Record<FieldName, string>> = {
    n: String(DEFAULTS.n), noise: String(DEFAULTS.noise), width: String(DEFAULTS.width), layers: String(DEFAULTS.layers), w: String(DEFAULTS.w),
    directions: String(DEFAULTS.directions), seed: String(DEFAULTS.seed), epochs: '', lr: '', batch: '',
  };
  for (const [name, el] of Object.entries(fields) as [FieldName, HTMLInputElement | HTMLSelectElement][]) {
    if (name !== 'lo' && name !== 'hi' && el.value.trim() !== (defaults[name] ?? '')) q.set(name, el.value.trim());
  }
  for (const [name, value] of ensemblePanel.query()) q.set(name, value);
  return q;
}

function syncUrl(): void {
  const url = `${location.pathname}?${settingsQuery().toString()}${location.hash}`;
  history.replaceState(null, '', url);
}

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

/** The form's settings (null when a field is in error) and the fields in error with what to
 *  change, each shown under its field; `data`: the settings of the samples alone (f, domain, N,
 *  noise, seed), null when one of those is in error. */
function readSettings(): { settings: PlaygroundSettings | null; data: PlaygroundSettings | null; errors: [HTMLInputElement, string][] } {
  const errors: [HTMLInputElement, string][] = [];
  const check = (el: HTMLInputElement, ok: (v: number) => boolean, message: string, optional = false): number | undefined => {
    if (optional && el.value.trim() === '') return undefined;
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v) || !ok(v)) errors.push([el, message]);
    return v;
  };
  const int = (el: HTMLInputElement, lo: number, hi: number, optional = false) =>
    check(el, (v) => Number.isInteger(v) && v >= lo && v <= hi, `a whole number from ${lo} to ${hi}`, optional);
  const real = (el: HTMLInputElement, lo: number, hi: number, optional = false) => check(el, (v) => v >= lo && v <= hi, `a number from ${lo} to ${hi}`, optional);
  const lo = real(fields.lo, -1e6, 1e6)!;
  const hi = real(fields.hi, -1e6, 1e6)!;
  if (!errors.length && !(hi > lo)) errors.push([fields.hi, 'must be above the domain start']);
  const dirs = fields.directions.value;
  const settings: PlaygroundSettings = {
    n: int(fields.n, 2, 5000)!,
    noise: real(fields.noise, 0, 1e6)!,
    width: int(fields.width, 1, 512)!,
    layers: int(fields.layers, 1, 8)!,
    w: fields.w.value.trim().toLowerCase() === 'auto' ? 'auto' : check(fields.w, (v) => v >= 0.01 && v <= 1, 'a number from 0.01 to 1, or auto')!,
    directions: dirs === 'all' ? 'all' : Number(dirs),
    epochs: int(fields.epochs, 1, 1_000_000, true),
    learningRate: real(fields.lr, 1e-6, 1, true),
    batchSize: int(fields.batch, 1, 1024, true),
    seed: int(fields.seed, -1e9, 1e9)!,
    domain: [lo, hi],
  };
  for (const el of Object.values(fields)) markField(el, errors.find(([e]) => e === el)?.[1] ?? null);
  const dataFields: HTMLInputElement[] = [fields.lo, fields.hi, fields.n, fields.noise, fields.seed];
  const dataOk = !errors.some(([el]) => dataFields.includes(el));
  return { settings: errors.length ? null : settings, data: dataOk ? settings : null, errors };
}

// ---- the data before a run --------------------------------------------------------------

/** Draws the training samples and the true function (no models) while nothing runs. */
function drawPreview(): void {
  if (g.__playground.running) return;
  const target = checkExpression();
  const { data: settings } = readSettings();
  clearFigures();
  if (!target || !settings) return;
  try {
    const train = trainingSamples(target, settings);
    const test = testGrid(target, settings.domain);
    if (train.d === 1) fitCharts.push(drawFit1d($('fit'), train, test, null));
    else drawHeatMaps($('fit'), train, test, gridSide(2), settings.domain, null);
  } catch (e) {
    exprInfo.className = 'hint error';
    exprInfo.textContent = e instanceof Error ? e.message : String(e);
  }
}

let previewTimer = 0;
function formChanged(): void {
  syncUrl();
  clearTimeout(previewTimer);
  previewTimer = window.setTimeout(drawPreview, 250);
}
$<HTMLFormElement>('controls').addEventListener('input', formChanged);
$<HTMLFormElement>('controls').addEventListener('change', formChanged);

function clearFigures(): void {
  ensemblePanel.clear();
  for (const c of fitCharts) c.destroy();
  fitCharts = [];
  $('fit').replaceChildren();
}

/** Forgets the last run's numbers (a new run, or a run that could not start). */
function clearResults(): void {
  for (const cell of document.querySelectorAll('#rmse td')) cell.textContent = '–';
  $('verdict').textContent = '';
  lossChart?.destroy();
  lossChart = null;
  onnxDownload.clear();
  g.__playground.result = null;
}

// ---- running --------------------------------------------------------------------------

function setRunning(running: boolean): void {
  g.__playground.running = running;
  runButton.disabled = running || !ctx;
  stopButton.disabled = !running;
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#controls fieldset input, #controls fieldset select')) el.disabled = running;
}

/** The last epoch's training MSE of the values (comparable between the two models). */
const trainingMse = (r: FitReport) => r.valueHistory[r.valueHistory.length - 1];

function showResult(result: PairResult): void {
  const [b, gi] = result.models;
  const cell = (k: string, v: string) => (document.querySelector(`[data-k="${k}"]`)!.textContent = v);
  cell('b-rmse', num(b.rmse));
  cell('b-grad', num(b.gradientRmse));
  cell('b-train', num(trainingMse(b.report)));
  cell('b-ep', String(b.report.epochs));
  cell('g-rmse', num(gi.rmse));
  cell('g-grad', num(gi.gradientRmse));
  cell('g-train', num(trainingMse(gi.report)));
  cell('g-ep', String(gi.report.epochs));
  const ratio = gi.rmse / b.rmse;
  const [tb, tg] = [trainingMse(b.report), trainingMse(gi.report)];
  // A baseline that does not fit its own training points makes GI look better than it is.
  const underfit = tb > 3 * tg ? ` The baseline fits its own training points ${(tb / tg).toFixed(0)}× worse than GI: it may be under-trained (try more epochs).` : '';
  const losses = `Training MSE of f: baseline ${num(tb)}, GI ${num(tg)}.${underfit}`;
  $('verdict').textContent =
    (ratio < 1
      ? `GI's test RMSE is ${(100 * (1 - ratio)).toFixed(0)} % below the baseline's (${num(gi.rmse)} vs ${num(b.rmse)}). `
      : `The baseline wins this time: GI's test RMSE is ${num(gi.rmse)} vs ${num(b.rmse)} (try fewer points, more epochs or another w). `) + losses;
}

async function run(): Promise<void> {
  if (!ctx || g.__playground.running) return;
  clearResults();
  g.__playground.error = null;
  const target = checkExpression();
  const { settings: s, errors } = readSettings();
  const members = ensemblePanel.members();
  if (typeof members === 'string') errors.push([ensemblePanel.count, members]);
  syncUrl();
  if (!target || !s || typeof members === 'string') {
    const count = errors.length + (target ? 0 : 1);
    status.textContent = `Cannot run: ${count === 1 ? 'the marked field needs' : `${count} marked fields need`} another value.`;
    status.className = 'error';
    (target ? errors[0][0] : exprInput).focus();
    return;
  }
  status.className = '';
  setRunning(true);
  controller = new AbortController();
  g.__playground.runs++;
  lossChart = new LossChart($('loss'), s.w);
  // Until the first epoch reports, the bar is indeterminate: the first run compiles the shaders.
  progressBar.removeAttribute('value');
  let reported = false;
  try {
    const train = trainingSamples(target, s);
    const test = testGrid(target, s.domain);
    clearFigures();
    if (train.d === 1) fitCharts.push(drawFit1d($('fit'), train, test, null));
    else drawHeatMaps($('fit'), train, test, gridSide(2), s.domain, null);
    status.textContent = compiled
      ? `Training baseline and GI (${s.layers} × ${s.width} tanh, ${s.n} points)…`
      : 'Compiling shaders (first run only: up to about 20 s on software WebGPU)…';
    const onProgress = (p: FitProgress) => {
      g.__playground.progressEvents++;
      reported = compiled = true;
      progressBar.value = p.epoch / p.epochs;
      const parts = p as FitProgress & { valueLosses?: number[]; gradientLosses?: number[] };
      lossChart?.push(p.epoch, p.losses, parts.valueLosses && parts.gradientLosses ? { value: parts.valueLosses, gradient: parts.gradientLosses } : undefined);
      status.textContent = `Epoch ${p.epoch} of ${p.epochs} · ${(p.elapsedMs / 1000).toFixed(1)} s · loss baseline ${num(p.losses[0])}, GI ${num(p.losses[1])}`;
    };
    const result = await trainPair(ctx, train, test, s, { onProgress, signal: controller.signal });
    lossChart.finish(result);
    clearFigures();
    const host = $('fit');
    if (train.d === 1) fitCharts.push(drawFit1d(host, train, test, result));
    else drawHeatMaps(host, train, test, gridSide(2), s.domain, result);
    showResult(result);
    const [b, gi] = result.models;
    g.__playground.result = { aborted: result.aborted, epochs: [b.report.epochs, gi.report.epochs], rmse: [b.rmse, gi.rmse], gradientRmse: [b.gradientRmse, gi.gradientRmse], seconds: result.seconds };
    status.textContent = `${result.aborted ? 'Stopped' : 'Done'} after ${gi.report.epochs} epochs in ${result.seconds.toFixed(1)} s: test RMSE baseline ${num(b.rmse)}, GI ${num(gi.rmse)}.`;
    onnxDownload.offer(result.saved);
    if (members !== null && !result.aborted) {
      status.textContent = `Training the ensembles of ${members} baseline and ${members} GI models…`;
      const e = await ensemblePanel.run(ctx, members, train, test, s, result, {
        signal: controller.signal,
        onProgress: (p) => (status.textContent = `Ensembles of ${members} + ${members}: epoch ${p.epoch} of ${p.epochs} · ${(p.elapsedMs / 1000).toFixed(1)} s`),
      });
      status.textContent = `Done: test RMSE baseline ${num(b.rmse)}, GI ${num(gi.rmse)}; ensembles of ${members}${e.aborted ? ' (stopped)' : ''}: mean spread baseline ${num(e.baseline.sdMeanOnGrid)}, GI ${num(e.gi.sdMeanOnGrid)}.`;
    }
    if (!result.aborted) progressBar.value = 1;
    else if (!reported) progressBar.value = 0;
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    g.__playground.error = message;
    console.error(e);
    clearResults();
    progressBar.value = 0;
    status.textContent = `Training failed: ${message}`;
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
$('share').addEventListener('click', () => {
  syncUrl();
  void navigator.clipboard?.writeText(location.href).then(
    () => (status.textContent = 'Link to these settings copied.'),
    () => (status.textContent = `Link to these settings: ${location.href}`),
  );
});

// ---- start ----------------------------------------------------------------------------

async function start(): Promise<void> {
  setRunning(false);
  drawPreview();
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
  mountDataPanel(() => ctx);
  $('adapter').textContent = `WebGPU adapter: ${probe.description}`;
  status.textContent = 'Ready: choose a function and press Run.';
  setRunning(false);
  g.__playground.ready = true;
  if (params.get('autorun') === '1') void run();
}

void start();
