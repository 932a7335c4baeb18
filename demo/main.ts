// The report page: runs the experiment sections with a preset chosen in the page (Run / Cancel;
// it starts by itself only with ?autorun=1), shows progress, elapsed time and an ETA, and
// draws each section's result beside the paper's numbers; or shows a saved results.json
// (file picker or ?results=URL) as a static report. Without WebGPU it says why, and still runs
// the sections that need none (linear, on CPU sums).
//
// Query parameters: preset=quick|paper, sections=nn,linear,generative, workers=N, autorun=1,
// results=URL. The state a headless runner (scripts/reproduce.mjs) reads:
//   globalThis.__progress  latest { section, task, done, total } per task (also logged as
//                          console lines starting with "[progress]")
//   globalThis.__results   SectionResult[] as sections finish
//   globalThis.__meta      { preset, adapter, sections, timings }
//   globalThis.__done      true at the end; globalThis.__error: a message if a section failed
import { renderReport, type SavedReport } from './report/saved';
import { estimateSeconds, formatDuration } from './report/estimate';
import { claimsBlock } from './report/claims';
import { probeWebGpu, renderWebGpuProblem, type WebGpuProblem } from './shared/webgpu';
import { pagePreset } from '../src/experiments/index';
import { sectionLoaders } from './sections/index';
import type { Preset, Section, SectionResult, SectionUi } from './sections/types';

interface ProgressEvent {
  section: string;
  task: string;
  done: number;
  total: number;
  t: number;
}

interface DemoGlobals {
  __progress: Record<string, ProgressEvent>;
  __results: SectionResult[];
  __meta: { preset: Preset; adapter: string; sections: string[]; timings: Record<string, number>; startedAt: string };
  __done?: boolean;
  __error?: string;
  /** For tests: what the page is doing and what it drew. */
  __report: { ready: boolean; running: boolean; webgpu: WebGpuProblem['kind'] | 'ok' | null; rendered: string[]; saved: boolean };
}

const g = globalThis as unknown as DemoGlobals;
const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLElement>('status');
const timing = $<HTMLElement>('timing');
const overall = $<HTMLProgressElement>('overall');
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const confirmBox = $<HTMLElement>('confirm');
const host = $<HTMLElement>('sections');

g.__progress = {};
g.__results = [];
g.__report = { ready: false, running: false, webgpu: null, rendered: [], saved: false };
const initialPreset: Preset = params.get('preset') === 'paper' ? 'paper' : 'quick';
g.__meta = { preset: initialPreset, adapter: '', sections: [], timings: {}, startedAt: new Date().toISOString() };

let sections: Section[] = [];
let gpu = false;
let controller: AbortController | null = null;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.className = error ? 'error' : '';
}

function fail(message: string): void {
  setStatus(`Error: ${message}`, true);
  g.__error = message;
  console.error(`[error] ${message}`);
}

// ---- the form ---------------------------------------------------------------------------

const presetInputs = () => [...document.querySelectorAll<HTMLInputElement>('input[name="preset"]')];
const chosenPreset = (): Preset => (presetInputs().find((i) => i.checked)?.value === 'paper' ? 'paper' : 'quick');
const sectionBoxes = () => [...document.querySelectorAll<HTMLInputElement>('#section-choices input')];
const chosenSections = () => sectionBoxes().filter((b) => b.checked && !b.disabled).map((b) => b.value);

function updateEstimate(): void {
  const preset = chosenPreset();
  const ids = chosenSections();
  const total = ids.reduce((a, id) => a + estimateSeconds(id, preset), 0);
  const per = ids.map((id) => `${id} ≈ ${formatDuration(estimateSeconds(id, preset))}`).join(', ');
  $('estimate').textContent = ids.length
    ? `Estimated time on software WebGPU (SwiftShader, 2 CPU cores): ≈ ${formatDuration(total)} (${per}). A GPU is much faster.`
    : 'Choose at least one section.';
  runButton.disabled = !!controller || ids.length === 0;
  confirmBox.hidden = true;
}

