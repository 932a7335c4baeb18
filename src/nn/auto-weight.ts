import type { Dataset } from '../types';
import { Rng } from '../util/rng';
import { takeDatasetRows } from '../util/rows';
import type { FitReport, GradientWeightSelection } from './fit';
import { datasetsOf, parseGradientWeights, type GroupFitOptions } from './fit-plan';
import type { GroupState } from './group-session';
import { checkGradientInputs } from './validate';

// gradientWeight 'auto': each such model's w is chosen by k-fold cross-validation repeated on
// two shuffles of the rows, every (candidate, shuffle, fold) a clone of the model in one
// grouped fit, scored by the geometric mean of its folds' held-out value errors; then the real
// fit runs with the chosen weights.

/** The weights 'auto' chooses from (0: the values alone). */
export const GRADIENT_WEIGHT_CANDIDATES: readonly number[] = [0, 0.1, 0.3, 0.5, 0.7, 0.9];
/** Folds of the cross-validation; fewer rows than MIN_ROWS_PER_FOLD × folds: fewer folds. */
const FOLDS = 3;
const MIN_ROWS_PER_FOLD = 2;
/** The cross-validation fits stop after at most this many steps (or the user's maxSteps, if
 *  lower): they rank the candidates, and a ranking settles long before the last digits of
 *  the loss do; the refit on all rows has the full budget. 500 ranked as well as 1000 on the
 *  evaluation, and never put derivatives where they hurt (bench/RESULTS.md). */
export const SELECTION_MAX_STEPS = 500;
/** The fold assignment: the same rows for every candidate and run on the same data. */
const FOLD_SEED = 0xf01d;
/** Each shuffle's seed (the first: FOLD_SEED). Two shuffles' folds pooled: which rows share a
 *  fold moves a candidate's score as much as the candidate does (bench/RESULTS.md). */
export const SHUFFLE_SEEDS: readonly number[] = [FOLD_SEED, 0x5eee];

/** What the selection needs of an engine: its models, clones of some of them, and the
 *  clones' training and predictions. */
export interface CloneHost {
  readonly state: GroupState;
  /** A new engine whose model j is a copy (spec and current parameters) of model sources[j]. */
  clone(sources: number[]): CloneEngine;
}
export interface CloneEngine {
  readonly state: GroupState;
  fit(data: readonly Dataset[], options: GroupFitOptions): Promise<FitReport[]>;
  forward(x: readonly ArrayLike<number>[], n: number, k: number, tangents: () => Float32Array, consume: (model: number, start: number, count: number, out: Float32Array) => void): Promise<void>;
  destroy(): void;
}

/** Whether model i's data carries derivative targets. */
function hasTargets(ds: Dataset, options: GroupFitOptions): boolean {
  return !!options.tangentTargets || !!ds?.dydx?.length;
}

/** How much lower (as a ratio of geometric means) a candidate's held-out error must be than
 *  the values alone's for derivatives to be used: a tie keeps w = 0. */
const GI_MARGIN = 0.95;

/**
 * From each candidate's per-fold held-out errors (perFold[c][f]; candidate 0 is w = 0): the
 * scores (geometric means over the folds) and the chosen candidate, the lowest score (NaN, a
 * diverged clone, loses) unless it is not GI_MARGIN below w = 0's: then 0. The geometric mean,
 * because one unlucky fold of a dozen rows can be ten times the others and would decide an
 * arithmetic mean; the margin, because an undersampled oscillatory function can make
 * derivatives hurt while their folds tie with the values alone. bench/defaults/selection.ts
 * measured this rule against others on the evaluation's test functions.
 */
export function chooseCandidate(perFold: readonly (readonly number[])[]): { scores: number[]; chosen: number } {
  const scores = perFold.map((errors) => Math.exp(errors.reduce((a, e) => a + Math.log(e), 0) / errors.length));
  const best = scores.reduce((b, s, c) => (s < scores[b] || Number.isNaN(scores[b]) ? c : b), 0);
  const chosen = best === 0 || !Number.isFinite(scores[0]) || scores[best] < GI_MARGIN * scores[0] ? best : 0;
  return { scores, chosen };
}

/** Equal-size folds over n rows (at most `most` of them, rows shuffled by `seed`): fold f holds
 *  out `held` rows, the rest (the same count for every fold) train. */
export function foldRows(n: number, most = FOLDS, seed = FOLD_SEED): { folds: number; train: Uint32Array[]; held: Uint32Array[] } {
  const folds = Math.max(2, Math.min(most, Math.floor(n / MIN_ROWS_PER_FOLD)));
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const size = Math.floor(n / folds);
  const train: Uint32Array[] = [];
  const held: Uint32Array[] = [];
  for (let f = 0; f < folds; f++) {
    held.push(order.slice(f * size, (f + 1) * size));
    train.push(Uint32Array.from([...order.slice(0, f * size), ...order.slice((f + 1) * size)]));
  }
  return { folds, train, held };
}

