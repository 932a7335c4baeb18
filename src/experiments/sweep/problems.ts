/** The paper's NN problems as staged datasets for the sweep (docs/experiments.md §A). */
import { drawStagedSubset, type StagedProblem } from '../problems/dataset';
import { garch4d } from '../problems/garch4d';
import { regression8d } from '../problems/regression8d';
import { Rng } from '../../util/rng';
import { toy2d } from '../problems/toy2d';
import type { StageData } from '../../sweep/job';

export const PROBLEM_NAMES = ['toy2d', 'garch4d', 'regression8d'] as const;
export type ProblemName = (typeof PROBLEM_NAMES)[number];

/** Which data a sweep draws from. */
export interface ProblemSetup {
  problem: ProblemName;
  /** Time steps (toy2d) or horizons (garch4d); regression8d has one stage. */
  stages: number;
  /** Rows of the pool that training subsets are drawn from. */
  poolSize: number;
  /** Rows of the test set (the paper: 1000). */
  testSize: number;
  seed: number;
}

/** n rows of a problem. garch4d carries the partial derivative ∂σ_h/∂θ of each stage's own
 *  input→output map (the other inputs σ₀, r₀ − μ, σ_{h−1} held fixed), the one consistent with
 *  the network's input gradient; toy2d's total and partial derivatives coincide. */
export function generateProblem(problem: ProblemName, n: number, seed: number, stages: number): StagedProblem {
  switch (problem) {
    case 'toy2d':
      return toy2d({ n, seed, steps: stages });
    case 'garch4d':
      return garch4d({ n, seed, horizons: stages, derivative: 'partial' });
    case 'regression8d':
      if (stages !== 1) throw new RangeError('regression8d has exactly one stage');
      return regression8d({ n, seed });
    default:
      throw new RangeError(`unknown problem '${String(problem)}' (${PROBLEM_NAMES.join(', ')})`);
  }
}

/** The pool, the test set, and one fresh training subset per repeat (same rows for the
 *  baseline and the GI model of a repeat, different rows across repeats). */
export class SweepData {
  readonly pool: StagedProblem;
  readonly test: StagedProblem;
  private readonly subsets = new Map<string, StagedProblem>();

  constructor(readonly setup: ProblemSetup) {
    const rng = new Rng(setup.seed);
    this.pool = generateProblem(setup.problem, setup.poolSize, rng.fork('pool').uint32(), setup.stages);
    this.test = generateProblem(setup.problem, setup.testSize, rng.fork('test').uint32(), setup.stages);
  }

  /** The training subset of `nTrain` rows for `repeat`. */
  subset(nTrain: number, repeat: number): StagedProblem {
    const key = `${nTrain}:${repeat}`;
    let sub = this.subsets.get(key);
    if (!sub) {
      if (nTrain > this.pool.n) throw new RangeError(`N_train = ${nTrain} is larger than the pool (${this.pool.n} rows)`);
      sub = drawStagedSubset(this.pool, nTrain, new Rng(this.setup.seed).fork(`repeat:${repeat}`));
      this.subsets.set(key, sub);
    }
    return sub;
  }

  /** Fresh copies (safe to transfer) of every stage's training subset and test set. */
  stageData(nTrain: number, repeat: number): StageData[] {
    const sub = this.subset(nTrain, repeat);
    return sub.stages.map((s, i) => {
      const t = this.test.stages[i];
      return {
        inputs: s.inputs,
        gradientInputs: [...s.gradientInputs],
        train: { x: s.x.slice(), y: s.y.slice(), dydx: s.dydx.slice() },
        test: { x: t.x.slice(), y: t.y.slice() },
      };
    });
  }
}
