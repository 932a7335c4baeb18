import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A sweep across machines (docs/distributed.md): the tiny preset as 3 shards in separate
// processes, two of the Node runner (Dawn on SwiftShader) and one of the browser runner
// (headless Chromium), each with its own worker count, merged into the report a single
// process writes; a missing shard is named, and a shard of another
// preset or code version is refused.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = join(tmpdir(), `sobolev-distributed-${process.pid}`);

function reproduce(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/reproduce.mjs', ...args], { cwd: root });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const nn = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results.find((r: { id: string }) => r.id === 'nn').data;

/** Where two results differ: keys of timings, worker slots and groups left out; numbers equal
 *  to a few float32 ulps (a group's last training loss is summed in an order that can vary). */
function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  const skip = new Set(['seconds', 'trainMs', 'worker', 'workers', 'group', 'attempts', 'adapter', 'plan', 'merged']);
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} vs ${b}`);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!skip.has(k)) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}

test.afterAll(() => rmSync(base, { recursive: true, force: true }));

test('tiny as 3 shards in separate processes, merged: the report of one process; a missing shard is named; another preset or code version is refused', async () => {
  test.setTimeout(5 * 60_000);
  const node = ['--runtime', 'node', '--swiftshader', '--preset', 'tiny', '--no-estimate', '--fresh'];
  const whole = join(base, 'whole');
  const shard = (i: number) => join(base, `shard-${i}-of-3`);
  // The Node runner's build first (the processes below would each start one), then the single
  // run and the shards at once: shard 2 in the browser runner (headless Chromium), shards 1
  // and 3 in Node, each with its own worker count.
  expect((await reproduce(['--build-only'])).code).toBe(0);
  const browser = ['--preset', 'tiny', '--no-estimate', '--fresh', '--workers', '2'];
  const [one, ...runs] = await Promise.all([
    reproduce([...node, '--sections', 'nn', '--out', whole]),
    ...[1, 2, 3].map((i) => reproduce([...(i === 2 ? browser : [...node, '--workers', '1']), '--shard', `${i}/3`, '--out', shard(i)])),
  ]);
  expect(one.code, one.output.slice(-3000)).toBe(0);
  runs.forEach((r, i) => {
    expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(r.output).toContain(`nn | shard ${i + 1}/3: `);
    expect(r.output).toContain(`--merge`); // how to merge
  });
  const stored = [1, 2, 3].map((i) => readdirSync(join(shard(i), 'groups')).map((f) => JSON.parse(readFileSync(join(shard(i), 'groups', f), 'utf8'))));
  const networks = stored.map((groups) => groups.flatMap((g) => g.records.map((r: { eta: number; repeat: number; model: string }) => `η=${r.eta} r${r.repeat} ${r.model}`)));
  expect(networks.every((n) => n.length > 0)).toBe(true);
  expect(new Set(networks.flat()).size).toBe(4); // the 4 networks of tiny, each in one shard
  expect(networks.flat()).toHaveLength(4);
  for (const [i, groups] of stored.entries()) for (const g of groups) expect(g).toMatchObject({ preset: 'tiny', shard: `${i + 1}/3`, code: expect.stringMatching(/^[0-9a-f]{12}$/) });
  for (const i of [1, 2, 3]) expect(readdirSync(shard(i))).toEqual(['groups']); // no report

  const merged = join(base, 'merged');
  const m = await reproduce(['--preset', 'tiny', '--merge', shard(1), shard(2), shard(3), '--out', merged]);
  expect(m.code, m.output.slice(-3000)).toBe(0);
  expect(m.output).toMatch(/merged \d stored groups of 3 folder\(s\) \(shards 1\/3, 2\/3, 3\/3\)/);
  const report = JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8'));
  expect(report).toMatchObject({ preset: 'tiny', runtime: 'merge', ok: true, errors: [], sections: ['nn'] });
  expect(report.results[0].data.experiments[0].sweeps[0].runs).toHaveLength(4);
  expect(differences(nn(merged), nn(whole))).toEqual([]);
  const tables = (dir: string) => readFileSync(join(dir, 'results.md'), 'utf8').split('\n').filter((l) => l.startsWith('|'));
  expect(tables(merged).length).toBeGreaterThan(8);
  expect(tables(merged)).toEqual(tables(whole));
  expect(JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8')).paper).toEqual(JSON.parse(readFileSync(join(whole, 'results.json'), 'utf8')).paper);

  // Shard 2 left out: the merge names it and its networks, and writes no report.
  const missing = await reproduce(['--preset', 'tiny', '--merge', shard(1), shard(3), '--out', join(base, 'missing')]);
  expect(missing.code).not.toBe(0);
  expect(missing.output).toContain(`shard 2/3: ${networks[1].length} network(s) (${networks[1].map((n) => `toy2d N=50 ${n}`).join(', ')})`);
  expect(missing.output).toContain('npm start -- --preset tiny --shard 2/3');

  // Shard 2 as another preset or another code version made it (their stamps): refused.
  const altered = (name: string, change: Record<string, string>) => {
    const dir = join(base, name);
    cpSync(shard(2), dir, { recursive: true });
    for (const f of readdirSync(join(dir, 'groups'))) {
      const file = join(dir, 'groups', f);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...change }));
    }
    return dir;
  };
  const otherPreset = await reproduce(['--preset', 'tiny', '--merge', shard(1), altered('quick-2', { preset: 'quick' }), shard(3), '--out', join(base, 'refused')]);
  expect(otherPreset.code).not.toBe(0);
  expect(otherPreset.output).toMatch(/quick-2\/groups: toy2d-N50-[0-9a-f]{8}-s2of3-r0_g0 is of preset quick, not tiny/);
  const otherCode = await reproduce(['--preset', 'tiny', '--merge', shard(1), altered('old-2', { code: '0123456789ab' }), shard(3), '--out', join(base, 'refused')]);
  expect(otherCode.code).not.toBe(0);
  expect(otherCode.output).toMatch(/old-2\/groups: \S+ was made by code version 0123456789ab, this one is [0-9a-f]{12}/);
  expect(readdirSync(base)).not.toContain('refused'); // nothing written
  // And a shard of tiny offered to another preset's merge.
  const wrongMerge = await reproduce(['--preset', 'quick', '--merge', shard(1), shard(2), shard(3), '--out', join(base, 'refused')]);
  expect(wrongMerge.output).toContain('is of preset tiny, not quick');
});
