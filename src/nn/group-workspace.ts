import type { DirectionMode } from '../../shaders/grouped';
import { f32Bits } from '../../shaders/table';
import { ADAM_PER_THREAD, AdamProblem, BackProblem, GatherProblem, groupedAdamProgram, groupedBackwardProgram, groupedGatherProgram, groupedLossProgram, LossProblem } from '../../shaders/grouped';
import { ReverseProjectProblem, reverseProjectProgram, ReverseSeedProblem, reverseSeedProgram } from '../../shaders/reverse';
import { StepInfo } from '../../shaders/step';
import type { Context } from '../gpu/context';
import { dispatchOf, realize, type Dispatch, type DispatchSpec } from '../gpu/dispatch';
import { groupedGemmSpecs, type GemmPreferences, type GroupedProblem } from '../gpu/gemm';
import type { Scope } from '../gpu/scope';
import type { Activation } from '../types';
import type { ParamLayout } from './layout';

/** One model of a group workspace. */
export interface GroupMember {
  layout: ParamLayout;
  /** Where its [W; b] layout starts in the group's parameter (and gradient) buffer. */
  paramOffset: number;
  /** Tangent blocks stacked under its primal rows (0: values only). */
  k: number;
}

/** Where a model's training data lives in the group's data buffers (elements). */
export interface MemberData {
  offX: number;
  offY: number;
  offD: number;
  /** Where its derivative masks start in the dydx buffer (when the group is masked). */
  offMask: number;
  offV: number;
  offPerm: number;
  /** Rows of its dataset. */
  total: number;
}

export interface GroupTrainOptions {
  mode: DirectionMode;
  /** Reverse-mode input derivatives (m cotangent blocks per model) instead of k tangent blocks. */
  reverse?: boolean;
  /** Missing derivative targets ('all' mode): masks gathered with the targets weight each
   *  tangent residual (1 present, 0 missing). */
  masked?: boolean;
  /** indices: every model's permutation windows, then at gradOffset the gradient inputs. */
  data: { x: GPUBuffer; y: GPUBuffer; dydx: GPUBuffer; indices: GPUBuffer; gradOffset: number; directions?: GPUBuffer; g: number };
  /** offW: where the member's reported-loss weights start in lossWeights (see the loss program).
   *  present: the fraction of its dataset's derivative entries that are targets; the
   *  derivative mean divides by it (a minibatch's estimate of the mean over present entries). */
  members: { gradientWeight: number; present: number; seed: number; data: MemberData; offW: number }[];
  loss: GPUBuffer;
  lossWeights: GPUBuffer;
  /** Floats of `loss` each model owns (3 per epoch slot). */
  lossStride: number;
  steps: GPUBuffer;
  /** weightDecay[i]: model i's L2 decay of its weights (0: none; biases never decay). */
  adam?: { beta1: number; beta2: number; learningRates: number[]; weightDecay: number[]; moment1: GPUBuffer; moment2: GPUBuffer };
}

export interface GroupWorkspaceOptions {
  /** Samples per call (batch rows), the same for every model. */
  n: number;
  members: GroupMember[];
  /** Build the backward pass and the loss (and, with `adam`, the optimiser). */
  train?: GroupTrainOptions;
  /** Inference of the input Jacobian by m backward sweeps (no train): `forward` ends with
   *  Ḡ_0 in gin (inputGradients). */
  cotangents?: boolean;
}

/** The seed scale of a derivative residual, 2w/count: the derivative mean's gradient. With
 *  missing targets the mean is over the present entries, count × the present fraction (as
 *  the dataset's fraction: a minibatch's sum estimates the full batch's without bias). */
function tangentMean(w: number, count: number, present: number): number {
  return present < 1 ? (2 * w) / (count * present) : (2 * w) / count;
}

/** Offsets of a list of sizes, and their sum. */
export function pack(sizes: number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += s;
  }
  return { offsets, total };
}

