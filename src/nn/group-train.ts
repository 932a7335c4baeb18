import { withErrorScope } from '../gpu/buffers';
import type { Dataset, MlpParameters } from '../types';
import { unlessAborted } from '../util/abort';
import { Rng } from '../util/rng';
import { takeDatasetRows } from '../util/rows';
import { callTangentTargets, randomDirections } from './directions';
import { FitInterruptedError, type FitOptions, type FitProgress, type FitReport } from './fit';
import { GroupSession, type GroupState } from './group-session';
import { splitParams } from './layout';
import { resolveLoss, type LossOptions, type LossSetup } from './loss';
import { fitStandardizer, standardize, transformParams, userUnitWeights, type Standardizer } from './normalize';
import { checkOptionKeys, checkPositiveInt, checkRange } from './validate';

/** A value for every model, or one per model. */
export type PerModel<T> = T | readonly T[];

/** FitOptions for a group: gradientWeight, learningRate, weightDecay and seed may be one
 *  per model, and the data and validation one Dataset or one per model. */
export interface GroupFitOptions extends Omit<FitOptions, 'gradientWeight' | 'learningRate' | 'seed' | 'weightDecay' | 'validation'> {
  gradientWeight?: PerModel<number>;
  learningRate?: PerModel<number>;
  weightDecay?: PerModel<number>;
  seed?: PerModel<number>;
  validation?: number | Dataset | readonly Dataset[];
}

/** LossOptions for a group: gradientWeight and seed may be one per model. */
export interface GroupLossOptions extends Omit<LossOptions, 'gradientWeight' | 'seed'> {
  gradientWeight?: PerModel<number>;
  seed?: PerModel<number>;
}

export interface LossAndGradients extends MlpParameters {
  loss: number;
  /** The directions used (k × n × inputs), when they were random or given. */
  directionVectors?: Float32Array;
}

/** At most this many steps go into one command buffer; the losses are read back once per chunk. */
const STEPS_PER_CHUNK = 256;
/** Chunks shrink (to whole epochs) so one takes about this long: progress and abort stay
 *  responsive on slow adapters. */
const TARGET_CHUNK_MS = 250;

/** Model i's value of a per-model option. */
export function perModel<T>(name: string, value: PerModel<T>, count: number): T[] {
  if (!Array.isArray(value)) return Array.from({ length: count }, () => value as T);
  if (value.length !== count) throw new RangeError(`${name} has ${value.length} values; expected one per model (${count})`);
  const missing = value.findIndex((v) => v === null || v === undefined);
  if (missing >= 0) throw new TypeError(`${name}[${missing}] is ${value[missing]}; give a value for every model (or one value for all)`);
  return [...value];
}

function checkLearningRate(lr: number): void {
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new RangeError(`learningRate must be a positive number, got ${String(lr)}`);
}

/** Model i's dataset: one shared by all, or one per model (all with the same n). */
function datasetsOf(data: Dataset | readonly Dataset[], count: number): Dataset[] {
  const list = Array.isArray(data) ? [...data] : Array.from({ length: count }, () => data as Dataset);
  if (list.length !== count) throw new RangeError(`${list.length} datasets for ${count} models; give one Dataset or one per model`);
  return list;
}

/** Each model's loss setup; all must share n (and, for a shared minibatch, the options). */
function resolveSetups(group: GroupState, datasets: Dataset[], opts: GroupLossOptions): LossSetup[] {
  const weights = perModel('gradientWeight', opts.gradientWeight, group.models.length);
  // Unset: GI (0.5) where there are derivative targets, values only where there are none.
  const weightOf = (i: number, ds: Dataset): number => weights[i] ?? (opts.tangentTargets || ds?.dydx?.length ? FIT_DEFAULTS.gradientWeight : 0);
  const setups = datasets.map((ds, i) => resolveLoss(group.inputs, group.outputs, ds, { ...opts, gradientWeight: weightOf(i, ds), seed: undefined }));
  if (setups.some((s) => s.n !== setups[0].n)) throw new RangeError(`every model's dataset must have the same number of rows (got ${setups.map((s) => s.n).join(', ')})`);
  return setups;
}

/**
 * Splits a group's models (in order) into parts whose step buffers each fit one storage
 * binding of `limitBytes`: a level's activations of every model of a part share a buffer.
 * `rows[i]` is model i's stacked rows per step ((1 + k)·batch).
 */
