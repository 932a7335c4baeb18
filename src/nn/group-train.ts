import { FUSED_MAX_STEPS } from '../../shaders/fused';
import { withErrorScope } from '../gpu/buffers';
import type { Dataset, MlpParameters } from '../types';
import { unlessAborted } from '../util/abort';
import { Rng } from '../util/rng';
import { callTangentTargets, randomDirections } from './directions';
import { FitInterruptedError, type FitReport } from './fit';
import { datasetsOf, fusedParts, LOSS_MISPLACED, LOSS_OPTIONS, perModel, planPart, resolveFit, resolveSetups, type FitPlan, type GroupFitOptions, type GroupLossOptions } from './fit-plan';
import { GroupSession, LOSS_SUMS, type GroupState } from './group-session';
import { splitParams } from './layout';
import { rowsPerSample, type LossSetup } from './loss';
import { fitStandardizer, standardize, transformParams, userUnitWeights, type Standardizer } from './normalize';
import { checkOptionKeys } from './validate';

export interface LossAndGradients extends MlpParameters {
  loss: number;
  /** The directions used (k × n × inputs), when they were random or given. */
  directionVectors?: Float32Array;
}

/** At most this many layered steps (some 20–60 dispatches each) go into one command buffer;
 *  a fused chunk is one dispatch, as long as its step records allow (FUSED_MAX_STEPS). The
 *  losses are read back once per chunk. */
const STEPS_PER_CHUNK = 256;
/** Chunks shrink (to whole epochs) so one takes about this long: progress and abort stay
 *  responsive on slow adapters. */
const TARGET_CHUNK_MS = 250;

/**
 * Splits a group's models (in order) into parts whose step buffers each fit one storage
 * binding of `limitBytes`: a level's activations of every model of a part share a buffer.
 * `rows[i]` is model i's stacked rows per step ((1 + k)·batch).
 */
export function partitionModels(sizes: readonly (readonly number[])[], rows: readonly number[], limitBytes: number): number[][] {
  const depth = Math.max(...sizes.map((s) => s.length));
  // Floats model i adds to each shared buffer: its rows of every level, then Z̄ and Ā.
  const need = (i: number): number[] => [...Array.from({ length: depth }, (_, l) => rows[i] * (sizes[i][l] ?? 0)), rows[i] * Math.max(...sizes[i])];
  const parts: number[][] = [];
  let current: number[] = [];
  let used = new Array<number>(depth + 1).fill(0);
  sizes.forEach((_, i) => {
    const own = need(i);
    if (Math.max(...own) * 4 > limitBytes) {
      throw new RangeError(`model ${i} alone needs ${((Math.max(...own) * 4) / 2 ** 20).toFixed(1)} MiB in one buffer, over this device's limit of ${(limitBytes / 2 ** 20).toFixed(1)} MiB: use a smaller batchSize or narrower layers.`);
    }
    const merged = used.map((u, l) => u + own[l]);
    if (current.length > 0 && Math.max(...merged) * 4 > limitBytes) {
      parts.push(current);
      current = [i];
      used = own;
    } else {
      current.push(i);
      used = merged;
    }
  });
  if (current.length) parts.push(current);
  return parts;
}

/**
 * Runs `run` on each part of a group (partitionModels) as a group of its own sharing the
 * group's buffers, one part after another; `indices` are the part's models. Returns the
 * results in model order.
 */
async function byParts<R>(group: GroupState, setups: LossSetup[], batch: number, run: (part: GroupState, indices: number[]) => Promise<R[]>): Promise<R[]> {
  const { device } = group.ctx;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  return eachPart(group, partitionModels(group.models.map((m) => m.layout.sizes), setups.map((s) => rowsPerSample(s, group.outputs) * batch), limit), run);
}

/** `run` on each part of a group (model indices; one part: all of them), one after another;
 *  the results in model order. `p` is the part's position in `parts`. */
