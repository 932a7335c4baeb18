// The report page: runs the experiment sections with a preset chosen in the page (tiny, quick,
// full or paper, each with its estimate; Run / Cancel; it starts by itself only with
// ?autorun=1), shows progress, elapsed time and an ETA, draws each section's result beside the
// paper's numbers, puts the one-line outcome ("8 hold, 1 fails, 1 undecided") at the top and
// offers the run as results.json; or shows a saved results.json (file picker or ?results=URL)
// as a static report. Without WebGPU it says why, and still runs the sections that need none
// (linear, on CPU sums).
//
// Query parameters: preset=tiny|quick|full|paper (experimentsPreset, which scripts/reproduce.mjs
// sets, wins), sections=nn,linear,generative, workers=N, autorun=1, results=URL. The state a headless runner (scripts/reproduce.mjs) reads:
//   globalThis.__progress  latest { section, task, done, total } per task (also logged as
//                          console lines starting with "[progress]")
//   globalThis.__results   SectionResult[] as sections finish
//   globalThis.__meta      { preset, adapter, sections, timings }
//   globalThis.__done      true at the end; globalThis.__error: a message if a section failed
import { renderReport, type SavedReport } from './report/saved';
import { estimateSeconds, formatDuration } from './report/estimate';
import { claimsBlock } from './report/claims';
import { probeWebGpu, renderWebGpuProblem, type WebGpuProblem } from './shared/webgpu';
import { PRESET_NAMES, compareWithPaper, pagePreset, parsePreset, type PaperComparison } from '../src/experiments/index';
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
const outcomeBox = $<HTMLElement>('outcome');
const downloadButton = $<HTMLButtonElement>('download');

g.__progress = {};
g.__results = [];
g.__report = { ready: false, running: false, webgpu: null, rendered: [], saved: false };
const initialPreset: Preset = parsePreset(params.get('experimentsPreset')) ?? parsePreset(params.get('preset')) ?? 'quick';
g.__meta = { preset: initialPreset, adapter: '', sections: [], timings: {}, startedAt: new Date().toISOString() };

let sections: Section[] = [];
let gpu = false;
let controller: AbortController | null = null;

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.className = error ? 'error' : '';
}

/** "RangeError: x", or just "x" for a plain Error (no "Error: Error:"). */
const errorText = (e: unknown) => (e instanceof Error ? (e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message) : String(e));

function fail(message: string): void {
  setStatus(`Failed: ${message}`, true);
  g.__error = message;
  console.error(`[error] ${message}`);
}

// ---- the form ---------------------------------------------------------------------------

/** What each preset is, in a few words (src/experiments/sweep/presets.ts has the details). */
const PRESET_WORDS: Record<Preset, string> = {
  tiny: 'a smoke test of the runners',
  quick: 'a small check of the pipeline; its networks are far from converged',
  full: "every problem's full width grid at its smallest N",
  paper: 'the whole protocol, thousands of networks (for a GPU)',
};

const presetInputs = () => [...document.querySelectorAll<HTMLInputElement>('input[name="preset"]')];
const chosenPreset = (): Preset => parsePreset(presetInputs().find((i) => i.checked)?.value) ?? 'quick';
const sectionBoxes = () => [...document.querySelectorAll<HTMLInputElement>('#section-choices input')];
const chosenSections = () => sectionBoxes().filter((b) => b.checked && !b.disabled).map((b) => b.value);
const totalSeconds = (preset: Preset, ids: string[]) => ids.reduce((a, id) => a + estimateSeconds(id, preset), 0);

function updateEstimate(): void {
  const preset = chosenPreset();
  const ids = chosenSections();
  for (const input of presetInputs()) {
    const p = parsePreset(input.value)!;
    input.parentElement!.querySelector('.preset-estimate')!.textContent = ids.length ? ` (≈ ${formatDuration(totalSeconds(p, ids))})` : '';
  }
  const per = ids.map((id) => `${id} ≈ ${formatDuration(estimateSeconds(id, preset))}`).join(', ');
  $('estimate').textContent = ids.length
    ? `Estimated time on software WebGPU (SwiftShader, 2 idle CPU cores): ≈ ${formatDuration(totalSeconds(preset, ids))} (${per}). A GPU is much faster.`
    : 'Choose at least one section.';
  runButton.disabled = !!controller || ids.length === 0;
  // A changed choice voids a pending confirmation and its status line.
  if (!confirmBox.hidden && !controller) setStatus(readyText());
  confirmBox.hidden = true;
}

