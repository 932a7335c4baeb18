import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

// Crashes and cancellation in the worker pool. Faults are injected by the test-only worker
// e2e/pages/fault.worker.ts (pools from `faultPool`) at a job's first progress report: 'throw'
// raises an uncaught error inside the worker (its `error` event), 'lose-device' destroys the
// worker's GPUDevice in the middle of the job.

async function openSweepPage(page: Page): Promise<void> {
  await page.goto('/e2e/pages/sweep.html');
  await page.waitForFunction(() => (globalThis as { sweepReady?: boolean }).sweepReady === true);
}

test('workers that crash or lose their device mid-sweep are replaced; every job finishes exactly once', async ({ gpu }) => {
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { faultPool, smallJob } = globalThis as any;
    const pool = faultPool({ size: 2 });
    const ids = Array.from({ length: 8 }, (_, i) => `job${i}`);
    const jobs = ids.map((id, i) =>
      smallJob(id, {
        seed: i,
        epochs: 40,
        fault: i === 2 ? { kind: 'throw', attempts: 1 } : i === 5 ? { kind: 'lose-device', attempts: 2 } : undefined,
      }),
    );
    const streamed: string[] = [];
    const results = await pool.run(jobs, { onResult: (r: any) => streamed.push(r.id) });
    const workers = await pool.workerStats();
    const stats = pool.stats();
    await pool.destroy();
    return { ids, streamed, results, workers, stats };
  });
  expect(out.results.map((r: any) => r.id)).toEqual(out.ids); // in job order, none missing
  expect([...out.streamed].sort()).toEqual([...out.ids].sort()); // streamed once each
  const attempts = Object.fromEntries(out.results.map((r: any) => [r.id, r.attempts]));
  expect(attempts).toEqual({ job0: 1, job1: 1, job2: 2, job3: 1, job4: 1, job5: 3, job6: 1, job7: 1 });
  for (const r of out.results) {
    expect(r.models).toHaveLength(1);
    expect(Number.isFinite(r.models[0].rmse)).toBe(true);
    expect(r.liveBuffers).toBe(0);
  }
  expect(out.stats).toMatchObject({ crashes: 3, retries: 3, completed: 8, liveWorkers: 2, busy: 0, queued: 0 });
  expect(out.stats.started).toBe(2 + 3); // each crashed worker was replaced by a fresh one
  for (const w of out.workers) expect(w).toMatchObject({ liveBuffers: 0, liveDevices: 1, running: 0 });
});

test('a job whose worker always crashes fails after a bounded number of attempts; the others finish', async ({ gpu }) => {
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { faultPool, smallJob } = globalThis as any;
    const pool = faultPool({ size: 2, maxRetries: 1 });
    const bad = pool.submit(smallJob('bad', { epochs: 40, fault: { kind: 'throw', attempts: 99 } })).then(
      () => 'resolved',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    const good = await Promise.all([0, 1, 2].map((i) => pool.submit(smallJob(`ok${i}`, { seed: i }))));
    const error = await bad;
    const stats = pool.stats();
    await pool.destroy();
    return { error, good: good.map((r: any) => r.id), stats };
  });
  expect(out.error).toMatch(/^WorkerCrashError: job bad failed on all 2 attempts/);
  expect(out.good).toEqual(['ok0', 'ok1', 'ok2']);
  expect(out.stats).toMatchObject({ crashes: 2, retries: 1, completed: 3 });
});

