// The built package in Node on Dawn (the `webgpu` npm package), no browser: the path that
// benchmarks and servers without a browser use. createNodeContext (dist/node.js) installs
// Dawn's globals, keeps its instance alive and finds the Vulkan loader and driver itself
// (SOBOLEV_WEBGPU_SWIFTSHADER=1 / 'fallback' picks SwiftShader). Prints one JSON line.
import { createMlp } from '../dist/index.js';
import { createNodeContext } from '../dist/node.js';

const tiledGemm = process.env.TILED === '1' ? true : process.env.TILED === '0' ? false : undefined;
const ctx = await createNodeContext({ tiledGemm });
const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1, seed: 3 });
const p = await mlp.getParameters();
const x = [0.5, -0.25, 1, 2];
const y = await mlp.predict(Float32Array.from(x));
const expected = [0, 1].map((i) => {
  let out = p.biases[1][0];
  for (let h = 0; h < 8; h++) out += Math.tanh(x[2 * i] * p.weights[0][h] + x[2 * i + 1] * p.weights[0][8 + h] + p.biases[0][h]) * p.weights[1][h];
  return out;
});
const report = await mlp.fit(
  { x: Float32Array.from(x), y: Float32Array.from([1, -1]), dydx: Float32Array.from([0, 1, 1, 0]) },
  { epochs: 20, batchSize: 2, learningRate: 1e-2, gradientWeight: 0.5 },
);
mlp.destroy();
ctx.destroy();
console.log(JSON.stringify({ y: [...y], expected, losses: [report.history[0], report.loss], tiled: ctx.tiledGemm, adapter: ctx.adapterInfo.description }));