export function partitionModels(sizes: readonly (readonly number[])[], rows: readonly number[], limitBytes: number): number[][] {
  const depth = Math.max(...sizes.map((s) => s.length));
  // Floats model i adds to each shared buffer: its rows of every level, then Z̄ and Ā.
  const need = (i: number): number[] => [...Array.from({ length: depth }, (_, l) => rows[i] * (sizes[i][l] ?? 0)), rows[i] * Math.max(...sizes[i])];
  const parts: number[][] = [];
  let current: number[] = [];
  let used = new Array<number>(depth + 1).fill(0);
  sizes.forEach((_, i) => {
    const own = need(i);
    if (Math.max(...own) * 4 > limitBytes) {
      throw new RangeError(`model ${i} alone needs ${((Math.max(...own) * 4) / 2 ** 20).toFixed(1)} MiB in one buffer, over this device's limit of ${(limitBytes / 2 ** 20).toFixed(1)} MiB: use a smaller batchSize or narrower layers.`);
    }
    const merged = used.map((u, l) => u + own[l]);
    if (current.length > 0 && Math.max(...merged) * 4 > limitBytes) {
      parts.push(current);
      current = [i];
      used = own;
    } else {
      current.push(i);
      used = merged;
    }
  });
  if (current.length) parts.push(current);
  return parts;
}

/**
 * Runs `run` on each part of a group (partitionModels) as a group of its own sharing the
 * group's buffers, one part after another; `pick` selects a per-model list's entries of the
 * part. Returns the results in model order.
 */
async function byParts<R>(
  group: GroupState,
  setups: LossSetup[],
  batch: number,
  run: (part: GroupState, pick: <T>(list: readonly T[]) => T[]) => Promise<R[]>,
): Promise<R[]> {
  const { device } = group.ctx;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const parts = partitionModels(group.models.map((m) => m.layout.sizes), setups.map((s) => (1 + s.k) * batch), limit);
  if (parts.length === 1) return run(group, (list) => [...list]);
  const results: R[] = new Array(group.models.length);
  for (const indices of parts) {
    const part = await run({ ...group, models: indices.map((i) => group.models[i]) }, (list) => indices.map((i) => list[i]));
    indices.forEach((i, j) => (results[i] = part[j]));
  }
  return results;
}

const FIT_OPTIONS = [
  'epochs', 'batchSize', 'learningRate', 'lrDecay', 'gradientWeight', 'directions', 'gradientInputs', 'tangentTargets',
  'normalize', 'seed', 'onProgress', 'progressIntervalMs', 'signal', 'beta1', 'beta2', 'epsilon', 'divergenceFactor',
  'weightDecay', 'validation', 'earlyStopping',
] as const;
const LOSS_OPTIONS = ['gradientWeight', 'directions', 'gradientInputs', 'directionVectors', 'seed', 'tangentTargets'] as const;
const FIT_MISPLACED = {
  directionVectors: "fit draws fresh directions every step (directions: k) or uses the unit vectors ('all'); directionVectors belongs to lossAndGradients",
};
const LOSS_MISPLACED = Object.fromEntries(FIT_OPTIONS.filter((key) => !(LOSS_OPTIONS as readonly string[]).includes(key)).map((key) => [key, `'${key}' is an option of fit, not of lossAndGradients`]));

/** fit's defaults (README "fit's defaults" says why). */
export const FIT_DEFAULTS = {
  epochs: 300,
  /** At most this many rows a step (fewer when n is smaller). */
  batchSize: 32,
  learningRate: 1e-2,
  lrDecay: 0.01,
  /** With derivative targets (dydx or tangentTargets); 0 without. */
  gradientWeight: 0.5,
  /** A loss past this factor × its first value stops a model. */
  divergenceFactor: 1e4,
} as const;

/** The rows a validation fraction holds out: the same pseudo-random subset for every model
 *  and run on the same data. */
const VALIDATION_SEED = 0x5eed;

/** fit's options, checked (before any GPU work) and with their defaults. */
interface CheckedFit {
  epochs: number;
  batchSize: number | undefined;
  learningRates: number[];
  weightDecay: number[];
  seeds: number[];
  lrDecay: number;
  normalize: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  divergenceFactor: number;
  progressIntervalMs: number;
  earlyStopping: { patience: number; minDelta: number } | null;
  onProgress?: (p: FitProgress) => void;
  signal?: AbortSignal;
  tangentTargets?: GroupFitOptions['tangentTargets'];
}

