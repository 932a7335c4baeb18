import { StepInfo } from '../../shaders/step';
import { encodeDispatches } from '../gpu/dispatch';
import type { Scope } from '../gpu/scope';
import type { Dataset } from '../types';
import type { LossSetup } from './loss';
import type { ModelState } from './model';
import { Workspace, type DataBuffers } from './workspace';

/** One step's scalars, as the step kernels read them. */
export type StepRecord = Parameters<typeof StepInfo.pack>[0];

export interface SessionOptions {
  /** Rows per step (the minibatch). */
  batch: number;
  /** Steps one command buffer holds (StepInfo records). */
  stepsPerChunk: number;
  /** Epoch permutations the perm buffer holds. */
  epochsPerChunk: number;
  /** Seed of the on-GPU random directions. */
  seed: number;
  /** Train with Adam (fit); without it a step only computes the loss and gradients. */
  adam?: { beta1: number; beta2: number };
}

/**
 * A model, a dataset and the buffers and dispatches of its training steps: the one
 * lifecycle behind both `lossAndGradients` (one full-batch step, no optimiser) and `fit`
 * (chunks of Adam steps). Everything it creates lives in its own scope: destroy() frees it.
 */
export class TrainingSession {
  readonly scope: Scope;
  readonly data: DataBuffers;
  readonly workspace: Workspace;
  /** Loss sums, 3 per epoch slot of a chunk: total, value MSE, gradient MSE. */
  readonly loss: GPUBuffer;
  readonly recordBytes: number;
  private readonly steps: GPUBuffer;
  private readonly records: ArrayBuffer;

  constructor(readonly model: ModelState, readonly setup: LossSetup, data: Dataset, readonly options: SessionOptions) {
    const { ctx } = model;
    this.scope = model.scope.child('session');
    try {
      this.data = this.upload(data, options.epochsPerChunk);
      const align = ctx.device.limits.minUniformBufferOffsetAlignment;
      this.recordBytes = Math.ceil(StepInfo.size / align) * align;
      this.steps = this.scope.uniform('session:steps', options.stepsPerChunk * this.recordBytes);
      this.records = new ArrayBuffer(options.stepsPerChunk * this.recordBytes);
      this.loss = this.scope.storage('session:loss', 3 * options.epochsPerChunk);
      const adam = options.adam && {
        ...options.adam,
        moment1: this.scope.storage('session:m', model.layout.total),
        moment2: this.scope.storage('session:v', model.layout.total),
      };
      this.workspace = new Workspace(ctx, this.scope, model.layout, model.params, {
        n: options.batch,
        k: setup.k,
        train: { data: this.data, mode: setup.mode, gradientWeight: setup.gradientWeight, seed: options.seed, loss: this.loss, steps: this.steps, adam },
      });
    } catch (error) {
      this.scope.destroy();
      throw error;
    }
  }

  /** Uploads a dataset for training (dydx zero-filled when absent). */
  private upload(data: Dataset, epochsPerChunk: number): DataBuffers {
    const { n, k, gradientInputs, mode, gradientWeight } = this.setup;
    const { inputs, outputs } = this.model;
    const g = gradientInputs.length;
    const perSample = mode === 'perSample';
    const s = this.scope;
    return {
      x: s.storage('data:x', data.x.length, Float32Array.from(data.x)),
      y: s.storage('data:y', data.y.length, Float32Array.from(data.y)),
      dydx: perSample
        ? s.storage('data:targets', k * n * outputs)
        : s.storage('data:dydx', n * outputs * g, data.dydx && gradientWeight > 0 ? Float32Array.from(data.dydx) : undefined),
      directions: perSample ? s.storage('data:directions', k * n * inputs) : undefined,
      perm: s.storage('data:perm', n * epochsPerChunk),
      gradIndex: s.storage('data:gradIndex', g, Uint32Array.from(gradientInputs)),
      total: n,
      g,
    };
  }

  /** Stages step `i`'s record (uploaded by encodeSteps). */
  setStep(i: number, record: StepRecord): void {
    StepInfo.write(this.records, i * this.recordBytes, record);
  }

  /** Uploads the staged records and permutations, then records `count` steps into `encoder`
   *  (the loss slots start at zero). */
  encodeSteps(encoder: GPUCommandEncoder, count: number, perms?: Uint32Array<ArrayBuffer>, permEpochs = 0): void {
    const { queue } = this.model.ctx.device;
    if (perms) queue.writeBuffer(this.data.perm, 0, perms, 0, permEpochs * this.setup.n);
    queue.writeBuffer(this.steps, 0, this.records, 0, count * this.recordBytes);
    encoder.clearBuffer(this.loss);
    const pass = encoder.beginComputePass({ label: 'session:steps' });
    for (let i = 0; i < count; i++) encodeDispatches(pass, this.workspace.step, i * this.recordBytes);
    pass.end();
  }

  /** The loss sums of the first `slots` epoch slots (3 floats each). */
  readLoss(slots: number): Promise<Float32Array> {
    return this.scope.read(this.loss, 3 * slots);
  }

  destroy(): void {
    this.scope.destroy();
  }
}