function buildForm(): void {
  const only = params.get('sections')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  for (const input of presetInputs()) input.checked = input.value === initialPreset;
  const choices = $('section-choices');
  for (const s of sections) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = s.id;
    box.checked = !only || only.includes(s.id);
    box.disabled = s.needsGpu !== false && !gpu;
    if (box.disabled) {
      box.checked = false;
      label.setAttribute('aria-disabled', 'true');
      label.title = 'needs WebGPU';
    }
    label.append(box, ` ${s.id}${box.disabled ? ' (needs WebGPU)' : ''}`);
    choices.append(label);
  }
  const w = Number(params.get('workers'));
  if (Number.isInteger(w) && w > 0) $<HTMLInputElement>('workers').value = String(w);
  document.querySelectorAll('#run-form input').forEach((el) => el.addEventListener('change', updateEstimate));
  updateEstimate();
}

// ---- one run ----------------------------------------------------------------------------

interface TaskState { done: number; total: number }

/** Progress rows and a log for one section; `fraction()` of its expected tasks. */
function makeUi(section: Section, root: HTMLElement, preset: Preset): SectionUi & { fraction(): number } {
  const tasks = document.createElement('div');
  tasks.className = 'tasks';
  const log = document.createElement('div');
  log.className = 'log';
  log.setAttribute('aria-label', `${section.id} log`);
  const element = document.createElement('div');
  root.append(tasks, log, element);
  const bars = new Map<string, { bar: HTMLProgressElement; count: HTMLElement; state: TaskState }>();
  const expected = section.tasks?.(preset, gpu) ?? 1;
  return {
    element,
    progress(task, done, total) {
      let row = bars.get(task);
      if (!row) {
        const id = `task-${section.id}-${bars.size}`;
        const label = document.createElement('label');
        label.htmlFor = id;
        label.textContent = task;
        const bar = document.createElement('progress');
        bar.id = id;
        const count = document.createElement('span');
        count.className = 'count';
        const rowBox = document.createElement('div');
        rowBox.className = 'task';
        rowBox.append(label, bar, count);
        tasks.append(rowBox);
        bars.set(task, (row = { bar, count, state: { done, total } }));
      }
      row.state = { done, total };
      row.bar.max = Math.max(total, 1e-9);
      row.bar.value = done;
      row.count.textContent = `${Math.floor(done)}/${total}`;
      const key = `${section.id}:${task}`;
      const last = g.__progress[key];
      g.__progress[key] = { section: section.id, task, done, total, t: performance.now() };
      if (!last || Math.floor(last.done) !== Math.floor(done)) console.log(`[progress] ${section.id} | ${task} | ${Math.floor(done)}/${total}`);
    },
    log(message) {
      log.textContent += `${message}\n`;
      log.scrollTop = log.scrollHeight;
      console.log(`[log] ${section.id} | ${message}`);
    },
    fraction() {
      let sum = 0;
      for (const { state } of bars.values()) sum += state.total > 0 ? Math.min(1, state.done / state.total) : 0;
      return sum / Math.max(expected, bars.size);
    },
  };
}

const clock = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min` : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`);

function sectionRoot(id: string, title: string, preset: string | undefined): HTMLElement {
  const root = document.createElement('section');
  root.className = 'experiment';
  root.id = `section-${id}`;
  root.setAttribute('aria-labelledby', `heading-${id}`);
  const h = document.createElement('h2');
  h.id = `heading-${id}`;
  h.textContent = title;
  root.append(h, claimsBlock(id, preset));
  host.append(root);
  return root;
}

