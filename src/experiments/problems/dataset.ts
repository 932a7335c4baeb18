/** Shared shapes and row helpers for the problem generators. All arrays are row-major. */
import type { Dataset } from '../../types';
import type { Rng } from '../../util/rng';
import { takeDatasetRows } from '../../util/rows';

/** One supervised dataset with exact input-derivatives.
 *  x: n×inputs, y: n×outputs, dydx: n×outputs×g with g = gradientInputs.length, where
 *  dydx[(i·outputs + o)·g + j] = ∂y[i,o]/∂x[i, gradientInputs[j]]. */
export interface ProblemData extends Dataset {
  x: Float32Array;
  y: Float32Array;
  dydx: Float32Array;
  /** Number of rows. */
  n: number;
  /** Columns of x. */
  inputs: number;
  /** Columns of y. */
  outputs: number;
  /** Indices of the inputs whose derivatives dydx holds (in this order). */
  gradientInputs: number[];
}

/** A problem made of one network per stage (time step or horizon); all stages share the
 *  same n rows (row i of every stage belongs to the same simulated path). */
export interface StagedProblem {
  name: string;
  n: number;
  stages: ProblemData[];
}

/** The recursive rollout of a staged problem at test time: the sweep's own (src/sweep/rollout).
 *  Stage 0 gets its own x; every later stage gets its x with the LAST column (the previous
 *  stage's output) replaced by the previous n×1 prediction. */
export { rolloutStages, type StagePredict } from '../../sweep/rollout';

/** The rows `rows` of a dataset (x, y and dydx together), in that order. An empty dydx (a
 *  dataset built without its Jacobian) stays empty. */
export function takeRows<T extends ProblemData>(data: T, rows: ArrayLike<number>): T {
  const shape = { inputs: data.inputs, outputs: data.outputs, gradients: data.gradientInputs.length };
  const { x, y, dydx } = takeDatasetRows(data, shape, rows);
  return { ...data, n: rows.length, x, y, dydx: dydx! };
}

/** A fresh random training subset of `nTrain` distinct rows of `pool` (x, y, dydx kept
 *  together). Call it once per repeat with the repeat's own Rng so every repeat trains on
 *  different rows.
 *  @example const train = drawSubset(pool, 300, new Rng(seed).fork(`repeat:${r}`)); */
export function drawSubset<T extends ProblemData>(pool: T, nTrain: number, rng: Rng): T {
  return takeRows(pool, rng.sampleIndices(pool.n, nTrain));
}

/** Like drawSubset for a staged problem: the same random rows (paths) in every stage. */
export function drawStagedSubset(problem: StagedProblem, nTrain: number, rng: Rng): StagedProblem {
  const rows = rng.sampleIndices(problem.n, nTrain);
  return { ...problem, n: nTrain, stages: problem.stages.map((s) => takeRows(s, rows)) };
}
