import { activationId } from '../../shaders/activations';
import { adamShader, AdamDims } from '../../shaders/adam';
import { BatchDims, batchShader, type DirectionMode } from '../../shaders/batch';
import { activationBackwardShader, BackDims, LossDims, lossShader } from '../../shaders/sobolev';
import { StepInfo } from '../../shaders/step';
import { storageBuffer } from '../gpu/buffers';
import { gemmDispatches } from '../gpu/gemm';
import { bindGroup, getKernel } from '../gpu/pipelines';
import { UniformArena } from '../gpu/uniforms';
import { linearWorkgroups, type Dispatch } from './dispatch';
import type { ParamLayout } from './layout';

/** The dataset on the GPU, uploaded once per fit (or per lossAndGradients call). */
export interface DataBuffers {
  x: GPUBuffer;
  y: GPUBuffer;
  dydx: GPUBuffer;
  perm: GPUBuffer;
  gradIndex: GPUBuffer;
  /** 'perSample' mode: directions per row, k × total × d (dydx then holds their targets). */
  directions?: GPUBuffer;
  total: number;
  g: number;
}

export interface WorkspaceOptions {
  /** Samples per call (batch rows). */
  n: number;
  /** Tangent blocks stacked under the primal rows. */
  k: number;
  /** Build the backward pass and the loss (and, with `adam`, the optimiser). */
  train?: {
    data: DataBuffers;
    mode: DirectionMode;
    gradientWeight: number;
    seed: number;
    loss: GPUBuffer;
    /** Per-step StepInfo records, bound with a dynamic offset. */
    steps: GPUBuffer;
    adam?: { beta1: number; beta2: number; moment1: GPUBuffer; moment2: GPUBuffer };
  };
}

/**
 * Every buffer and prebuilt dispatch for one shape (n samples, k tangent blocks) of a model:
 * forward over the stacked rows [X; V¹…Vᵏ], and for training the batch gather, the backward
 * pass, the loss and Adam. Nothing here is allocated again while it is used.
 */
export class Workspace {
  readonly rows: number;
  readonly acts: GPUBuffer[] = [];
  readonly zs: GPUBuffer[] = [];
  readonly forward: Dispatch[] = [];
  readonly step: Dispatch[] = [];
  grads: GPUBuffer | null = null;
  yBatch: GPUBuffer | null = null;
  tBatch: GPUBuffer | null = null;
  private readonly owned: GPUBuffer[] = [];
  private readonly uniforms: UniformArena;

  constructor(
    private readonly device: GPUDevice,
    private readonly layout: ParamLayout,
    private readonly params: GPUBuffer,
    readonly options: WorkspaceOptions,
  ) {
    const { sizes } = layout;
    const L = sizes.length - 1;
    const { n, k, train } = options;
    this.rows = (1 + k) * n;
    this.uniforms = new UniformArena(device, 'mlp:uniforms', 7 * L + 8);
    const storeZ = k > 0 || !!train;
    for (let l = 0; l <= L; l++) this.acts.push(this.own(`mlp:A[${l}]`, this.rows * sizes[l]));
    for (let l = 1; l <= L; l++) this.zs.push(storeZ ? this.own(`mlp:Z[${l}]`, this.rows * sizes[l]) : this.acts[l]);
    for (let l = 1; l <= L; l++) this.buildLayerForward(l, storeZ);
    if (train) this.buildTraining(train);
    this.uniforms.flush(device.queue);
  }

  private own(label: string, length: number): GPUBuffer {
    const buffer = storageBuffer(this.device, label, length);
    this.owned.push(buffer);
    return buffer;
  }

  private buildLayerForward(l: number, storeZ: boolean): void {
    const { sizes, activations, weightOffsets } = this.layout;
    const { n, k } = this.options;
    const fanIn = sizes[l - 1];
    const fanOut = sizes[l];
    const base = { N: fanOut, K: fanIn, rowsPerBlock: n, lda: fanIn, ldb: fanOut, offsetA: 0, offsetB: weightOffsets[l - 1], offsetC: 0 };
    const buffers = { a: this.acts[l - 1], b: this.params, c: this.acts[l], zs: this.zs[l - 1] };
    const variant = { transA: false, transB: false, onesRow: false } as const;
    this.forward.push(
      ...gemmDispatches(this.device, this.uniforms, { ...variant, epilogue: storeZ ? 'primal' : 'activate' }, activations[l - 1], { ...base, M: n, rowStart: 0 }, buffers),
    );
    if (k > 0) {
      this.forward.push(
        ...gemmDispatches(this.device, this.uniforms, { ...variant, epilogue: 'tangent' }, activations[l - 1], { ...base, M: k * n, rowStart: n }, buffers),
      );
    }
  }