/**
 * Resolves every 'auto' gradient weight: returns the weights to fit with (numbers, or
 * undefined where the user left it unset) and each model's selection (null unless 'auto').
 * 'auto' without derivative targets is 0 (nothing to weigh), with a null selection.
 */
export async function selectGradientWeights(
  host: CloneHost,
  data: Dataset | readonly Dataset[],
  options: GroupFitOptions,
): Promise<{ weights: (number | undefined)[]; selections: (GradientWeightSelection | null)[] }> {
  const { state } = host;
  const B = state.models.length;
  const requested = parseGradientWeights(options.gradientWeight, B);
  const datasets = datasetsOf(data, B);
  const selections: (GradientWeightSelection | null)[] = requested.map(() => null);
  const weights = requested.map((w, i) => (w === 'auto' ? (hasTargets(datasets[i], options) ? undefined : 0) : w));
  const auto = requested.flatMap((w, i) => (w === 'auto' && hasTargets(datasets[i], options) ? [i] : []));
  if (auto.length === 0) return { weights, selections };

  const n = datasets[0].x.length / state.inputs;
  if (!Number.isInteger(n) || n < 2 * MIN_ROWS_PER_FOLD) throw new RangeError(`gradientWeight 'auto' cross-validates: it needs at least ${2 * MIN_ROWS_PER_FOLD} rows, got ${n}`);
  const g = checkGradientInputs(options.gradientInputs, state.inputs).length;
  const shape = { inputs: state.inputs, outputs: state.outputs, gradients: g };
  const shuffles = SHUFFLE_SEEDS.map((seed) => foldRows(n, FOLDS, seed));
  const folds = shuffles[0].folds;
  const C = GRADIENT_WEIGHT_CANDIDATES.length;
  const F = SHUFFLE_SEEDS.length * folds;
  // Clone (a, c, f), at index (a·C + c)·F + f: auto model auto[a], candidate c, fold f of all
  // shuffles' folds (shuffle ⌊f / folds⌋).
  const clones = auto.flatMap((source) => GRADIENT_WEIGHT_CANDIDATES.flatMap((w) => Array.from({ length: F }, (_, fold) => ({ source, w, fold }))));
  const cache = new Map<string, Dataset>();
  const rowsOf = (i: number, f: number, part: 'train' | 'held'): Dataset => {
    const key = `${datasets.indexOf(datasets[i])}|${f}|${part}`;
    let ds = cache.get(key);
    if (!ds) {
      const split = shuffles[Math.floor(f / folds)];
      cache.set(key, (ds = takeDatasetRows(datasets[i], shape, (part === 'train' ? split.train : split.held)[f % folds])));
    }
    return ds;
  };
  const pick = <T>(value: T | readonly T[] | undefined): T | T[] | undefined => (Array.isArray(value) ? clones.map((c) => value[c.source]) : (value as T | undefined));
  const { validation: _v, earlyStopping: _e, onProgress: _p, ...shared } = options;
  void _v, _e, _p;
  const engine = host.clone(clones.map((c) => c.source));
  try {
    await engine.fit(
      clones.map((c) => rowsOf(c.source, c.fold, 'train')),
      {
        ...shared,
        ...(shared.epochs === undefined && { maxSteps: Math.min(shared.maxSteps ?? SELECTION_MAX_STEPS, SELECTION_MAX_STEPS) }),
        gradientWeight: clones.map((c) => c.w), learningRate: pick(options.learningRate), weightDecay: pick(options.weightDecay), seed: pick(options.seed),
      } as GroupFitOptions,
    );
    const heldX = clones.map((c) => rowsOf(c.source, c.fold, 'held').x);
    const nHeld = heldX[0].length / state.inputs;
    const errors = new Float64Array(clones.length);
    await engine.forward(heldX, nHeld, 0, () => new Float32Array(0), (j, start, count, out) => {
      const y = rowsOf(clones[j].source, clones[j].fold, 'held').y;
      const m = state.outputs;
      for (let r = 0; r < count * m; r++) errors[j] += (out[r] - y[start * m + r]) ** 2 / (nHeld * m);
    });
    auto.forEach((i, a) => {
      const { scores, chosen } = chooseCandidate(GRADIENT_WEIGHT_CANDIDATES.map((_, c) => Array.from({ length: F }, (_, f) => errors[(a * C + c) * F + f])));
      weights[i] = GRADIENT_WEIGHT_CANDIDATES[chosen];
      selections[i] = { candidates: [...GRADIENT_WEIGHT_CANDIDATES], scores, folds, shuffles: SHUFFLE_SEEDS.length, chosen: weights[i]! };
    });
  } finally {
    engine.destroy();
  }
  return { weights, selections };
}