/**
 * Every buffer and prebuilt dispatch of one shape of a group of models (ragged widths,
 * depths and tangent blocks), trained in lockstep: one grouped dispatch per layer and pass
 * covers every model. Level l's activations of all models share the buffer acts[l] (each
 * model at its own offset), so a dispatch never reads and writes one buffer.
 *
 * Forward mode stacks [A; Ȧ] (k tangent blocks) at every level. Reverse mode (train.reverse)
 * stacks b = m cotangent blocks: acts[l] holds [A; R; …] (level 0 [X; R_0; V], the k
 * directions after the adjoint blocks; the output level [Ŷ; R_L; Ẏ]), zs[l] [Z; R̂; Ḡ] and
 * ghats[l] Ĝ = σ'(Z)·Ḡ in the rows of Ḡ; gin holds Ḡ_0 the same way. Its step: primal forward,
 * the input-gradient sweep (Ḡ, Ĝ from the output down), the derivative loss on Ḡ_0 (its
 * seed R_0), the adjoint sweep (the tangent recursion seeded with R_0: R̂, R), then the
 * backward pass over [A; R] and [Z̄; Ĝ] with the σ''·r̂·ḡ coupling.
 */
export class GroupWorkspace {
  readonly acts: GPUBuffer[] = [];
  readonly zs: GPUBuffer[] = [];
  /** actOffsets[i][l]: model i's rows of level l in acts[l]. */
  readonly actOffsets: number[][];
  /** Rows per model of the backward pass's stacked blocks ((1 + k)·n forward, (1 + m)·n reverse). */
  readonly rows: number[];
  /** Blocks stacked under each model's primal rows in the backward pass (k, or m in reverse). */
  readonly blocks: number[];
  readonly reverse: boolean;
  /** Reverse mode: Ĝ per level (like zs), and Ḡ_0 (gin, at gradOffsets). */
  readonly ghats: GPUBuffer[] = [];
  private gin: GPUBuffer | null = null;
  private readonly gradOffsets: number[] = [];
  readonly forward: Dispatch[];
  readonly step: Dispatch[];
  readonly grads: GPUBuffer | null = null;
  /** The Adam table: setLearningRate rewrites a model's rate (0 stops it) in each of its
   *  records (adamRecords[i]). */
  private adamTable: GPUBuffer | null = null;
  private adamRecords: number[][] = [];
  private readonly zOffsets: number[][];
  private readonly scope: Scope;
  private readonly depth: number;

  constructor(
    private readonly ctx: Context,
    parent: Scope,
    private readonly params: GPUBuffer,
    paramTotal: number,
    readonly options: GroupWorkspaceOptions,
  ) {
    const { n, members, train, cotangents } = options;
    this.scope = parent.child(`group-workspace(B=${members.length},n=${n}${train ? ',train' : ''})`);
    this.reverse = !!train?.reverse || !!cotangents;
    const outputs = members[0].layout.sizes[members[0].layout.sizes.length - 1];
    this.blocks = members.map((m) => (cotangents ? outputs : this.reverse ? (m.k > 0 ? outputs : 0) : m.k));
    this.rows = this.blocks.map((b) => (1 + b) * n);
    this.depth = Math.max(...members.map((m) => m.layout.sizes.length - 1));
    this.actOffsets = members.map(() => []);
    this.zOffsets = members.map(() => []);
    if (train || cotangents) this.allLevels();
    else this.twoLevels();
    const forward: DispatchSpec[] = [];
    // Reverse mode: primal rows only (the stacked blocks come from the sweeps).
    for (let l = 1; l <= this.depth; l++) forward.push(...this.levelForward(l, true, this.reverse ? [] : this.at(l).filter((i) => members[i].k > 0)));
    if (cotangents) forward.push(...this.inputGradientSweep());
    if (!train) {
      [this.forward] = realize(ctx, this.scope, 'group:forward', [forward]);
      this.step = [];
      return;
    }
    this.grads = this.scope.storage('group:grads', paramTotal);
    const { gather, backward } = this.training(train, this.grads);
    const [g, f, b] = realize(ctx, this.scope, 'group:step', [gather, forward, backward]);
    this.forward = f;
    this.step = [...g, ...f, ...b];
  }

