import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

// The pool's jobs are generic: a job on the user's own data with two outputs per stage trains
// networks with two outputs (taken from the stage's y, n×2) and is tested on all of them; a job
// is a group of networks, each on its own data set, trained together on one worker.

async function openSweepPage(page: Page): Promise<void> {
  await page.goto('/e2e/pages/sweep.html');
  await page.waitForFunction(() => (globalThis as { sweepReady?: boolean }).sweepReady === true);
}

test('a pool job with two outputs per stage trains and tests a 2-output network', async ({ gpu }) => {
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { sweep, twoOutputJob } = globalThis as any;
    const pool = sweep.createPool({ size: 1 });
    try {
      const r = await pool.submit(twoOutputJob('two'));
      const m = r.models[0];
      return { count: r.models.length, rmse: m.rmse, corr: m.corr, stageRmse: m.stageRmse, liveBuffers: r.liveBuffers, error: '' };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      await pool.destroy();
    }
  });
  // A 1-output network would give 20 predictions for 40 targets: rmse throws, the job fails.
  expect(out.error).toBe('');
  expect(out.count).toBe(1);
  expect(out.stageRmse).toHaveLength(1);
  expect(Number.isFinite(out.rmse)).toBe(true);
  expect(out.rmse).toBe(out.stageRmse![0]);
  expect(out.liveBuffers).toBe(0);
});

test('a group job: three networks of different widths and weights on two data sets, one result each, as if trained alone', async ({ gpu }) => {
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { sweep, twoOutputGroupJob } = globalThis as any;
    const pool = sweep.createPool({ size: 1 });
    try {
      const { job, lone } = twoOutputGroupJob('group');
      const group = await pool.submit(job);
      const alone = await pool.run(lone);
      const bad = await pool.submit({ ...twoOutputGroupJob('bad').job, models: [{ width: 4, gradientWeight: 0, seed: 1, data: 2 }] }).then(
        () => 'resolved',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      const workers = await pool.workerStats();
      return { group, alone, bad, workers };
    } finally {
      await pool.destroy();
    }
  });
  expect(out.group.models.map((m: any) => m.meta.k)).toEqual(['a', 'b', 'c']); // job order, meta echoed
  expect(out.group.liveBuffers).toBe(0);
  out.group.models.forEach((m: any, i: number) => {
    const a = out.alone[i].models[0];
    expect(m.epochs).toEqual([20]);
    expect(Number.isFinite(m.rmse)).toBe(true);
    // The group trains each network exactly as a lone job would (same init, minibatches, data).
    expect(Math.abs(m.rmse - a.rmse) / a.rmse, `network ${i}: ${m.rmse} vs ${a.rmse}`).toBeLessThan(1e-3);
    expect(Math.abs(m.finalLoss[0] - a.finalLoss[0]) / a.finalLoss[0]).toBeLessThan(1e-3);
  });
  // Different widths, weights and data sets give different networks.
  const rmses = out.group.models.map((m: any) => m.rmse);
  expect(new Set(rmses).size).toBe(3);
  // Refused by the pool before it reaches a worker (validateJob), as fit refuses bad options.
  expect(out.bad).toMatch(/^RangeError: job bad: models\[0\]\.data = 2 is not a data set index in \[0, 2\)/);
  expect(out.workers[0]).toMatchObject({ liveBuffers: 0, jobsRun: 4, running: 0 });
});
