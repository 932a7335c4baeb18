/** Plain-data training jobs: what crosses the thread boundary between the pool and a worker.
 *  Only numbers, strings, arrays and Float32Arrays (transferred) appear here.
 *
 *  A job is a GROUP of networks: every network of a job is trained, stage by stage, in one
 *  MlpGroup per stage (one sequence of grouped dispatches per step covers all of them), each
 *  on its own data set (e.g. its repeat's training subset), then tested with the staged
 *  rollout. The job's result carries one ModelResult per network. */
import type { Activation } from '../types';

/** Training and test data of one stage. Row-major, as Dataset. */
export interface StageData {
  inputs: number;
  /** Inputs whose derivatives train.dydx holds (n × outputs × g); outputs = y.length / n. */
  gradientInputs: number[];
  /** dydx may be empty when no network of the job has a gradient weight > 0. */
  train: { x: Float32Array; y: Float32Array; dydx: Float32Array };
  /** Test inputs with the TRUE previous-stage values; a rollout job replaces them. */
  test: { x: Float32Array; y: Float32Array };
}

/** The training recipe shared by every network of a job. */
export interface TrainSettings {
  /** Number of hidden layers, each `JobModel.width` units wide. */
  hiddenLayers: number;
  /** Hidden activation (default tanh). */
  activation?: Activation;
  /** Output activation (default linear). */
  outputActivation?: Activation;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** lr_e = lr / (1 + lrDecay)^e (0.01: divide by 1.01 each epoch). */
  lrDecay: number;
  /** Derivative directions per sample: 'all' (default, the full gradient) or k random. */
  directions?: 'all' | number;
  /** Standardise inside fit (default true, as fit). */
  normalize?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** One network of a job: a network of this width per stage. */
export interface JobModel {
  /** Hidden width per layer. */
  width: number;
  /** Weight w of the derivative term of the loss (0: values only). */
  gradientWeight: number;
  /** Seed of the initialisation and of the minibatch order (same for a baseline/GI pair). */
  seed: number;
  /** Index into `TrainJob.data`: the data set it trains and tests on (default 0). */
  data?: number;
  /** Echoed back in its ModelResult (e.g. width parameter, repeat, model kind). */
  meta?: Record<string, string | number>;
}

/** One training job: a group of networks per stage, trained together, then tested. */
export interface TrainJob {
  /** Unique within a pool run; results carry it back. */
  id: string;
  /** The job's data sets: `data[d]` is the stages of data set d. Every data set has the same
   *  stages (inputs, outputs, gradient inputs, rows) so its networks share one group. */
  data: StageData[][];
  /** The networks, trained as one MlpGroup per stage. */
  models: JobModel[];
  /** Test with a recursive rollout: stage s > 0 gets stage s − 1's prediction (n×1) as its
   *  last input (src/sweep/rollout.ts). */
  rollout: boolean;
  settings: TrainSettings;
  /** Echoed back in the result (and read by test workers, e.g. a fault to inject). */
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
  /** Mean of the networks' last finite training losses (standardised units). */
  loss: number;
}

/** Test metrics and training record of one network of a job. */
export interface ModelResult {
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
  meta?: Record<string, string | number>;
}

/** Plain metrics of a finished job: one ModelResult per network, in `TrainJob.models` order. */
export interface JobResult {
  id: string;
  models: ModelResult[];
  /** Milliseconds spent in fit (the whole group), and in the whole job (upload, fit, test). */
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
  for (const set of job.data) {
    for (const s of set) {
      for (const a of [s.train.x, s.train.y, s.train.dydx, s.test.x, s.test.y]) out.add(a.buffer as ArrayBuffer);
    }
  }
  return [...out];
}

/** A deep copy of a job whose arrays own their buffers (safe to transfer, keeps the original). */
export function cloneJob(job: TrainJob): TrainJob {
  return {
    ...job,
    data: job.data.map((set) =>
      set.map((s) => ({
        inputs: s.inputs,
        gradientInputs: [...s.gradientInputs],
        train: { x: s.train.x.slice(), y: s.train.y.slice(), dydx: s.train.dydx.slice() },
        test: { x: s.test.x.slice(), y: s.test.y.slice() },
      })),
    ),
    models: job.models.map((m) => ({ ...m, meta: m.meta ? { ...m.meta } : undefined })),
    settings: { ...job.settings },
    meta: job.meta ? { ...job.meta } : undefined,
  };
}