async function eachPart<R>(group: GroupState, parts: number[][], run: (part: GroupState, indices: number[], p: number) => Promise<R[]>): Promise<R[]> {
  if (parts.length === 1) return run(group, parts[0], 0);
  const results: R[] = new Array(group.models.length);
  for (const [p, indices] of parts.entries()) {
    const part = await run({ ...group, models: indices.map((i) => group.models[i]) }, indices, p);
    indices.forEach((i, j) => (results[i] = part[j]));
  }
  return results;
}

function emptyReport(batchSize: number, setup: LossSetup): FitReport {
  return {
    epochs: 0, stopReason: 'epochs', loss: NaN, objective: NaN, history: [], valueHistory: [], gradientHistory: [], objectiveHistory: [],
    validationHistory: [], bestEpoch: 0, batchSize, gradientWeight: setup.gradientWeight, jacobianMode: setup.jacobianMode, selection: null,
    diverged: false, divergence: null, stoppedEarly: false, aborted: false, steps: 0, ms: 0,
  };
}

/** Trains every model of a group in lockstep with Adam; the loop stays on the GPU. Model i
 *  follows exactly the steps a lone fit with its options would take. The models the fused
 *  kernel takes (fusedParts) and a group too large for one set of buffers train as several
 *  parts, one after another. */
export async function fitGroup(group: GroupState, data: Dataset | readonly Dataset[], options: GroupFitOptions): Promise<FitReport[]> {
  const plan = resolveFit(group, data, options);
  if (plan.signal?.aborted) return plan.setups.map((s) => ({ ...emptyReport(plan.batch, s), stopReason: 'aborted', aborted: true }));
  const split = fusedParts(group, plan);
  return eachPart(group, split.map((s) => s.indices), (models, _, p) => {
    const own = split[p].plan;
    return byParts(models, own.setups, own.batch, (part, indices) => new FitRun(part, planPart(own, indices)).run());
  });
}

/** One chunk of steps: whole epochs (`wholeEpochs` > 0) or part of one epoch. */
interface Chunk {
  count: number;
  wholeEpochs: number;
  /** Epochs the chunk completes. */
  epochsDone: number;
  /** The chunk starts an epoch: new shuffles (and per-sample directions). */
  newShuffles: boolean;
}

/** A model's convergence state under the converging budget. */
interface Convergence {
  best: number;
  reductions: number;
  learningRate: number;
}

/**
 * One fit of a group (or part of one) on a resolved plan, in phases: upload (standardise,
 * sessions), start (map trained models in, keep the starting point), chunks (plan, encode,
 * read back, record each model), restore (models back in user units), report.
 */
class FitRun {
  private readonly started = performance.now();
  private readonly B: number;
  private readonly n: number;
  /** Loss slots and shuffles the session holds: whole epochs per chunk while an epoch is
   *  short, else one epoch taken in parts. At most one epoch per chunk when directions drawn
   *  on the CPU (tangentTargets) are refreshed every epoch, and when epochs are scored one by
   *  one (validation, early stopping: the best epoch's parameters are a chunk's end). */
  private readonly slots: number;
  private readonly capacity: number;
  private readonly perSample: boolean;
  private readonly rngs: Rng[];
  /** Each model's inputs in user units, for the tangentTargets callback (copied once). */
  private readonly userX: Float32Array[];
  private readonly gpuSeeds: number[];
  private readonly reports: FitReport[];
  private readonly stopped: boolean[];
  private readonly firstLoss: number[];
  private readonly best: { loss: number; epoch: number }[];
  /** The current epoch's loss sums so far (an epoch taken in parts; its slot carries them). */
  private readonly running: Float64Array[];
  private readonly convergence: Convergence[];
  private prepared: ({ scaler: Standardizer; data: Dataset; held?: Dataset } | null)[] = [];
  private session: GroupSession | null = null;
  private held: GroupSession | null = null;
  /** Every parameter at the start, in user units. */
  private before: Float32Array<ArrayBuffer> | null = null;
  private bestParams: GPUBuffer | null = null;
  /** The parameters after the last completed chunk (what a failure restores). */
  private snapshot: GPUBuffer | null = null;
  private perms: Uint32Array<ArrayBuffer>;
  private chunks = 0;
  private epoch = 0;
  private step = 0;
  private inEpoch = 0;
  /** Steps in the next chunk: the first is one step, whose loss is each model's starting loss. */
  private limit = 1;
  private lastProgress = -Infinity;
  private failed = false;

