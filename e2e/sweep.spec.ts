import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { complexityBound } from '../src/sweep/bound';

// The worker pool and the width sweep end to end in headless Chromium: each worker of the
// pool has its own GPUDevice (WebGPU in workers, SwiftShader on CI machines).

async function openSweepPage(page: Page): Promise<void> {
  await page.goto('/e2e/pages/sweep.html');
  await page.waitForFunction(() => (globalThis as { sweepReady?: boolean }).sweepReady === true);
}

test('a width sweep with 2 workers: one group job per worker, every run once, per-η summaries, the bound, no leaks', async ({ gpu, adapter }) => {
  expect(adapter.vendor + adapter.architecture).not.toBe('');
  await openSweepPage(gpu);
  const out = await gpu.evaluate(async () => {
    const { sweep } = globalThis as any;
    const pool = sweep.createPool({ size: 2 });
    const fractions: number[] = [];
    const streamed: string[] = [];
    const result = await sweep.runSweep(
      pool,
      {
        problem: 'toy2d', stages: 2, poolSize: 200, testSize: 100, seed: 3, nTrain: 30, etas: [1, 2, 4], repeats: 2,
        settings: { hiddenLayers: 2, outputActivation: 'linear', epochs: 8, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 },
      },
      { onProgress: (p: any) => fractions.push(p.fraction), onRun: (r: any) => streamed.push(`${r.eta}:${r.model}:${r.repeat}`) },
    );
    const workers = await pool.workerStats();
    const stats = pool.stats();
    await pool.destroy();
    const jobs = sweep.sweepJobs({
      problem: 'toy2d', stages: 2, poolSize: 200, testSize: 100, seed: 3, nTrain: 30, etas: [1, 2, 4], repeats: 2,
      settings: { hiddenLayers: 2, outputActivation: 'linear', epochs: 8, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 },
    }, undefined, 2).map((j: any) => j.make());
    const packs = jobs.map((j: any) => j.models.map((m: any) => ({ width: m.width, w: m.gradientWeight, repeat: m.meta.repeat })));
    return { result, workers, stats, after: pool.stats(), fractions, streamed, adapter: pool.adapter, packs };
  });
  const { result } = out;
  expect(out.adapter.architecture + out.adapter.vendor).not.toBe('');
  // 3 widths × {baseline, GI} × 2 repeats, each exactly once, streamed as they finished.
  const keys = result.runs.map((r: any) => `${r.eta}:${r.model}:${r.repeat}`);
  expect(keys.length).toBe(12);
  expect(new Set(keys).size).toBe(12);
  expect([...out.streamed].sort()).toEqual([...keys].sort());
  // Two group jobs (the pool's size), one on each worker; a network's record names its group.
  expect(new Set(result.runs.map((r: any) => r.worker))).toEqual(new Set([0, 1]));
  expect(new Set(result.runs.map((r: any) => r.group))).toEqual(new Set([0, 1]));
  for (const g of [0, 1]) expect(new Set(result.runs.filter((r: any) => r.group === g).map((r: any) => r.worker)).size).toBe(1);
  // The groups are of about equal cost: each holds networks of several widths, 6 networks each.
  expect(out.packs.map((p: any[]) => p.length)).toEqual([6, 6]);
  for (const p of out.packs) expect(new Set(p.map((m: any) => m.width)).size).toBeGreaterThan(1);
  for (const r of result.runs) {
    expect(Number.isFinite(r.rmse) && r.rmse > 0, JSON.stringify(r)).toBe(true);
    expect(r.corr).toBeGreaterThan(-1);
    expect(r.stageRmse.length).toBe(2);
    expect(r.epochs).toEqual([8, 8]);
    expect(r.gradientWeight).toBe(r.model === 'gi' ? 0.5 : 0);
  }
  // Summaries: one per η, means of the two repeats.
  expect(result.summary.map((s: any) => s.eta)).toEqual([1, 2, 4]);
  for (const s of result.summary) {
    const runs = result.runs.filter((r: any) => r.eta === s.eta && r.model === 'baseline');
    expect(s.baseline.rmse.mean).toBeCloseTo((runs[0].rmse + runs[1].rmse) / 2, 10);
    expect(s.baseline.rmse.n).toBe(2);
  }
  // The bound is the one of the reported per-η means, and its best baseline η is the one
  // with the lowest mean baseline RMSE in the summary.
  const rows = result.summary.map((s: any) => ({
    eta: s.eta,
    baseline: { rmse: s.baseline.rmse.mean, corr: s.baseline.corr.mean },
    gi: { rmse: s.gi.rmse.mean, corr: s.gi.corr.mean },
  }));
  expect(result.bound).toEqual(complexityBound(rows));
  const baseRmse: number[] = result.summary.map((s: any) => s.baseline.rmse.mean);
  expect(result.bound.bestBaselineEta).toBe(result.summary[baseRmse.indexOf(Math.min(...baseRmse))].eta);
  // Progress is monotone and ends at 1.
  expect(out.fractions.at(-1)).toBe(1);
  for (let i = 1; i < out.fractions.length; i++) expect(out.fractions[i]).toBeGreaterThanOrEqual(out.fractions[i - 1] - 1e-9);
  // Each worker: one device, no live buffer after its jobs, pipelines shared across widths.
  expect(out.workers.length).toBe(2);
  for (const w of out.workers) {
    expect(w).toMatchObject({ liveBuffers: 0, devicesCreated: 1, liveDevices: 1, running: 0, jobsRun: 1 });
    expect(w.buffersCreated).toBeGreaterThan(0);
    expect(w.kernels).toBeGreaterThan(0);
  }
  expect(out.stats).toMatchObject({ size: 2, liveWorkers: 2, busy: 0, queued: 0, crashes: 0, retries: 0, completed: 2 });
  expect(out.after.liveWorkers).toBe(0);
});

