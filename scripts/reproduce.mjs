#!/usr/bin/env node
// The main job (`npm start`): runs the demo page (demo/index.html) in headless Chromium with
// WebGPU, prints progress and the tables, and writes reports/results.json, reports/results.md
// and reports/demo.png (a full-page screenshot with the plots).
//   node scripts/reproduce.mjs [--preset quick|paper] [--sections nn,linear,generative]
//                              [--workers N] [--out reports] [--timeout-min M]
// Exit status 0 only when every section finished without a page error or console error.
//
// reports/results.json:
//   { generatedAt, preset: 'quick'|'paper', adapter: string, browser: string,
//     sections: string[], timings: { totalSeconds, sectionSeconds: { [id]: seconds } },
//     ok: boolean, errors: string[],
//     results: [{ id, title, data }] }          data: the section's own JSON, e.g. for 'nn':
//   { preset, workers, adapter, seconds, experiments: [{ problem, title, stages, etas, repeats,
//     settings, sweeps: [{ nTrain, seconds, bound: { eta1, eta2, eta3|null, eta4|null, ub,
//     bestBaselineEta, bestWithinBound, deltas: [{ eta, deltaRmse, deltaCorr }] },
//     summary: [{ eta, width, baseline|gi: { rmse|corr: { mean, sd, n } } }],
//     runs: [{ eta, width, model, gradientWeight, repeat, rmse, corr, stageRmse, epochs,
//              diverged, trainMs, worker, attempts }] }] }] }
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, requireChromium, startVite } from './headless.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { preset: 'quick', sections: null, workers: null, out: 'reports', timeoutMin: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--preset') opts.preset = value();
    else if (flag === '--sections') opts.sections = value();
    else if (flag === '--workers') opts.workers = Number(value());
    else if (flag === '--out') opts.out = value();
    else if (flag === '--timeout-min') opts.timeoutMin = Number(value());
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: npm start -- [--preset quick|paper] [--sections nn,linear,generative] [--workers N] [--out reports] [--timeout-min M]');
      process.exit(0);
    } else throw new Error(`unknown argument '${argv[i]}' (try --help)`);
  }
  if (!['quick', 'paper'].includes(opts.preset)) throw new Error(`--preset must be quick or paper, got '${opts.preset}'`);
  if (opts.workers !== null && !(Number.isInteger(opts.workers) && opts.workers > 0)) throw new Error('--workers must be a positive integer');
  opts.timeoutMin ??= opts.preset === 'quick' ? 20 : 24 * 60;
  return opts;
}

const fmtTime = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

/** Prints a line per task whose progress changed, at most one per task every `everyMs`. */
function progressPrinter(startedAt, everyMs = 2000) {
  const last = new Map();
  return (events) => {
    for (const [key, e] of Object.entries(events ?? {})) {
      const prev = last.get(key);
      const finished = e.done >= e.total;
      if (prev && (prev.done === e.done || (!finished && Date.now() - prev.at < everyMs))) continue;
      if (prev?.finished) continue;
      last.set(key, { done: e.done, at: Date.now(), finished });
      const pct = e.total > 0 ? ((100 * e.done) / e.total).toFixed(1) : '0.0';
      const elapsed = (Date.now() - startedAt) / 1000;
      console.log(`[${fmtTime(elapsed).padStart(6)}] ${e.section.padEnd(10)} ${e.task.padEnd(28)} ${pct.padStart(5)}%  (${Math.floor(e.done)}/${e.total})`);
    }
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const executablePath = requireChromium();
  // Its own dependency cache: a test server running beside it must not see its pre-bundles
  // rewritten; no HMR, so an edit elsewhere in the checkout cannot reload the page mid-run.
  const server = await startVite({ cacheDir: '.vite-reproduce' });
  const browser = await launchChromium({ executablePath });
  const errors = [];
  const startedAt = Date.now();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error') {
        errors.push(`console error: ${text}`);
        console.error(`[page error] ${text}`);
      } else if (text.startsWith('[log] ')) console.log(`         ${text.slice(6)}`);
    });
    // The page starts the experiments only when asked (autorun=1); opened by hand it waits.
    const query = new URLSearchParams({ preset: opts.preset, autorun: '1' });
    if (opts.sections) query.set('sections', opts.sections);
    if (opts.workers) query.set('workers', String(opts.workers));
    const url = `${server.url}/demo/index.html?${query}`;
    console.log(`[reproduce] preset ${opts.preset}; ${browser.version()} at ${executablePath}; ${url}`);
    await page.goto(url);
    const meta = await page.waitForFunction(() => globalThis.__meta?.adapter || globalThis.__error, null, { timeout: 120_000 }).then(() => page.evaluate(() => globalThis.__meta));
    if (meta?.adapter) console.log(`[reproduce] WebGPU adapter: ${meta.adapter}`);
    const print = progressPrinter(startedAt);
    const deadline = startedAt + opts.timeoutMin * 60_000;
    let state;
    for (;;) {
      state = await page.evaluate(() => ({ progress: globalThis.__progress, done: !!globalThis.__done, error: globalThis.__error ?? null }));
      print(state.progress);
      if (state.done || state.error) break;
      if (errors.some((e) => e.startsWith('page error'))) break;
      if (Date.now() > deadline) {
        errors.push(`timed out after ${opts.timeoutMin} minutes`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (state.error) errors.push(`demo error: ${state.error}`);
    const results = await page.evaluate(() => globalThis.__results ?? []);
    const finalMeta = await page.evaluate(() => globalThis.__meta);
    const seconds = (Date.now() - startedAt) / 1000;
    const outDir = join(root, opts.out);
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'demo.png'), fullPage: true });
    const report = {
      generatedAt: new Date().toISOString(),
      preset: opts.preset,
      adapter: finalMeta?.adapter ?? null,
      browser: browser.version(),
      sections: finalMeta?.sections ?? [],
      timings: { totalSeconds: seconds, sectionSeconds: finalMeta?.timings ?? {} },
      ok: errors.length === 0 && !!state.done,
      errors,
      results: results.map((r) => ({ id: r.id, title: r.title, data: r.json })),
    };
    writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
    const md = [
      `# sobolev-webgpu: reproduction report`,
      '',
      `- preset: **${opts.preset}**`,
      `- WebGPU adapter: ${report.adapter ?? 'unknown'}`,
      `- browser: ${report.browser}`,
      `- generated: ${report.generatedAt}; total ${fmtTime(seconds)} (${Object.entries(report.timings.sectionSeconds).map(([k, v]) => `${k} ${fmtTime(v)}`).join(', ') || 'no section finished'})`,
      ...(errors.length ? ['', '**Errors:**', '', ...errors.map((e) => `- ${e}`)] : []),
      ...results.flatMap((r) => ['', `## ${r.title}`, '', r.markdown]),
      '',
    ].join('\n');
    writeFileSync(join(outDir, 'results.md'), md);
    for (const r of results) console.log(`\n## ${r.title}\n\n${r.markdown}`);
    console.log(`\n[reproduce] adapter: ${report.adapter}; ${fmtTime(seconds)} in all; wrote ${['results.json', 'results.md', 'demo.png'].map((f) => relative(root, join(outDir, f))).join(', ')}`);
    if (errors.length) {
      console.error(`[reproduce] FAILED:\n  ${errors.join('\n  ')}`);
      return 1;
    }
    return state.done ? 0 : 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[reproduce] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
