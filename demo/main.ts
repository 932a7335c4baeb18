// The demo shell: runs each experiment section of the page with a preset, shows progress
// bars, and exposes the state a headless runner (scripts/reproduce.mjs) reads:
//   globalThis.__progress  latest { section, task, done, total } per task (also logged as
//                          console lines starting with "[progress]")
//   globalThis.__results   SectionResult[] as sections finish
//   globalThis.__meta      { preset, adapter, sections, timings }
//   globalThis.__done      true at the end; globalThis.__error: a message if a section failed
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
}

const g = globalThis as unknown as DemoGlobals;
const params = new URLSearchParams(location.search);
const preset: Preset = params.get('preset') === 'paper' ? 'paper' : 'quick';
const only = params.get('sections')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
const status = document.getElementById('status')!;

g.__progress = {};
g.__results = [];
g.__meta = { preset, adapter: '', sections: [], timings: {}, startedAt: new Date().toISOString() };
document.getElementById('preset')!.textContent = preset;

async function describeAdapter(): Promise<string> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('WebGPU is unavailable here (no navigator.gpu or no adapter): use a Chromium-based browser with WebGPU.');
  const i = adapter.info;
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/** Progress bars and a log for one section. */
function makeUi(section: Section, root: HTMLElement): SectionUi {
  const tasks = document.createElement('div');
  tasks.className = 'tasks';
  const log = document.createElement('div');
  log.className = 'log';
  const element = document.createElement('div');
  root.append(tasks, log, element);
  const bars = new Map<string, { bar: HTMLProgressElement; count: HTMLElement }>();
  return {
    element,
    progress(task, done, total) {
      let row = bars.get(task);
      if (!row) {
        const label = document.createElement('span');
        label.textContent = task;
        const bar = document.createElement('progress');
        const count = document.createElement('span');
        count.className = 'count';
        tasks.append(label, bar, count);
        bars.set(task, (row = { bar, count }));
      }
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
  };
}

async function main(): Promise<void> {
  g.__meta.adapter = await describeAdapter();
  document.getElementById('adapter')!.textContent = `WebGPU adapter: ${g.__meta.adapter}`;
  const sections = (await Promise.all(sectionLoaders.map((load) => load()))).map((m) => m.section);
  const chosen = only ? sections.filter((s) => only.includes(s.id)) : sections;
  const unknown = only?.filter((id) => !sections.some((s) => s.id === id)) ?? [];
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; this page has ${sections.map((s) => s.id).join(', ') || 'none'}`);
  g.__meta.sections = chosen.map((s) => s.id);
  const controller = new AbortController();
  addEventListener('pagehide', () => controller.abort());
  const host = document.getElementById('sections')!;
  for (const section of chosen) {
    const root = document.createElement('section');
    root.className = 'experiment';
    root.id = `section-${section.id}`;
    root.innerHTML = `<h2></h2>`;
    root.querySelector('h2')!.textContent = section.title;
    host.append(root);
    status.textContent = `Running ${section.title} (${preset})…`;
    const started = performance.now();
    const result = await section.run(preset, makeUi(section, root), controller.signal);
    g.__meta.timings[section.id] = (performance.now() - started) / 1000;
    g.__results.push(result);
  }
  status.textContent = `Done: ${chosen.length} section(s), preset ${preset}.`;
  g.__done = true;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  status.textContent = `Error: ${message}`;
  status.className = 'error';
  g.__error = message;
  console.error(`[error] ${message}`);
});