test('cancelling a sweep stops its jobs, frees their GPU buffers, and destroy() ends every worker', async ({ gpu }) => {
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { sweep, smallJob } = globalThis as any;
    const pool = sweep.createPool({ size: 2, cancelGraceMs: 3000 });
    const controller = new AbortController();
    let progressed = 0;
    const run = pool.run(
      Array.from({ length: 6 }, (_, i) => smallJob(`long${i}`, { seed: i, epochs: 3000 })),
      { signal: controller.signal, onProgress: () => { if (++progressed === 2) controller.abort(); } },
    );
    const error = await run.then(() => 'resolved', (e: Error) => e.name);
    const atAbort = pool.stats();
    await pool.idle();
    const workers = await pool.workerStats();
    const idle = pool.stats();
    const disposed = await pool.destroy();
    return { error, atAbort, workers, idle, disposed, after: pool.stats() };
  });
  expect(out.error).toBe('AbortError');
  expect(out.atAbort.queued).toBe(0); // queued jobs dropped at once
  expect(out.idle).toMatchObject({ busy: 0, queued: 0, completed: 0 });
  // Both workers stop their job between chunks (chunks last ~250 ms, the grace is 3 s), so
  // both are kept, with every buffer of the cancelled jobs destroyed, and none is terminated.
  expect(out.idle.terminated).toBe(0);
  expect(out.workers.length).toBe(2);
  for (const w of out.workers) expect(w).toMatchObject({ liveBuffers: 0, running: 0, liveDevices: 1, jobsRun: 0 });
  // destroy(): every remaining worker destroyed its device, then was terminated.
  expect(out.disposed.length).toBe(out.workers.length);
  for (const w of out.disposed) expect(w).toMatchObject({ liveBuffers: 0, liveDevices: 0 });
  expect(out.after).toMatchObject({ liveWorkers: 0, busy: 0, queued: 0, terminated: 2 });
});

test('a group job whose worker loses its device is run again whole: every network of the sweep reported once, as without the fault', async ({ gpu }) => {
  test.setTimeout(240_000);
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { sweep, faultPool } = globalThis as any;
    const config = {
      problem: 'toy2d', stages: 2, poolSize: 200, testSize: 60, seed: 3, nTrain: 20, etas: [1, 3], repeats: 2,
      settings: { hiddenLayers: 1, outputActivation: 'linear', epochs: 30, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 },
    };
    const fault = JSON.stringify({ kind: 'lose-device', attempts: 1 });
    // Group 1's first attempt loses its device at its first progress report.
    const jobs = sweep.sweepJobs(config, undefined, 2).map((j: any, g: number) => ({ id: j.id, make: () => ({ ...j.make(), meta: g === 1 ? { fault } : undefined }) }));
    const pool = faultPool({ size: 2 });
    const streamed: string[] = [];
    const faulted = await sweep.runWidthJobs(pool, jobs, { onRun: (r: any) => streamed.push(`${r.eta}:${r.model}:${r.repeat}`) });
    const stats = pool.stats();
    const workers = await pool.workerStats();
    await pool.destroy();
    const clean = sweep.createPool({ size: 2 });
    const reference = await sweep.runSweep(clean, config);
    await clean.destroy();
    return { faulted, reference, streamed, stats, workers };
  });
  const key = (r: any) => `${r.eta}:${r.model}:${r.repeat}`;
  expect(out.faulted.runs.map(key)).toEqual(out.reference.runs.map(key));
  expect(out.faulted.runs.length).toBe(8);
  expect([...out.streamed].sort()).toEqual(out.faulted.runs.map(key).sort()); // once each, after the retry
  for (const r of out.faulted.runs) expect(r.attempts).toBe(r.group === 1 ? 2 : 1);
  expect(out.stats).toMatchObject({ crashes: 1, retries: 1, completed: 2 });
  for (const w of out.workers) expect(w).toMatchObject({ liveBuffers: 0, liveDevices: 1, running: 0 });
  // The retried group starts from scratch: the same networks as a sweep without the fault.
  out.faulted.runs.forEach((r: any, i: number) => {
    const ref = out.reference.runs[i];
    expect(Math.abs(r.rmse - ref.rmse) / ref.rmse, key(r)).toBeLessThan(1e-4);
  });
  expect(out.faulted.bound).toEqual(out.reference.bound);
});