function checkFitOptions(options: GroupFitOptions, B: number): CheckedFit {
  if (options === undefined) options = {};
  if (!options || typeof options !== 'object') throw new TypeError('fit options must be an object, e.g. { epochs: 300, gradientWeight: 0.5 } (every option has a default)');
  checkOptionKeys('fit', options, FIT_OPTIONS, FIT_MISPLACED);
  const learningRates = perModel('learningRate', options.learningRate ?? FIT_DEFAULTS.learningRate, B);
  learningRates.forEach(checkLearningRate);
  const weightDecay = perModel('weightDecay', options.weightDecay ?? 0, B);
  weightDecay.forEach((decay, i) => checkRange(`weightDecay${B > 1 ? `[${i}]` : ''}`, decay, 0, Infinity));
  const seeds = perModel('seed', options.seed ?? 0, B);
  seeds.forEach((seed, i) => {
    if (!(typeof seed === 'number' && Number.isFinite(seed))) throw new RangeError(`seed${B > 1 ? `[${i}]` : ''} must be a finite number, got ${String(seed)}`);
  });
  const { onProgress, signal, normalize = true, earlyStopping } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('onProgress must be a function ({ epoch, loss, … }) => void');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    throw new TypeError('signal must be an AbortSignal (new AbortController().signal)');
  }
  if (typeof normalize !== 'boolean') throw new TypeError(`normalize must be true or false, got ${String(normalize)}`);
  const divergenceFactor = options.divergenceFactor ?? FIT_DEFAULTS.divergenceFactor;
  if (!(typeof divergenceFactor === 'number' && divergenceFactor > 1)) throw new RangeError(`divergenceFactor must be a number > 1 (or Infinity), got ${String(divergenceFactor)}`);
  if (earlyStopping !== undefined && (typeof earlyStopping !== 'object' || earlyStopping === null)) throw new TypeError('earlyStopping must be { patience, minDelta? }');
  if (earlyStopping) checkOptionKeys('earlyStopping', earlyStopping, ['patience', 'minDelta']);
  return {
    epochs: checkPositiveInt('epochs', options.epochs ?? FIT_DEFAULTS.epochs),
    batchSize: options.batchSize === undefined ? undefined : checkPositiveInt('batchSize', options.batchSize),
    learningRates,
    weightDecay,
    seeds,
    lrDecay: checkRange('lrDecay', options.lrDecay ?? FIT_DEFAULTS.lrDecay, 0, Infinity),
    normalize,
    beta1: checkRange('beta1', options.beta1 ?? 0.9, 0, 1),
    beta2: checkRange('beta2', options.beta2 ?? 0.999, 0, 1),
    epsilon: checkRange('epsilon', options.epsilon ?? 1e-8, Number.MIN_VALUE, Infinity),
    divergenceFactor,
    progressIntervalMs: checkRange('progressIntervalMs', options.progressIntervalMs ?? 100, 0, Infinity),
    earlyStopping: earlyStopping
      ? { patience: checkPositiveInt('earlyStopping.patience', earlyStopping.patience), minDelta: checkRange('earlyStopping.minDelta', earlyStopping.minDelta ?? 0, 0, Infinity) }
      : null,
    onProgress,
    signal,
    tangentTargets: options.tangentTargets,
  };
}

function emptyReport(): FitReport {
  return {
    epochs: 0, loss: NaN, history: [], valueHistory: [], gradientHistory: [], validationHistory: [], bestEpoch: 0, batchSize: 0,
    diverged: false, divergence: null, stoppedEarly: false, aborted: false, steps: 0, ms: 0,
  };
}

/** Each model's training and validation data: `validation` is a fraction of the rows (held
 *  out of every distinct dataset alike) or a Dataset (or one per model). */