  constructor(
    private readonly group: GroupState,
    private readonly plan: FitPlan,
  ) {
    this.B = group.models.length;
    this.n = plan.setups[0].n;
    this.perSample = plan.setups.some((s) => s.mode === 'perSample');
    const epochWise = this.perSample || !!plan.held || !!plan.earlyStopping;
    const stepsPerChunk = plan.fused ? FUSED_MAX_STEPS : STEPS_PER_CHUNK;
    this.slots = epochWise ? 1 : Math.max(1, Math.min(plan.maxEpochs, Math.floor(stepsPerChunk / plan.perEpoch)));
    this.capacity = Math.min(stepsPerChunk, this.slots * plan.perEpoch);
    this.rngs = plan.seeds.map((s) => new Rng(s));
    this.userX = this.perSample ? plan.train.map((ds) => Float32Array.from(ds.x)) : [];
    this.gpuSeeds = this.rngs.map((r) => r.uint32());
    this.reports = plan.setups.map((s) => emptyReport(plan.batch, s));
    this.stopped = this.reports.map(() => false);
    this.firstLoss = this.reports.map(() => NaN);
    this.best = this.reports.map(() => ({ loss: Infinity, epoch: 0 }));
    this.running = this.reports.map(() => new Float64Array(LOSS_SUMS));
    this.convergence = plan.learningRates.map((learningRate) => ({ best: Infinity, reductions: 0, learningRate }));
    this.perms = new Uint32Array(this.B * this.n * this.slots);
  }

  async run(): Promise<FitReport[]> {
    const { device } = this.group.ctx;
    try {
      if (await this.upload()) {
        await this.start();
        await withErrorScope(device, 'fit', async () => {
          while (this.epoch < this.plan.maxEpochs && !this.stopped.every(Boolean)) {
            if (this.plan.signal?.aborted) break;
            this.group.ctx.check();
            if (!(await this.runChunk())) break;
          }
        });
      }
      this.finishReports();
    } catch (error) {
      this.failed = true;
      const state = this.chunks > 0 ? 'last-chunk' : 'unchanged';
      const cause = error instanceof Error ? error.message : String(error);
      const where = state === 'unchanged' ? 'the models are unchanged' : `the models keep the parameters of the last completed chunk (epoch ${this.epoch}, step ${this.step}), in user units`;
      throw new FitInterruptedError(`fit stopped at epoch ${this.epoch} (step ${this.step}): ${cause} — ${where}`, state, this.reports, { cause: error });
    } finally {
      if (!this.group.scope.destroyed && !(await this.group.ctx.isLost())) await this.restore();
      this.session?.destroy();
      this.held?.destroy();
    }
    const ms = performance.now() - this.started;
    this.reports.forEach((r) => (r.ms = ms));
    return this.reports;
  }