const readyText = () => (gpu ? 'Ready: choose a preset and sections, then press Run.' : 'No WebGPU: see above. You can run the CPU sections or open a saved results.json.');

function buildForm(): void {
  const only = params.get('sections')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  const presets = $('preset-choices');
  for (const name of PRESET_NAMES) {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { type: 'radio', name: 'preset', value: name, checked: name === initialPreset });
    const estimate = Object.assign(document.createElement('span'), { className: 'preset-estimate' });
    label.append(input, ` ${name} — ${PRESET_WORDS[name]}`, estimate);
    presets.append(label);
  }
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

// ---- the outcome and the download ----------------------------------------------------------

/** Every section's verdicts (src/experiments/paper.ts) from results' JSON, by section id. */
function comparisonOf(preset: string | undefined, results: { id: string; data: unknown }[]): PaperComparison {
  const byId = Object.fromEntries(results.map((r) => [r.id, r.data])) as Parameters<typeof compareWithPaper>[0];
  return compareWithPaper({ preset, nn: byId.nn, linear: byId.linear, generative: byId.generative });
}

/** The one line at the top of the page: how many of the paper's claims hold on these numbers. */
function showOutcome(comparison: PaperComparison | null, what: string): void {
  outcomeBox.hidden = !comparison || comparison.verdicts.length === 0;
  outcomeBox.textContent = comparison ? `Outcome${what}: ${comparison.outcome}. Each section below lists its verdicts.` : '';
}

/** The finished run as reports/results.json (the shape `npm start` writes). */
let lastRun: object | null = null;

downloadButton.addEventListener('click', () => {
  if (!lastRun) return;
  const url = URL.createObjectURL(new Blob([JSON.stringify(lastRun, null, 2)], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: 'results.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

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
  url.searchParams.delete('experimentsPreset');
  history.replaceState(null, '', url);
  $('saved').replaceChildren();
  host.replaceChildren();
  showOutcome(null, '');
  lastRun = null;
  downloadButton.disabled = true;
  confirmBox.hidden = true;
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
      // Before a section's tasks report (pipelines compiling, probe groups timed), its share moves
      // with the time spent against its estimate, up to 90 %: the bar never sits still for minutes.
      const shown = Math.max(f, Math.min(0.9, inSection / Math.max(1, estimates[current.index] * speed)));
      fraction = (estimates.slice(0, current.index).reduce((a, b) => a + b, 0) + shown * estimates[current.index]) / total;
    }
    overall.value = Math.max(overall.value, Math.min(1, fraction));
    timing.textContent = `Elapsed ${clock(elapsed)} · about ${formatDuration(remaining)} left (ETA ${new Date(Date.now() + remaining * 1000).toLocaleTimeString()})`;
  };
  overall.value = 0;
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
    } else fail(errorText(e));
  } finally {
    if (g.__results.length) {
      const results = g.__results.map((r) => ({ id: r.id, title: r.title, data: r.json }));
      const comparison = comparisonOf(preset, results);
      showOutcome(comparison, ` of this run (preset ${preset}${g.__done ? '' : `, ${results.length} of ${chosen.length} sections`})`);
      lastRun = {
        generatedAt: new Date().toISOString(), preset, runtime: 'browser', adapter: g.__meta.adapter || null, browser: navigator.userAgent,
        sections: results.map((r) => r.id), timings: { totalSeconds: (performance.now() - started) / 1000, sectionSeconds: g.__meta.timings },
        ok: !!g.__done, errors: g.__error ? [g.__error] : [], paper: comparison, results,
      };
      downloadButton.disabled = false;
    }
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
    setStatus(`The ${preset} preset is estimated at ≈ ${formatDuration(seconds)}: confirm below to start it.`);
    return;
  }
  void run(preset, ids);
}

// ---- a saved report ---------------------------------------------------------------------

function showSaved(report: SavedReport, source: string): void {
  host.replaceChildren();
  g.__report.rendered = renderReport(report, sections, $('saved'), (id, title) => sectionRoot(id, title, report.preset));
  g.__report.saved = true;
  showOutcome(comparisonOf(report.preset, report.results), ` of the saved report (preset ${report.preset ?? '?'})`);
  lastRun = null;
  downloadButton.disabled = true;
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
    setStatus(`Cannot read ${file.name}: ${errorText(err)}`, true);
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
  setStatus(readyText());
}

main().catch((error: unknown) => fail(errorText(error)));
