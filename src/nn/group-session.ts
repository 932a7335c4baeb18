import type { DirectionMode } from '../../shaders/grouped';
import { StepInfo } from '../../shaders/step';
import { encodeDispatches } from '../gpu/dispatch';
import type { Context } from '../gpu/context';
import type { Scope } from '../gpu/scope';
import type { Dataset } from '../types';
import { FusedWorkspace } from './fused';
import { GroupWorkspace, pack, type MemberData } from './group-workspace';
import type { ParamLayout } from './layout';
import type { LossSetup } from './loss';

/** Sums per loss slot: total, value MSE and gradient MSE (reported units), and the objective
 *  (the minimised loss, in the units the model trains in). */
export const LOSS_SUMS = 4;

/** What a group keeps on the GPU (one model is a group of one). Never public. */
export interface GroupState {
  readonly ctx: Context;
  /** Owns the parameters and every buffer made for these models. */
  readonly scope: Scope;
  /** Every model's [W_1; b_1 | … | W_L; b_L], one after another. */
  readonly params: GPUBuffer;
  readonly total: number;
  readonly models: readonly GroupModel[];
  readonly inputs: number;
  readonly outputs: number;
}

/** One model of a group. */
export interface GroupModel {
  readonly layout: ParamLayout;
  readonly paramOffset: number;
  readonly outputActivation: string;
  /** Its parameters are still the initialisation: fit takes them as standardised-unit
   *  parameters (the scale the initialisation is meant for) instead of mapping them in. */
  fresh: boolean;
  /** A fit changed its parameters since the engine last copied them to the host. */
  trainedSinceRead: boolean;
}

/** One step's scalars, as the step kernels read them. */
export type StepRecord = Parameters<typeof StepInfo.pack>[0];

export interface GroupSessionOptions {
  /** Rows per step (the minibatch), the same for every model. */
  batch: number;
  /** Steps one command buffer holds (StepInfo records). */
  stepsPerChunk: number;
  /** Epoch permutations (per model) and loss slots the session holds. */
  epochsPerChunk: number;
  /** Seed of each model's on-GPU random directions. */
  seeds: number[];
  /** Each model's weights of its reported squared residuals (outputs, then k × outputs):
   *  fit's map back to user units. Default: all 1 (the loss in the data's own units). */
  reportWeights?: Float32Array[];
  /** Each model's factor of its reported losses (not the objective), applied on the host in
   *  float64 (default 1). */
  reportScales?: number[];
  /** Train with Adam (fit); without it a step only computes the losses and gradients. */
  adam?: { beta1: number; beta2: number; learningRates: number[]; weightDecay: number[] };
  /** Train with the fused kernel (with adam; fit's plan decides: fusedParts). */
  fused?: boolean;
}

/**
 * A group of models, their datasets and the buffers and dispatches of their training steps:
 * the one lifecycle behind `lossAndGradients` (one full-batch step, no optimiser) and `fit`
 * (chunks of Adam steps) for lone models and groups alike. Everything it creates lives in its
 * own scope: destroy() frees it.
 */
export class GroupSession {
  readonly scope: Scope;
  /** The layered step's buffers and dispatches, or (fit of small models) the fused kernel's. */
  readonly workspace: GroupWorkspace | FusedWorkspace;
  readonly data: { x: GPUBuffer; y: GPUBuffer; dydx: GPUBuffer; indices: GPUBuffer; gradOffset: number; directions?: GPUBuffer; g: number };
  readonly memberData: MemberData[];
  /** Loss sums: model i owns lossStride floats, LOSS_SUMS per epoch slot (total, value,
   *  gradient in reported units; the objective). */
  readonly loss: GPUBuffer;
  readonly lossStride: number;
  readonly mode: DirectionMode;
  /** Some model has missing derivative targets: every tangent residual carries a mask. */
  readonly masked: boolean;
  readonly recordBytes: number;
  /** The layered step's step records (the fused kernel keeps its own). */
  private readonly steps: GPUBuffer | null;
  private readonly records: ArrayBuffer;
  /** The loss buffer's starting contents when a chunk carries sums (stage): zeros but there. */
  private readonly lossStart: Float32Array<ArrayBuffer>;
  /** Each model's first slot as the last readLoss found it, as stored (float32, unscaled). */
  private lastSlot: Float32Array[] = [];

