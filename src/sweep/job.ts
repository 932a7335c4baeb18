/** Plain-data training jobs: what crosses the thread boundary between the pool and a worker.
 *  Only numbers, strings, arrays and Float32Arrays (transferred) appear here. */
import type { Activation } from '../types';

/** Training and test data of one stage (one network). Row-major, as Dataset. */
export interface StageData {
  inputs: number;
  /** Inputs whose derivatives train.dydx holds (n × outputs × g); outputs = y.length / n. */
  gradientInputs: number[];
  train: { x: Float32Array; y: Float32Array; dydx: Float32Array };
  /** Test inputs with the TRUE previous-stage values; a rollout job replaces them. */
  test: { x: Float32Array; y: Float32Array };
}

/** The training recipe shared by every job of a sweep. */
export interface TrainSettings {
  /** Number of hidden layers, each `TrainJob.width` units wide. */
  hiddenLayers: number;
  /** Hidden activation (default tanh). */
  activation?: Activation;
  outputActivation: Activation;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** lr_e = lr / (1 + lrDecay)^e (0.01: divide by 1.01 each epoch). */
  lrDecay: number;
  /** Derivative directions per sample: 'all' (default, the full gradient) or k random. */
  directions?: 'all' | number;
}

/** One training job: a network per stage, trained, then evaluated on the test set. */
export interface TrainJob {
  /** Unique within a pool run; results carry it back. */
  id: string;
  stages: StageData[];
  /** Test with a recursive rollout: stage s > 0 gets stage s − 1's prediction (n×1) as its
   *  last input (src/sweep/rollout.ts). */
  rollout: boolean;
  /** Hidden width per layer. */
  width: number;
  /** Weight w of the derivative term of the loss (0: values only). */
  gradientWeight: number;
  settings: TrainSettings;
  /** Seed of the initialisation and of the minibatch order (same for baseline and GI). */
  seed: number;
  /** Echoed back in the result (e.g. width parameter, repeat, problem). */
  meta?: Record<string, string | number>;
}

/** A job built only when a worker takes it (and again for a retry): keeps big queues light. */
export interface LazyJob {
  id: string;
  make(): TrainJob;
}

/** A job's progress, as the worker reports it (throttled). */
export interface JobProgress {
  id: string;
  stage: number;
  stages: number;
  epoch: number;
  epochs: number;
  /** Fraction of the whole job done, in [0, 1]. */
  fraction: number;
  loss: number;
}

/** Plain metrics of a finished job. */
export interface JobResult {
  id: string;
  /** Test RMSE over every stage's predictions (all points and outputs). */
  rmse: number;
  /** Pearson correlation of all stages' predictions (flattened) with the truth. */
  corr: number;
  stageRmse: number[];
  stageCorr: number[];
  /** Epochs completed per stage and the last training loss (standardised units). */
  epochs: number[];
  finalLoss: number[];
  /** Some stage diverged (its last finite parameters were kept). */
  diverged: boolean;
  /** Milliseconds spent in fit, and in the whole job (data upload, fit, test). */
  trainMs: number;
  totalMs: number;
  /** GPU buffers still alive in the worker after the job (0: the job cleaned up). */
  liveBuffers: number;
  /** Filled in by the pool: which worker slot ran it and after how many attempts. */
  worker?: number;
  attempts?: number;
  meta?: Record<string, string | number>;
}

/** Every ArrayBuffer of a job, for Comlink.transfer. */
export function jobTransferables(job: TrainJob): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const s of job.stages) {
    for (const a of [s.train.x, s.train.y, s.train.dydx, s.test.x, s.test.y]) out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

/** A deep copy of a job whose arrays own their buffers (safe to transfer, keeps the original). */
export function cloneJob(job: TrainJob): TrainJob {
  return {
    ...job,
    stages: job.stages.map((s) => ({
      inputs: s.inputs,
      gradientInputs: [...s.gradientInputs],
      train: { x: s.train.x.slice(), y: s.train.y.slice(), dydx: s.train.dydx.slice() },
      test: { x: s.test.x.slice(), y: s.test.y.slice() },
    })),
    settings: { ...job.settings },
    meta: job.meta ? { ...job.meta } : undefined,
  };
}
