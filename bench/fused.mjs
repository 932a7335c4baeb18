#!/usr/bin/env node
// Headless runner of bench/fused.html (the fused training kernel vs the layered step): writes
// bench/results/fused.json (git-ignored) and prints a Markdown table for bench/RESULTS.md.
//   node bench/fused.mjs [--rounds=3] [--budgetMs=1200] [--sections=lone,sweep,grid] [--etas=2,4,8] [--repeats=1,10] [--forceGrid=1] [--timeout-min=60]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwardPageLog, launchChromium, requireChromium, startVite } from '../scripts/headless.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

function table(title, rows) {
  if (!rows.length) return [];
  const lines = [`### ${title}`, '', '| case | models | fused mode | MACs/step/model | fused chosen | fused ms/step | layered ms/step | layered ÷ fused | dispatches/step fused, layered |', '|---|---:|---|---:|---|---:|---:|---:|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.models} | ${r.mode} | ${Number.isFinite(r.macs) ? r.macs.toLocaleString('en') : 'per model'} | ${r.models > 1 ? (r.fusedSelected ? 'all (forced)' : "fit's choice") : r.fusedSelected ? 'yes' : 'no'} | ${f(r.fusedMsPerStep, 3)} | ${f(r.layeredMsPerStep, 3)} | **${f(r.speedup)}×** | ${f(r.fusedDispatches, 2)}, ${f(r.layeredDispatches, 1)} |`);
  return [...lines, ''];
}

async function main() {
  const executablePath = requireChromium();
  const vite = await startVite({ cacheDir: '.vite-bench-fused', optimizeDeps: { entries: ['bench/fused.html'] } });
  const query = new URLSearchParams();
  for (const name of ['rounds', 'budgetMs', 'sections', 'etas', 'repeats', 'lone', 'threads', 'forceGrid']) if (option(name)) query.set(name, option(name));
  const url = `${vite.url}/bench/fused.html${query.size ? `?${query}` : ''}`;
  const browser = await launchChromium({ executablePath, headless: true });
  const started = Date.now();
  try {
    const page = await browser.newPage();
    forwardPageLog(page, 'fused', started);
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__fusedBench || globalThis.__fusedBenchError, null, { timeout: Number(option('timeout-min') ?? 60) * 60_000, polling: 1000 });
    const error = await page.evaluate(() => globalThis.__fusedBenchError);
    if (error) throw new Error(error);
    const r = await page.evaluate(() => globalThis.__fusedBench);
    const browserVersion = browser.version();
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'fused.json'), `${JSON.stringify(r, null, 2)}\n`);
    const command = `node bench/fused.mjs ${args.join(' ')}`.trim();
    const md = [
      '## The fused training kernel vs the layered step',
      '',
      `- Date: ${r.date}; adapter: ${r.adapter}; Chromium ${browserVersion}; command: \`${command}\`; whole run ${f(r.seconds, 0)} s`,
      `- ms/step = (fit of 1 + E epochs − fit of 1 epoch) ÷ the extra steps (create + fit + destroy each; fit's fixed costs cancel), median of ${r.rounds} rounds, fused and layered interleaved in the same page; w = 0.5, directions 'all' (k = inputs), tanh, Adam lr 1e-3, jacobianMode 'auto' (the layered step takes reverse for one output and k ≥ 2, the fused kernel too where reverse saves ≥ ${r.reverseMinSavedMacs.toLocaleString('en')} multiply-adds a step per model, else forward); MACs count the fused mode's stacked rows`,
      `- "fused chosen": whether fit picks the fused kernel for the model (threshold ${r.threshold.toLocaleString('en')} multiply-adds per model and step); the crossover sweep forces it.`,
      '',
      ...table('The issue\'s shapes (one model)', r.lone),
      ...table('Crossover: 2 → 4 hidden layers of 4η → 1, batch 10 of 50, fused forced', r.sweep),
      ...table('The toy2d grid grouped (2 → 4×4η → 1, η ∈ 2…60, w ∈ {0, 0.5}, batch 10 of 50): the fused part and the layered part, one after the other, vs all layered', r.grid),
    ].join('\n');
    writeFileSync(join(root, 'bench', 'results', 'fused.md'), `${md}\n`);
    console.log(`\n${md}`);
  } finally {
    await browser.close();
    await vite.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