  /** `datasets[i]` is model i's (already standardised) dataset; models may share one object. */
  constructor(readonly group: GroupState, readonly setups: LossSetup[], datasets: Dataset[], readonly options: GroupSessionOptions) {
    const { ctx } = group;
    this.scope = group.scope.child('session');
    this.mode = setups.find((s) => s.k > 0)?.mode ?? 'all';
    this.masked = setups.some((s) => s.k > 0 && s.present < 1);
    try {
      ({ data: this.data, memberData: this.memberData } = this.upload(datasets));
      const align = ctx.device.limits.minUniformBufferOffsetAlignment;
      this.recordBytes = Math.ceil(StepInfo.size / align) * align;
      const fusedAdam = options.fused ? options.adam : undefined;
      this.records = new ArrayBuffer(options.stepsPerChunk * this.recordBytes);
      this.lossStride = LOSS_SUMS * options.epochsPerChunk;
      this.loss = this.scope.storage('session:loss', this.lossStride * group.models.length);
      this.lossStart = new Float32Array(this.lossStride * group.models.length);
      this.scope.reserveReadback(this.lossStride * group.models.length * 4);
      const m = group.outputs;
      const weights = setups.map((s, i) => options.reportWeights?.[i] ?? new Float32Array(m * (1 + s.k)).fill(1));
      const { offsets: offW, total: weightCount } = pack(weights.map((w) => w.length));
      const flatWeights = new Float32Array(weightCount);
      weights.forEach((w, i) => flatWeights.set(w, offW[i]));
      const lossWeights = this.scope.storage('session:loss-weights', flatWeights.length, flatWeights);
      const members = group.models.map((m, i) => ({ layout: m.layout, paramOffset: m.paramOffset, k: setups[i].k }));
      const train = {
        mode: this.mode,
        reverse: setups[0].jacobianMode === 'reverse',
        data: this.data,
        masked: this.masked,
        members: setups.map((s, i) => ({ gradientWeight: s.gradientWeight, present: s.present, seed: options.seeds[i], data: this.memberData[i], offW: offW[i] })),
        loss: this.loss,
        lossWeights,
        lossStride: this.lossStride,
      };
      if (fusedAdam) {
        this.steps = null;
        this.workspace = new FusedWorkspace(ctx, this.scope, group.params, group.total, { n: options.batch, members, train, adam: fusedAdam, weightCount });
      } else {
        const steps = this.scope.uniform('session:steps', options.stepsPerChunk * this.recordBytes);
        this.steps = steps;
        const adam = options.adam && {
          ...options.adam,
          moment1: this.scope.storage('session:m', group.total),
          moment2: this.scope.storage('session:v', group.total),
        };
        this.workspace = new GroupWorkspace(ctx, this.scope, group.params, group.total, { n: options.batch, members, train: { ...train, steps, adam } });
      }
    } catch (error) {
      this.scope.destroy();
      throw error;
    }
  }

  /** Uploads each distinct dataset once (dydx zero-filled when no model trains on it);
   *  in 'perSample' mode every model gets its own directions and targets. A missing target
   *  (NaN) goes up as 0; when a model has missing ones, the masks (1 present, 0 missing) of
   *  every dataset follow all the derivatives in the same buffer. */
  private upload(datasets: Dataset[]) {
    const { inputs: d, outputs: m } = this.group;
    const { gradientInputs } = this.setups[0];
    const g = gradientInputs.length;
    const n = this.setups[0].n;
    const B = datasets.length;
    const k = Math.max(...this.setups.map((s) => s.k));
    const perSample = this.mode === 'perSample';
    const distinct = [...new Set(datasets)];
    const index = datasets.map((ds) => distinct.indexOf(ds));
    const withGradients = !perSample && this.setups.some((s) => s.gradientWeight > 0);
    const concat = (part: (ds: Dataset) => ArrayLike<number> | undefined, per: number) => {
      const out = new Float32Array(distinct.length * n * per);
      distinct.forEach((ds, j) => {
        const values = part(ds);
        if (values) out.set(values, j * n * per);
      });
      return out;
    };
    const masked = this.masked;
    const derivatives = withGradients ? concat((ds) => ds.dydx, m * g) : undefined;
    const dSize = distinct.length * n * m * g;
    let dAll = derivatives;
    if (derivatives) {
      dAll = masked ? new Float32Array(2 * dSize) : derivatives;
      derivatives.forEach((v, i) => {
        if (masked) dAll![dSize + i] = Number.isNaN(v) ? 0 : 1;
        if (Number.isNaN(v)) dAll![i] = 0;
        else if (masked) dAll![i] = v;
      });
    }
    const s = this.scope;
    // The permutation windows (written every chunk), then the gradient inputs.
    const gradOffset = B * n * this.options.epochsPerChunk;
    const indices = new Uint32Array(gradOffset + g);
    indices.set(gradientInputs, gradOffset);
    const data = {
      x: s.storage('data:x', distinct.length * n * d, concat((ds) => ds.x, d)),
      y: s.storage('data:y', distinct.length * n * m, concat((ds) => ds.y, m)),
      dydx: perSample
        ? s.storage('data:targets', B * k * n * m)
        : s.storage('data:dydx', (masked ? 2 : 1) * dSize, dAll),
      directions: perSample ? s.storage('data:directions', B * k * n * d) : undefined,
      indices: s.storage('data:indices', gradOffset + g, indices),
      gradOffset,
      g,
    };
    const memberData: MemberData[] = datasets.map((_, i) => ({
      offX: index[i] * n * d,
      offY: index[i] * n * m,
      offD: perSample ? i * k * n * m : index[i] * n * m * g,
      offMask: masked ? dSize + index[i] * n * m * g : 0,
      offV: perSample ? i * k * n * d : 0,
      offPerm: i * n * this.options.epochsPerChunk,
      total: n,
    }));
    return { data, memberData };
  }

