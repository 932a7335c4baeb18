import { adamTakesWide, FUSED_CHUNK_BYTES, FUSED_MAX_DEPTH, FUSED_MAX_BLOCKS, FUSED_MAX_STEPS, FUSED_STORAGE_BINDINGS, FusedProblem, fusedStepProgram, fusedTargetsAt, fusedWorkFloats } from '../../shaders/fused';
import { activationId } from '../../shaders/activations';
import { f32Bits } from '../../shaders/table';
import type { Context } from '../gpu/context';
import { dispatchOf, encodeDispatches, realize, type Dispatch } from '../gpu/dispatch';
import type { Scope } from '../gpu/scope';
import { pack, type GroupMember, type GroupTrainOptions } from './group-workspace';
import type { ParamLayout } from './layout';
import type { LossSetup } from './loss';

/** Bytes of one StepInfo record's fields (7 scalars). */
const STEP_BYTES = 28;

/**
 * The cost model behind the choice (docs/fused.md): the fused step runs a model's whole step
 * in one workgroup, so its time grows with the model's multiply-adds per step
 * (rows × Σ fanIn·fanOut, rows = (1 + blocks)·batch: k tangent blocks forward, m cotangent
 * blocks reverse) at the rate of one workgroup; the layered step
 * pays a fixed cost per dispatch (about 40 a step) and spreads each product over the device.
 * - A model alone: up to maxMacs multiply-adds per step the fused step is the faster
 *   (measured on a CPU-emulated adapter, where one workgroup is one core; on a GPU an estimate).
 * - Models that share a dispatch (a group's models with the same tangent count) run side by
 *   side, one workgroup each: on an emulated adapter with `cores` ≥ 2 cores, a model up to
 *   emulatedGroupMaxMacs is fused too when the others' work fills the other cores while it
 *   runs ((cores − 1) × its multiply-adds ≤ the others'), since per core the fused step beats
 *   the layered one at every size measured (bench/RESULTS.md, the toy2d grid).
 * - Under jacobianMode 'auto', fused models with fewer outputs m than directions k run reverse
 *   mode when it saves, per model, at least reverseMinSavedMacs multiply-adds a step on
 *   average ((k − m)·batch·Σ fanIn·fanOut): reverse mode has 2L more phases (a barrier and a
 *   pass each), which cost more than they save on small networks (fusedMode).
 * `cores`: when set (else navigator.hardwareConcurrency; unknown: 1, no sharing).
 * `threads`: the workgroup size, when set (else 4 emulated, 256 on a GPU). The benchmark
 * changes these to time the fused step past the crossover.
 */
export const fusedCost = {
  emulatedMaxMacs: 700_000,
  emulatedGroupMaxMacs: 6_000_000,
  gpuMaxMacs: 400_000,
  cores: null as number | null,
  threads: null as number | null,
  reverseMinSavedMacs: 80_000,
};

/** Row blocks a model's step stacks: k tangent blocks, or in reverse mode one per output (none without derivatives). */
export function stackedBlocks(layout: ParamLayout, setup: Pick<LossSetup, 'k' | 'jacobianMode'>): number {
  return setup.k === 0 ? 0 : setup.jacobianMode === 'reverse' ? layout.sizes[layout.sizes.length - 1] : setup.k;
}

/** A model's multiply-adds per forward pass of its stacked rows. */
export function stepMacs(layout: ParamLayout, rows: number): number {
  let macs = 0;
  for (let l = 1; l < layout.sizes.length; l++) macs += layout.sizes[l - 1] * layout.sizes[l];
  return macs * rows;
}

/**
 * Which of these models (a group's, or one) the fused kernel trains: the single place of the
 * choice. A model qualifies with Adam training, directions drawn on the GPU ('all' or random;
 * 'all' only in reverse mode), at most FUSED_MAX_BLOCKS stacked blocks, every derivative
 * target present, depth ≤ FUSED_MAX_DEPTH and a device that binds the kernel's storage
 * buffers; then the cost model decides (fusedCost). The context option fusedSmallModels: false
 * turns it off.
 */
