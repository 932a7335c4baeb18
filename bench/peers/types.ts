import type { Problem } from '../problem';

/** Loss and parameter gradients at the problem's initial parameters (raw units). */
export interface Gradients {
  loss: number;
  weights: Float32Array[];
  biases: Float32Array[];
}

/** A training loop on one problem, ready to run. */
export interface Trainer {
  /** Runs `steps` full-batch Adam steps and resolves once the device has finished them all
   *  (the last step's results were read back or awaited). */
  run(steps: number): Promise<void>;
  /** Loss of the last finished step, when the library reports one cheaply (for a sanity line). */
  lastLoss?(): Promise<number>;
  destroy(): Promise<void> | void;
}

/** One library on one device. */
export interface Runner {
  /** e.g. 'sobolev-webgpu', 'jax-js', 'TF.js'. */
  library: string;
  /** e.g. 'webgpu', 'wasm', 'webgpu (jit)'. */
  device: string;
  /** Which of the library's ways of writing the same step this is (e.g. 'reverse-over-reverse');
   *  the report compares us with the fastest correct one per library and device. */
  formulation: string;
  /** How the step is written with this library (shown in the report). */
  method: string;
  gradients(p: Problem): Promise<Gradients>;
  trainer(p: Problem): Promise<Trainer>;
  /** Most steps one timed block may queue (jax-js's wasm device holds a block's
   *  intermediates until it is awaited: 145 queued steps passed its 4 GiB memory). */
  maxStepsPerBlock?: number;
  /** Frees whatever the runner set up (devices, backends). */
  dispose?(): Promise<void> | void;
}