async function run(preset: Preset, ids: string[]): Promise<void> {
  const chosen = sections.filter((s) => ids.includes(s.id));
  const started = performance.now();
  controller = new AbortController();
  const signal = controller.signal;
  g.__progress = {};
  g.__results = [];
  g.__done = false;
  delete g.__error;
  g.__meta = { ...g.__meta, preset, sections: chosen.map((s) => s.id), timings: {}, startedAt: new Date().toISOString() };
  g.__report.running = true;
  g.__report.rendered = [];
  g.__report.saved = false;
  // The URL says what runs (shareable; nn.ts reads `workers` from it).
  const url = new URL(location.href);
  url.searchParams.set('preset', preset);
  url.searchParams.set('sections', chosen.map((s) => s.id).join(','));
  const workers = $<HTMLInputElement>('workers').value;
  if (workers) url.searchParams.set('workers', workers);
  else url.searchParams.delete('workers');
  url.searchParams.delete('results');
  history.replaceState(null, '', url);
  $('saved').replaceChildren();
  host.replaceChildren();
  runButton.disabled = true;
  cancelButton.disabled = false;
  document.querySelectorAll<HTMLInputElement>('#run-form fieldset input').forEach((el) => (el.disabled = true));
  const estimates = chosen.map((s) => estimateSeconds(s.id, preset));
  let speed = 1; // measured / estimated seconds of the finished sections
  let current: { index: number; started: number; ui: ReturnType<typeof makeUi> } | null = null;
  const tick = () => {
    const elapsed = (performance.now() - started) / 1000;
    let remaining = 0;
    let fraction = 0;
    if (current) {
      const f = current.ui.fraction();
      const inSection = (performance.now() - current.started) / 1000;
      const left = f > 0.05 ? (inSection / f) * (1 - f) : Math.max(0, estimates[current.index] * speed - inSection);
      remaining = left + estimates.slice(current.index + 1).reduce((a, b) => a + b * speed, 0);
      const total = estimates.reduce((a, b) => a + b, 0) || 1;
      fraction = (estimates.slice(0, current.index).reduce((a, b) => a + b, 0) + f * estimates[current.index]) / total;
    }
    overall.value = Math.min(1, fraction);
    timing.textContent = `Elapsed ${clock(elapsed)} · about ${formatDuration(remaining)} left (ETA ${new Date(Date.now() + remaining * 1000).toLocaleTimeString()})`;
  };
  const ticker = setInterval(tick, 1000);
  try {
    for (const [index, section] of chosen.entries()) {
      // ?experimentsPreset=tiny|full (scripts/reproduce.mjs) overrides what the sections run.
      const root = sectionRoot(section.id, section.title, pagePreset(preset));
      const ui = makeUi(section, root, preset);
      current = { index, started: performance.now(), ui };
      setStatus(`Running ${section.title} (${pagePreset(preset)}), section ${index + 1} of ${chosen.length}…`);
      tick();
      const t0 = performance.now();
      const result = await section.run(preset, ui, signal);
      const seconds = (performance.now() - t0) / 1000;
      g.__meta.timings[section.id] = seconds;
      g.__results.push(result);
      speed = Math.max(0.05, seconds / estimates[index]);
      // The final view is drawn from the JSON, exactly as a saved report would be.
      ui.element.replaceChildren();
      section.render?.(result.json, ui.element);
      g.__report.rendered.push(section.id);
    }
    overall.value = 1;
    setStatus(`Done: ${chosen.length} section(s), preset ${preset}, in ${clock((performance.now() - started) / 1000)}.`);
    g.__done = true;
  } catch (e) {
    if (signal.aborted) {
      setStatus(`Cancelled after ${clock((performance.now() - started) / 1000)}; the finished sections stay on the page.`);
      g.__error = 'cancelled by the user';
    } else fail(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    clearInterval(ticker);
    tick();
    timing.textContent = `${timing.textContent?.split(' · ')[0]}.`;
    controller = null;
    g.__report.running = false;
    cancelButton.disabled = true;
    document.querySelectorAll<HTMLInputElement>('#run-form fieldset input').forEach((el) => (el.disabled = false));
    sectionBoxes().forEach((b) => (b.disabled = sections.find((s) => s.id === b.value)?.needsGpu !== false && !gpu));
    updateEstimate();
  }
}

/** Run pressed: a long preset asks once more, with its estimate. */
function requestRun(): void {
  if (controller) return;
  const preset = chosenPreset();
  const ids = chosenSections();
  const seconds = ids.reduce((a, id) => a + estimateSeconds(id, preset), 0);
  if (seconds > 15 * 60 && confirmBox.hidden) {
    confirmBox.hidden = false;
    confirmBox.replaceChildren(
      `The ${preset} preset is estimated at ≈ ${formatDuration(seconds)} on software WebGPU (much less on a GPU). `,
      Object.assign(document.createElement('button'), { type: 'button', textContent: 'Start anyway', onclick: () => { confirmBox.hidden = true; void run(preset, ids); } }),
    );
    setStatus(`The ${preset} preset is long: confirm below to start it.`);
    return;
  }
  void run(preset, ids);
}

// ---- a saved report ---------------------------------------------------------------------

function showSaved(report: SavedReport, source: string): void {
  host.replaceChildren();
  g.__report.rendered = renderReport(report, sections, $('saved'), (id, title) => sectionRoot(id, title, report.preset));
  g.__report.saved = true;
  setStatus(`Showing the saved report ${source} (${g.__report.rendered.length} section(s)).`);
}

async function loadSaved(url: string): Promise<void> {
  setStatus(`Loading ${url}…`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  showSaved((await response.json()) as SavedReport, url);
}

$<HTMLInputElement>('results-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    showSaved(JSON.parse(await file.text()) as SavedReport, file.name);
  } catch (err) {
    setStatus(`Cannot read ${file.name}: ${err instanceof Error ? err.message : String(err)}`, true);
  }
});

