// Type-checked as a consumer of the packed package (e2e/unit/package.spec.ts), strict, without
// skipLibCheck. Every @ts-expect-error below must be needed: if the package's types did not
// resolve (every export `any`), they would be unused and the check would fail.
import { createContext, createMlp, createPool, Mlp, type Context, type FitReport, type MlpParameters, type Dataset } from 'sobolev-webgpu';
import { problems } from 'sobolev-webgpu/experiments';
import { createNodeContext, createNodePool, VulkanNotFoundError, type NodeContextOptions } from 'sobolev-webgpu/node';

export async function train(data: Dataset): Promise<number> {
  const options: NodeContextOptions = { swiftshader: 'fallback' };
  const ctx: Context = await createNodeContext(options);
  const device: GPUDevice = ctx.device; // WebGPU's types are there
  const mlp: Mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1, seed: 1 });
  const report: FitReport = await mlp.fit(data, { epochs: 2, batchSize: 4, learningRate: 1e-2, gradientWeight: 0.5 });
  const params: MlpParameters = await mlp.getParameters();
  const weights: Float32Array = params.weights[0];
  const pool = createNodePool({ size: 2, context: options });
  await pool.destroy();
  mlp.destroy();
  ctx.destroy();
  void problems;
  void device;
  return report.loss + weights.length + (VulkanNotFoundError.name.length > 0 ? 0 : 1);
}

export async function browser(): Promise<number> {
  const ctx = await createContext();
  const pool = createPool({ size: 2, workerUrl: new URL('./worker.js', import.meta.url) });
  const size: number = pool.size;
  await pool.destroy();
  ctx.destroy();
  return size;
}

// @ts-expect-error: a number is not an Mlp
export const notAModel: Mlp = 42;
// @ts-expect-error: nor a string a Context
export const notAContext: Context = 'ctx';
export function misuse(ctx: Context): void {
  // @ts-expect-error: `hidden` must be an array of widths
  createMlp(ctx, { inputs: 2, hidden: 8, outputs: 1 });
  // @ts-expect-error: swiftshader takes true, 'fallback' or a path, not a number
  void createNodeContext({ swiftshader: 1 });
}
