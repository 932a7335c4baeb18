import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { complexityBound } from '../src/sweep/bound';

// sweepWidths on the user's own data and context: a 2-D function with two outputs and exact
// gradients, widths × {baseline, GI} × repeats trained as MlpGroups (SwiftShader: keep small).

async function open(page: Page): Promise<void> {
  await page.goto('/e2e/pages/sweep-widths.html');
  await page.waitForFunction(() => (globalThis as { sweepWidthsReady?: boolean }).sweepWidthsReady === true);
}

test('sweepWidths: runs, per-width summaries and the bound; GI helps on a small subset; nothing compiled per width, nothing left alive', async ({ gpu }) => {
  test.setTimeout(240_000);
  await open(gpu);
  const out = await gpu.evaluate(async () => {
    const { lib, twoOutputData } = globalThis as any;
    const ctx = await lib.createContext();
    try {
      const data = { train: twoOutputData(200, 1), test: twoOutputData(300, 2) };
      const fit = { epochs: 150, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 };
      const options = { widths: [2, 5, 9], hiddenLayers: 2, repeats: 2, subsetSize: 16, seed: 7, fit };
      const start = ctx.stats();
      const fractions: number[] = [];
      let t0 = performance.now();
      const result = await lib.sweepWidths(ctx, data, { ...options, onProgress: (p: any) => fractions.push(p.fraction) });
      const firstMs = performance.now() - t0;
      const afterFirst = ctx.stats();
      // Other widths of the same GEMM layout classes (≤ 4 and ≤ 16 columns): no new pipeline.
      t0 = performance.now();
      const second = await lib.sweepWidths(ctx, data, { ...options, widths: [3, 7, 12] });
      const secondMs = performance.now() - t0;
      const afterSecond = ctx.stats();
      // Every network in a group of its own (a lone Mlp): the same runs as the one big group.
      t0 = performance.now();
      const alone = await lib.sweepWidths(ctx, data, { ...options, groups: 12 });
      const aloneMs = performance.now() - t0;
      const end = ctx.stats();
      return { result, second: second.summary.map((s: any) => s.width), alone: alone.runs, start, afterFirst, afterSecond, end, fractions, firstMs, secondMs, aloneMs };
    } finally {
      ctx.destroy();
    }
  });
  const { result } = out;
  test.info().annotations.push({ type: 'timing', description: `sweepWidths 12 networks × 150 epochs (SwiftShader): one group ${out.firstMs.toFixed(0)} ms, 12 groups of one ${out.aloneMs.toFixed(0)} ms` });
  console.log(`sweepWidths (SwiftShader) RMSE per width [width, baseline, GI]: ${JSON.stringify(result.summary.map((s: any) => [s.width, +s.baseline.rmse.mean.toFixed(4), +s.gi.rmse.mean.toFixed(4)]))}`);
  console.log(`sweepWidths: one group ${out.firstMs.toFixed(0)} ms, second sweep ${out.secondMs.toFixed(0)} ms, 12 groups of one ${out.aloneMs.toFixed(0)} ms`);

  // Runs: 3 widths × {baseline, GI} × 2 repeats, each once, all in one group.
  const keys = result.runs.map((r: any) => `${r.width}:${r.model}:${r.repeat}`);
  expect(keys.length).toBe(12);
  expect(new Set(keys).size).toBe(12);
  for (const r of result.runs) {
    expect(r.eta).toBe(r.width);
    expect(r.gradientWeight).toBe(r.model === 'gi' ? 0.5 : 0);
    expect(r.epochs).toEqual([150]);
    expect(r.diverged).toBe(false);
    expect(r.group).toBe(0);
    expect(Number.isFinite(r.rmse) && r.rmse > 0, JSON.stringify(r)).toBe(true);
    expect(r.corr).toBeGreaterThan(0.5); // both outputs are learnt at least roughly
    expect(r.corr).toBeLessThanOrEqual(1);
  }
  // A repeat's baseline and GI network share their initialisation; repeats differ.
  const seedOf = (w: number, m: string, rep: number) => result.runs.find((r: any) => r.width === w && r.model === m && r.repeat === rep).seed;
  for (const w of [2, 5, 9]) {
    expect(seedOf(w, 'gi', 0)).toBe(seedOf(w, 'baseline', 0));
    expect(seedOf(w, 'gi', 1)).not.toBe(seedOf(w, 'gi', 0));
  }
  // Summaries: per width, means and sds of the two repeats.
  expect(result.summary.map((s: any) => s.width)).toEqual([2, 5, 9]);
  for (const s of result.summary) {
    for (const model of ['baseline', 'gi']) {
      const rs = result.runs.filter((r: any) => r.width === s.width && r.model === model).map((r: any) => r.rmse);
      expect(s[model].rmse.n).toBe(2);
      expect(s[model].rmse.mean).toBeCloseTo((rs[0] + rs[1]) / 2, 12);
      expect(s[model].rmse.sd).toBeCloseTo(Math.abs(rs[0] - rs[1]) / Math.SQRT2, 12);
    }
  }
  // The bound is complexityBound of the summary's per-width means.
  const rows = result.summary.map((s: any) => ({
    eta: s.width,
    baseline: { rmse: s.baseline.rmse.mean, corr: s.baseline.corr.mean },
    gi: { rmse: s.gi.rmse.mean, corr: s.gi.corr.mean },
  }));
  expect(result.bound).toEqual(complexityBound(rows));
  expect([2, 5, 9]).toContain(result.bound.ub);
  // 16 training rows: the derivative targets triple the information, GI wins on average.
  const base = result.summary.map((s: any) => s.baseline.rmse.mean);
  const gi = result.summary.map((s: any) => s.gi.rmse.mean);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  expect(mean(gi), `GI ${gi} vs baseline ${base}`).toBeLessThan(mean(base));
  expect(Math.min(...gi)).toBeLessThan(Math.min(...base));
  // Progress is monotone and ends at 1.
  expect(out.fractions.at(-1)).toBe(1);
  for (let i = 1; i < out.fractions.length; i++) expect(out.fractions[i]).toBeGreaterThanOrEqual(out.fractions[i - 1]);

  // Groups of one (lone Mlps) give the same networks: the group is only a way to train them.
  expect(new Set(out.alone.map((r: any) => r.group)).size).toBe(12);
  for (const r of result.runs) {
    const a = out.alone.find((x: any) => x.width === r.width && x.model === r.model && x.repeat === r.repeat);
    expect(a.seed).toBe(r.seed);
    expect(Math.abs(a.rmse - r.rmse) / r.rmse, `${r.width} ${r.model} ${r.repeat}: ${a.rmse} vs ${r.rmse}`).toBeLessThan(1e-3);
  }

  // No pipeline compiled for the second sweep's widths; every buffer freed after each sweep.
  expect(out.second).toEqual([3, 7, 12]);
  expect(out.afterFirst.pipelines).toBeGreaterThan(out.start.pipelines);
  expect(out.afterSecond.pipelines).toBe(out.afterFirst.pipelines);
  for (const s of [out.afterFirst, out.afterSecond, out.end]) {
    expect(s.liveBuffers).toBe(out.start.liveBuffers);
    expect(s.liveBytes).toBe(out.start.liveBytes);
    expect(s.scopes).toBe(out.start.scopes);
  }
});

