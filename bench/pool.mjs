#!/usr/bin/env node
// Headless runner of bench/pool.html: the sweep-pool speed-up with 1, 2 and 4 workers.
// Writes bench/results/pool.json and bench/results/pool.md (git-ignored) and prints the table.
//   node bench/pool.mjs [--sizes=1,2,4] [--jobs=16] [--epochs=30] [--rounds=3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, requireChromium, startVite } from '../scripts/headless.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

async function main() {
  const executablePath = requireChromium();
  const vite = await startVite({ cacheDir: '.vite-pool-bench' });
  const browser = await launchChromium({ executablePath });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => m.text().startsWith('[pool]') && console.log(m.text()));
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    const query = new URLSearchParams({ sizes: option('sizes', '1,2,4'), jobs: option('jobs', '16'), epochs: option('epochs', '30'), rounds: option('rounds', '3') });
    await page.goto(`${vite.url}/bench/pool.html?${query}`);
    await page.waitForFunction(() => globalThis.__poolBench || globalThis.__poolBenchError, null, { timeout: 30 * 60_000, polling: 500 });
    const error = await page.evaluate(() => globalThis.__poolBenchError);
    if (error) throw new Error(error);
    const result = await page.evaluate(() => globalThis.__poolBench);
    const md = [
      `Worker pool: ${result.rows[0].jobs} toy2d jobs (N = 50, 4×16 tanh, GI, ${result.epochs} epochs, batch 10) on ${result.adapter}, ` +
        `${result.hardwareConcurrency} logical cores, ${browser.version()}; medians of ${result.rounds} rounds.`,
      '',
      '| workers | cold (s) | warm (s) | jobs/s (warm) | speed-up (warm) |',
      '|---:|---:|---:|---:|---:|',
      ...result.rows.map((r) => `| ${r.workers} | ${r.coldSeconds.toFixed(1)} | ${r.warmSeconds.toFixed(1)} | ${r.jobsPerSecond.toFixed(2)} | ${r.speedup.toFixed(2)}× |`),
      '',
    ].join('\n');
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pool.json'), JSON.stringify({ ...result, browser: browser.version(), date: new Date().toISOString() }, null, 2));
    writeFileSync(join(dir, 'pool.md'), md);
    console.log(`\n${md}`);
  } finally {
    await browser.close();
    await vite.close();
  }
}

main().catch((e) => {
  console.error(`[bench/pool] ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