function splitValidation(group: GroupState, datasets: Dataset[], validation: GroupFitOptions['validation'], g: number): { train: Dataset[]; held: Dataset[] | null } {
  if (validation === undefined) return { train: datasets, held: null };
  if (typeof validation !== 'number') return { train: datasets, held: datasetsOf(validation, datasets.length) };
  checkRange('validation (a fraction of the rows)', validation, Number.MIN_VALUE, 1);
  const shape = { inputs: group.inputs, outputs: group.outputs, gradients: g };
  const n = datasets[0].x.length / group.inputs;
  const held = Math.round(validation * n);
  if (held < 1 || held >= n) throw new RangeError(`validation ${validation} of ${n} rows holds out ${held}; it must leave at least one row on each side`);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  new Rng(VALIDATION_SEED).shuffle(order);
  const parts = new Map<Dataset, { train: Dataset; held: Dataset }>();
  for (const ds of new Set(datasets)) {
    const dydx = ds.dydx && ds.dydx.length ? ds : { x: ds.x, y: ds.y };
    parts.set(ds, { train: takeDatasetRows(dydx, shape, order.subarray(held)), held: takeDatasetRows(dydx, shape, order.subarray(0, held)) });
  }
  return { train: datasets.map((ds) => parts.get(ds)!.train), held: datasets.map((ds) => parts.get(ds)!.held) };
}

/** `work()`, with `prefix` put before the message of a RangeError or TypeError it throws. */
function withPrefix<T>(prefix: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError(prefix + error.message);
    if (error instanceof TypeError) throw new TypeError(prefix + error.message);
    throw error;
  }
}

/** Trains every model of a group in lockstep with Adam; the loop stays on the GPU. Model i
 *  follows exactly the steps a lone fit with its options would take. A group too large for
 *  one set of buffers trains as several parts, one after another. */
export async function fitGroup(group: GroupState, data: Dataset | readonly Dataset[], options: GroupFitOptions): Promise<FitReport[]> {
  const B = group.models.length;
  const checked = checkFitOptions(options, B);
  const all = datasetsOf(data, B);
  const allSetups = resolveSetups(group, all, options); // every dataset checked before it is split
  const { train, held } = splitValidation(group, all, options.validation, allSetups[0].gradientInputs.length);
  const setups = train === all ? allSetups : resolveSetups(group, train, options);
  const heldSetups = held && withPrefix('validation: ', () => resolveSetups(group, held, options));
  if (checked.signal?.aborted) return group.models.map(() => ({ ...emptyReport(), aborted: true }));
  const batch = Math.min(checked.batchSize ?? FIT_DEFAULTS.batchSize, setups[0].n);
  return byParts(group, setups, batch, (part, pick) =>
    fitLockstep(part, pick(train), pick(setups), held && { data: pick(held), setups: pick(heldSetups!) }, {
      ...checked,
      batchSize: batch,
      learningRates: pick(checked.learningRates),
      weightDecay: pick(checked.weightDecay),
      seeds: pick(checked.seeds),
    }),
  );
}

