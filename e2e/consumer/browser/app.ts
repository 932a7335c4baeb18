// A browser app on the packed package (e2e/build.spec.ts builds it with Vite and with esbuild):
// a fit, predictions, and two jobs on a two-worker pool. Resolves to plain data for the test.
import { createContext, createMlp, createPool, type PoolOptions, type TrainJob } from 'sobolev-webgpu';

export interface AppResult {
  adapter: string;
  loss: [number, number];
  rmse: number;
  jobs: { id: string; worker: number | undefined; rmse: number; liveBuffers: number }[];
  workersLive: number[];
}

const grid = (n: number) => Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));

export async function runApp(pool: PoolOptions): Promise<AppResult> {
  const x = grid(16);
  const y = x.map((v) => Math.sin(2 * v));
  const dydx = x.map((v) => 2 * Math.cos(2 * v));
  const ctx = await createContext();
  const mlp = createMlp(ctx, { inputs: 1, hidden: [8], outputs: 1, seed: 2 });
  const report = await mlp.fit({ x, y, dydx }, { epochs: 40, batchSize: 8, learningRate: 2e-2, gradientWeight: 0.5 });
  const yHat = await mlp.predict(x);
  const rmse = Math.sqrt(yHat.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / y.length);
  mlp.destroy();
  const adapter = `${ctx.adapterInfo.vendor} ${ctx.adapterInfo.description}`;
  ctx.destroy();

  const workers = createPool({ size: 2, ...pool });
  const job = (id: string): TrainJob => ({
    id,
    data: [[{ inputs: 1, gradientInputs: [0], train: { x: x.slice(), y: y.slice(), dydx: dydx.slice() }, test: { x: x.slice(), y: y.slice() } }]],
    models: [{ width: 4, gradientWeight: 0.5, seed: 1 }],
    rollout: false,
    settings: { hiddenLayers: 1, epochs: 5, batchSize: 8, learningRate: 2e-2, lrDecay: 0 },
  });
  // Two jobs submitted at once go to the two idle workers.
  const results = await workers.run([job('a'), job('b')]);
  const stats = await workers.destroy();
  return {
    adapter,
    loss: [report.history[0], report.loss],
    rmse,
    jobs: results.map((r) => ({ id: r.id, worker: r.worker, rmse: r.models[0].rmse, liveBuffers: r.liveBuffers })),
    workersLive: stats.map((s) => s.liveBuffers + s.liveDevices),
  };
}

/** What a pool reports when its worker script cannot be loaded. */
export async function missingWorker(pool: PoolOptions): Promise<string> {
  const workers = createPool({ size: 1, maxRetries: 0, ...pool });
  const x = Float32Array.from([0, 1]);
  try {
    await workers.submit({
      id: 'missing',
      data: [[{ inputs: 1, gradientInputs: [], train: { x, y: x.slice(), dydx: new Float32Array(0) }, test: { x: x.slice(), y: x.slice() } }]],
      models: [{ width: 2, gradientWeight: 0, seed: 1 }],
      rollout: false,
      settings: { hiddenLayers: 1, epochs: 1, batchSize: 2, learningRate: 1e-2, lrDecay: 0 },
    });
    return 'no error';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    await workers.destroy();
  }
}
