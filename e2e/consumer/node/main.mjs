// A plain Node consumer of the packed package (e2e/unit/package.spec.ts): Dawn through
// sobolev-webgpu/node with no Vulkan environment variables set, a fit, predictions, the model
// saved to JSON and reloaded bit for bit, and a two-worker width sweep on worker_threads.
// Prints one JSON line.
import { createMlp, loadMlp, sweep } from 'sobolev-webgpu';
import { createNodeContext, createNodePool } from 'sobolev-webgpu/node';
import { readFileSync, writeFileSync } from 'node:fs';

const started = Date.now();
const f = (x) => Math.sin(2 * x);
const df = (x) => 2 * Math.cos(2 * x);
const grid = (n) => Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
const x = grid(24);
const data = { x, y: x.map(f), dydx: x.map(df) };
const xTest = grid(50);
const yTest = xTest.map(f);

const ctx = await createNodeContext({ swiftshader: 'fallback' });
const mlp = createMlp(ctx, { inputs: 1, hidden: [12], outputs: 1, activation: 'tanh', seed: 7 });
const report = await mlp.fit(data, { epochs: 60, batchSize: 8, learningRate: 2e-2, gradientWeight: 0.5 });
const yHat = await mlp.predict(xTest);
const rmse = Math.sqrt(yHat.reduce((a, v, i) => a + (v - yTest[i]) ** 2, 0) / yHat.length);

// Save to a file and reload (Mlp.toJSON / loadMlp): the same predictions, bit for bit.
const file = new URL('./model.json', import.meta.url);
writeFileSync(file, JSON.stringify(mlp));
const reloaded = loadMlp(ctx, JSON.parse(readFileSync(file, 'utf8')));
const yBack = await reloaded.predict(xTest);
const identical = yBack.every((v, i) => Object.is(v, yHat[i]));
mlp.destroy();
reloaded.destroy();
const live = ctx.stats().liveBuffers;
ctx.destroy();

// A width sweep (widths 4 and 8, baseline and GI) packed into two group jobs, one per worker.
const pool = createNodePool({ size: 2, context: { swiftshader: 'fallback' } });
const stage = () => ({
  inputs: 1,
  gradientInputs: [0],
  train: { x: data.x.slice(), y: data.y.slice(), dydx: data.dydx.slice() },
  test: { x: xTest.slice(), y: yTest.slice() },
});
const jobs = sweep.widthSweepJobs({
  etas: [4, 8], repeats: 1, seed: 3, groups: 2, stages: () => [stage()],
  settings: { hiddenLayers: 1, epochs: 20, batchSize: 8, learningRate: 2e-2, lrDecay: 0 },
});
const result = await sweep.runWidthJobs(pool, jobs);
const workerStats = await pool.destroy();

console.log(JSON.stringify({
  adapter: ctx.adapterInfo,
  loss: [report.history[0], report.loss],
  rmse,
  identical,
  live,
  runs: result.runs.map((r) => ({ width: r.width, model: r.model, rmse: r.rmse, worker: r.worker })),
  workerStats,
  ms: Date.now() - started,
}));