  /** Phase 1: standardise each distinct dataset and open the training (and held-out)
   *  sessions. False when an abort cut the wait for per-sample directions short. */
  private async upload(): Promise<boolean> {
    const { group, plan } = this;
    // Models that share a dataset and an output kind share one standardised upload.
    const cache = new Map<string, { scaler: Standardizer; data: Dataset; held?: Dataset }>();
    this.prepared = plan.train.map((ds, i) => {
      if (!plan.normalize) return null;
      const scaleY = group.models[i].outputActivation === 'linear';
      const key = `${plan.train.indexOf(ds)}|${plan.held ? plan.held.data.indexOf(plan.held.data[i]) : -1}|${scaleY}`;
      let entry = cache.get(key);
      if (!entry) {
        const scaler = fitStandardizer(ds, group.inputs, group.outputs, scaleY);
        const held = plan.held && standardize(plan.held.data[i], scaler, plan.setups[i].gradientInputs);
        cache.set(key, (entry = { scaler, data: standardize(ds, scaler, plan.setups[i].gradientInputs), ...(held ? { held } : {}) }));
      }
      return entry;
    });
    const userUnits = plan.setups.map((setup, i) => userUnitWeights(setup, group.outputs, this.prepared[i]?.scaler));
    const reportWeights = userUnits.map((u) => u.weights);
    const reportScales = userUnits.map((u) => u.scale);
    this.session = new GroupSession(group, plan.setups, plan.train.map((ds, i) => this.prepared[i]?.data ?? ds), {
      batch: plan.batch,
      stepsPerChunk: this.capacity,
      epochsPerChunk: this.slots,
      seeds: this.gpuSeeds,
      reportWeights,
      reportScales,
      adam: { beta1: plan.beta1, beta2: plan.beta2, learningRates: plan.learningRates, weightDecay: plan.weightDecay },
      fused: plan.fused,
    });
    if (!plan.held) return true;
    // Scored once per epoch: a full-batch step without the optimiser over the held-out rows,
    // with the same directions and scales as training (the same weights to user units).
    const nHeld = plan.held.setups[0].n;
    this.held = new GroupSession(group, plan.held.setups, plan.held.data.map((ds, i) => this.prepared[i]?.held ?? ds), {
      batch: nHeld, stepsPerChunk: 1, epochsPerChunk: 1, seeds: this.gpuSeeds, reportWeights, reportScales,
    });
    this.held.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 1, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
    group.ctx.device.queue.writeBuffer(this.held.data.indices, 0, this.held.identityOrder());
    if (!this.perSample) return true;
    const rngs = plan.seeds.map((s) => new Rng(s + 1));
    return this.uploadDirections(this.held, plan.held.data.map((ds) => Float32Array.from(ds.x)), plan.held.setups, rngs);
  }

  /** Phase 2: trained models are mapped into standardised units (a fresh model's
   *  initialisation is defined in them); the best and snapshot copies start here. */
  private async start(): Promise<void> {
    const { group, plan } = this;
    const { device } = group.ctx;
    this.bestParams = this.session!.scope.storage('fit:best', group.total);
    this.snapshot = this.session!.scope.storage('fit:snapshot', group.total);
    this.before = await group.scope.read(group.params, group.total);
    if (plan.normalize) {
      group.models.forEach((model, i) => {
        if (model.fresh) return;
        const own = this.before!.subarray(model.paramOffset, model.paramOffset + model.layout.total);
        device.queue.writeBuffer(group.params, model.paramOffset * 4, transformParams(model.layout, own, this.prepared[i]!.scaler, 'in'));
      });
    }
    const encoder = device.createCommandEncoder({ label: 'fit:start' });
    encoder.copyBufferToBuffer(group.params, 0, this.bestParams, 0, group.total * 4);
    encoder.copyBufferToBuffer(group.params, 0, this.snapshot, 0, group.total * 4);
    device.queue.submit([encoder.finish()]);
  }

  /** The next chunk's steps: never past the budget, nor (converging budget) past the end of
   *  a convergence window, so every decision falls on the same step however chunks are timed. */
  private nextChunk(): Chunk {
    const { plan, inEpoch, epoch } = this;
    const { perEpoch } = plan;
    let epochsLeft = plan.maxEpochs - epoch;
    if (plan.budget.kind === 'converge') epochsLeft = Math.min(epochsLeft, plan.budget.windowEpochs - (epoch % plan.budget.windowEpochs));
    const wholeEpochs = inEpoch === 0 && this.limit >= perEpoch ? Math.min(this.slots, Math.floor(this.limit / perEpoch), epochsLeft) : 0;
    const count = wholeEpochs > 0 ? wholeEpochs * perEpoch : Math.min(this.limit, perEpoch - inEpoch);
    const epochsDone = wholeEpochs > 0 ? wholeEpochs : inEpoch + count === perEpoch ? 1 : 0;
    return { count, wholeEpochs, epochsDone, newShuffles: inEpoch === 0 };
  }

