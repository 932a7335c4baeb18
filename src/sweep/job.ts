/** Plain-data training jobs: what crosses the thread boundary between the pool and a worker.
 *  Only numbers, strings, arrays and Float32Arrays (transferred) appear here.
 *
 *  A job is a GROUP of networks: every network of a job is trained, stage by stage, in one
 *  MlpGroup per stage (one sequence of grouped dispatches per step covers all of them), each
 *  on its own data set (e.g. its repeat's training subset), then tested with the staged
 *  rollout. The job's result carries one ModelResult per network. */
import { checkActivation, checkMatrix, checkPositiveInt, checkWeight } from '../nn/validate';
import { checkJacobianMode, type JacobianMode } from '../nn/loss';
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
  /** fit's jacobianMode: 'auto' (default), 'forward' or 'reverse'. */
  jacobianMode?: JacobianMode;
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
  /** Weight w of the derivative term of the loss (0: values only; 'auto': fit chooses). */
  gradientWeight: number | 'auto';
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
  /** The weight fit chose per stage, for a model with gradientWeight 'auto'. */
  chosenWeights?: number[];
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

/** Every key of TrainSettings (a record, so a key added there must be added here). */
const SETTING_KEYS: Record<keyof TrainSettings, true> = {
  hiddenLayers: true, activation: true, outputActivation: true, epochs: true, batchSize: true, learningRate: true,
  lrDecay: true, directions: true, jacobianMode: true, normalize: true, beta1: true, beta2: true, epsilon: true,
};
const SETTINGS = Object.keys(SETTING_KEYS);

function checkNumber(name: string, value: unknown, ok: (v: number) => boolean, want: string): void {
  if (typeof value !== 'number' || !ok(value)) throw new RangeError(`${name} must be ${want}, got ${typeof value === 'string' ? `'${value}' (a string)` : String(value)}`);
}

/**
 * Checks a job the way fit checks its options, before it is queued (so before any worker or
 * GPU work): the settings (hiddenLayers a positive integer, known activations, epochs and
 * batchSize positive integers, learningRate > 0, lrDecay ≥ 0, directions 'all' or a positive
 * integer, Adam's beta1/beta2 in [0, 1) and epsilon > 0, no unknown keys), every network
 * (width a positive integer, gradientWeight in [0, 1], an integer seed), and every stage's
 * arrays (Float32Arrays of finite values, y and dydx sized n × outputs and n × outputs × g).
 * Throws a RangeError or TypeError that names the job and the field to change.
 */
