import type { Dataset } from '../types';
import type { LossOptions } from './loss';

export interface FitProgress {
  /** Epochs completed, and the most the budget allows (a converging fit may stop sooner). */
  epoch: number;
  epochs: number;
  /** Optimiser steps taken, and the most the budget allows (epochs × minibatches per epoch). */
  step: number;
  steps: number;
  /** Mean training loss of the last finished epoch, in the user's units. */
  loss: number;
  /** Each model's loss (a group; one entry for a lone Mlp), and its value and derivative parts. */
  losses: number[];
  valueLosses: number[];
  gradientLosses: number[];
  /** Each model's objective (FitReport.objective) of the last finished epoch. */
  objectives: number[];
  elapsedMs: number;
}

/** fit's options: all optional (defaults in FIT_DEFAULTS and the README). */
export interface FitOptions extends Omit<LossOptions, 'directionVectors' | 'gradientWeight'> {
  /** w in [0, 1] (L = (1 − w)·MSE(values) + w·MSE(derivatives)); default 0.5 when the data
   *  has derivative targets (dydx or tangentTargets), else 0. 'auto': chosen per model by
   *  k-fold cross-validation over GRADIENT_WEIGHT_CANDIDATES (report.selection); 0 when the
   *  data has no derivative targets. */
  gradientWeight?: number | 'auto';
  /** A fixed budget: this many passes over the data (no convergence test). Default: none,
   *  train until converged (see maxSteps). */
  epochs?: number;
  /** Without `epochs`: train until the objective stops improving (on a plateau the learning
   *  rate halves; after 6 halvings a plateau ends the fit, report.stopReason 'converged'), at
   *  most about this many steps (default 5000). */
  maxSteps?: number;
  /** Rows per step: a count (clamped to n, report.batchSize) or 'full'. Default: full batch
   *  up to 256 rows, else 64. The last minibatch of an epoch wraps around the shuffled order. */
  batchSize?: number | 'full';
  /** Adam's learning rate, default 1e-2. */
  learningRate?: number;
  /** lr_e = learningRate / (1 + lrDecay)^e, default 0 (the paper's 0.01 divides by 1.01 each
   *  epoch). */
  lrDecay?: number;
  /** L2 decay λ of the weights (not the biases), default 0: the gradient of ½λ‖W‖² is added
   *  to each step's (in standardised units when normalize; SMT GENN's `lambd`). */
  weightDecay?: number;
  /** Held-out data scored after every epoch (report.validationHistory, user units): a
   *  fraction of the rows (a fixed pseudo-random subset, not trained on) or a Dataset. */
  validation?: number | Dataset;
  /** Stop when the monitored loss (validation when given, else training) has not improved by
   *  minDelta (default 0) for `patience` epochs, and restore the best epoch's parameters. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Standardise x (and y, for a linear output) inside fit; default true. */
  normalize?: boolean;
  /** Seed of the shuffles and random directions, default 0. */
  seed?: number;
  onProgress?: (p: FitProgress) => void;
  /** Minimum milliseconds between onProgress calls (default 100). */
  progressIntervalMs?: number;
  /** Stops training within about one command-buffer chunk (~250 ms), a wait on
   *  tangentTargets included; an already-aborted signal returns at once. */
  signal?: AbortSignal;
  /** Adam's β₁ and β₂ in [0, 1) (defaults 0.9, 0.999) and ε > 0 (default 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** A model diverges when its loss is not finite or exceeds this factor times its loss at
   *  the first step (default 1e4; Infinity: only a non-finite loss). */
  divergenceFactor?: number;
}

/** Why and when a model stopped by divergence. */
export interface Divergence {
  /** Epochs completed when it was detected. */
  epoch: number;
  step: number;
  reason: string;
}

/** Why a model's training ended. */
export type StopReason = 'converged' | 'maxSteps' | 'epochs' | 'earlyStopping' | 'diverged' | 'aborted';

/** gradientWeight 'auto': each candidate w with its cross-validated held-out value MSE
 *  (user units, the geometric mean over every fold of every shuffle). */
export interface GradientWeightSelection {
  candidates: number[];
  scores: number[];
  /** Folds of each shuffle of the rows. */
  folds: number;
  /** Shuffles of the rows, each split into `folds` folds. */
  shuffles: number;
  chosen: number;
}

export interface FitReport {
  /** Epochs completed. */
  epochs: number;
  /** Why training ended (see StopReason). */
  stopReason: StopReason;
  /** The loss fit minimises, per epoch and its last value: (1 − w)·value MSE + w·derivative
   *  MSE in the units the model trains in (standardised when normalize), so a user can judge
   *  convergence whatever the scale of each column. */
  objective: number;
  objectiveHistory: number[];
  /** The gradient weight used (for 'auto', the one chosen). */
  gradientWeight: number;
  /** With gradientWeight 'auto': the candidates and their scores; else null. */
  selection: GradientWeightSelection | null;
  /** Mean loss of the last epoch (after divergence: of the epoch whose parameters were restored). */
  loss: number;
  /** Mean loss per epoch, and its value and gradient parts (MSE each), in the user's units
   *  (the loss lossAndGradients computes, minibatch by minibatch, as the parameters move). */
  history: number[];
  valueHistory: number[];
  gradientHistory: number[];
  /** The held-out loss after each epoch (with `validation`), user units. */
  validationHistory: number[];
  /** The epoch whose parameters scored best (validation loss, else training loss): what
   *  divergence and early stopping restore. */
  bestEpoch: number;
  /** The minibatch size used (batchSize clamped to n). */
  batchSize: number;
  /** Training went wrong (see divergence): the model stopped and got back the parameters of
   *  its best epoch. */
  diverged: boolean;
  /** Why and when; null when it did not diverge. */
  divergence: Divergence | null;
  /** earlyStopping stopped it; its parameters are those of bestEpoch. */
  stoppedEarly: boolean;
  /** The AbortSignal stopped training (parameters as trained up to the last completed chunk). */
  aborted: boolean;
  steps: number;
  ms: number;
  /** How the input derivatives were differentiated (options.jacobianMode resolved; 'forward'
   *  when the loss has no derivative term). */
  jacobianMode: 'forward' | 'reverse';
}

/**
 * A fit stopped by an error (a throwing onProgress or tangentTargets callback, a GPU failure).
 * The models are in user units: `state` says whether they are unchanged or keep the parameters
 * of the last completed chunk; `reports` hold each model's report up to then; `cause` is the error.
 */
export class FitInterruptedError extends Error {
  override name = 'FitInterruptedError';
  constructor(
    message: string,
    readonly state: 'unchanged' | 'last-chunk',
    readonly reports: readonly FitReport[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
