import { adamProgram } from '../../shaders/adam';
import { batchProgram, type DirectionMode } from '../../shaders/batch';
import { activationBackwardProgram, lossProgram } from '../../shaders/sobolev';
import { StepInfo } from '../../shaders/step';
import type { Context } from '../gpu/context';
import { dispatchOf, realize, type Dispatch, type DispatchSpec } from '../gpu/dispatch';
import { gemmSpecs } from '../gpu/gemm';
import type { Scope } from '../gpu/scope';
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
 * pass, the loss and Adam. Nothing here is allocated again while it is used; destroy()
 * frees its scope.
 */
export class Workspace {
  readonly rows: number;
  readonly acts: GPUBuffer[] = [];
  readonly zs: GPUBuffer[] = [];
  readonly forward: Dispatch[];
  readonly step: Dispatch[];
  readonly grads: GPUBuffer | null = null;
  private readonly scope: Scope;

  constructor(ctx: Context, parent: Scope, private readonly layout: ParamLayout, private readonly params: GPUBuffer, readonly options: WorkspaceOptions) {
    const { sizes } = layout;
    const L = sizes.length - 1;
    const { n, k, train } = options;
    this.scope = parent.child(`workspace(n=${n},k=${k}${train ? ',train' : ''})`);
    this.rows = (1 + k) * n;
    const storeZ = k > 0 || !!train;
    for (let l = 0; l <= L; l++) this.acts.push(this.scope.storage(`mlp:A[${l}]`, this.rows * sizes[l]));
    for (let l = 1; l <= L; l++) this.zs.push(storeZ ? this.scope.storage(`mlp:Z[${l}]`, this.rows * sizes[l]) : this.acts[l]);
    const forward: DispatchSpec[] = [];
    for (let l = 1; l <= L; l++) forward.push(...this.layerForward(ctx, l, storeZ));
    if (!train) {
      [this.forward] = realize(ctx, this.scope, 'mlp:forward', [forward]);
      this.step = [];
      return;
    }
    this.grads = this.scope.storage('mlp:grads', layout.total);
    const { gather, backward } = this.training(ctx, train, this.grads);
    const [gatherDispatch, forwardDispatches, backwardDispatches] = realize(ctx, this.scope, 'mlp:step', [[gather], forward, backward]);
    this.forward = forwardDispatches;
    this.step = [...gatherDispatch, ...forwardDispatches, ...backwardDispatches];
  }

  private layerForward(ctx: Context, l: number, storeZ: boolean): DispatchSpec[] {
    const { sizes, activations, weightOffsets } = this.layout;
    const { n, k } = this.options;
    const fanIn = sizes[l - 1];
    const fanOut = sizes[l];
    const base = { N: fanOut, K: fanIn, rowsPerBlock: n, lda: fanIn, ldb: fanOut, offsetA: 0, offsetB: weightOffsets[l - 1], offsetC: 0 };
    const buffers = { a: this.acts[l - 1], b: this.params, c: this.acts[l], zs: this.zs[l - 1] };
    const variant = { transA: false, transB: false, onesRow: false } as const;
    const act = activations[l - 1];
    const specs = gemmSpecs(ctx, { ...variant, epilogue: storeZ ? 'primal' : 'activate' }, act, { ...base, M: n, rowStart: 0 }, buffers);
    if (k > 0) specs.push(...gemmSpecs(ctx, { ...variant, epilogue: 'tangent' }, act, { ...base, M: k * n, rowStart: n }, buffers));
    return specs;
  }

  private training(ctx: Context, train: NonNullable<WorkspaceOptions['train']>, grads: GPUBuffer): { gather: DispatchSpec; backward: DispatchSpec[] } {
    const { scope, layout } = this;
    const { sizes, activations, weightOffsets } = layout;
    const L = sizes.length - 1;
    const { n, k } = this.options;
    const m = sizes[L];
    const maxWidth = Math.max(...sizes);
    const step = { buffer: train.steps, offset: 0, size: StepInfo.size };
    const yBatch = scope.storage('mlp:Ybatch', n * m);
    const tBatch = scope.storage('mlp:Tbatch', k * n * m);
    const zbar = scope.storage('mlp:Zbar', this.rows * maxWidth);
    const abar = scope.storage('mlp:Abar', this.rows * maxWidth);
    const scratch = (floats: number): GPUBuffer => scope.storage('mlp:split-k', floats);
    const { data } = train;
    if (train.mode === 'perSample' && !data.directions) throw new Error('perSample directions need a directions buffer');

    const gather = dispatchOf(batchProgram, train.mode, { n, d: sizes[0], m, g: data.g, k, total: data.total, seed: train.seed >>> 0 }, {
      xAll: data.x,
      yAll: data.y,
      dAll: data.dydx,
      perm: data.perm,
      gradIndex: data.gradIndex,
      x0: this.acts[0],
      yBatch,
      tBatch,
      step,
      ...(train.mode === 'perSample' ? { vAll: data.directions! } : {}),
    });

    const backward: DispatchSpec[] = [];
    const w = train.gradientWeight;
    for (let l = L; l >= 1; l--) {
      const width = sizes[l];
      const fanIn = sizes[l - 1];
      const seed = l === L;
      const dims = { n, width, k, valueScale: (2 * (1 - w)) / (n * m), tangentScale: k > 0 ? (2 * w) / (n * m * k) : 0 };
      backward.push(
        dispatchOf(activationBackwardProgram, { activation: activations[l - 1], seed }, dims, {
          zs: this.zs[l - 1],
          upstream: seed ? this.acts[L] : abar,
          zbar,
          ...(seed ? { yTarget: yBatch, tTarget: tBatch } : {}),
        }),
      );
      // [W̄; b̄] = [A; Ȧ | 1; 0]ᵀ · [Z̄; Ż̄]
      backward.push(
        ...gemmSpecs(
          ctx,
          { transA: true, transB: false, epilogue: 'none', onesRow: true },
          'linear',
          { M: fanIn + 1, N: width, K: this.rows, rowStart: 0, rowsPerBlock: n, lda: fanIn, ldb: width, offsetA: 0, offsetB: 0, offsetC: weightOffsets[l - 1] },
          { a: this.acts[l - 1], b: zbar, c: grads, scratch },
        ),
      );
      if (l > 1) {
        // [Ā; Ǡ]_{l−1} = [Z̄; Ż̄]_l · W_lᵀ
        backward.push(
          ...gemmSpecs(
            ctx,
            { transA: false, transB: true, epilogue: 'none', onesRow: false },
            'linear',
            { M: this.rows, N: fanIn, K: width, rowStart: 0, rowsPerBlock: n, lda: width, ldb: width, offsetA: 0, offsetB: weightOffsets[l - 1], offsetC: 0 },
            { a: zbar, b: this.params, c: abar, scratch },
          ),
        );
      }
    }
    backward.push(
      dispatchOf(lossProgram, undefined, { n, m, k, valueWeight: (1 - w) / (n * m), tangentWeight: k > 0 ? w / (n * m * k) : 0 }, {
        out: this.acts[L],
        yTarget: yBatch,
        tTarget: tBatch,
        loss: train.loss,
        step,
      }),
    );
    if (train.adam) {
      backward.push(
        dispatchOf(adamProgram, undefined, { count: layout.total, beta1: train.adam.beta1, beta2: train.adam.beta2 }, {
          params: this.params,
          grads,
          moment1: train.adam.moment1,
          moment2: train.adam.moment2,
          step,
        }),
      );
    }
    return { gather, backward };
  }

  destroy(): void {
    this.scope.destroy();
  }
}