export function validateJob(job: TrainJob): void {
  if (!job || typeof job !== 'object') throw new TypeError(`a job must be an object { id, data, models, rollout, settings }, got ${String(job)}`);
  if (typeof job.id !== 'string' || job.id === '') throw new TypeError(`a job needs a non-empty string id, got ${String(job.id)}`);
  const where = `job ${job.id}`;
  const at = (field: string) => `${where}: ${field}`;
  try {
    const s = job.settings;
    if (!s || typeof s !== 'object') throw new TypeError(`settings must be an object { hiddenLayers, epochs, batchSize, learningRate, lrDecay, ... }`);
    for (const key of Object.keys(s)) {
      if (!SETTINGS.includes(key)) throw new TypeError(`unknown setting '${key}' (known: ${SETTINGS.join(', ')})`);
    }
    checkPositiveInt('settings.hiddenLayers', s.hiddenLayers);
    if (s.activation !== undefined) checkActivation('settings.activation', s.activation);
    if (s.outputActivation !== undefined) checkActivation('settings.outputActivation', s.outputActivation);
    checkPositiveInt('settings.epochs', s.epochs);
    checkPositiveInt('settings.batchSize', s.batchSize);
    checkNumber('settings.learningRate', s.learningRate, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
    checkNumber('settings.lrDecay', s.lrDecay, (v) => v >= 0 && Number.isFinite(v), 'a finite number ≥ 0 (0.01 divides the rate by 1.01 each epoch)');
    if (s.directions !== undefined && s.directions !== 'all') checkPositiveInt("settings.directions ('all' or a count)", s.directions);
    if (s.jacobianMode !== undefined) checkJacobianMode(s.jacobianMode);
    if (s.normalize !== undefined && typeof s.normalize !== 'boolean') throw new TypeError(`settings.normalize must be a boolean, got ${String(s.normalize)}`);
    if (s.beta1 !== undefined) checkNumber('settings.beta1', s.beta1, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
    if (s.beta2 !== undefined) checkNumber('settings.beta2', s.beta2, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
    if (s.epsilon !== undefined) checkNumber('settings.epsilon', s.epsilon, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
    if (typeof job.rollout !== 'boolean') throw new TypeError(`rollout must be a boolean, got ${String(job.rollout)}`);
    if (!Array.isArray(job.models) || job.models.length === 0) throw new RangeError('models must be a non-empty array of { width, gradientWeight, seed, data? }');
    if (!Array.isArray(job.data) || job.data.length === 0) throw new RangeError('data must be a non-empty array of data sets (each an array of stages)');
    job.models.forEach((m, i) => {
      checkPositiveInt(`models[${i}].width`, m?.width);
      try {
        if (m?.gradientWeight !== 'auto') checkWeight(m?.gradientWeight);
      } catch (error) {
        throw new RangeError(`models[${i}].${(error as Error).message}`);
      }
      checkNumber(`models[${i}].seed`, m.seed, Number.isSafeInteger, 'an integer');
      const d = m.data ?? 0;
      if (!(Number.isInteger(d) && d >= 0 && d < job.data.length)) throw new RangeError(`models[${i}].data = ${String(d)} is not a data set index in [0, ${job.data.length})`);
    });
    const needsGradients = job.models.some((m) => m.gradientWeight !== 0);
    job.data.forEach((set, d) => {
      if (!Array.isArray(set) || set.length === 0) throw new RangeError(`data[${d}] must be a non-empty array of stages`);
      set.forEach((st, k) => {
        const name = `data[${d}][${k}]`;
        checkPositiveInt(`${name}.inputs`, st?.inputs);
        const g = st.gradientInputs;
        if (!Array.isArray(g) || g.some((i) => !Number.isInteger(i) || i < 0 || i >= st.inputs) || new Set(g).size !== g.length) {
          throw new RangeError(`${name}.gradientInputs must list distinct input indices in [0, ${st.inputs}), got ${JSON.stringify(g)}`);
        }
        for (const [part, arrays] of [['train', st.train], ['test', st.test]] as const) {
          if (!arrays || typeof arrays !== 'object') throw new TypeError(`${name}.${part} must be { x, y${part === 'train' ? ', dydx' : ''} }`);
          for (const [key, a] of Object.entries(arrays)) {
            if (!(a instanceof Float32Array)) throw new TypeError(`${name}.${part}.${key} must be a Float32Array (it is transferred to the worker)`);
          }
        }
        const n = checkMatrix(`${name}.train.x`, st.train.x, st.inputs);
        const outputs = st.train.y.length / n;
        if (!Number.isInteger(outputs) || outputs < 1) throw new RangeError(`${name}.train.y has length ${st.train.y.length}; expected n × outputs with n = ${n} rows of train.x`);
        checkMatrix(`${name}.train.y`, st.train.y, outputs, n);
        if (st.train.dydx.length > 0 || (needsGradients && g.length > 0)) checkMatrix(`${name}.train.dydx`, st.train.dydx, outputs * g.length, n, true); // NaN: a missing target
        const nTest = checkMatrix(`${name}.test.x`, st.test.x, st.inputs);
        checkMatrix(`${name}.test.y`, st.test.y, outputs, nTest);
      });
    });
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError(at((error as Error).message));
    if (error instanceof TypeError) throw new TypeError(at((error as Error).message));
    throw error;
  }
}
