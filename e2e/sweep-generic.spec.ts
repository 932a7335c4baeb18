import { test, expect } from './fixtures';

// The pool's jobs are generic: a job on the user's own data with two outputs per stage trains
// networks with two outputs (taken from the stage's y, n×2) and is tested on all of them.
test('a pool job with two outputs per stage trains and tests a 2-output network', async ({ gpu }) => {
  await gpu.goto('/e2e/pages/sweep.html');
  await gpu.waitForFunction(() => (globalThis as { sweepReady?: boolean }).sweepReady === true);
  const out = await gpu.evaluate(async () => {
    const { sweep, twoOutputJob } = globalThis as any;
    const pool = sweep.createPool({ size: 1 });
    try {
      const r = await pool.submit(twoOutputJob('two'));
      return { rmse: r.rmse, corr: r.corr, stageRmse: r.stageRmse, liveBuffers: r.liveBuffers, error: '' };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      await pool.destroy();
    }
  });
  // A 1-output network would give 20 predictions for 40 targets: rmse throws, the job fails.
  expect(out.error).toBe('');
  expect(out.stageRmse).toHaveLength(1);
  expect(Number.isFinite(out.rmse)).toBe(true);
  expect(out.rmse).toBe(out.stageRmse![0]);
  expect(out.liveBuffers).toBe(0);
});

test('sweepWidths runs a width sweep over user data and summarises it per η', async ({ gpu }) => {
  await gpu.goto('/e2e/pages/sweep.html');
  await gpu.waitForFunction(() => (globalThis as { sweepReady?: boolean }).sweepReady === true);
  const out = await gpu.evaluate(async () => {
    const { sweep, twoOutputJob } = globalThis as any;
    const pool = sweep.createPool({ size: 2 });
    try {
      const job = twoOutputJob('data');
      const r = await sweep.sweepWidths(pool, { etas: [1, 2], repeats: 1, seed: 2, settings: job.settings, stages: () => twoOutputJob('data').stages });
      return { runs: r.runs.map((x: any) => `${x.eta}:${x.model}:${x.gradientWeight}`), summary: r.summary.map((s: any) => [s.eta, s.width, s.baseline.rmse.n, s.gi.rmse.n]), ub: r.bound.ub };
    } finally {
      await pool.destroy();
    }
  });
  expect(out.runs).toEqual(['1:baseline:0', '1:gi:0.5', '2:baseline:0', '2:gi:0.5']);
  expect(out.summary).toEqual([[1, 4, 1, 1], [2, 8, 1, 1]]);
  expect([1, 2]).toContain(out.ub);
});