  /** Phase 3: one chunk, encoded, run, read back and recorded. False when an abort cut the
   *  wait for per-sample directions short. */
  private async runChunk(): Promise<boolean> {
    const { group, plan, B, n } = this;
    const { device } = group.ctx;
    const session = this.session!;
    const chunkStarted = performance.now();
    const chunk = this.nextChunk();
    const { count, wholeEpochs } = chunk;
    if (chunk.newShuffles) {
      for (let e = 0; e < Math.max(1, wholeEpochs); e++) {
        for (let i = 0; i < B; i++) {
          const perm = this.perms.subarray(session.memberData[i].offPerm + e * n, session.memberData[i].offPerm + (e + 1) * n);
          for (let j = 0; j < n; j++) perm[j] = j;
          this.rngs[i].shuffle(perm);
        }
      }
      if (this.perSample && !(await this.uploadDirections(session, this.userX, plan.setups, this.rngs))) return false;
    }
    for (let s = 0; s < count; s++) {
      const slot = wholeEpochs > 0 ? Math.floor(s / plan.perEpoch) : 0;
      const b = wholeEpochs > 0 ? s % plan.perEpoch : this.inEpoch + s;
      const t = this.step + s + 1;
      const correction = Math.sqrt(1 - Math.pow(plan.beta2, t));
      session.setStep(s, {
        permBase: slot * n,
        batchOffset: b * plan.batch,
        rngStep: t,
        lossSlot: slot,
        lossScale: 1 / plan.perEpoch,
        // For lr = 1: each model's Adam scales it by its own learning rate.
        lrT: correction / (Math.pow(1 + plan.lrDecay, this.epoch + slot) * (1 - Math.pow(plan.beta1, t))),
        epsT: plan.epsilon * correction,
      });
    }
    const scored = this.held !== null && chunk.epochsDone > 0; // a held-out score of the parameters at this chunk's end
    const encoder = device.createCommandEncoder({ label: 'fit:chunk' });
    session.stage(encoder, count, chunk.newShuffles ? this.perms : null, this.inEpoch > 0);
    if (scored) this.held!.stage(encoder, 1, null);
    const pass = encoder.beginComputePass({ label: 'fit:steps' });
    session.encodeChunk(pass, count);
    if (scored) this.held!.encodeChunk(pass, 1);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const sums = await session.readLoss(Math.max(1, wholeEpochs));
    const heldSums = scored ? await this.held!.readLoss(1) : null;
    // After the chunk: improved models update their best, stopped ones get what they keep,
    // and the snapshot (what a failure restores) moves here.
    const after = device.createCommandEncoder({ label: 'fit:chunk-end' });
    for (let i = 0; i < B; i++) if (!this.stopped[i]) this.record(i, chunk, sums[i], heldSums?.[i] ?? null, after);
    after.copyBufferToBuffer(group.params, 0, this.snapshot!, 0, group.total * 4);
    device.queue.submit([after.finish()]);
    this.chunks++;
    this.step += count;
    this.epoch += chunk.epochsDone;
    this.inEpoch = wholeEpochs > 0 ? 0 : (this.inEpoch + count) % plan.perEpoch;
    const msPerStep = (performance.now() - chunkStarted) / count;
    this.limit = Math.max(1, Math.min(this.capacity, Math.floor(TARGET_CHUNK_MS / Math.max(msPerStep, 1e-3))));
    this.progress();
    return true;
  }

