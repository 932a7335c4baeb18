import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { complexityBound } from '../src/sweep/bound';

// The main job (`npm start`, scripts/reproduce.mjs) end to end: its own Vite server and
// headless Chromium, the quick preset of the NN section, the reports it writes.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function reproduce(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/reproduce.mjs', ...args], { cwd: root, env: process.env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

interface Summary { eta: number; baseline: { rmse: { mean: number }; corr: { mean: number } }; gi: { rmse: { mean: number }; corr: { mean: number } } }
interface NnJson { experiments: { problem: string; sweeps: { nTrain: number; summary: Summary[]; bound: ReturnType<typeof complexityBound> }[] }[] }

test('npm start (quick, NN section): finishes, writes the reports, GI beats the baseline', async () => {
  test.setTimeout(8 * 60_000);
  const out = 'test-results/reproduce-quick';
  const started = Date.now();
  const { code, output } = await reproduce(['--sections', 'nn', '--out', out]);
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: 'timing', description: `npm start --sections nn (quick): ${seconds.toFixed(0)} s` });
  console.log(`npm start --sections nn (quick): ${seconds.toFixed(0)} s`);
  expect(code, output.slice(-3000)).toBe(0);
  expect(output).toMatch(/WebGPU adapter: \S+/);
  expect(output).toMatch(/\| toy2d \| 50 \|/); // the tables are printed

  const report = JSON.parse(readFileSync(join(root, out, 'results.json'), 'utf8'));
  expect(report).toMatchObject({ preset: 'quick', ok: true, errors: [], sections: ['nn'] });
  expect(report.adapter).toBeTruthy();
  const md = readFileSync(join(root, out, 'results.md'), 'utf8');
  expect(md).toContain('**UB = ');
  expect(md).toContain('preset: **quick**');
  expect(existsSync(join(root, out, 'demo.png')) && statSync(join(root, out, 'demo.png')).size).toBeGreaterThan(20_000);

  const nn = report.results.find((r: { id: string }) => r.id === 'nn').data as NnJson;
  expect(nn.experiments.map((e) => e.problem).sort()).toEqual(['garch4d', 'regression8d', 'toy2d']);
  for (const problem of ['toy2d', 'regression8d']) {
    const exp = nn.experiments.find((e) => e.problem === problem)!;
    const smallest = [...exp.sweeps].sort((a, b) => a.nTrain - b.nTrain)[0];
    const base = smallest.summary.map((s) => s.baseline.rmse.mean);
    const gi = smallest.summary.map((s) => s.gi.rmse.mean);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // Idea 1: GI beats the baseline, at the best width and on average over the widths.
    expect(Math.min(...gi), `${problem} best GI vs best baseline RMSE`).toBeLessThan(Math.min(...base));
    expect(mean(gi), `${problem} mean GI vs mean baseline RMSE`).toBeLessThan(mean(base));
    // The reported bound is the bound of the reported per-η means (not of other numbers), and
    // its best baseline width is the one with the lowest mean baseline RMSE in the table.
    const rows = smallest.summary.map((s) => ({
      eta: s.eta,
      baseline: { rmse: s.baseline.rmse.mean, corr: s.baseline.corr.mean },
      gi: { rmse: s.gi.rmse.mean, corr: s.gi.corr.mean },
    }));
    expect(smallest.bound, `${problem} bound`).toEqual(complexityBound(rows));
    expect(smallest.bound.bestBaselineEta).toBe(smallest.summary[base.indexOf(Math.min(...base))].eta);
  }
});

test('npm start fails with a clear message on a bad request', async () => {
  const bad = await reproduce(['--preset', 'huge']);
  expect(bad.code).not.toBe(0);
  expect(bad.output).toContain('--preset must be quick or paper');
  const unknown = await reproduce(['--sections', 'nosuch', '--out', 'test-results/reproduce-bad']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.output).toMatch(/unknown section\(s\) nosuch/);
});
