import type { LossOptions } from './loss';

export interface FitProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss of the last finished epoch (standardised units when normalize). */
  loss: number;
  /** Each model's loss (a group; one entry for a lone Mlp). */
  losses: number[];
  elapsedMs: number;
}

export interface FitOptions extends Omit<LossOptions, 'directionVectors'> {
  epochs: number;
  /** Minibatch size; the last minibatch of an epoch wraps around the shuffled order. */
  batchSize: number;
  learningRate: number;
  /** lr_e = learningRate / (1 + lrDecay)^e; the paper divides by 1.01 each epoch (0.01). */
  lrDecay?: number;
  /** Standardise x (and y, for a linear output) inside fit; default true. */
  normalize?: boolean;
  /** Seed of the shuffles and random directions. */
  seed?: number;
  onProgress?: (p: FitProgress) => void;
  /** Minimum milliseconds between onProgress calls (default 100). */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface FitReport {
  /** Epochs completed (and kept). */
  epochs: number;
  /** Mean loss of the last kept epoch. */
  loss: number;
  /** Mean loss per epoch, and its value and gradient parts (MSE each). */
  history: number[];
  valueHistory: number[];
  gradientHistory: number[];
  /** A NaN/infinite loss stopped training; the last finite parameters were restored. */
  diverged: boolean;
  /** The AbortSignal stopped training between chunks. */
  aborted: boolean;
  steps: number;
  ms: number;
}