  /** Model i's losses of a chunk: its histories, divergence, best parameters, early stopping
   *  and convergence. */
  private record(i: number, chunk: Chunk, own: Float64Array, heldOwn: Float64Array | null, after: GPUCommandEncoder): void {
    const { plan } = this;
    const report = this.reports[i];
    const best = this.best[i];
    const { wholeEpochs, epochsDone, count } = chunk;
    // The chunk's mean loss: its last epoch's, or (part of an epoch, whose slot carries the
    // epoch's sums so far) its steps' mean.
    const chunkLoss = wholeEpochs > 0 ? own[LOSS_SUMS * (wholeEpochs - 1)] : ((own[0] - this.running[i][0]) * plan.perEpoch) / count;
    if (this.chunks === 0) this.firstLoss[i] = chunkLoss;
    const reason = !own.every(Number.isFinite)
      ? 'the loss became NaN or infinite'
      : chunkLoss > plan.divergenceFactor * this.firstLoss[i]
        ? `the loss grew to ${chunkLoss.toPrecision(3)}, over ${plan.divergenceFactor}× its first value ${this.firstLoss[i].toPrecision(3)}`
        : null;
    if (reason) {
      this.stop(i, 'diverged', after, this.bestParams!);
      report.diverged = true;
      report.divergence = { epoch: report.epochs, step: this.step + count, reason: `${reason}; the parameters of epoch ${best.epoch} were restored` };
      report.bestEpoch = best.epoch;
      if (Number.isFinite(best.loss) && !this.held) report.loss = best.loss;
      return;
    }
    const push = (sums: ArrayLike<number>): void => {
      report.history.push(sums[0]);
      report.valueHistory.push(sums[1]);
      report.gradientHistory.push(sums[2]);
      report.objectiveHistory.push(sums[3]);
    };
    if (wholeEpochs > 0) {
      for (let e = 0; e < wholeEpochs; e++) push(own.subarray(LOSS_SUMS * e, LOSS_SUMS * (e + 1)));
    } else if (epochsDone) {
      push(own);
      this.running[i].fill(0);
    } else {
      this.running[i].set(own.subarray(0, LOSS_SUMS));
    }
    const epochsBefore = report.epochs;
    report.epochs = this.epoch + epochsDone;
    report.steps = this.step + count;
    report.loss = report.history.length ? report.history[report.history.length - 1] : chunkLoss;
    report.objective = report.objectiveHistory.length ? report.objectiveHistory[report.objectiveHistory.length - 1] : NaN;
    // The score of a set of parameters: the held-out loss at this chunk's end, or else the
    // chunk's training loss, which scores the parameters it started from (the snapshot;
    // the first chunk is one step, whose loss is exactly that of the starting parameters).
    if (heldOwn) report.validationHistory.push(heldOwn[0]);
    const score = heldOwn ? heldOwn[0] : this.held ? NaN : chunkLoss;
    const minDelta = plan.earlyStopping?.minDelta ?? 0;
    if (score < best.loss - minDelta || (best.loss === Infinity && Number.isFinite(score))) {
      this.best[i] = { loss: score, epoch: heldOwn ? report.epochs : epochsBefore };
      this.copyModel(after, heldOwn ? this.group.params : this.snapshot!, this.bestParams!, i);
    }
    report.bestEpoch = this.best[i].epoch;
    if (plan.earlyStopping && epochsDone > 0 && report.epochs - this.best[i].epoch >= plan.earlyStopping.patience) {
      this.stop(i, 'earlyStopping', after, this.bestParams!);
      report.stoppedEarly = true;
      return;
    }
    const { budget } = plan;
    if (budget.kind === 'converge' && epochsDone > 0 && report.epochs % budget.windowEpochs === 0) {
      // A window ends: its mean objective against the best window so far.
      const window = report.objectiveHistory.slice(-budget.windowEpochs);
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      const state = this.convergence[i];
      if (mean < budget.floor) {
        this.stop(i, 'converged', after, null);
      } else if (mean < state.best * (1 - budget.tolerance)) {
        state.best = mean;
      } else if (state.reductions < budget.reductions) {
        state.reductions++;
        state.learningRate *= budget.lrFactor;
        this.session!.workspace.setLearningRate(i, state.learningRate);
      } else {
        this.stop(i, 'converged', after, null);
      }
    }
  }