  /** Training: every level's activations and pre-activations stay (the backward pass reads them). */
  private allLevels(): void {
    const { members, n } = this.options;
    // Reverse: acts [A; R (b blocks); k blocks], zs and ghats [Z; R̂; Ḡ] (b blocks each).
    const actRows = members.map((m, i) => (this.reverse ? this.rows[i] + m.k * n : this.rows[i]));
    const zRows = members.map((_, i) => (this.reverse ? this.rows[i] + this.blocks[i] * n : this.rows[i]));
    const level = (rows: number[], l: number) => pack(members.map((m, i) => (l < m.layout.sizes.length ? rows[i] * m.layout.sizes[l] : 0)));
    for (let l = 0; l <= this.depth; l++) {
      const a = level(actRows, l);
      a.offsets.forEach((o, i) => (this.actOffsets[i][l] = o));
      this.acts.push(this.scope.storage(`group:A[${l}]`, a.total));
      const z = level(zRows, l);
      if (l > 0) {
        z.offsets.forEach((o, i) => (this.zOffsets[i][l] = o));
        this.zs.push(this.scope.storage(`group:Z[${l}]`, z.total));
        if (this.reverse) this.ghats.push(this.scope.storage(`group:Ghat[${l}]`, z.total));
      } else if (this.reverse) {
        this.gradOffsets.push(...z.offsets);
        this.gin = this.scope.storage('group:Gbar[0]', z.total);
      }
    }
  }