test('sweepWidths: a cancelled sweep rejects with AbortError and frees its buffers; bad requests are refused', async ({ gpu }) => {
  await open(gpu);
  const out = await gpu.evaluate(async () => {
    const { lib, twoOutputData } = globalThis as any;
    const ctx = await lib.createContext();
    const error = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
    try {
      const data = { train: twoOutputData(60, 1), test: twoOutputData(30, 2) };
      const fit = { epochs: 5000, batchSize: 10, learningRate: 1e-2 };
      const start = ctx.stats().liveBuffers;
      const controller = new AbortController();
      const aborted = await error(lib.sweepWidths(ctx, data, { widths: [2, 4], hiddenLayers: 1, repeats: 1, fit, signal: controller.signal, onProgress: () => controller.abort() }));
      const live = ctx.stats().liveBuffers - start;
      const bad = await Promise.all([
        error(lib.sweepWidths(ctx, data, { widths: [2, 2], hiddenLayers: 1, repeats: 1, fit })),
        error(lib.sweepWidths(ctx, data, { widths: [2], hiddenLayers: 1, repeats: 1, subsetSize: 61, fit })),
        error(lib.sweepWidths(ctx, { train: { x: data.train.x, y: data.train.y }, test: data.test }, { widths: [2], hiddenLayers: 1, repeats: 1, fit })),
        error(lib.sweepWidths(ctx, data, { widths: [2], hiddenLayers: 1, repeats: 1 })),
      ]);
      return { aborted, live, bad, liveAfterBad: ctx.stats().liveBuffers - start };
    } finally {
      ctx.destroy();
    }
  });
  expect(out.aborted).toMatch(/^AbortError/);
  expect(out.live).toBe(0);
  expect(out.bad[0]).toMatch(/RangeError: widths must be distinct/);
  expect(out.bad[1]).toMatch(/RangeError: subsetSize must be an integer in \[1, 60\]/);
  expect(out.bad[2]).toMatch(/RangeError: sweepWidths: cannot tell the columns of x/);
  expect(out.bad[3]).toMatch(/TypeError: sweepWidths: options.fit/);
  expect(out.liveAfterBad).toBe(0);
});