  /** Model i stops (learning rate 0) while the others go on, with `restoreFrom`'s copy of
   *  its parameters when given. */
  private stop(i: number, reason: FitReport['stopReason'], after: GPUCommandEncoder, restoreFrom: GPUBuffer | null): void {
    if (restoreFrom) this.copyModel(after, restoreFrom, this.group.params, i);
    this.session!.workspace.setLearningRate(i, 0);
    this.reports[i].stopReason = reason;
    this.stopped[i] = true;
  }

  private copyModel(encoder: GPUCommandEncoder, from: GPUBuffer, to: GPUBuffer, i: number): void {
    const { paramOffset, layout } = this.group.models[i];
    encoder.copyBufferToBuffer(from, paramOffset * 4, to, paramOffset * 4, layout.total * 4);
  }

  private progress(): void {
    const { plan } = this;
    const now = performance.now();
    const done = this.epoch === plan.maxEpochs || this.stopped.every(Boolean);
    if (!plan.onProgress || (now - this.lastProgress < plan.progressIntervalMs && !done)) return;
    this.lastProgress = now;
    const losses = this.reports.map((r) => r.loss);
    const last = (history: number[]): number => (history.length ? history[history.length - 1] : NaN);
    plan.onProgress({
      epoch: this.epoch, epochs: plan.maxEpochs, step: this.step, steps: plan.maxEpochs * plan.perEpoch, loss: losses[0], losses, elapsedMs: now - this.started,
      valueLosses: this.reports.map((r) => last(r.valueHistory)),
      gradientLosses: this.reports.map((r) => last(r.gradientHistory)),
      objectives: this.reports.map((r) => r.objective),
    });
  }

  /** Why each model that was still training ended. */
  private finishReports(): void {
    const aborted = !!this.plan.signal?.aborted;
    this.reports.forEach((r, i) => {
      if (this.stopped[i]) return;
      r.aborted = aborted;
      r.stopReason = aborted ? 'aborted' : this.plan.budget.kind === 'epochs' ? 'epochs' : 'maxSteps';
    });
  }

  /** Fresh unit directions per model in its (standardised) gradient-input space, their
   *  user-space images u = scale_x ⊙ v, and the targets J·u / scale_y from the callback.
   *  False when the signal aborted the wait. */
  private async uploadDirections(target: GroupSession, x: Float32Array[], rowsOf: LossSetup[], rng: Rng[]): Promise<boolean> {
    const { group, plan } = this;
    const { device } = group.ctx;
    const d = group.inputs;
    const m = group.outputs;
    for (let i = 0; i < this.B; i++) {
      const { k, gradientInputs, n: rows } = rowsOf[i];
      if (k === 0) continue;
      const scaler = this.prepared[i]?.scaler;
      const v = randomDirections(rows, d, k, gradientInputs, rng[i]);
      const u = scaler ? Float32Array.from(v, (value, j) => value * scaler.xScale[j % d]) : v;
      const t = await unlessAborted(callTangentTargets(plan.tangentTargets!, x[i], u, k, rows * m), plan.signal);
      if (!t) return false;
      if (scaler) t.forEach((value, j) => (t[j] = value / scaler.yScale[j % m]));
      device.queue.writeBuffer(target.data.directions!, target.memberData[i].offV * 4, v);
      device.queue.writeBuffer(target.data.dydx, target.memberData[i].offD * 4, t);
    }
    return true;
  }

  /** Phase 4: without a completed chunk every model gets its parameters back as they were;
   *  else (after a failure, from the last completed chunk) they are mapped back to user units. */
  private async restore(): Promise<void> {
    const { group, plan, before } = this;
    const { device } = group.ctx;
    if (!before) return;
    if (this.chunks === 0) {
      group.models.forEach((m) => device.queue.writeBuffer(group.params, m.paramOffset * 4, before, m.paramOffset, m.layout.total));
      return;
    }
    if (this.failed) {
      const encoder = device.createCommandEncoder({ label: 'fit:restore' });
      encoder.copyBufferToBuffer(this.snapshot!, 0, group.params, 0, group.total * 4);
      device.queue.submit([encoder.finish()]);
    }
    group.models.forEach((m) => {
      m.fresh = false;
      m.trainedSinceRead = true;
    });
    if (!plan.normalize) return;
    const flat = await group.scope.read(group.params, group.total);
    group.models.forEach((m, i) => {
      const own = flat.subarray(m.paramOffset, m.paramOffset + m.layout.total);
      device.queue.writeBuffer(group.params, m.paramOffset * 4, transformParams(m.layout, own, this.prepared[i]!.scaler, 'out'));
    });
  }
}

