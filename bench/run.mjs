#!/usr/bin/env node
// Headless runner of the in-page benchmark (bench/index.html): serves the repository with Vite
// on 127.0.0.1 (cross-origin isolated, so jax-js's wasm device can use threads), opens the page
// in Chromium with WebGPU, streams its progress, and writes
//   bench/results/latest.json, bench/results/latest.md  (git-ignored)
//   bench/RESULTS.md                                     (committed; full runs only)
//   node bench/run.mjs --group [...]   runs bench/group.mjs instead (grouped training, issue 10)
// Usage: node bench/run.mjs [--quick] [--only=ours,jax-webgpu,jax-wasm,tfjs-webgpu]
//                           [--sections=peak,check,main,profile,width,n] [--jax-sync=block|step]
//                           [--headed] [--timeout-min=20] [--write-results]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forwardPageLog, launchChromium, requireChromium, startVite } from '../scripts/headless.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The grouped-training section of bench/RESULTS.md (from its GROUPED:BEGIN marker to the end
 *  of the file: bench/group.mjs's tables and the notes after them), kept when a full run
 *  rewrites the file. */
function groupedSection(file) {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf('<!-- GROUPED:BEGIN');
  return i >= 0 ? `\n${text.slice(i)}` : '';
}

async function main() {
  if (flag('group')) {
    const result = spawnSync(process.execPath, [join(root, 'bench', 'group.mjs'), ...args.filter((a) => a !== '--group')], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`bench/group.mjs exited with ${result.status}`);
    return;
  }
  const executablePath = requireChromium();
  const vite = await startVite({
    // A dependency cache of its own: other Vite servers on this checkout (tests, demo) with
    // other pre-bundle lists would otherwise rewrite node_modules/.vite under the running page.
    cacheDir: '.vite-bench',
    // Cross-origin isolation: SharedArrayBuffer for jax-js's multi-threaded wasm device.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    // Pre-bundle every dependency of the page up front: a dependency discovered later makes
    // Vite reload the page in the middle of the run.
    optimizeDeps: { entries: ['bench/index.html'], include: ['@jax-js/jax', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'] },
  });
  const query = new URLSearchParams();
  if (flag('quick')) query.set('quick', '1');
  if (option('only')) query.set('only', option('only'));
  if (option('sections')) query.set('sections', option('sections'));
  if (option('jax-sync')) query.set('jaxSync', option('jax-sync'));
  if (option('profile-inputs')) query.set('profileInputs', option('profile-inputs'));
  const url = `${vite.url}/bench/index.html${query.size ? `?${query}` : ''}`;

  const browser = await launchChromium({ executablePath, headless: !flag('headed') });
  const started = Date.now();
  try {
    const page = await browser.newPage();
    forwardPageLog(page, 'bench', started);
    console.log(`[bench] ${url} in ${executablePath}`);
    await page.goto(url);
    const timeout = Number(option('timeout-min') ?? 20) * 60_000;
    await page.waitForFunction(() => window.__bench && window.__bench.state !== 'running', null, { timeout, polling: 1000 });
    const outcome = await page.evaluate(() => window.__bench);
    if (outcome.state !== 'done') throw new Error(`the benchmark page failed: ${outcome.error}`);

    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(outcome.result, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.md'), `${outcome.markdown}\n`);
    const partial = flag('quick') || option('only') || option('sections') || option('jax-sync');
    const resultsFile = join(root, 'bench', 'RESULTS.md');
    if (!partial || flag('write-results')) writeFileSync(resultsFile, `${outcome.markdown}\n${groupedSection(resultsFile)}`);
    console.log(`\n${outcome.markdown}\n`);
    console.log(`[bench] wrote bench/results/latest.json and latest.md${partial && !flag('write-results') ? ' (partial run: bench/RESULTS.md left as it was; --write-results to overwrite)' : ' and bench/RESULTS.md'}`);
  } finally {
    await browser.close();
    await vite.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`[bench] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
