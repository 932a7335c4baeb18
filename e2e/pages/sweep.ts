// Test page of the worker pool and the sweeps: exposes src/sweep and a few job builders to
// Playwright (e2e/sweep*.spec.ts). Workers start from workers/train.worker.ts through Vite.
import * as sweep from '../../src/sweep/index';
import type { TrainJob, TrainSettings } from '../../src/sweep/index';

/** A small toy2d job (one stage, N = 30): trains in well under a second on SwiftShader. */
export function smallJob(id: string, opts: { width?: number; epochs?: number; gradientWeight?: number; seed?: number; fault?: TrainJob['fault'] } = {}): TrainJob {
  const data = new sweep.SweepData({ problem: 'toy2d', stages: 1, poolSize: 200, testSize: 100, seed: 5 });
  const settings: TrainSettings = { hiddenLayers: 2, outputActivation: 'linear', epochs: opts.epochs ?? 5, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01 };
  return {
    id,
    stages: data.stageData(30, opts.seed ?? 0),
    rollout: false,
    width: opts.width ?? 8,
    gradientWeight: opts.gradientWeight ?? 0.5,
    settings,
    seed: opts.seed ?? 1,
    fault: opts.fault,
  };
}

Object.assign(globalThis, { sweep, smallJob, sweepReady: true });
