// A training-step benchmark in Node on Dawn, for machines without a browser (the GPU bundle):
// (a) README's benchmark step — 4 inputs, two hidden layers of 64 (tanh), 1 output, N = 1024
//     full batch, all 4 derivative directions, w = 0.5, Adam — as ms per step of a long fit;
// (b) the paper's toy2d grid as one MlpGroup — 2 → 4 hidden layers of 4η → 1, η ∈ {2, 4, 8, …,
//     60}, baseline and GI, batch 10 — as ms per grouped step.
// Prints one JSON line (and a summary). Uses the built library (SOBOLEV_DIST or dist/).
//   node scripts/step-bench.mjs [--swiftshader] [--epochs E]
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { preferGpuDriver } from './reproduce-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.SOBOLEV_DIST ?? join(root, 'dist');
const args = process.argv.slice(2);
const swift = args.includes('--swiftshader');
const epochs = Number(args[args.indexOf('--epochs') + 1]) || 60;
const driver = swift ? 'SwiftShader (asked for)' : preferGpuDriver();
const lib = await import(pathToFileURL(join(dist, 'index.js')).href);
const node = await import(pathToFileURL(join(dist, 'node.js')).href);
const ctx = await node.createNodeContext({ swiftshader: swift ? (process.env.SOBOLEV_WEBGPU_SWIFTSHADER_ICD ?? true) : 'fallback', adapter: { powerPreference: 'high-performance' } });
const info = ctx.adapterInfo;
const adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');

let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const data = (n, inputs) => {
  const x = Float32Array.from({ length: n * inputs }, rand);
  const y = Float32Array.from({ length: n }, rand);
  const dydx = Float32Array.from({ length: n * inputs }, rand);
  return { x, y, dydx };
};

async function msPerStep(fit) {
  await fit(2); // compile and warm up
  const short = await fit(Math.max(2, Math.round(epochs / 6)));
  const long = await fit(epochs);
  return (long.ms - short.ms) / (long.steps - short.steps); // per-fit costs cancel
}

// (a) one network, N = 1024 full batch.
const one = lib.createMlp(ctx, { inputs: 4, hidden: [64, 64], outputs: 1, activation: 'tanh', seed: 3 });
const d1 = data(1024, 4);
const single = await msPerStep(async (e) => {
  const r = await one.fit(d1, { epochs: e, batchSize: 1024, learningRate: 1e-3, gradientWeight: 0.5 });
  return { ms: r.ms, steps: r.steps };
});
one.destroy();
console.log(`[step-bench] ${adapter} (${driver}): one step (4→64→64→1, N = 1024, k = 4) ${single.toFixed(3)} ms`);

// (b) the toy2d grid: 16 widths × {baseline, GI}, batch 10, N = 50.
const etas = [2, 4, ...Array.from({ length: 14 }, (_, i) => 8 + 4 * i)];
const group = lib.createMlpGroup(ctx, { inputs: 2, outputs: 1, models: etas.flatMap((eta) => [0, 1].map(() => ({ hidden: [4 * eta, 4 * eta, 4 * eta, 4 * eta], seed: eta }))) });
const d2 = data(50, 2);
const grid = await msPerStep(async (e) => {
  const reports = await group.fit(d2, { epochs: e, batchSize: 10, learningRate: 1e-3, lrDecay: 0.01, gradientWeight: etas.flatMap(() => [0, 0.5]) });
  return { ms: Math.max(...reports.map((r) => r.ms)), steps: reports[0].steps };
});
group.destroy();
ctx.destroy();
const out = { adapter, driver, epochs, singleStepMs: single, toy2dGridStepMs: grid, models: etas.length * 2 };
console.log(`[step-bench] toy2d grid (${out.models} networks, batch 10): ${grid.toFixed(3)} ms per grouped step`);
console.log(JSON.stringify(out));