// ---- start ------------------------------------------------------------------------------

async function main(): Promise<void> {
  sections = (await Promise.all(sectionLoaders.map((load) => load()))).map((m) => m.section);
  const probe = await probeWebGpu();
  gpu = probe.ok;
  g.__report.webgpu = probe.ok ? 'ok' : probe.problem.kind;
  if (probe.ok) {
    g.__meta.adapter = probe.description;
    $('adapter').textContent = `WebGPU adapter: ${probe.description}`;
  } else {
    const cpu = sections.filter((s) => s.needsGpu === false).map((s) => s.id);
    renderWebGpuProblem($('webgpu'), probe.problem, `Without WebGPU this page can still run ${cpu.join(', ') || 'nothing'} (on the CPU) and show a saved results.json.`);
  }
  buildForm();
  $<HTMLFormElement>('run-form').addEventListener('submit', (e) => {
    e.preventDefault();
    requestRun();
  });
  cancelButton.addEventListener('click', () => {
    controller?.abort(new Error('cancelled by the user'));
    setStatus('Cancelling…');
  });
  addEventListener('pagehide', () => controller?.abort());
  g.__report.ready = true;

  const only = params.get('sections')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  const unknown = only?.filter((id) => !sections.some((s) => s.id === id)) ?? [];
  if (unknown.length) return fail(`unknown section(s) ${unknown.join(', ')}; this page has ${sections.map((s) => s.id).join(', ') || 'none'}`);
  const saved = params.get('results');
  if (saved) return loadSaved(saved);
  if (params.get('autorun') === '1') {
    const ids = only ?? sections.map((s) => s.id);
    const blocked = sections.filter((s) => ids.includes(s.id) && s.needsGpu !== false && !gpu);
    if (blocked.length) return fail(`${probe.ok ? '' : `${probe.problem.title}. `}Section(s) ${blocked.map((s) => s.id).join(', ')} need WebGPU.`);
    return run(initialPreset, ids);
  }
  setStatus(gpu ? 'Ready: choose a preset and sections, then press Run.' : 'No WebGPU: see above. You can run the CPU sections or open a saved results.json.');
}

main().catch((error: unknown) => fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
