#!/usr/bin/env node
// Headless runner of bench/group.html (grouped training, issue 10): the toy2d grid grouped vs
// one network at a time vs the worker pool, the FMA peak, and how a grouped step grows with B
// and width. Writes bench/results/group.json and group.md (git-ignored) and prints the tables;
// with --write-results it also replaces the grouped section of bench/RESULTS.md (between the
// GROUPED markers; bench/run.mjs keeps that section when it rewrites the file).
//   node bench/group.mjs [--etas=2,4,8,...,60] [--smallEtas=2,4,8] [--weights=0,0.5] [--repeats=1,10] [--epochs=1] [--longEpochs=3]
//                        [--rounds=3] [--workers=2] [--scaleB=1,4,16,64] [--scaleWidths=8,32,128]
//                        [--scaleEpochs=3] [--profileR=1,10] [--sections=peak,check,grid,pool,scale,profile]
//                        [--timeout-min=40] [--write-results]
//   npm run bench -- --group [same options]
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwardPageLog, launchChromium, requireChromium, startVite } from '../scripts/headless.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const PASSED = ['etas', 'smallEtas', 'weights', 'repeats', 'epochs', 'longEpochs', 'rounds', 'workers', 'scaleB', 'scaleWidths', 'scaleEpochs', 'profileR', 'sections'];
const BEGIN = '<!-- GROUPED:BEGIN (bench/group.mjs --write-results) -->';
const END = '<!-- GROUPED:END -->';

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The commit measured, and the engine files (src/, shaders/) edited on top of it. */
function revision() {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
    const dirty = execSync('git status --porcelain -- src shaders workers', { cwd: root }).toString().split('\n').filter(Boolean).map((l) => l.slice(3));
    return dirty.length ? `${head} + uncommitted edits to ${dirty.join(', ')}` : head;
  } catch {
    return 'unknown';
  }
}