  /** Where model i's input gradients Ḡ_0 (m blocks of n × inputs) are in `gin` (cotangents). */
  inputGradients(i: number): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.gin!, offset: this.gradOffsets[i] + this.rows[i] * this.options.members[i].layout.sizes[0] };
  }


  /** Where model i's directions start in acts[0] (lossAndGradients writes given ones there). */
  directionOffset(i: number): number {
    const { n, members } = this.options;
    return this.actOffsets[i][0] + (this.reverse ? this.rows[i] : n) * members[i].layout.sizes[0];
  }

  /** Inference: level l lives in buffer l mod 2 (each model at one offset, sized for its
   *  widest level of that parity) and every level's pre-activations share one buffer, so at
   *  most two levels exist at a time whatever the depth. A model's output stays put while
   *  deeper models go on: no other model writes its region. */
  private twoLevels(): void {
    const { members } = this.options;
    const widest = (i: number, from: number, step: number): number => {
      const { sizes } = members[i].layout;
      let w = 0;
      for (let l = from; l < sizes.length; l += step) w = Math.max(w, sizes[l]);
      return this.rows[i] * w;
    };
    const parity = [0, 1].map((p) => pack(members.map((_, i) => widest(i, p, 2))));
    const pre = pack(members.map((_, i) => widest(i, 1, 1)));
    const buffers = parity.map(({ total }, p) => this.scope.storage(`group:A[${p ? 'odd' : 'even'}]`, total));
    const zBuffer = this.scope.storage('group:Z', pre.total);
    for (let l = 0; l <= this.depth; l++) {
      members.forEach((_, i) => {
        this.actOffsets[i][l] = parity[l % 2].offsets[i];
        if (l > 0) this.zOffsets[i][l] = pre.offsets[i];
      });
      this.acts.push(buffers[l % 2]);
      if (l > 0) this.zs.push(zBuffer);
    }
  }

  private table = (records: Uint32Array<ArrayBuffer>): GPUBuffer => this.scope.storage('group:table', records.length, records);
  private scratch = (floats: number): GPUBuffer => this.scope.storage('group:split-k', floats);

  /** Models deep enough to have layer l. */
  private at(l: number): number[] {
    return this.options.members.flatMap((m, i) => (m.layout.sizes.length - 1 >= l ? [i] : []));
  }

  /** Level l's forward products: the primal rows of every model deep enough (`primal`), and
   *  the stacked blocks (this.blocks) of the models `stacked`. */
  /** Models with layer l and stacked blocks. */
  private stacked(l: number): number[] {
    return this.at(l).filter((i) => this.blocks[i] > 0);
  }

  private levelForward(l: number, primal: boolean, stacked: number[]): DispatchSpec[] {
    const { n, members } = this.options;
    const primals: GroupedProblem[] = [];
    const tangent: GroupedProblem[] = [];
    for (const i of this.at(l)) {
      const { sizes, activations, weightOffsets } = members[i].layout;
      const fanIn = sizes[l - 1];
      const fanOut = sizes[l];
      const base = {
        N: fanOut, K: fanIn, rowsPerBlock: n, lda: fanIn, ldb: fanOut,
        offsetA: this.actOffsets[i][l - 1], offsetB: members[i].paramOffset + weightOffsets[l - 1], offsetC: this.actOffsets[i][l],
      };
      const common = { activation: activations[l - 1], offsetZ: this.zOffsets[i][l] };
      if (primal) primals.push({ ...common, shape: { ...base, M: n, rowStart: 0 } });
      if (stacked.includes(i)) tangent.push({ ...common, shape: { ...base, M: this.blocks[i] * n, rowStart: n } });
    }
    // Tangent rows read the primal pre-activations: a second dispatch, after the primal one.
    const structure = { transA: false, transB: false, onesRow: false };
    const buffers = { a: this.acts[l - 1], b: this.params, c: this.acts[l], zs: this.zs[l - 1], table: this.table };
    return [
      ...(primals.length ? groupedGemmSpecs(this.ctx, structure, 'primal', primals, buffers) : []),
      ...(tangent.length ? groupedGemmSpecs(this.ctx, structure, 'tangent', tangent, buffers) : []),
    ];
  }

  private training(train: GroupTrainOptions, grads: GPUBuffer): { gather: DispatchSpec[]; backward: DispatchSpec[] } {
    const { scope } = this;
    const { n, members } = this.options;
    const d = members[0].layout.sizes[0];
    const m = members[0].layout.sizes[members[0].layout.sizes.length - 1];
    const step = { buffer: train.steps, offset: 0, size: StepInfo.size };
    const yOff = pack(members.map(() => n * m));
    const tOff = pack(members.map((mb) => mb.k * n * m));
    const barOff = pack(members.map((mb, i) => this.rows[i] * Math.max(...mb.layout.sizes)));
    // Minibatch targets: every model's values, then every model's tangent targets (masked:
    // then their masks, tOff.total after each target).
    const masked = !!train.masked;
    const targets = scope.storage('group:targets', yOff.total + (masked ? 2 : 1) * tOff.total);
    const tBase = yOff.total;
    const maskShift = masked ? tOff.total : 0;
    if (masked && train.mode !== 'all') throw new Error("missing derivative targets need 'all' directions");
    const zbar = scope.storage('group:Zbar', barOff.total);
    const abar = scope.storage('group:Abar', barOff.total);
    const { data } = train;
    if (train.mode === 'perSample' && !data.directions) throw new Error('perSample directions need a directions buffer');

    let start = 0;
    const gatherRecords = members.map((mb, i) => {
      const t = train.members[i];
      const record = {
        n, d, m, g: data.g, k: mb.k, skip: this.reverse ? this.blocks[i] : 0, unitRows: this.reverse ? 0 : 1, total: t.data.total, seed: t.seed >>> 0,
        offX: t.data.offX, offY: t.data.offY, offD: t.data.offD, offMask: t.data.offMask, offPerm: t.data.offPerm, offV: t.data.offV,
        offGrad: data.gradOffset, offX0: this.actOffsets[i][0], offYb: yOff.offsets[i], offTb: tBase + tOff.offsets[i], offMb: tBase + tOff.offsets[i] + maskShift, start,
      };
      start += Math.ceil(((1 + mb.k) * n) / 64);
      return record;
    });
    const gather = dispatchOf(groupedGatherProgram, { mode: train.mode, masked }, { count: members.length, total: start, cap: this.ctx.elementwiseCap }, {
      xAll: data.x, yAll: data.y, dAll: data.dydx, indices: data.indices,
      x0: this.acts[0], targets, step,
      problems: this.table(GatherProblem.pack(gatherRecords)),
      ...(train.mode === 'perSample' ? { vAll: data.directions! } : {}),
    });

    const backward: DispatchSpec[] = this.reverse ? this.reverseSweeps(train, targets, tBase, tOff.offsets, maskShift) : [];
    for (let l = this.depth; l >= 1; l--) {
      const here = this.at(l);
      // One dispatch per (output layer or hidden, activation) present at this level.
      const kinds = new Map<string, { seed: boolean; activation: Activation; part: number[] }>();
      for (const i of here) {
        const seed = members[i].layout.sizes.length - 1 === l;
        const activation = members[i].layout.activations[l - 1];
        const key = `${seed}|${activation}`; // (reverse: one mode for the whole group)
        if (!kinds.has(key)) kinds.set(key, { seed, activation, part: [] });
        kinds.get(key)!.part.push(i);
      }
      for (const { seed, activation, part } of kinds.values()) {
        let wgStart = 0;
        const records = part.map((i) => {
          const mb = members[i];
          const w = train.members[i].gradientWeight;
          const width = mb.layout.sizes[l];
          const record = {
            n, width, k: this.blocks[i],
            valueScale: f32Bits((2 * (1 - w)) / (n * m)),
            tangentScale: f32Bits(mb.k > 0 ? tangentMean(w, n * m * mb.k, train.members[i].present) : 0),
            offZ: this.zOffsets[i][l], offUp: seed ? this.actOffsets[i][l] : barOff.offsets[i], offZbar: barOff.offsets[i],
            offY: yOff.offsets[i], offT: tBase + tOff.offsets[i], offM: tBase + tOff.offsets[i] + maskShift, start: wgStart,
          };
          wgStart += Math.ceil((n * width) / 64);
          return record;
        });
        backward.push(
          dispatchOf(groupedBackwardProgram, { seed, activation, reverse: this.reverse, masked: seed && masked && !this.reverse }, { count: part.length, total: wgStart, cap: this.ctx.elementwiseCap }, {
            zs: this.zs[l - 1],
            upstream: seed ? this.acts[l] : abar,
            zbar,
            problems: this.table(BackProblem.pack(records)),
            ...(seed ? { targets } : {}),
          }),
        );
      }
      // [W̄; b̄] = [A; Ȧ | 1; 0]ᵀ · [Z̄; Ż̄]
      const weightGrads: GroupedProblem[] = here.map((i) => {
        const { sizes, weightOffsets } = members[i].layout;
        return {
          shape: {
            M: sizes[l - 1] + 1, N: sizes[l], K: this.rows[i], rowStart: 0, rowsPerBlock: n, lda: sizes[l - 1], ldb: sizes[l],
            offsetA: this.actOffsets[i][l - 1], offsetB: barOff.offsets[i], offsetC: members[i].paramOffset + weightOffsets[l - 1],
          },
        };
      });
      backward.push(...groupedGemmSpecs(this.ctx, { transA: true, transB: false, onesRow: true }, 'none', weightGrads, { a: this.acts[l - 1], b: zbar, c: grads, table: this.table, scratch: this.scratch }));
      if (l > 1) {
        // [Ā; Ǡ]_{l−1} = [Z̄; Ż̄]_l · W_lᵀ (reverse: Ā alone; the sweeps made the rest)
        const inputGrads: GroupedProblem[] = here.map((i) => {
          const { sizes, weightOffsets } = members[i].layout;
          return {
            shape: {
              M: this.reverse ? n : this.rows[i], N: sizes[l - 1], K: sizes[l], rowStart: 0, rowsPerBlock: n, lda: sizes[l], ldb: sizes[l],
              offsetA: barOff.offsets[i], offsetB: members[i].paramOffset + weightOffsets[l - 1], offsetC: barOff.offsets[i],
            },
          };
        });
        backward.push(...groupedGemmSpecs(this.ctx, { transA: false, transB: true, onesRow: false }, 'none', inputGrads, { a: zbar, b: this.params, c: abar, table: this.table, scratch: this.scratch }));
      }
    }
    // The loss of each depth's models reads that depth's outputs.
    for (const depth of new Set(members.map((mb) => mb.layout.sizes.length - 1))) {
      const part = members.flatMap((mb, i) => (mb.layout.sizes.length - 1 === depth ? [i] : []));
      const records = part.map((i, j) => {
        const w = train.members[i].gradientWeight;
        const k = members[i].k;
        return {
          n, m, k,
          valueWeight: f32Bits((1 - w) / (n * m)),
          tangentWeight: f32Bits(k > 0 ? tangentMean(w, n * m * k, train.members[i].present) / 2 : 0),
          tangentCount: f32Bits(n * m * k * train.members[i].present),
          offOut: this.actOffsets[i][depth], offOutT: this.actOffsets[i][depth] + (this.reverse ? this.rows[i] : n) * m, offY: yOff.offsets[i], offT: tBase + tOff.offsets[i],
          offM: tBase + tOff.offsets[i] + maskShift, offLoss: i * train.lossStride, offW: train.members[i].offW, start: j,
        };
      });
      backward.push(
        // A barrier costs a CPU-emulated adapter far more than the serial sum it would save.
        dispatchOf(groupedLossProgram, { reduction: this.ctx.tiledGemm ? 'tree' : 'serial', masked }, { count: part.length, total: part.length, cap: 0 }, {
          out: this.acts[depth], targets, loss: train.loss, weights: train.lossWeights, step,
          problems: this.table(LossProblem.pack(records)),
        }),
      );
    }
    if (train.adam) {
      const { adam } = train;
      let wgStart = 0;
      const records: Parameters<typeof AdamProblem.pack>[0] = [];
      // One record per model; with weight decay one per weight block and bias block.
      members.forEach((mb, i) => {
        const { total, weightOffsets, biasOffsets, sizes } = mb.layout;
        const decay = adam.weightDecay[i];
        const blocks = decay > 0
          ? weightOffsets.flatMap((w, l) => [{ offset: w, count: sizes[l] * sizes[l + 1], decay }, { offset: biasOffsets[l], count: sizes[l + 1], decay: 0 }])
          : [{ offset: 0, count: total, decay: 0 }];
        this.adamRecords.push([]);
        for (const block of blocks) {
          this.adamRecords[i].push(records.length);
          records.push({
            count: block.count, offset: mb.paramOffset + block.offset, lr: f32Bits(adam.learningRates[i]),
            beta1: f32Bits(adam.beta1), beta2: f32Bits(adam.beta2), decay: f32Bits(block.decay), start: wgStart,
          });
          wgStart += Math.ceil(block.count / (64 * ADAM_PER_THREAD));
        }
      });
      this.adamTable = this.table(AdamProblem.pack(records));
      backward.push(
        dispatchOf(groupedAdamProgram, undefined, { count: records.length, total: wgStart, cap: this.ctx.elementwiseCap }, {
          params: this.params, grads, moment1: adam.moment1, moment2: adam.moment2, step, problems: this.adamTable,
        }),
      );
    }
    return { gather: [gather], backward };
  }

  /**
   * Reverse mode, before the backward pass: the input-gradient sweep (seeded at each model's
   * output level, Ḡ and Ĝ level by level down to Ḡ_0), the derivative loss on Ḡ_0 (Ẏ for the
   * loss sums, R_0 for the adjoint sweep), and the adjoint sweep (R̂ into zs, R into acts).
   */
  private reverseSweeps(train: GroupTrainOptions, targets: GPUBuffer, tBase: number, tOffsets: number[], maskShift: number): DispatchSpec[] {
    const { n, members } = this.options;
    const d = members[0].layout.sizes[0];
    const m = members[0].layout.sizes[members[0].layout.sizes.length - 1];
    const depthOf = (i: number) => members[i].layout.sizes.length - 1;
    const stacked = (l: number) => this.stacked(l);
    const specs = this.inputGradientSweep();
    const unit = train.mode === 'all';
    // The derivative loss of each depth's models writes that depth's Ẏ.
    for (const depth of new Set(members.map((_, i) => depthOf(i)))) {
      const part = stacked(1).filter((i) => depthOf(i) === depth);
      if (!part.length) continue;
      let start = 0;
      const records = part.map((i) => {
        const k = members[i].k;
        const record = {
          n, d, m, k, tangentScale: f32Bits(tangentMean(train.members[i].gradientWeight, n * m * k, train.members[i].present)),
          offG: this.gradOffsets[i], offX0: this.actOffsets[i][0], offOut: this.actOffsets[i][depth] + this.rows[i] * m, offT: tBase + tOffsets[i],
          offM: tBase + tOffsets[i] + maskShift, offGrad: train.data.gradOffset, start,
        };
        start += Math.ceil((m * n) / 64);
        return record;
      });
      specs.push(dispatchOf(reverseProjectProgram, { unit, masked: !!train.masked }, { count: part.length, total: start, cap: this.ctx.elementwiseCap }, {
        gin: this.gin!, x0: this.acts[0], out: this.acts[depth], targets, problems: this.table(ReverseProjectProblem.pack(records)),
        ...(unit ? { indices: train.data.indices } : {}),
      }));
    }
    for (let l = 1; l <= this.depth; l++) specs.push(...this.levelForward(l, false, stacked(l)));
    return specs;
  }

  /** The input-gradient sweep of the models with stacked blocks: seeded at each one's output
   *  level (Ḡ_L = e_j), Ḡ and Ĝ level by level down to Ḡ_0 in gin. */
  private inputGradientSweep(): DispatchSpec[] {
    const { n, members } = this.options;
    const m = members[0].layout.sizes[members[0].layout.sizes.length - 1];
    const depthOf = (i: number) => members[i].layout.sizes.length - 1;
    const stacked = (l: number) => this.stacked(l);
    // The sweep's epilogue gets σ' from Z: C (Ĝ) holds no primal activations to take it from.
    const prefs: GemmPreferences = { tiledGemm: this.ctx.tiledGemm, splitTarget: this.ctx.splitTarget, elementwiseCap: this.ctx.elementwiseCap, slopeFromOutput: false };
    const specs: DispatchSpec[] = [];
    for (let l = this.depth; l >= 1; l--) {
      const outputs = new Map<Activation, number[]>();
      for (const i of stacked(l).filter((i) => depthOf(i) === l)) {
        const activation = members[i].layout.activations[l - 1];
        outputs.set(activation, [...(outputs.get(activation) ?? []), i]);
      }
      for (const [activation, part] of outputs) {
        let start = 0;
        const records = part.map((i) => {
          const record = { n, m, offZ: this.zOffsets[i][l], start };
          start += Math.ceil((m * n * m) / 64);
          return record;
        });
        specs.push(dispatchOf(reverseSeedProgram, activation, { count: part.length, total: start, cap: this.ctx.elementwiseCap }, {
          zs: this.zs[l - 1], ghat: this.ghats[l - 1], problems: this.table(ReverseSeedProblem.pack(records)),
        }));
      }
      // Ḡ_{l−1} = Ĝ_l · W_lᵀ in the Ḡ rows; below the input, Ĝ_{l−1} = σ'(Z_{l−1})·Ḡ_{l−1} too.
      const problems: GroupedProblem[] = stacked(l).map((i) => {
        const { sizes, activations, weightOffsets } = members[i].layout;
        const b = this.blocks[i];
        return {
          activation: l > 1 ? activations[l - 2] : undefined,
          offsetZ: l > 1 ? this.zOffsets[i][l - 1] : 0,
          shape: {
            M: b * n, N: sizes[l - 1], K: sizes[l], rowStart: (1 + b) * n, rowsPerBlock: n, lda: sizes[l], ldb: sizes[l],
            offsetA: this.zOffsets[i][l], offsetB: members[i].paramOffset + weightOffsets[l - 1], offsetC: l > 1 ? this.zOffsets[i][l - 1] : this.gradOffsets[i],
          },
        };
      });
      if (!problems.length) continue;
      const structure = { transA: false, transB: true, onesRow: false };
      if (l > 1) specs.push(...groupedGemmSpecs(prefs, structure, 'tangent', problems, { a: this.ghats[l - 1], b: this.params, c: this.ghats[l - 2], zs: this.zs[l - 2], table: this.table }));
      else specs.push(...groupedGemmSpecs(prefs, structure, 'none', problems, { a: this.ghats[0], b: this.params, c: this.gin!, table: this.table }));
    }
    return specs;
  }

  /** Model i's Adam learning rate from the next submitted step on (0 freezes it). */
  setLearningRate(i: number, lr: number): void {
    if (!this.adamTable) throw new Error('setLearningRate: this workspace has no optimiser');
    for (const record of this.adamRecords[i]) {
      const word = record * AdamProblem.words + AdamProblem.fields.indexOf('lr');
      this.ctx.device.queue.writeBuffer(this.adamTable, word * 4, new Uint32Array([f32Bits(lr)]));
    }
  }

  destroy(): void {
    this.scope.destroy();
  }
}
