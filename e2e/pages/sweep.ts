// Test page of the worker pool and the sweeps: exposes the engine's src/sweep together with the
// paper sweeps of src/experiments, and a few job builders, to Playwright (e2e/sweep*.spec.ts).
// Pools start workers/train.worker.ts through Vite; `faultPool` starts the test-only
// ./fault.worker.ts instead, which fails the attempts a job's `fault` asks for.
import * as experiments from '../../src/experiments/index';
import * as engine from '../../src/sweep/index';
import type { JobModel, PoolOptions, StageData, TrainJob, TrainSettings } from '../../src/sweep/index';
import type { Fault } from './fault.worker';

const sweep = { ...engine, ...experiments };

/** A small toy2d job of one network (one stage, N = 30): trains in well under a second on
 *  SwiftShader. A `fault` takes effect only on a faultPool. */
export function smallJob(id: string, opts: { width?: number; epochs?: number; gradientWeight?: number; seed?: number; fault?: Fault } = {}): TrainJob {
  const data = new experiments.SweepData({ problem: 'toy2d', stages: 1, poolSize: 200, testSize: 100, seed: 5 });
  const settings: TrainSettings = { hiddenLayers: 2, outputActivation: 'linear', epochs: opts.epochs ?? 5, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 };
  return {
    id,
    data: [data.stageData(30, opts.seed ?? 0)],
    models: [{ width: opts.width ?? 8, gradientWeight: opts.gradientWeight ?? 0.5, seed: opts.seed ?? 1 }],
    rollout: false,
    settings,
    meta: opts.fault ? { fault: JSON.stringify(opts.fault) } : undefined,
  };
}

/** Data on no paper problem: 2 inputs → 2 outputs (sin and cos of x₀ + x₁) with their exact
 *  gradients, n×2×2 in dydx; `offset` shifts the inputs (another data set of the same shape). */
function twoOutputStage(n: number, offset: number): StageData {
  const make = (rows: number, shift: number) => {
    const x = Float32Array.from({ length: 2 * rows }, (_, i) => Math.sin(1.7 * i + shift));
    const y = new Float32Array(2 * rows);
    const dydx = new Float32Array(4 * rows);
    for (let r = 0; r < rows; r++) {
      const t = x[2 * r] + x[2 * r + 1];
      y.set([Math.sin(t), Math.cos(t)], 2 * r);
      dydx.set([Math.cos(t), Math.cos(t), -Math.sin(t), -Math.sin(t)], 4 * r);
    }
    return { x, y, dydx };
  };
  const train = make(n, offset);
  const test = make(20, 0.5);
  return { inputs: 2, gradientInputs: [0, 1], train, test: { x: test.x, y: test.y } };
}

const twoOutputSettings: TrainSettings = { hiddenLayers: 1, outputActivation: 'linear', epochs: 20, batchSize: 10, learningRate: 1e-2, lrDecay: 0 };

/** A one-network job on the two-output data. */
export function twoOutputJob(id: string, n = 40, model: JobModel = { width: 8, gradientWeight: 0.5, seed: 3 }, offset = 0): TrainJob {
  return { id, data: [[twoOutputStage(n, offset)]], models: [model], rollout: false, settings: twoOutputSettings };
}

/** A group job on the two-output data: three networks of widths 8, 3 and 13 (w = 0.5, 0, 0.5)
 *  on two data sets (the first and third network on data set 0, the second on data set 1). */
export function twoOutputGroupJob(id: string, n = 40): { job: TrainJob; lone: TrainJob[] } {
  const models: JobModel[] = [
    { width: 8, gradientWeight: 0.5, seed: 3, data: 0, meta: { k: 'a' } },
    { width: 3, gradientWeight: 0, seed: 4, data: 1, meta: { k: 'b' } },
    { width: 13, gradientWeight: 0.5, seed: 5, data: 0, meta: { k: 'c' } },
  ];
  const offsets = [0, 0.3];
  const job: TrainJob = { id, data: offsets.map((o) => [twoOutputStage(n, o)]), models, rollout: false, settings: twoOutputSettings };
  const lone = models.map((m, i) => twoOutputJob(`${id}:lone${i}`, n, { ...m, data: 0 }, offsets[m.data!]));
  return { job, lone };
}

/** A pool whose workers are the test-only fault worker (otherwise as createPool). */
export function faultPool(options: PoolOptions = {}): engine.Pool {
  return engine.createPool({
    ...options,
    workerUrl: (name) => new Worker(new URL('./fault.worker.ts', import.meta.url), { type: 'module', name }),
  });
}

Object.assign(globalThis, { sweep, smallJob, twoOutputJob, twoOutputGroupJob, faultPool, sweepReady: true });