/** fitGroup on checked inputs: each model's dataset, loss setup (and validation data), and options. */
async function fitLockstep(
  group: GroupState,
  userData: Dataset[],
  setups: LossSetup[],
  validation: { data: Dataset[]; setups: LossSetup[] } | null,
  o: CheckedFit & { batchSize: number },
): Promise<FitReport[]> {
  const B = group.models.length;
  const started = performance.now();
  const { ctx } = group;
  const { device } = ctx;
  const { n } = setups[0];
  const { epochs, beta1, beta2, signal, batchSize: batch } = o;
  const perEpoch = Math.ceil(n / batch);
  const totalSteps = epochs * perEpoch;
  const perSample = setups.some((s) => s.mode === 'perSample');
  // Loss slots and shuffles the session holds: whole epochs per chunk while an epoch is short,
  // else one epoch taken in parts. At most one epoch per chunk when directions drawn on the
  // CPU (tangentTargets) are refreshed every epoch, and when epochs are scored one by one
  // (validation, early stopping: the best epoch's parameters are a chunk's end).
  const epochWise = perSample || !!validation || !!o.earlyStopping;
  const slots = epochWise ? 1 : Math.max(1, Math.min(epochs, Math.floor(STEPS_PER_CHUNK / perEpoch)));
  const capacity = Math.min(STEPS_PER_CHUNK, slots * perEpoch);
  const rngs = o.seeds.map((s) => new Rng(s));
  const gpuSeeds = rngs.map((r) => r.uint32());

  // Models that share a dataset and an output kind share one standardised upload.
  const cache = new Map<string, { scaler: Standardizer; data: Dataset; held?: Dataset }>();
  const prepared = userData.map((ds, i) => {
    if (!o.normalize) return null;
    const scaleY = group.models[i].outputActivation === 'linear';
    const key = `${userData.indexOf(ds)}|${validation ? validation.data.indexOf(validation.data[i]) : -1}|${scaleY}`;
    let entry = cache.get(key);
    if (!entry) {
      const scaler = fitStandardizer(ds, group.inputs, group.outputs, scaleY);
      const held = validation && standardize(validation.data[i], scaler, setups[i].gradientInputs);
      cache.set(key, (entry = { scaler, data: standardize(ds, scaler, setups[i].gradientInputs), ...(held ? { held } : {}) }));
    }
    return entry;
  });
  const userUnits = setups.map((setup, i) => userUnitWeights(setup, group.outputs, prepared[i]?.scaler));
  const reportWeights = userUnits.map((u) => u.weights);
  const reportScales = userUnits.map((u) => u.scale);
  const session = new GroupSession(group, setups, userData.map((ds, i) => prepared[i]?.data ?? ds), {
    batch,
    stepsPerChunk: capacity,
    epochsPerChunk: slots,
    seeds: gpuSeeds,
    reportWeights,
    reportScales,
    adam: { beta1, beta2, learningRates: o.learningRates, weightDecay: o.weightDecay },
  });
  let held: GroupSession | null = null;
  const reports = group.models.map(() => ({ ...emptyReport(), batchSize: batch }));
  const stopped = group.models.map(() => false);
  const firstLoss = group.models.map(() => NaN);
  const best = group.models.map(() => ({ loss: Infinity, epoch: 0 }));
  const running = group.models.map(() => new Float64Array(3)); // the current epoch's loss sums so far
  const userX = userData.map((ds) => Float32Array.from(ds.x));
  let before: Float32Array<ArrayBuffer> | null = null; // every parameter at the start, in user units
  let snapshot: GPUBuffer | null = null; // the parameters after the last completed chunk
  let chunks = 0;
  let epoch = 0;
  let step = 0;
  let failed = false;
  const region = (encoder: GPUCommandEncoder, from: GPUBuffer, to: GPUBuffer, i: number): void => {
    const { paramOffset, layout } = group.models[i];
    encoder.copyBufferToBuffer(from, paramOffset * 4, to, paramOffset * 4, layout.total * 4);
  };
  // Fresh unit directions per model in its (standardised) gradient-input space, their
  // user-space images u = scale_x ⊙ v, and the targets J·u / scale_y from the callback.
  // False when the signal aborted the wait.
  const uploadDirections = async (target: GroupSession, x: Float32Array[], rowsOf: LossSetup[], rng: Rng[]): Promise<boolean> => {
    const d = group.inputs;
    const m = group.outputs;
    for (let i = 0; i < B; i++) {
      const { k, gradientInputs, n: rows } = rowsOf[i];
      if (k === 0) continue;
      const scaler = prepared[i]?.scaler;
      const v = randomDirections(rows, d, k, gradientInputs, rng[i]);
      const u = scaler ? Float32Array.from(v, (value, j) => value * scaler.xScale[j % d]) : v;
      const t = await unlessAborted(callTangentTargets(o.tangentTargets!, x[i], u, k, rows * m), signal);
      if (!t) return false;
      if (scaler) t.forEach((value, j) => (t[j] = value / scaler.yScale[j % m]));
      device.queue.writeBuffer(target.data.directions!, target.memberData[i].offV * 4, v);
      device.queue.writeBuffer(target.data.dydx, target.memberData[i].offD * 4, t);
    }
    return true;
  };
  try {
    if (validation) {
      // Scored once per epoch: a full-batch step without the optimiser over the held-out rows.
      const nHeld = validation.setups[0].n;
      held = new GroupSession(group, validation.setups, validation.data.map((ds, i) => prepared[i]?.held ?? ds), {
        // The same directions and scales as training: the same weights to user units.
        batch: nHeld, stepsPerChunk: 1, epochsPerChunk: 1, seeds: gpuSeeds, reportWeights, reportScales,
      });
      held.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 1, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
      device.queue.writeBuffer(held.data.indices, 0, held.identityOrder());
      if (perSample && !(await uploadDirections(held, validation.data.map((ds) => Float32Array.from(ds.x)), validation.setups, o.seeds.map((s) => new Rng(s + 1))))) {
        return reports.map((r) => ({ ...r, aborted: true }));
      }
    }
    const bestParams = session.scope.storage('fit:best', group.total);
    const snap = (snapshot = session.scope.storage('fit:snapshot', group.total));
    const perms = new Uint32Array(B * n * slots);
    before = await group.scope.read(group.params, group.total);
    if (o.normalize) {
      // A fresh model's initialisation is defined in standardised units; a trained one is mapped in.
      group.models.forEach((model, i) => {
        if (model.fresh) return;
        const own = before!.subarray(model.paramOffset, model.paramOffset + model.layout.total);
        device.queue.writeBuffer(group.params, model.paramOffset * 4, transformParams(model.layout, own, prepared[i]!.scaler, 'in'));
      });
    }
    const start = device.createCommandEncoder({ label: 'fit:start' });
    start.copyBufferToBuffer(group.params, 0, bestParams, 0, group.total * 4);
    start.copyBufferToBuffer(group.params, 0, snap, 0, group.total * 4);
    device.queue.submit([start.finish()]);
    await withErrorScope(device, 'fit', async () => {
      let inEpoch = 0; // minibatches of the current epoch already taken
      let limit = 1; // steps in the next chunk: the first is one step, whose loss is each model's starting loss
      let lastProgress = -Infinity;
      while (epoch < epochs) {
        if (signal?.aborted) break;
        ctx.check();
        const chunkStarted = performance.now();
        const wholeEpochs = inEpoch === 0 && limit >= perEpoch ? Math.min(slots, Math.floor(limit / perEpoch), epochs - epoch) : 0;
        const count = wholeEpochs > 0 ? wholeEpochs * perEpoch : Math.min(limit, perEpoch - inEpoch);
        const newShuffles = inEpoch === 0;
        if (newShuffles) {
          for (let e = 0; e < Math.max(1, wholeEpochs); e++) {
            for (let i = 0; i < B; i++) {
              const perm = perms.subarray(session.memberData[i].offPerm + e * n, session.memberData[i].offPerm + (e + 1) * n);
              for (let j = 0; j < n; j++) perm[j] = j;
              rngs[i].shuffle(perm);
            }
          }
          if (perSample && !(await uploadDirections(session, userX, setups, rngs))) break;
        }
        for (let s = 0; s < count; s++) {
          const slot = wholeEpochs > 0 ? Math.floor(s / perEpoch) : 0;
          const b = wholeEpochs > 0 ? s % perEpoch : inEpoch + s;
          const t = step + s + 1;
          const correction = Math.sqrt(1 - Math.pow(beta2, t));
          session.setStep(s, {
            permBase: slot * n,
            batchOffset: b * batch,
            rngStep: t,
            lossSlot: slot,
            lossScale: 1 / perEpoch,
            // For lr = 1: each model's Adam scales it by its own learning rate.
            lrT: correction / (Math.pow(1 + o.lrDecay, epoch + slot) * (1 - Math.pow(beta1, t))),
            epsT: o.epsilon * correction,
          });
        }
        const epochsDone = wholeEpochs > 0 ? wholeEpochs : inEpoch + count === perEpoch ? 1 : 0;
        const scored = held !== null && epochsDone > 0; // a held-out score of the parameters at this chunk's end
        const encoder = device.createCommandEncoder({ label: 'fit:chunk' });
        session.stage(encoder, count, newShuffles ? perms : null);
        if (scored) held!.stage(encoder, 1, null);
        const pass = encoder.beginComputePass({ label: 'fit:steps' });
        for (let s = 0; s < count; s++) session.encodeStep(pass, s);
        if (scored) held!.encodeStep(pass, 0);
        pass.end();
        device.queue.submit([encoder.finish()]);
        const sums = await session.readLoss(Math.max(1, wholeEpochs));
        const heldSums = scored ? await held!.readLoss(1) : null;
        // After the chunk: improved models update their best, diverged and early-stopped ones
        // get it back, and the snapshot (what a failure restores) moves here.
        const after = device.createCommandEncoder({ label: 'fit:chunk-end' });
        for (let i = 0; i < B; i++) {
          if (stopped[i]) continue;
          const report = reports[i];
          const own = sums[i];
          // The chunk's mean loss: its last epoch's, or (part of an epoch) its steps' mean.
          const chunkLoss = wholeEpochs > 0 ? own[3 * (wholeEpochs - 1)] : (own[0] * perEpoch) / count;
          if (chunks === 0) firstLoss[i] = chunkLoss;
          const reason = !own.every(Number.isFinite)
            ? 'the loss became NaN or infinite'
            : chunkLoss > o.divergenceFactor * firstLoss[i]
              ? `the loss grew to ${chunkLoss.toPrecision(3)}, over ${o.divergenceFactor}× its first value ${firstLoss[i].toPrecision(3)}`
              : null;
          if (reason) {
            // It stops (learning rate 0) while the others go on.
            region(after, bestParams, group.params, i);
            session.workspace.setLearningRate(i, 0);
            report.diverged = true;
            report.divergence = { epoch: report.epochs, step: step + count, reason: `${reason}; the parameters of epoch ${best[i].epoch} were restored` };
            report.bestEpoch = best[i].epoch;
            if (Number.isFinite(best[i].loss) && !held) report.loss = best[i].loss;
            stopped[i] = true;
            continue;
          }
          if (wholeEpochs > 0) {
            for (let e = 0; e < wholeEpochs; e++) {
              report.history.push(own[3 * e]);
              report.valueHistory.push(own[3 * e + 1]);
              report.gradientHistory.push(own[3 * e + 2]);
            }
          } else {
            own.subarray(0, 3).forEach((v, j) => (running[i][j] += v));
            if (epochsDone) {
              report.history.push(running[i][0]);
              report.valueHistory.push(running[i][1]);
              report.gradientHistory.push(running[i][2]);
              running[i].fill(0);
            }
          }
          const epochsBefore = report.epochs;
          report.epochs = epoch + epochsDone;
          report.steps = step + count;
          report.loss = report.history.length ? report.history[report.history.length - 1] : chunkLoss;
          // The score of a set of parameters: the held-out loss at this chunk's end, or else the
          // chunk's training loss, which scores the parameters it started from (the snapshot;
          // the first chunk is one step, whose loss is exactly that of the starting parameters).
          if (heldSums) report.validationHistory.push(heldSums[i][0]);
          const score = heldSums ? heldSums[i][0] : held ? NaN : chunkLoss;
          const minDelta = o.earlyStopping?.minDelta ?? 0;
          if (score < best[i].loss - minDelta || (best[i].loss === Infinity && Number.isFinite(score))) {
            best[i] = { loss: score, epoch: heldSums ? report.epochs : epochsBefore };
            region(after, heldSums ? group.params : snap, bestParams, i);
          }
          report.bestEpoch = best[i].epoch;
          if (o.earlyStopping && epochsDone > 0 && report.epochs - best[i].epoch >= o.earlyStopping.patience) {
            region(after, bestParams, group.params, i);
            session.workspace.setLearningRate(i, 0);
            report.stoppedEarly = true;
            stopped[i] = true;
          }
        }
        after.copyBufferToBuffer(group.params, 0, snap, 0, group.total * 4);
        device.queue.submit([after.finish()]);
        chunks++;
        step += count;
        epoch += epochsDone;
        inEpoch = wholeEpochs > 0 ? 0 : (inEpoch + count) % perEpoch;
        if (stopped.every(Boolean)) break;
        const msPerStep = (performance.now() - chunkStarted) / count;
        limit = Math.max(1, Math.min(capacity, Math.floor(TARGET_CHUNK_MS / Math.max(msPerStep, 1e-3))));
        const now = performance.now();
        if (o.onProgress && (now - lastProgress >= o.progressIntervalMs || epoch === epochs)) {
          lastProgress = now;
          const losses = reports.map((r) => r.loss);
          const last = (history: number[]): number => (history.length ? history[history.length - 1] : NaN);
          o.onProgress({
            epoch, epochs, step, steps: totalSteps, loss: losses[0], losses, elapsedMs: now - started,
            valueLosses: reports.map((r) => last(r.valueHistory)),
            gradientLosses: reports.map((r) => last(r.gradientHistory)),
          });
        }
      }
      if (signal?.aborted) reports.forEach((r, i) => (r.aborted = !stopped[i]));
    });
  } catch (error) {
    failed = true;
    const state = chunks > 0 ? 'last-chunk' : 'unchanged';
    const cause = error instanceof Error ? error.message : String(error);
    const where = state === 'unchanged' ? 'the models are unchanged' : `the models keep the parameters of the last completed chunk (epoch ${epoch}, step ${step}), in user units`;
    throw new FitInterruptedError(`fit stopped at epoch ${epoch} (step ${step}): ${cause} — ${where}`, state, reports, { cause: error });
  } finally {
    if (!group.scope.destroyed && !(await ctx.isLost())) await leaveInUserUnits();
    session.destroy();
    held?.destroy();
  }
  const ms = performance.now() - started;
  reports.forEach((r) => (r.ms = ms));
  return reports;

  /** Without a completed chunk every model gets its parameters back as they were; else
   *  (after a failure, from the last completed chunk) they are mapped back to user units. */
  async function leaveInUserUnits(): Promise<void> {
    if (!before) return;
    if (chunks === 0) {
      group.models.forEach((m) => device.queue.writeBuffer(group.params, m.paramOffset * 4, before!, m.paramOffset, m.layout.total));
      return;
    }
    if (failed) {
      const restore = device.createCommandEncoder({ label: 'fit:restore' });
      restore.copyBufferToBuffer(snapshot!, 0, group.params, 0, group.total * 4);
      device.queue.submit([restore.finish()]);
    }
    group.models.forEach((m) => {
      m.fresh = false;
      m.trainedSinceRead = true;
    });
    if (!o.normalize) return;
    const flat = await group.scope.read(group.params, group.total);
    group.models.forEach((m, i) => {
      const own = flat.subarray(m.paramOffset, m.paramOffset + m.layout.total);
      device.queue.writeBuffer(group.params, m.paramOffset * 4, transformParams(m.layout, own, prepared[i]!.scaler, 'out'));
    });
  }
}