  private buildTraining(train: NonNullable<WorkspaceOptions['train']>): void {
    const { device, layout, uniforms } = this;
    const { sizes, activations, weightOffsets } = layout;
    const L = sizes.length - 1;
    const { n, k } = this.options;
    const m = sizes[L];
    const maxWidth = Math.max(...sizes);
    const stepSlot = { buffer: train.steps, offset: 0, size: StepInfo.size };
    this.yBatch = this.own('mlp:Ybatch', n * m);
    this.tBatch = this.own('mlp:Tbatch', k * n * m);
    this.grads = this.own('mlp:grads', layout.total);
    const zbar = this.own('mlp:Zbar', this.rows * maxWidth);
    const scratch = (floats: number): GPUBuffer => this.own('mlp:split-k', floats);
    const abar = this.own('mlp:Abar', this.rows * maxWidth);

    const batch = getKernel(device, {
      label: `batch:${train.mode}`,
      variant: { mode: train.mode },
      code: () => batchShader(train.mode),
      bindings: ['read', 'read', 'read', 'read', 'read', 'rw', 'rw', 'rw', 'uniform', 'uniform-dynamic', ...(train.mode === 'perSample' ? (['read'] as const) : [])],
    });
    if (train.mode === 'perSample' && !train.data.directions) throw new Error('perSample directions need a directions buffer');
    const { data } = train;
    const batchDims = uniforms.add(BatchDims, { n, d: sizes[0], m, g: data.g, k, total: data.total, seed: train.seed >>> 0 });
    this.step.push({
      kernel: batch,
      group: bindGroup(device, batch, [
        data.x, data.y, data.dydx, data.perm, data.gradIndex, this.acts[0], this.yBatch, this.tBatch, batchDims, stepSlot,
        ...(train.mode === 'perSample' ? [data.directions!] : []),
      ]),
      workgroups: linearWorkgroups((1 + k) * n),
      perStep: true,
    });
    this.step.push(...this.forward);

    const w = train.gradientWeight;
    for (let l = L; l >= 1; l--) {
      const width = sizes[l];
      const fanIn = sizes[l - 1];
      const seed = l === L;
      const backward = getKernel(device, {
        label: `activation-backward${seed ? ':seed' : ''}`,
        variant: { seed },
        code: () => activationBackwardShader(seed),
        bindings: seed ? ['read', 'read', 'rw', 'uniform', 'read', 'read'] : ['read', 'read', 'rw', 'uniform'],
        constants: { ACT: activationId(activations[l - 1]) },
      });
      const dims = uniforms.add(BackDims, {
        n,
        width,
        k,
        valueScale: (2 * (1 - w)) / (n * m),
        tangentScale: k > 0 ? (2 * w) / (n * m * k) : 0,
      });
      const upstream = seed ? this.acts[L] : abar;
      const extra = seed ? [this.yBatch, this.tBatch] : [];
      this.step.push({
        kernel: backward,
        group: bindGroup(device, backward, [this.zs[l - 1], upstream, zbar, dims, ...extra]),
        workgroups: linearWorkgroups(n * width),
      });
      // [W̄; b̄] = [A; Ȧ | 1; 0]ᵀ · [Z̄; Ż̄]
      this.step.push(
        ...gemmDispatches(
          device,
          uniforms,
          { transA: true, transB: false, epilogue: 'none', onesRow: true },
          'linear',
          { M: fanIn + 1, N: width, K: this.rows, rowStart: 0, rowsPerBlock: n, lda: fanIn, ldb: width, offsetA: 0, offsetB: 0, offsetC: weightOffsets[l - 1] },
          { a: this.acts[l - 1], b: zbar, c: this.grads, scratch },
        ),
      );
      if (l > 1) {
        // [Ā; Ǡ]_{l−1} = [Z̄; Ż̄]_l · W_lᵀ
        this.step.push(
          ...gemmDispatches(
            device,
            uniforms,
            { transA: false, transB: true, epilogue: 'none', onesRow: false },
            'linear',
            { M: this.rows, N: fanIn, K: width, rowStart: 0, rowsPerBlock: n, lda: width, ldb: width, offsetA: 0, offsetB: weightOffsets[l - 1], offsetC: 0 },
            { a: zbar, b: this.params, c: abar, scratch },
          ),
        );
      }
    }

    const loss = getKernel(device, {
      label: 'loss',
      variant: {},
      code: () => lossShader,
      bindings: ['read', 'read', 'read', 'rw', 'uniform', 'uniform-dynamic'],
    });
    const lossDims = uniforms.add(LossDims, {
      n,
      m,
      k,
      valueWeight: (1 - w) / (n * m),
      tangentWeight: k > 0 ? w / (n * m * k) : 0,
    });
    this.step.push({
      kernel: loss,
      group: bindGroup(device, loss, [this.acts[L], this.yBatch, this.tBatch, train.loss, lossDims, stepSlot]),
      workgroups: [1, 1],
      perStep: true,
    });

    if (train.adam) {
      const adam = getKernel(device, {
        label: 'adam',
        variant: {},
        code: () => adamShader,
        bindings: ['rw', 'read', 'rw', 'rw', 'uniform', 'uniform-dynamic'],
      });
      const adamDims = uniforms.add(AdamDims, { count: layout.total, beta1: train.adam.beta1, beta2: train.adam.beta2 });
      this.step.push({
        kernel: adam,
        group: bindGroup(device, adam, [this.params, this.grads, train.adam.moment1, train.adam.moment2, adamDims, stepSlot]),
        workgroups: linearWorkgroups(layout.total),
        perStep: true,
      });
    }
  }

  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.uniforms.destroy();
  }
}
