/** Shared shapes and row helpers for the problem generators. All arrays are row-major. */
import type { Dataset } from '../types';
import type { Rng } from './rng';

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

/** Async model call used by the rollouts: `stage` is 0-based, `x` is n×inputs of that stage,
 *  the result is n×1. */
export type StagePredict = (stage: number, x: Float32Array) => Promise<Float32Array>;

function copyRows(src: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    out.set(src.subarray(i * width, (i + 1) * width), r * width);
  }
  return out;
}

/** The rows `rows` of a dataset (x, y and dydx together), in that order. */
export function takeRows<T extends ProblemData>(data: T, rows: ArrayLike<number>): T {
  const g = data.gradientInputs.length;
  for (let r = 0; r < rows.length; r++) {
    if (!(rows[r] >= 0 && rows[r] < data.n)) throw new Error(`takeRows: row ${rows[r]} outside [0, ${data.n})`);
  }
  return {
    ...data,
    n: rows.length,
    x: copyRows(data.x, data.inputs, rows),
    y: copyRows(data.y, data.outputs, rows),
    // An empty dydx (a dataset built without its Jacobian) stays empty.
    dydx: data.dydx.length === 0 ? new Float32Array(0) : copyRows(data.dydx, data.outputs * g, rows),
  };
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

/** Recursive rollout at test time. Stage 0 gets its own x; every later stage gets its x with
 *  the LAST column (the previous stage's output) replaced by the previous prediction.
 *  Returns the n×1 prediction of every stage. */
export async function rolloutStages(stages: ProblemData[], predict: StagePredict): Promise<Float32Array[]> {
  const preds: Float32Array[] = [];
  for (let s = 0; s < stages.length; s++) {
    const { x, n, inputs } = stages[s];
    let input = x;
    if (s > 0) {
      const prev = preds[s - 1];
      input = x.slice();
      for (let i = 0; i < n; i++) input[i * inputs + inputs - 1] = prev[i];
    }
    const y = await predict(s, input);
    if (y.length !== n) throw new Error(`rollout: stage ${s} prediction has ${y.length} values, expected ${n}`);
    preds.push(y);
  }
  return preds;
}