/** Every model's loss and parameter gradients on all of its data (raw units, no
 *  normalisation): one full-batch step without the optimiser. */
export async function lossAndGradientsGroup(group: GroupState, data: Dataset | readonly Dataset[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
  const B = group.models.length;
  if (!opts || typeof opts !== 'object') throw new TypeError('lossAndGradients needs options: { gradientWeight, … }');
  checkOptionKeys('lossAndGradients', opts, LOSS_OPTIONS, LOSS_MISPLACED);
  const datasets = datasetsOf(data, B);
  const setups = resolveSetups(group, datasets, opts);
  const seeds = perModel('seed', opts.seed ?? 0, B);
  return byParts(group, setups, setups[0].n, (part, pick) => lossLockstep(part, pick(datasets), pick(setups), pick(seeds), opts));
}

/** lossAndGradientsGroup on checked inputs; every result comes back in one readback. */
async function lossLockstep(group: GroupState, datasets: Dataset[], setups: LossSetup[], seeds: number[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
  const B = group.models.length;
  const { n } = setups[0];
  const { device } = group.ctx;
  const d = group.inputs;
  return withErrorScope(device, 'lossAndGradients', async () => {
    const session = new GroupSession(group, setups, datasets, { batch: n, stepsPerChunk: 1, epochsPerChunk: 1, seeds });
    try {
      const ws = session.workspace;
      for (let i = 0; i < B; i++) {
        const { mode, k, gradientInputs } = setups[i];
        if (mode === 'given') device.queue.writeBuffer(ws.acts[0], (ws.actOffsets[i][0] + n * d) * 4, Float32Array.from(opts.directionVectors!));
        if (mode === 'perSample') {
          const v = opts.directionVectors ? Float32Array.from(opts.directionVectors) : randomDirections(n, d, k, gradientInputs, new Rng(seeds[i]));
          const t = await callTangentTargets(opts.tangentTargets!, Float32Array.from(datasets[i].x), v, k, n * group.outputs);
          device.queue.writeBuffer(session.data.directions!, session.memberData[i].offV * 4, v);
          device.queue.writeBuffer(session.data.dydx, session.memberData[i].offD * 4, t);
        }
      }
      session.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 0, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
      const encoder = device.createCommandEncoder({ label: 'lossAndGradients' });
      session.encodeSteps(encoder, 1, session.identityOrder());
      device.queue.submit([encoder.finish()]);
      // Per model: its loss, its gradients and (random or given directions) the directions used.
      const hasDirections = setups.map((s) => s.mode !== 'all' && s.k > 0);
      const out = await session.scope.readMany(
        group.models.flatMap((m, i) => [
          { buffer: session.loss, offset: i * session.lossStride, count: 1 },
          { buffer: ws.grads!, offset: m.paramOffset, count: m.layout.total },
          { buffer: ws.acts[0], offset: ws.actOffsets[i][0] + n * d, count: hasDirections[i] ? setups[i].k * n * d : 0 },
        ]),
      );
      return group.models.map((m, i) => {
        const [loss, grads, directions] = out.slice(3 * i, 3 * i + 3);
        const result: LossAndGradients = { loss: loss[0], ...splitParams(m.layout, grads) };
        if (hasDirections[i]) result.directionVectors = directions;
        return result;
      });
    } finally {
      session.destroy();
    }
  });
}
