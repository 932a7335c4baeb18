import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { complexityBound } from '../src/sweep/bound';

// The main job (`npm start`, scripts/reproduce.mjs) end to end: its own Vite server and
// headless Chromium, the quick preset of the NN section, the reports it writes (with the
// comparison beside the paper); and the browser-free runner (--runtime node) on Dawn with
// SwiftShader, a tiny preset, resumed from its stored groups.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function reproduce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/reproduce.mjs', ...args], { cwd: root, env: { ...process.env, ...env } });
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
  // Outside test-results/, which every Playwright run (others' too) empties at its start.
  const out = join(tmpdir(), `sobolev-reproduce-quick-${process.pid}`);
  const started = Date.now();
  const { code, output } = await reproduce(['--sections', 'nn', '--out', out, '--fresh']);
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: 'timing', description: `npm start --sections nn (quick): ${seconds.toFixed(0)} s` });
  console.log(`npm start --sections nn (quick): ${seconds.toFixed(0)} s`);
  expect(code, output.slice(-3000)).toBe(0);
  expect(output).toMatch(/WebGPU adapter: \S+/);
  // The plan and its estimate come before any training, then progress with an ETA.
  const plan = output.indexOf('nn | plan: ');
  expect(plan, 'the plan is printed').toBeGreaterThan(0);
  expect(output.indexOf('nn | estimate: ')).toBeGreaterThan(plan);
  expect(output).toMatch(/nn \| progress: \d+\/\d+ networks, \d+\/\d+ network-steps, .* elapsed, ETA /);
  expect(output).toMatch(/\| toy2d \| 50 \|/); // the tables are printed

  const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(report).toMatchObject({ preset: 'quick', ok: true, errors: [], sections: ['nn'] });
  expect(report.adapter).toBeTruthy();
  const md = readFileSync(join(out, 'results.md'), 'utf8');
  expect(md).toContain('**UB = ');
  expect(md).toContain('preset: **quick**');
  // Beside the paper: our smallest-N numbers next to the published ones, computed verdicts, the caveat.
  expect(md).toContain('## Beside the paper');
  expect(md).toMatch(/\| toy2d, 50 \| [\d.]+ \(\d+\) \/ 0\.0198 \(36\) \/ [+−][\d.]+ \|/);
  expect(md).toContain("> **Caveat.** Preset 'quick' is not the paper's protocol");
  expect(report.paper.verdicts.length).toBeGreaterThanOrEqual(6);
  const giHelps = report.paper.verdicts.find((v: { claim: string }) => v.claim === 'GI helps at small N: toy2d, N = 50');
  expect(giHelps.holds).toBe(true);
  expect(report.paper.nn.find((r: { problem: string }) => r.problem === 'toy2d').published.baseline.rmse).toBe(0.0198);
  expect(readdirSync(join(out, 'groups')).length, 'finished groups are stored').toBeGreaterThan(0);
  expect(existsSync(join(out, 'demo.png')) && statSync(join(out, 'demo.png')).size).toBeGreaterThan(20_000);

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
  expect(bad.output).toContain('--preset must be one of tiny, quick, full, paper');
  const runtime = await reproduce(['--runtime', 'deno']);
  expect(runtime.output).toContain('--runtime must be browser or node');
  const unknown = await reproduce(['--sections', 'nosuch', '--out', join(tmpdir(), `sobolev-reproduce-bad-${process.pid}`)]);
  expect(unknown.code).not.toBe(0);
  expect(unknown.output).toMatch(/unknown section\(s\) nosuch/);
});

test('npm start -- --runtime node: a tiny preset in Node on Dawn with SwiftShader, then resumed from its stored groups', async () => {
  test.setTimeout(6 * 60_000);
  const out = join(tmpdir(), `sobolev-reproduce-node-tiny-${process.pid}`);
  const args = ['--runtime', 'node', '--swiftshader', '--preset', 'tiny', '--sections', 'nn,linear', '--out', out];
  const first = await reproduce([...args, '--fresh']);
  expect(first.code, first.output.slice(-3000)).toBe(0);
  expect(first.output).toMatch(/\[node\] Dawn adapter: .*swiftshader/i);
  expect(first.output).toContain('nn | plan: 4 networks in 1 sweeps');
  expect(first.output).toMatch(/nn \| estimate: \S+ on this adapter/);
  const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(report).toMatchObject({ preset: 'tiny', runtime: 'node', ok: true, errors: [], sections: ['nn', 'linear'] });
  expect(report.adapter).toMatch(/swiftshader/i);
  const nn = report.results.find((r: { id: string }) => r.id === 'nn').data;
  expect(nn.experiments[0].sweeps[0].runs).toHaveLength(4);
  const linear = report.results.find((r: { id: string }) => r.id === 'linear').data;
  expect(linear.runs.length).toBe(2 * 3 * 5);
  expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('## Beside the paper');
  const stored = readdirSync(join(out, 'groups'));
  expect(stored.length).toBeGreaterThan(0);
  // The same folder again: every network comes from the stored groups, none is trained.
  const second = await reproduce(args);
  expect(second.code, second.output.slice(-3000)).toBe(0);
  expect(second.output).toMatch(/progress: 4\/4 networks \(4 resumed\)/);
  expect(readdirSync(join(out, 'groups'))).toEqual(stored);
  const again = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  expect(again.results.find((r: { id: string }) => r.id === 'nn').data.experiments[0].sweeps[0].summary).toEqual(nn.experiments[0].sweeps[0].summary);
});
