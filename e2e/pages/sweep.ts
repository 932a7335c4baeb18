// Test page of the worker pool and the sweeps: exposes the engine's src/sweep together with the
// paper sweeps of src/experiments, and a few job builders, to Playwright (e2e/sweep*.spec.ts).
// Pools start workers/train.worker.ts through Vite; `faultPool` starts the test-only
// ./fault.worker.ts instead, which fails the attempts a job's `fault` asks for.
import * as experiments from '../../src/experiments/index';
import * as engine from '../../src/sweep/index';
import type { PoolOptions, TrainJob, TrainSettings } from '../../src/sweep/index';
import type { Fault } from './fault.worker';

const sweep = { ...engine, ...experiments };

/** A small toy2d job (one stage, N = 30): trains in well under a second on SwiftShader. A
 *  `fault` takes effect only on a faultPool. */
export function smallJob(id: string, opts: { width?: number; epochs?: number; gradientWeight?: number; seed?: number; fault?: Fault } = {}): TrainJob {
  const data = new experiments.SweepData({ problem: 'toy2d', stages: 1, poolSize: 200, testSize: 100, seed: 5 });
  const settings: TrainSettings = { hiddenLayers: 2, outputActivation: 'linear', epochs: opts.epochs ?? 5, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 };
  return {
    id,
    stages: data.stageData(30, opts.seed ?? 0),
    rollout: false,
    width: opts.width ?? 8,
    gradientWeight: opts.gradientWeight ?? 0.5,
    settings,
    seed: opts.seed ?? 1,
    meta: opts.fault ? { fault: JSON.stringify(opts.fault) } : undefined,
  };
}

/** A pool whose workers are the test-only fault worker (otherwise as createPool). */
export function faultPool(options: PoolOptions = {}): engine.Pool {
  return engine.createPool({
    ...options,
    workerUrl: (name) => new Worker(new URL('./fault.worker.ts', import.meta.url), { type: 'module', name }),
  });
}

Object.assign(globalThis, { sweep, smallJob, faultPool, sweepReady: true });
