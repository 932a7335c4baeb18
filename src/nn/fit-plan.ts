import type { Dataset } from '../types';
import { Rng } from '../util/rng';
import { takeDatasetRows } from '../util/rows';
import type { FitOptions, FitProgress } from './fit';
import { fusedChoice, fusedMode } from './fused';
import type { GroupState } from './group-session';
import { checkJacobianMode, chooseJacobianMode, resolveLoss, type JacobianMode, type LossOptions, type LossSetup } from './loss';
import { checkOptionKeys, checkPositiveInt, checkRange } from './validate';

// A fit's first stage: every option checked and defaulted once, into a FitPlan that the
// training phases (group-train.ts) read and never re-check.

/** A value for every model, or one per model. */
export type PerModel<T> = T | readonly T[];

/** FitOptions for a group: gradientWeight, learningRate, weightDecay and seed may be one
 *  per model, and the data and validation one Dataset or one per model. */
export interface GroupFitOptions extends Omit<FitOptions, 'gradientWeight' | 'learningRate' | 'seed' | 'weightDecay' | 'validation'> {
  gradientWeight?: PerModel<number | 'auto'>;
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

/** fit's defaults (README "fit's defaults" says why). */
export const FIT_DEFAULTS = {
  /** Full batch up to this many rows; larger datasets take minibatches of `minibatch` rows. */
  fullBatchUpTo: 256,
  minibatch: 64,
  /** Without `epochs`: train until converged (see ConvergeBudget), at most this many steps. */
  maxSteps: 5000,
  learningRate: 1e-2,
  /** lr_e = lr / (1 + lrDecay)^e: no decay by default (the converging budget lowers the rate
   *  on plateaus instead). */
  lrDecay: 0,
  /** With derivative targets (dydx or tangentTargets); 0 without. */
  gradientWeight: 0.5,
  /** A loss past this factor × its first value stops a model. */
  divergenceFactor: 1e4,
} as const;

/**
 * The default budget: train in windows of about `windowSteps` steps (whole epochs); a window
 * whose mean objective is not `tolerance` (relative) below the best window so far is a
 * plateau. A plateau multiplies the model's learning rate by `lrFactor`; a plateau after
 * `reductions` of them, or a window whose mean objective is below `floor` (standardised
 * units: an RMS residual of 0.3 % of the data's spread), means converged, and the model
 * stops. At most `maxSteps` steps.
 */
export const CONVERGENCE = { windowSteps: 100, tolerance: 0.01, lrFactor: 0.5, reductions: 6, floor: 1e-5 } as const;

export type FitBudget =
  | { kind: 'epochs'; epochs: number }
  | { kind: 'converge'; maxSteps: number; windowEpochs: number; tolerance: number; lrFactor: number; reductions: number; floor: number };

/** A fit, resolved: what the training phases need, checked and with every default filled in. */
export interface FitPlan {
  /** Each model's training data and loss setup (all with the same n). */
  train: Dataset[];
  setups: LossSetup[];
  /** Held-out data scored after every epoch, or null. */
  held: { data: Dataset[]; setups: LossSetup[] } | null;
  batch: number;
  /** Minibatches per epoch. */
  perEpoch: number;
  budget: FitBudget;
  /** The fused kernel trains these models (a part of fit's models: fusedParts decides). */
  fused: boolean;
  /** The most epochs the budget allows. */
  maxEpochs: number;
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
  /** The jacobianMode asked for (the setups hold the one chosen). */
  jacobianMode: JacobianMode;
}

export const FIT_OPTIONS = [
  'epochs', 'maxSteps', 'batchSize', 'learningRate', 'lrDecay', 'gradientWeight', 'directions', 'gradientInputs', 'tangentTargets',
  'normalize', 'seed', 'onProgress', 'progressIntervalMs', 'signal', 'beta1', 'beta2', 'epsilon', 'divergenceFactor',
  'weightDecay', 'validation', 'earlyStopping', 'jacobianMode',
] as const;
export const LOSS_OPTIONS = ['gradientWeight', 'directions', 'gradientInputs', 'directionVectors', 'seed', 'tangentTargets', 'jacobianMode'] as const;
const FIT_MISPLACED = {
  directionVectors: "fit draws fresh directions every step (directions: k) or uses the unit vectors ('all'); directionVectors belongs to lossAndGradients",
};
export const LOSS_MISPLACED = Object.fromEntries(FIT_OPTIONS.filter((key) => !(LOSS_OPTIONS as readonly string[]).includes(key)).map((key) => [key, `'${key}' is an option of fit, not of lossAndGradients`]));

/** The rows a validation fraction holds out: the same pseudo-random subset for every model
 *  and run on the same data. */
const VALIDATION_SEED = 0x5eed;

/** Model i's value of a per-model option. */
export function perModel<T>(name: string, value: PerModel<T>, count: number): T[] {
  if (!Array.isArray(value)) return Array.from({ length: count }, () => value as T);
  if (value.length !== count) throw new RangeError(`${name} has ${value.length} values; expected one per model (${count})`);
  const missing = value.findIndex((v) => v === null || v === undefined);
  if (missing >= 0) throw new TypeError(`${name}[${missing}] is ${value[missing]}; give a value for every model (or one value for all)`);
  return [...value];
}

/**
 * Checks gradientWeight (a number in [0, 1], 'auto', or one of those per model) and returns
 * each model's entry (undefined where unset).
 */
export function parseGradientWeights(value: GroupFitOptions['gradientWeight'], count: number): (number | 'auto' | undefined)[] {
  const list = perModel('gradientWeight', value, count);
  list.forEach((w, i) => {
    if (w === undefined || w === 'auto' || (typeof w === 'number' && w >= 0 && w <= 1)) return;
    const where = Array.isArray(value) ? `gradientWeight[${i}]` : 'gradientWeight';
    throw new RangeError(`${where} must be a number in [0, 1] or 'auto', got ${typeof w === 'string' ? `'${w}'` : String(w)}`);
  });
  return list;
}

/** Model i's dataset: one shared by all, or one per model (all with the same n). */
export function datasetsOf(data: Dataset | readonly Dataset[], count: number): Dataset[] {
  const list = Array.isArray(data) ? [...data] : Array.from({ length: count }, () => data as Dataset);
  if (list.length !== count) throw new RangeError(`${list.length} datasets for ${count} models; give one Dataset or one per model`);
  return list;
}

/** Each model's loss setup with numeric gradient weights (unset: GI where there are
 *  derivative targets); all must share n. */
export function resolveSetups(group: GroupState, datasets: Dataset[], opts: GroupLossOptions): LossSetup[] {
  const weights = perModel('gradientWeight', opts.gradientWeight, group.models.length);
  const weightOf = (i: number, ds: Dataset): number => weights[i] ?? (opts.tangentTargets || ds?.dydx?.length ? FIT_DEFAULTS.gradientWeight : 0);
  const setups = datasets.map((ds, i) => resolveLoss(group.inputs, group.outputs, ds, { ...opts, gradientWeight: weightOf(i, ds), seed: undefined }));
  if (setups.some((s) => s.n !== setups[0].n)) throw new RangeError(`every model's dataset must have the same number of rows (got ${setups.map((s) => s.n).join(', ')})`);
  return chooseJacobianMode(setups, opts.jacobianMode, group.outputs);
}

/** The minibatch size: the option (a count clamped to n, or 'full'), else full batch on
 *  small data and FIT_DEFAULTS.minibatch rows on larger. */
export function resolveBatch(batchSize: FitOptions['batchSize'], n: number): number {
  if (batchSize === 'full') return n;
  if (batchSize !== undefined) return Math.min(checkPositiveInt('batchSize', batchSize), n);
  return n <= FIT_DEFAULTS.fullBatchUpTo ? n : FIT_DEFAULTS.minibatch;
}

function resolveBudget(options: GroupFitOptions, perEpoch: number): FitBudget {
  if (options.epochs !== undefined && options.maxSteps !== undefined) {
    throw new TypeError('give epochs (a fixed number of passes) or maxSteps (train until converged, at most that many steps), not both');
  }
  if (options.epochs !== undefined) return { kind: 'epochs', epochs: checkPositiveInt('epochs', options.epochs) };
  const maxSteps = checkPositiveInt('maxSteps', options.maxSteps ?? FIT_DEFAULTS.maxSteps);
  const { windowSteps, ...rule } = CONVERGENCE;
  return { kind: 'converge', maxSteps, windowEpochs: Math.max(1, Math.round(windowSteps / perEpoch)), ...rule };
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

/**
 * fit's options and data, checked (before any GPU work) and with their defaults. Every
 * gradientWeight must be a number here: 'auto' is chosen before (auto-weight.ts).
 */
export function resolveFit(group: GroupState, data: Dataset | readonly Dataset[], options: GroupFitOptions): FitPlan {
  const B = group.models.length;
  if (options === undefined) options = {};
  if (!options || typeof options !== 'object') throw new TypeError('fit options must be an object, e.g. { gradientWeight: 0.5 } (every option has a default)');
  checkOptionKeys('fit', options, FIT_OPTIONS, FIT_MISPLACED);
  const learningRates = perModel('learningRate', options.learningRate ?? FIT_DEFAULTS.learningRate, B);
  learningRates.forEach((lr, i) => {
    if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new RangeError(`learningRate${B > 1 ? `[${i}]` : ''} must be a positive number, got ${String(lr)}`);
  });
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
  if (options.batchSize !== undefined && options.batchSize !== 'full') checkPositiveInt('batchSize', options.batchSize);
  if (parseGradientWeights(options.gradientWeight, B).includes('auto')) throw new Error("internal: gradientWeight 'auto' is chosen before resolveFit");

  const all = datasetsOf(data, B);
  const allSetups = resolveSetups(group, all, options as GroupLossOptions); // every dataset checked before it is split
  const { train, held } = splitValidation(group, all, options.validation, allSetups[0].gradientInputs.length);
  const setups = train === all ? allSetups : resolveSetups(group, train, options as GroupLossOptions);
  const heldSetups = held && withPrefix('validation: ', () => resolveSetups(group, held, options as GroupLossOptions));
  const batch = resolveBatch(options.batchSize, setups[0].n);
  const perEpoch = Math.ceil(setups[0].n / batch);
  const budget = resolveBudget(options, perEpoch);
  return {
    train,
    setups,
    held: held && { data: held, setups: heldSetups! },
    batch,
    perEpoch,
    budget,
    fused: false,
    maxEpochs: budget.kind === 'epochs' ? budget.epochs : Math.ceil(budget.maxSteps / perEpoch),
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
    jacobianMode: checkJacobianMode(options.jacobianMode),
  };
}

/**
 * fit's models split by the fused kernel (src/nn/fused.ts): those it takes, then the others
 * (trained one part after the other, like a group too large for one set of buffers). Under
 * 'auto' the fused models' mode is fusedMode's (random directions: forward, the only mode the
 * kernel has for them). One part when all or none are fused.
 */
export function fusedParts(group: GroupState, plan: FitPlan): { indices: number[]; plan: FitPlan }[] {
  const all = plan.setups.map((_, i) => i);
  const layouts = all.map((i) => group.models[i].layout);
  const inForward = (setups: LossSetup[]) => setups.map((s) => (s.jacobianMode === 'reverse' ? { ...s, jacobianMode: 'forward' as const } : s));
  const auto = plan.jacobianMode === 'auto' && plan.setups.some((s) => s.jacobianMode === 'reverse');
  const random = plan.setups.some((s) => s.k > 0 && s.mode === 'random');
  let fusedSetups = auto && random ? inForward(plan.setups) : plan.setups;
  let chosen = fusedChoice(group.ctx, layouts, fusedSetups, plan.batch);
  const fusedOnes = all.filter((i) => chosen[i]);
  if (auto && !random && fusedMode(fusedOnes.map((i) => layouts[i]), fusedOnes.map((i) => plan.setups[i]), plan.batch) === 'forward') {
    fusedSetups = inForward(plan.setups);
    chosen = fusedChoice(group.ctx, layouts, fusedSetups, plan.batch);
  }
  const fused = all.filter((_, j) => chosen[j]);
  if (fused.length === 0) return [{ indices: all, plan }];
  const fusedPlan = (indices: number[]): FitPlan => ({ ...planPart(plan, indices), setups: indices.map((i) => fusedSetups[i]), fused: true });
  if (fused.length === all.length) return [{ indices: all, plan: fusedPlan(all) }];
  const rest = all.filter((i) => !fused.includes(i));
  return [{ indices: fused, plan: fusedPlan(fused) }, { indices: rest, plan: planPart(plan, rest) }];
}

/** The part of a plan that covers models `indices` (a group trained in parts). */
export function planPart(plan: FitPlan, indices: number[]): FitPlan {
  const pick = <T>(list: readonly T[]): T[] => indices.map((i) => list[i]);
  return {
    ...plan,
    train: pick(plan.train),
    setups: pick(plan.setups),
    held: plan.held && { data: pick(plan.held.data), setups: pick(plan.held.setups) },
    learningRates: pick(plan.learningRates),
    weightDecay: pick(plan.weightDecay),
    seeds: pick(plan.seeds),
  };
}