export function fusedChoice(ctx: Context, layouts: readonly ParamLayout[], setups: readonly LossSetup[], batch: number): boolean[] {
  const none = layouts.map(() => false);
  if (!ctx.fusedSmallModels) return none;
  if (ctx.device.limits.maxStorageBuffersPerShaderStage < FUSED_STORAGE_BINDINGS) return none;
  const fits = layouts.map((layout, i) => {
    const s = setups[i];
    return (s.k === 0 || s.present === 1) // missing derivative targets: the layered step's masked variant
      && stackedBlocks(layout, s) <= FUSED_MAX_BLOCKS
      && (s.mode === 'all' || (s.mode === 'random' && s.jacobianMode === 'forward'))
      && layout.sizes.length - 1 <= FUSED_MAX_DEPTH;
  });
  const macs = layouts.map((layout, i) => stepMacs(layout, (1 + stackedBlocks(layout, setups[i])) * batch));
  if (!ctx.emulated) return fits.map((ok, i) => ok && macs[i] <= fusedCost.gpuMaxMacs);
  const cores = fusedCost.cores ?? (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
  const sharing = cores >= 2;
  let chosen = fits.map((ok, i) => ok && macs[i] <= (sharing ? Math.max(fusedCost.emulatedMaxMacs, fusedCost.emulatedGroupMaxMacs) : fusedCost.emulatedMaxMacs));
  // Drop the models that others' work would not cover until none is left to drop (dropping
  // one only lowers the others' cover).
  for (let changed = sharing; changed;) {
    const cover = chosen.map((_, i) => macs.reduce((sum, m, j) => (j !== i && chosen[j] && setups[j].k === setups[i].k ? sum + m : sum), 0));
    const kept = chosen.map((c, i) => c && (macs[i] <= fusedCost.emulatedMaxMacs || (cores - 1) * macs[i] <= cover[i]));
    changed = kept.some((c, i) => c !== chosen[i]);
    chosen = kept;
  }
  return chosen;
}

/**
 * The one Jacobian mode of a fused part under 'auto' (the setups hold the layered step's
 * choice: reverse when m < k): reverse when the fused models with derivative terms save on
 * average at least fusedCost.reverseMinSavedMacs multiply-adds a step by it, else forward.
 */
export function fusedMode(layouts: readonly ParamLayout[], setups: readonly LossSetup[], batch: number): 'forward' | 'reverse' {
  const withDerivatives = layouts.flatMap((layout, i) => (setups[i].k > 0 ? [{ layout, setup: setups[i] }] : []));
  if (!withDerivatives.length || withDerivatives[0].setup.jacobianMode !== 'reverse') return 'forward';
  const saved = withDerivatives.reduce((sum, { layout, setup }) => {
    const m = layout.sizes[layout.sizes.length - 1];
    return sum + stepMacs(layout, (setup.k - m) * batch);
  }, 0);
  return saved >= withDerivatives.length * fusedCost.reverseMinSavedMacs ? 'reverse' : 'forward';
}

/** Adam's settings (the moments are the workspace's own buffer). */
export interface FusedAdam {
  beta1: number;
  beta2: number;
  learningRates: number[];
  weightDecay: number[];
}

/**
 * Every buffer and the one dispatch of a group's fused training: a chunk of steps is one
 * dispatch, workgroup i training model i (shaders/fused.ts). Same inputs as the layered
 * workspace (the session's data, loss and step records); the Adam moments are one buffer.
 */
export class FusedWorkspace {
  private readonly scope: Scope;
  /** Models by tangent count (the kernel is compiled per count): their table and dispatch. */
  private readonly parts: { models: number[]; table: GPUBuffer; dispatch: Dispatch }[] = [];
  private readonly chunk: GPUBuffer;
  private readonly chunkBytes = new ArrayBuffer(FUSED_CHUNK_BYTES);

  constructor(
    private readonly ctx: Context,
    parent: Scope,
    params: GPUBuffer,
    paramTotal: number,
    options: { n: number; members: GroupMember[]; train: Omit<GroupTrainOptions, 'adam' | 'steps'>; adam: FusedAdam; weightCount: number },
  ) {
    const { n, members, train, adam } = options;
    const { data } = train;
    this.scope = parent.child(`fused-workspace(B=${members.length},n=${n})`);
    try {
      // Each model's stacked blocks; in reverse mode they are its cotangents (one per output).
      const blocks = members.map((mb) => stackedBlocks(mb.layout, { k: mb.k, jacobianMode: train.reverse ? 'reverse' : 'forward' }));
      const cotangents = blocks.map((b) => (train.reverse ? b : 0));
      const own = pack(members.map((mb, i) => fusedWorkFloats(mb.layout.sizes, n, mb.k, cotangents[i])));
      // The loss weights follow every model's region.
      const work = this.scope.storage('fused:work', own.total + options.weightCount);
      // Adam's moments, interleaved (parameter q's at 2q and 2q + 1).
      const moments = this.scope.storage('fused:moments', 2 * paramTotal);
      const d = members[0].layout.sizes[0];
      const m = members[0].layout.sizes[members[0].layout.sizes.length - 1];
      const records = members.map((mb, i) => {
        const t = train.members[i];
        const { sizes, activations } = mb.layout;
        const targets = own.offsets[i] + fusedTargetsAt(sizes, n, mb.k, cotangents[i]);
        const w = t.gradientWeight;
        const record: Record<string, number> = {
          n, d, m, g: data.g, k: mb.k, skip: cotangents[i], unitRows: cotangents[i] > 0 ? 0 : 1, total: t.data.total, seed: t.seed >>> 0,
          offX: t.data.offX, offY: t.data.offY, offD: t.data.offD, offPerm: t.data.offPerm, offGrad: data.gradOffset,
          offX0: own.offsets[i], offYb: targets, offTb: targets + n * m, offV: 0, start: 0, offMask: 0, offMb: 0,
          depth: sizes.length - 1, paramOffset: mb.paramOffset, work: own.offsets[i],
          offW: own.total + t.offW, offLoss: i * train.lossStride,
          lr: f32Bits(adam.learningRates[i]), beta1: f32Bits(adam.beta1), beta2: f32Bits(adam.beta2), decay: f32Bits(adam.weightDecay[i]),
          valueScale: f32Bits((2 * (1 - w)) / (n * m)),
          tangentScale: f32Bits(mb.k > 0 ? (2 * w) / (n * m * mb.k) : 0),
          valueWeight: f32Bits((1 - w) / (n * m)),
          tangentWeight: f32Bits(mb.k > 0 ? w / (n * m * mb.k) : 0),
        };
        for (let l = 0; l <= FUSED_MAX_DEPTH; l++) record[`s${l}`] = sizes[l] ?? 0;
        for (let l = 1; l <= FUSED_MAX_DEPTH; l++) record[`a${l}`] = l < sizes.length ? activationId(activations[l - 1]) : 0;
        return record;
      });
      this.chunk = this.scope.uniform('fused:chunk', FUSED_CHUNK_BYTES);
      const encoder = ctx.device.createCommandEncoder({ label: 'fused:weights' });
      encoder.copyBufferToBuffer(train.lossWeights, 0, work, own.total * 4, options.weightCount * 4);
      ctx.device.queue.submit([encoder.finish()]);
      // A CPU-emulated adapter runs a workgroup on one core, 4 lanes at a time, and switches
      // between those groups of 4 at every barrier: one group there (4 threads measured fastest).
      const threads = fusedCost.threads ?? (ctx.emulated ? 4 : 256);
      // Largest first in each dispatch: the device takes workgroups in order, so the longest start first.
      const macs = members.map((mb, i) => stepMacs(mb.layout, (1 + blocks[i]) * n));
      for (const k of new Set(members.map((mb) => mb.k))) {
        const models = members.flatMap((mb, i) => (mb.k === k ? [i] : [])).sort((a, b) => macs[b] - macs[a]);
        const reverse = cotangents[models[0]];
        const table = this.scope.storage(`fused:problems(k=${k})`, models.length * FusedProblem.words, FusedProblem.pack(models.map((i) => records[i])));
        const activations = [...new Set(models.flatMap((i) => members[i].layout.activations.map(activationId)))].sort((a, b) => a - b);
        const wideAdam = models.some((i) => members[i].layout.sizes.some((fo, l) => l > 0 && adamTakesWide(members[i].layout.sizes[l - 1], fo, threads)));
        const spec = dispatchOf(fusedStepProgram, { mode: train.mode, threads, k, cotangents: reverse, activations, wideAdam }, { models: models.length }, {
          xAll: data.x, yAll: data.y, dAll: data.dydx, indices: data.indices,
          params, moments, work, loss: train.loss, problems: table, chunk: this.chunk,
        });
        const [[dispatch]] = realize(ctx, this.scope, `fused(k=${k})`, [[spec]]);
        this.parts.push({ models, table, dispatch });
      }
    } catch (error) {
      this.scope.destroy();
      throw error;
    }
  }

  /** Uploads `count` step records (StepInfo at `stride` bytes apart in `records`). */
  stage(records: ArrayBuffer, stride: number, count: number): void {
    if (count > FUSED_MAX_STEPS) throw new RangeError(`a fused chunk holds at most ${FUSED_MAX_STEPS} steps, got ${count}`);
    const out = new Uint8Array(this.chunkBytes);
    new Uint32Array(this.chunkBytes, 0, 1)[0] = count;
    for (let s = 0; s < count; s++) out.set(new Uint8Array(records, s * stride, STEP_BYTES), 16 + s * 32);
    this.ctx.device.queue.writeBuffer(this.chunk, 0, this.chunkBytes, 0, 16 + count * 32);
  }

  /** The staged chunk: one dispatch per tangent count. */
  encodeChunk(pass: GPUComputePassEncoder): void {
    encodeDispatches(pass, this.parts.map((part) => part.dispatch));
  }

  /** Model i's Adam learning rate from the next chunk on (0 freezes it). */
  setLearningRate(i: number, lr: number): void {
    const part = this.parts.find((p) => p.models.includes(i))!;
    const word = part.models.indexOf(i) * FusedProblem.words + FusedProblem.fields.indexOf('lr');
    this.ctx.device.queue.writeBuffer(part.table, word * 4, new Uint32Array([f32Bits(lr)]));
  }

  destroy(): void {
    this.scope.destroy();
  }
}