function toMarkdown(r, command, browser) {
  const s = r.setup;
  const lines = [];
  lines.push('## Grouped training: the toy2d grid (issue 10)', '');
  lines.push(`- Date: ${r.date}; adapter: ${r.adapter}; ${browser}; ${r.hardwareConcurrency} logical cores shared with other jobs (timings noisy: every ratio is from the same page and run, rounds interleaved, medians of ${s.rounds})`);
  lines.push(`- Command: \`${command}\`; whole run ${f(r.totalSeconds, 0)} s; code: ${r.revision}`);
  lines.push(`- Models: 2 → ${s.layers} hidden layers of width 4η → 1, tanh hidden, linear output, η ∈ {${s.etas.join(', ')}}, w ∈ {${s.weights.join(', ')}} (full gradient 'all': k = 2 tangents when w > 0, none when w = 0), R repeats (own data per repeat); N = ${s.n} rows of f(x) = sin(2x₀)cos(1.5x₁) + 0.3x₀x₁ on U(−1,1)² with its exact gradient, batch ${s.batch}, Adam lr ${s.learningRate}, ${s.epochs} epochs = ${s.stepsPerFit} steps per fit`);
  if (r.peak) lines.push(`- Peak in the same page (bench/peak.ts): fma() ${f(r.peak.fmaGflops)} GFLOP/s, a·m+c ${f(r.peak.mulAddGflops)} GFLOP/s; ${f(r.peak.dispatchUs, 1)} µs per dispatch`);
  lines.push('- Times are whole calls as a user makes them: grouped = createMlpGroup + fit + destroy; one at a time = createMlp + fit + destroy per model, in turn; pool = pool.run of the same networks (train + test in workers). Model-steps/s = models × steps ÷ seconds.');
  if (r.check) lines.push(`- Check (same run): after ${r.check.epochs} epochs, model i of the grouped R = 1 grid vs the lone model with its spec, seed and options: ${r.check.maxParamRelErr === 0 && r.check.maxLossRelErr === 0 ? `parameters and final losses bitwise identical for all ${r.check.models} models` : `max normwise relative parameter difference ${r.check.maxParamRelErr.toExponential(1)} (${r.check.worst}), final loss ${r.check.maxLossRelErr.toExponential(1)} over ${r.check.models} models`}`);
  lines.push('');
  if (r.grid?.length) {
    const long = r.grid.some((g) => g.marginalSpeedup !== undefined);
    lines.push('### Grouped vs one network at a time', '');
    lines.push(`Whole calls of ${s.epochs} epoch(s) = ${s.stepsPerFit} steps per model${long ? `; per step: the difference between ${s.longEpochs}-epoch and ${s.epochs}-epoch fits ÷ the ${r.grid[0].longSteps - r.grid[0].steps} extra steps (fit's fixed costs cancel; ms for one step of every model of the row)` : ''}.`, '');
    lines.push(`| grid | R | models | grouped (s) | one at a time (s) | grouped model-steps/s | one at a time model-steps/s | speed-up (whole calls) |${long ? ' grouped ms/step | one at a time ms/step | speed-up (per step) |' : ''} MFLOP/step | GFLOP/s | % of peak | dispatches/step |`);
    lines.push(`|---|---:|---:|---:|---:|---:|---:|---:|${long ? '---:|---:|---:|' : ''}---:|---:|---:|---:|`);
    for (const g of r.grid) {
      const seq = `${f(med(g.sequentialMs) / 1000)}${g.sequentialExtrapolated ? ` (${g.sequentialMeasuredModels} measured ×${g.models / g.sequentialMeasuredModels})` : ''}`;
      const gf = long ? g.marginalGroupedGflops : g.groupedGflops;
      const pc = long ? g.marginalGroupedPctPeak : g.groupedPctPeak;
      const marg = long ? ` ${f(g.marginalGroupedMsPerStep, 1)} | ${f(g.marginalSequentialMsPerStep, 1)} | **${f(g.marginalSpeedup, 2)}×** |` : '';
      lines.push(`| ${g.set ?? 'all η'} | ${g.R} | ${g.models} | ${f(med(g.groupedMs) / 1000)} | ${seq} | ${f(g.groupedModelStepsPerS, 0)} | ${f(g.sequentialModelStepsPerS, 0)} | **${f(g.speedup, 2)}×** |${marg} ${f(g.mflopsPerGroupedStep, 1)} | ${f(gf)} | ${f(pc, 1)} | ${f(g.groupedDispatchesPerStep, 0)} |`);
    }
    lines.push('');
    lines.push(`One at a time is measured on the R = 1 grid of the row\'s η set each round; for R > 1 it is that time × R (the same shapes, so the per-model cost does not depend on R). GFLOP/s: GEMM FLOPs of every model\'s step from the shapes (bench/problem.ts stepFlops: forward + weight and activation gradients over (1 + k)·10 rows, 2 per FMA) ÷ grouped ms/step (${long ? 'per step, without fit\'s fixed costs' : 'fit\'s fixed costs included'}).`, '');
  }
  if (r.pool) {
    lines.push('### Grouped vs the worker pool', '');
    lines.push('| R = 1 grid | pool workers | pool jobs | pool (s) | grouped, one device (s) | pool model-steps/s | grouped model-steps/s | grouped ÷ pool |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of r.pool.rows) lines.push(`| ${p.mode} | ${p.workers} | ${p.jobs} | ${f(med(p.poolMs) / 1000)} | ${f(med(p.groupedMs) / 1000)} | ${f(p.poolModelStepsPerS, 0)} | ${f(p.groupedModelStepsPerS, 0)} | **${f(p.groupedOverPool, 2)}×** |`);
    lines.push('', `${r.pool.note}; the pool was started and warmed first (${f(r.pool.coldMs / 1000, 1)} s, not counted).`, '');
  }
  if (r.scale?.length) {
    lines.push('### Cost of a grouped step vs B and width', '');
    lines.push(`Uniform groups of 2 → 4×width → 1 tanh models, w = 0.5 (k = 2), batch 10; ms per step = (median ${s.scaleEpochs}-epoch fit − median 1-epoch fit) ÷ the ${r.scale[0].steps} extra steps (fit\'s fixed costs cancel). Per model: ms/step ÷ B; ÷ (B = 1): what one step of B models costs in steps of one model (B means no saving, 1 means free).`, '');
    lines.push('| B | width | ms/step | ms/step per model | ÷ (B = 1 ms/step) | MFLOP/step | GFLOP/s | % of peak |');
    lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.scale) lines.push(`| ${x.B} | ${x.width} | ${f(x.msPerStep)} | ${f(x.msPerStep / x.B, 3)} | ${f(x.msPerStep / x.msPerStepPerModel, 1)} | ${f(x.mflopsPerStep, 1)} | ${f(x.gflops)} | ${f(x.pctPeak, 1)} |`);
    lines.push('');
  }
  if (r.profiles?.length) {
    lines.push('### Where a grouped step\'s time goes', '');
    lines.push('The compute dispatches of one fit step, recorded and replayed in this page (bench/profile.ts): each alone (best of 3, ms per dispatch summed per kernel), and the whole step back to back. The replayed step leaves out fit\'s per-chunk submit and loss readback.', '');
    lines.push('| group | dispatches/step | replayed step (ms) | sum of isolated kernels (ms) | top kernels (count: ms) |');
    lines.push('|---|---:|---:|---:|---|');
    for (const p of r.profiles) lines.push(`| ${p.config} (${p.models} models) | ${p.dispatchesPerStep} | ${f(p.replayMsPerStep)} | ${f(p.sumMs)} | ${p.byLabel.slice(0, 5).map((k) => `${k.label.replace(/\|+$/, '').replaceAll('|', '/')} ×${k.count}: ${f(k.ms)}`).join('; ')} |`);
    lines.push('');
  }
  if (r.warnings?.length) lines.push('Warnings:', '', ...r.warnings.map((w) => `- ${w}`), '');
  return lines.join('\n');
}

async function main() {
  const executablePath = requireChromium();
  const vite = await startVite({ cacheDir: '.vite-group-bench' });
  const browser = await launchChromium({ executablePath });
  const started = Date.now();
  try {
    const page = await browser.newPage();
    forwardPageLog(page, 'group', started);
    const query = new URLSearchParams();
    for (const name of PASSED) if (option(name) !== undefined) query.set(name, option(name));
    const rev = revision(); // what the page loads now
    await page.goto(`${vite.url}/bench/group.html${query.size ? `?${query}` : ''}`);
    await page.waitForFunction(() => globalThis.__groupBench || globalThis.__groupBenchError, null, { timeout: Number(option('timeout-min') ?? 40) * 60_000, polling: 1000 });
    const error = await page.evaluate(() => globalThis.__groupBenchError);
    if (error) throw new Error(error);
    const result = { ...(await page.evaluate(() => globalThis.__groupBench)), revision: rev };
    const shown = args.filter((a) => !a.startsWith('--timeout') && a !== '--write-results');
    const command = `node bench/group.mjs${shown.length ? ` ${shown.join(' ')}` : ''}`;
    const md = toMarkdown(result, command, `Chromium ${browser.version()} headless`);
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'group.json'), `${JSON.stringify({ ...result, browser: browser.version(), command }, null, 2)}\n`);
    writeFileSync(join(dir, 'group.md'), `${md}\n`);
    console.log(`\n${md}`);
    if (args.includes('--write-results')) {
      const file = join(root, 'bench', 'RESULTS.md');
      const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
      const section = `${BEGIN}\n${md}\n${END}\n`;
      const i = old.indexOf(BEGIN);
      const j = old.indexOf(END);
      const next = i >= 0 && j > i ? `${old.slice(0, i)}${section}${old.slice(j + END.length + 1)}` : `${old.trimEnd()}\n\n${section}`;
      writeFileSync(file, next);
      console.log('[bench/group] wrote bench/results/group.{json,md} and the grouped section of bench/RESULTS.md');
    } else console.log('[bench/group] wrote bench/results/group.{json,md} (--write-results to update bench/RESULTS.md)');
  } finally {
    await browser.close();
    await vite.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[bench/group] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