/** Every model's loss and parameter gradients on all of its data (raw units, no
 *  normalisation): one full-batch step without the optimiser. */
export async function lossAndGradientsGroup(group: GroupState, data: Dataset | readonly Dataset[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
  const B = group.models.length;
  if (!opts || typeof opts !== 'object') throw new TypeError('lossAndGradients needs options: { gradientWeight, … }');
  checkOptionKeys('lossAndGradients', opts, LOSS_OPTIONS, LOSS_MISPLACED);
  const datasets = datasetsOf(data, B);
  const setups = resolveSetups(group, datasets, opts);
  const seeds = perModel('seed', opts.seed ?? 0, B);
  return byParts(group, setups, setups[0].n, (part, indices) => {
    const pick = <T>(list: readonly T[]): T[] => indices.map((i) => list[i]);
    return lossLockstep(part, pick(datasets), pick(setups), pick(seeds), opts);
  });
}

/** lossAndGradientsGroup on checked inputs; every result comes back in one readback. */
async function lossLockstep(group: GroupState, datasets: Dataset[], setups: LossSetup[], seeds: number[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
  const B = group.models.length;
  const { n } = setups[0];
  const { device } = group.ctx;
  const d = group.inputs;
  return withErrorScope(device, 'lossAndGradients', async () => {
    const session = new GroupSession(group, setups, datasets, { batch: n, stepsPerChunk: 1, epochsPerChunk: 1, seeds });
    try {
      const ws = session.layered;
      for (let i = 0; i < B; i++) {
        const { mode, k, gradientInputs } = setups[i];
        if (mode === 'given') device.queue.writeBuffer(ws.acts[0], ws.directionOffset(i) * 4, Float32Array.from(opts.directionVectors!));
        if (mode === 'perSample') {
          const v = opts.directionVectors ? Float32Array.from(opts.directionVectors) : randomDirections(n, d, k, gradientInputs, new Rng(seeds[i]));
          const t = await callTangentTargets(opts.tangentTargets!, Float32Array.from(datasets[i].x), v, k, n * group.outputs);
          device.queue.writeBuffer(session.data.directions!, session.memberData[i].offV * 4, v);
          device.queue.writeBuffer(session.data.dydx, session.memberData[i].offD * 4, t);
        }
      }
      session.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 0, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
      const encoder = device.createCommandEncoder({ label: 'lossAndGradients' });
      session.encodeSteps(encoder, 1, session.identityOrder());
      device.queue.submit([encoder.finish()]);
      // Per model: its loss, its gradients and (random or given directions) the directions used.
      const hasDirections = setups.map((s) => s.mode !== 'all' && s.k > 0);
      const out = await session.scope.readMany(
        group.models.flatMap((m, i) => [
          { buffer: session.loss, offset: i * session.lossStride, count: 1 },
          { buffer: ws.grads!, offset: m.paramOffset, count: m.layout.total },
          { buffer: ws.acts[0], offset: ws.directionOffset(i), count: hasDirections[i] ? setups[i].k * n * d : 0 },
        ]),
      );
      return group.models.map((m, i) => {
        const [loss, grads, directions] = out.slice(3 * i, 3 * i + 3);
        const result: LossAndGradients = { loss: loss[0], ...splitParams(m.layout, grads) };
        if (hasDirections[i]) result.directionVectors = directions;
        return result;
      });
    } finally {
      session.destroy();
    }
  });
}