  /** Every model's rows in their own order (B windows of n): a full-batch step's permutation. */
  identityOrder(): Uint32Array<ArrayBuffer> {
    const { n } = this.setups[0];
    const order = new Uint32Array(this.group.models.length * n);
    for (let i = 0; i < order.length; i++) order[i] = i % n;
    return order;
  }

  /** Stages step `i`'s record (uploaded by encodeSteps). */
  setStep(i: number, record: StepRecord): void {
    StepInfo.write(this.records, i * this.recordBytes, record);
  }

  /** Uploads the staged records of `count` steps and (when given) every model's
   *  permutations (B windows of n × epochsPerChunk). The loss slots start at zero, or with
   *  `carry` each model's first slot starts where the last chunk's ended (readLoss): an epoch
   *  split over chunks is then summed in float32 in step order, exactly as one chunk would. */
  stage(encoder: GPUCommandEncoder, count: number, perms: Uint32Array<ArrayBuffer> | null, carry = false): void {
    const { queue } = this.group.ctx.device;
    if (perms) queue.writeBuffer(this.data.indices, 0, perms);
    if (this.workspace instanceof FusedWorkspace) this.workspace.stage(this.records, this.recordBytes, count);
    else queue.writeBuffer(this.steps!, 0, this.records, 0, count * this.recordBytes);
    if (!carry) {
      encoder.clearBuffer(this.loss);
      return;
    }
    this.lastSlot.forEach((slot, i) => this.lossStart.set(slot, i * this.lossStride));
    queue.writeBuffer(this.loss, 0, this.lossStart);
    this.lastSlot.forEach((_, i) => this.lossStart.fill(0, i * this.lossStride, i * this.lossStride + LOSS_SUMS));
  }

  /** Whether the fused kernel runs this session's steps. */
  get fused(): boolean {
    return this.workspace instanceof FusedWorkspace;
  }

  /** The layered workspace (lossAndGradients reads its buffers; it never runs fused). */
  get layered(): GroupWorkspace {
    if (!(this.workspace instanceof GroupWorkspace)) throw new Error('internal: this session runs the fused step');
    return this.workspace;
  }

  /** Records the `count` staged steps into `pass`: one dispatch (fused) or each step's. */
  encodeChunk(pass: GPUComputePassEncoder, count: number): void {
    if (this.workspace instanceof FusedWorkspace) {
      this.workspace.encodeChunk(pass);
      return;
    }
    for (let i = 0; i < count; i++) encodeDispatches(pass, this.workspace.step, i * this.recordBytes);
  }

  /** stage, then every staged step in one compute pass. */
  encodeSteps(encoder: GPUCommandEncoder, count: number, perms: Uint32Array<ArrayBuffer> | null): void {
    this.stage(encoder, count, perms);
    const pass = encoder.beginComputePass({ label: 'session:steps' });
    this.encodeChunk(pass, count);
    pass.end();
  }

  /** Each model's loss sums of the first `slots` epoch slots (LOSS_SUMS each), the reported
   *  ones scaled to user units. */
  async readLoss(slots: number): Promise<Float64Array[]> {
    const sums = await this.scope.readMany(this.group.models.map((_, i) => ({ buffer: this.loss, offset: i * this.lossStride, count: LOSS_SUMS * slots })));
    this.lastSlot = sums.map((own) => own.slice(0, LOSS_SUMS));
    return sums.map((own, i) => Float64Array.from(own, (v, j) => (j % LOSS_SUMS === 3 ? v : v * (this.options.reportScales?.[i] ?? 1))));
  }

  destroy(): void {
    this.scope.destroy();
  }
}