test('a sweep compiles no pipeline per width: the kernels of a few widths serve all others', async ({ gpu }) => {
  await openSweepPage(gpu);
  const counts = await gpu.evaluate(async () => {
    const { sweep, smallJob } = globalThis as any;
    const pool = sweep.createPool({ size: 1 });
    const kernels = async () => (await pool.workerStats())[0].kernels;
    // GEMM variants depend on shape classes only (shaders/gemm.ts directGemmLayout: ≤ 4, ≤ 16,
    // > 16 columns; ≤ 16, ≤ 32, > 32 rows, where a weight gradient has fanIn + 1 rows and a
    // baseline (w = 0) has no tangent rows), and the fused step's on the tangent count and the
    // activations and its mode: one width per class, with and without derivative targets, on
    // every path (src/nn/fused.ts: up to 700,000 multiply-adds a step fused on a lone model on
    // this adapter, reverse mode where it saves 80,000 a step, so this job's networks with
    // derivatives are fused forward up to width 87, reverse up to 185, then layered; without
    // derivatives fused up to 263), compiles every pipeline a sweep over widths needs.
    for (const width of [4, 12, 24, 40, 160, 280]) {
      for (const gradientWeight of [0.5, 0]) await pool.submit(smallJob(`warm${width}:${gradientWeight}`, { width, epochs: 1, gradientWeight }));
    }
    const warm = await kernels();
    for (const width of [17, 40, 64, 100, 128, 200]) await pool.submit(smallJob(`w${width}`, { width, epochs: 1 }));
    const after = await kernels();
    // A group of mixed widths and weights runs on the same kernels as lone networks.
    const mixed = { ...smallJob('mixed', { epochs: 1 }), models: [5, 20, 70].map((width, i) => ({ width, gradientWeight: i % 2 ? 0 : 0.5, seed: i })) };
    const group = await pool.submit(mixed);
    const afterGroup = await kernels();
    await pool.destroy();
    return { warm, after, afterGroup, groupModels: group.models.length };
  });
  expect(counts.warm).toBeGreaterThan(0);
  expect(counts.after).toBe(counts.warm);
  expect(counts.groupModels).toBe(3);
  expect(counts.afterGroup).toBe(counts.warm);
});
