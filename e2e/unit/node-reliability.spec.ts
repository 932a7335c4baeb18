// The Node entry (sobolev-webgpu/node, dist/) survives what crashed Dawn before: contexts
// created and destroyed back to back, and pool workers stopped while busy in Dawn (a cancel
// past cancelGraceMs, pool.destroy() with jobs running). Each case runs in a child process
// (e2e/unit/node/reliability.mjs), so a crash is a failed assertion here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test, expect } from '@playwright/test';

const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';

test.beforeAll(() => {
  test.setTimeout(120_000);
  expect(existsSync(icd), `${icd} (Debian's chromium package) is needed for this test`).toBe(true);
  execFileSync('node', ['scripts/build.mjs', '--quiet'], { stdio: 'pipe' });
});

function run(name: string): Record<string, any> {
  const r = spawnSync('node', ['--expose-gc', 'e2e/unit/node/reliability.mjs', name], { encoding: 'utf8', timeout: 100_000 });
  // Exits by itself, status 0: no abort, no segfault, no hang.
  expect({ status: r.status, signal: r.signal }, `${r.stdout}\n${r.stderr}`).toEqual({ status: 0, signal: null });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('Node: contexts created and destroyed back to back, each fitting and predicting', () => {
  test.setTimeout(120_000);
  const out = run('churn');
  expect(out).toMatchObject({ rounds: 3, destroyed: 4, same: true });
});

test('Node pool: a job cancelled past cancelGraceMs rejects with AbortError; its busy worker is stopped without taking the process down', () => {
  test.setTimeout(120_000);
  const out = run('cancel');
  expect(out.error.name).toBe('AbortError');
  expect(out.after.terminated).toBe(1);
  expect(out.next).toBe('next');
  expect(out.stats).toEqual({ liveBuffers: 0, jobsRun: 1 });
  expect(out.end).toMatchObject({ liveWorkers: 0, terminated: 2 });
});

test('Node pool: destroy() with every worker busy in Dawn rejects their jobs with AbortError and returns', () => {
  test.setTimeout(120_000);
  const out = run('destroy');
  expect(out.errors.map((e: { name: string }) => e.name)).toEqual(['AbortError', 'AbortError']);
  expect(out.stats).toMatchObject({ liveWorkers: 0, busy: 0, queued: 0 });
});

test('Node pool: a worker script that cannot load is started a bounded number of times, then the pool fails every job clearly', () => {
  test.setTimeout(60_000);
  const out = run('missing');
  expect(out.first.name).toBe('WorkerCrashError');
  expect(out.first.message).toContain('no-such-worker.js');
  // Three starts, 100 and 200 ms apart, then none: not a restart loop while the pool idles.
  expect(out.startedAfterJob).toBe(3);
  expect(out.stats).toMatchObject({ started: 3, liveWorkers: 0, queued: 0, busy: 0 });
  expect(out.later.name).toBe('WorkerCrashError');
  expect(out.later.message).toMatch(/^This pool has stopped: 3 workers in a row failed to start \(.*no-such-worker\.js.*\)\. Check workerUrl/);
});

test('Node pool: 40 jobs of 1 MiB each leave the heap as it was and no listener on their shared signal', () => {
  test.setTimeout(100_000);
  const out = run('heap');
  expect(out.echoed).toBe(out.jobs); // each result carried its 1 MiB back
  expect(out.listeners).toBe(0);
  expect(out.grownMiB).toBeLessThan(8); // 40 MiB if results or jobs were kept
});

test('Node pool: a LazyJob whose make() returns a job with another id is refused (RangeError)', () => {
  test.setTimeout(60_000);
  const out = run('lazy');
  expect(out.other).toEqual({ name: 'RangeError', message: "LazyJob 'a': make() returned a job with id 'b' (a string); it must return a job with the LazyJob's own id" });
  expect(out.same).toBe('c');
});

test('fit in extreme units: inputs spread over 1e-12, targets of 1e-12 or 3e19 train like the same data in unit scale', () => {
  test.setTimeout(100_000);
  const out = run('units');
  for (const [name, r] of Object.entries(out).filter(([key]) => key !== 'case') as [string, any][]) {
    expect(r.diverged, name).toBe(false);
    expect(r.epochs, name).toBe(300);
    expect(r.last, name).toBeLessThan(r.first / 100); // reported in the user's units, finite
    expect(r.rmse, name).toBeLessThan(0.1); // of the signal's amplitude: a constant model is 0.7
  }
});

test('ctx.destroy() during a fit or a predict rejects it with DestroyedError', () => {
  test.setTimeout(100_000);
  const out = run('destroyed');
  for (const error of [out.fitError, out.predictError]) expect(error).toEqual({ name: 'DestroyedError', message: 'This context has been destroyed; create a new one.' });
});
