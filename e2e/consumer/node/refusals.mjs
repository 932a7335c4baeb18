// What the Node entry and the pool refuse, and how they say it (e2e/unit/package.spec.ts).
// Prints one JSON line: each case's error name and message, and pool counters.
import { availableParallelism } from 'node:os';
import { createPool } from 'sobolev-webgpu';
import { createNodeContext, createNodePool } from 'sobolev-webgpu/node';

const out = {};
const capture = async (name, fn) => {
  try {
    await fn();
    out[name] = { ok: true };
  } catch (error) {
    out[name] = { name: error.name, message: error.message };
  }
};
const x = Float32Array.from([0, 0.5, 1, 1.5]);
const job = (id, settings) => ({
  id,
  data: [[{ inputs: 1, gradientInputs: [0], train: { x, y: x.slice(), dydx: x.map(() => 1) }, test: { x, y: x.slice() } }]],
  models: [{ width: 4, gradientWeight: 0.5, seed: 1 }],
  rollout: false,
  settings: { hiddenLayers: 1, epochs: 2, batchSize: 2, learningRate: 1e-2, lrDecay: 0, ...settings },
});

// First, before anything points the Vulkan loader at SwiftShader: no driver, no fallback.
await capture('noAdapter', () => createNodeContext({ swiftshader: false }).then((ctx) => ctx.destroy()));
await capture('browserPoolInNode', () => createPool({ size: 1 }));
const pool = createNodePool({ size: 1, context: { swiftshader: 'fallback' } });
for (const [name, hiddenLayers] of [['hiddenLayersNegative', -1], ['hiddenLayersNaN', NaN], ['hiddenLayersFraction', 1.5]]) {
  await capture(name, () => pool.submit(job(name, { hiddenLayers })));
}
await capture('runWithOneBadJob', () => pool.run([job('good', {}), job('bad', { beta1: 2 })]));
out.afterRefusals = pool.stats();
await pool.destroy();
await capture('sizeString', () => createNodePool({ size: '2' }));

const warnings = [];
const warn = console.warn;
console.warn = (...args) => warnings.push(args.join(' '));
const big = createNodePool({ size: 64 });
console.warn = warn;
out.capped = { size: big.size, capped: big.capped, cores: availableParallelism(), warnings };
await big.destroy();

const missing = new URL('./no-such-worker.js', import.meta.url);
const broken = createNodePool({ size: 1, maxRetries: 0, workerUrl: missing, context: { swiftshader: 'fallback' } });
await capture('missingWorker', () => broken.submit(job('w', {})));
await broken.destroy();
out.missingWorkerUrl = missing.href;

await capture('swiftshaderPath', () => createNodeContext({ swiftshader: '/no/such/vk_swiftshader_icd.json' }));
console.log(JSON.stringify(out));
