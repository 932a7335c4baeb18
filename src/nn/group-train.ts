import { withErrorScope } from '../gpu/buffers';
import type { Dataset, MlpParameters } from '../types';
import { Rng } from '../util/rng';
import { callTangentTargets, randomDirections } from './directions';
import type { FitOptions, FitReport } from './fit';
import { GroupSession, type GroupState } from './group-session';
import { splitParams } from './layout';
import { resolveLoss, type LossOptions, type LossSetup } from './loss';
import { fitStandardizer, standardize, transformParams, type Standardizer } from './normalize';
import { checkPositiveInt } from './validate';

/** A value for every model, or one per model. */
export type PerModel<T> = T | readonly T[];

/** FitOptions for a group: gradientWeight, learningRate and seed may be one per model. */
export interface GroupFitOptions extends Omit<FitOptions, 'gradientWeight' | 'learningRate' | 'seed'> {
  gradientWeight: PerModel<number>;
  learningRate: PerModel<number>;
  seed?: PerModel<number>;
}

/** LossOptions for a group: gradientWeight and seed may be one per model. */
export interface GroupLossOptions extends Omit<LossOptions, 'gradientWeight' | 'seed'> {
  gradientWeight: PerModel<number>;
  seed?: PerModel<number>;
}

export interface LossAndGradients extends MlpParameters {
  loss: number;
  /** The directions used (k × n × inputs), when they were random or given. */
  directionVectors?: Float32Array;
}

/** At most this many steps go into one command buffer; the losses are read back once per chunk. */
const STEPS_PER_CHUNK = 256;
/** Chunks shrink (to whole epochs) so one takes about this long: progress and abort stay
 *  responsive on slow adapters. */
const TARGET_CHUNK_MS = 250;

/** Model i's value of a per-model option. */
export function perModel<T>(name: string, value: PerModel<T>, count: number): T[] {
  if (!Array.isArray(value)) return Array.from({ length: count }, () => value as T);
  if (value.length !== count) throw new RangeError(`${name} has ${value.length} values; expected one per model (${count})`);
  return [...value];
}

function checkLearningRate(lr: number): void {
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new RangeError(`learningRate must be a positive number, got ${String(lr)}`);
}

/** Model i's dataset: one shared by all, or one per model (all with the same n). */
function datasetsOf(data: Dataset | readonly Dataset[], count: number): Dataset[] {
  const list = Array.isArray(data) ? [...data] : Array.from({ length: count }, () => data as Dataset);
  if (list.length !== count) throw new RangeError(`${list.length} datasets for ${count} models; give one Dataset or one per model`);
  return list;
}

/** Each model's loss setup; all must share n (and, for a shared minibatch, the options). */
function resolveSetups(group: GroupState, datasets: Dataset[], opts: GroupLossOptions): LossSetup[] {
  const weights = perModel('gradientWeight', opts.gradientWeight, group.models.length);
  const setups = datasets.map((ds, i) => resolveLoss(group.inputs, group.outputs, ds, { ...opts, gradientWeight: weights[i], seed: undefined }));
  if (setups.some((s) => s.n !== setups[0].n)) throw new RangeError(`every model's dataset must have the same number of rows (got ${setups.map((s) => s.n).join(', ')})`);
  return setups;
}

/** Reads every model's parameters, maps each through its standardiser, writes them back. */
async function mapParams(group: GroupState, scalers: Standardizer[], direction: 'in' | 'out'): Promise<void> {
  const flat = await group.scope.read(group.params, group.total);
  group.models.forEach((m, i) => {
    const own = flat.subarray(m.paramOffset, m.paramOffset + m.layout.total);
    flat.set(transformParams(m.layout, own, scalers[i], direction), m.paramOffset);
  });
  group.ctx.device.queue.writeBuffer(group.params, 0, flat);
}

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
 * group's buffers, one part after another; `pick` selects a per-model list's entries of the
 * part. Returns the results in model order.
 */
async function byParts<R>(
  group: GroupState,
  setups: LossSetup[],
  batch: number,
  run: (part: GroupState, pick: <T>(list: readonly T[]) => T[]) => Promise<R[]>,
): Promise<R[]> {
  const { device } = group.ctx;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const parts = partitionModels(group.models.map((m) => m.layout.sizes), setups.map((s) => (1 + s.k) * batch), limit);
  if (parts.length === 1) return run(group, (list) => [...list]);
  const results: R[] = new Array(group.models.length);
  for (const indices of parts) {
    const part = await run({ ...group, models: indices.map((i) => group.models[i]) }, (list) => indices.map((i) => list[i]));
    indices.forEach((i, j) => (results[i] = part[j]));
  }
  return results;
}

/** Trains every model of a group in lockstep with Adam; the loop stays on the GPU. Model i
 *  follows exactly the steps a lone fit with its options would take. A group too large for
 *  one set of buffers trains as several parts, one after another. */
export async function fitGroup(group: GroupState, data: Dataset | readonly Dataset[], options: GroupFitOptions): Promise<FitReport[]> {
  const B = group.models.length;
  checkPositiveInt('epochs', options?.epochs);
  checkPositiveInt('batchSize', options.batchSize);
  const learningRates = perModel('learningRate', options.learningRate, B);
  learningRates.forEach(checkLearningRate);
  if (options.lrDecay !== undefined && !(options.lrDecay >= 0 && Number.isFinite(options.lrDecay))) throw new RangeError(`lrDecay must be ≥ 0, got ${options.lrDecay}`);
  const seeds = perModel('seed', options.seed ?? 0, B);
  const datasets = datasetsOf(data, B);
  const setups = resolveSetups(group, datasets, options);
  return byParts(group, setups, Math.min(options.batchSize, setups[0].n), (part, pick) =>
    fitLockstep(part, pick(datasets), pick(setups), pick(learningRates), pick(seeds), options),
  );
}

/** fitGroup on checked inputs: each model's dataset, loss setup, learning rate and seed. */
async function fitLockstep(
  group: GroupState,
  userData: Dataset[],
  setups: LossSetup[],
  learningRates: number[],
  seeds: number[],
  options: GroupFitOptions,
): Promise<FitReport[]> {
  const B = group.models.length;
  const started = performance.now();
  const { device } = group.ctx;
  const { n } = setups[0];
  const epochs = options.epochs;
  const batch = Math.min(options.batchSize, n);
  const batchesPerEpoch = Math.ceil(n / batch);
  const perSample = setups.some((s) => s.mode === 'perSample');
  // Directions drawn on the CPU (tangentTargets) are refreshed every epoch: one epoch per chunk.
  const epochsPerChunk = Math.min(epochs, perSample ? 1 : Math.max(1, Math.floor(STEPS_PER_CHUNK / batchesPerEpoch)));
  const [beta1, beta2, eps] = [options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8];
  const rngs = seeds.map((s) => new Rng(s));
  const gpuSeeds = rngs.map((r) => r.uint32());

  const normalize = options.normalize ?? true;
  // Models that share a dataset and an output kind share one standardised upload.
  const cache = new Map<string, { scaler: Standardizer; data: Dataset }>();
  const prepared = userData.map((ds, i) => {
    if (!normalize) return null;
    const scaleY = group.models[i].outputActivation === 'linear';
    const key = `${userData.indexOf(ds)}|${scaleY}`;
    let entry = cache.get(key);
    if (!entry) {
      const scaler = fitStandardizer(ds, group.inputs, group.outputs, scaleY);
      cache.set(key, (entry = { scaler, data: standardize(ds, scaler, setups[i].gradientInputs) }));
    }
    return entry;
  });
  const trainData = userData.map((ds, i) => prepared[i]?.data ?? ds);
  const session = new GroupSession(group, setups, trainData, {
    batch,
    stepsPerChunk: epochsPerChunk * batchesPerEpoch,
    epochsPerChunk,
    seeds: gpuSeeds,
    adam: { beta1, beta2, learningRates },
  });
  const reports: FitReport[] = group.models.map(() => ({ epochs: 0, loss: NaN, history: [], valueHistory: [], gradientHistory: [], diverged: false, aborted: false, steps: 0, ms: 0 }));
  const stopped = group.models.map(() => false);
  let lastProgress = -Infinity;
  let mapped = false;
  const userX = userData.map((ds) => Float32Array.from(ds.x));
  // Fresh unit directions per model in its (standardised) gradient-input space, their
  // user-space images u = scale_x ⊙ v, and the targets J·u / scale_y from the callback.
  const uploadEpochDirections = async (): Promise<void> => {
    const d = group.inputs;
    const m = group.outputs;
    for (let i = 0; i < B; i++) {
      const { k, gradientInputs } = setups[i];
      if (k === 0) continue;
      const scaler = prepared[i]?.scaler;
      const v = randomDirections(n, d, k, gradientInputs, rngs[i]);
      const u = scaler ? Float32Array.from(v, (value, j) => value * scaler.xScale[j % d]) : v;
      const t = await callTangentTargets(options.tangentTargets!, userX[i], u, k, n * m);
      if (scaler) t.forEach((value, j) => (t[j] = value / scaler.yScale[j % m]));
      device.queue.writeBuffer(session.data.directions!, session.memberData[i].offV * 4, v);
      device.queue.writeBuffer(session.data.dydx, session.memberData[i].offD * 4, t);
    }
  };
  try {
    const snapshot = session.scope.storage('fit:snapshot', group.total);
    const perms = new Uint32Array(B * n * epochsPerChunk);
    if (normalize) {
      await mapParams(group, prepared.map((p) => p!.scaler), 'in');
      mapped = true;
    }
    await withErrorScope(device, 'fit', async () => {
      let step = 0;
      let chunkLimit = 1; // epochs in the next chunk: start small, grow while chunks are quick
      for (let e0 = 0; e0 < epochs; ) {
        if (options.signal?.aborted) {
          reports.forEach((r, i) => (r.aborted = !stopped[i]));
          break;
        }
        group.ctx.check();
        const chunkEpochs = Math.min(chunkLimit, epochs - e0);
        const chunkStarted = performance.now();
        let s = 0;
        for (let e = 0; e < chunkEpochs; e++) {
          for (let i = 0; i < B; i++) {
            const perm = perms.subarray(session.memberData[i].offPerm + e * n, session.memberData[i].offPerm + (e + 1) * n);
            for (let j = 0; j < n; j++) perm[j] = j;
            rngs[i].shuffle(perm);
          }
          const decay = Math.pow(1 + (options.lrDecay ?? 0), e0 + e);
          for (let b = 0; b < batchesPerEpoch; b++, s++) {
            const t = step + s + 1;
            const correction = Math.sqrt(1 - Math.pow(beta2, t));
            session.setStep(s, {
              permBase: e * n,
              batchOffset: b * batch,
              rngStep: t,
              lossSlot: e,
              lossScale: 1 / batchesPerEpoch,
              // For lr = 1: each model's Adam scales it by its own learning rate.
              lrT: correction / (decay * (1 - Math.pow(beta1, t))),
              epsT: eps * correction,
            });
          }
        }
        if (perSample) await uploadEpochDirections();
        const encoder = device.createCommandEncoder({ label: 'fit:chunk' });
        encoder.copyBufferToBuffer(group.params, 0, snapshot, 0, group.total * 4);
        session.encodeSteps(encoder, s, perms);
        device.queue.submit([encoder.finish()]);
        const chunkLoss = await session.readLoss(chunkEpochs);
        for (let i = 0; i < B; i++) {
          if (stopped[i]) continue;
          const report = reports[i];
          if (!chunkLoss[i].every(Number.isFinite)) {
            // Back to its parameters at the start of this chunk, the last ones known finite;
            // it stops (learning rate 0) while the others go on.
            const { paramOffset, layout } = group.models[i];
            const restore = device.createCommandEncoder({ label: 'fit:restore' });
            restore.copyBufferToBuffer(snapshot, paramOffset * 4, group.params, paramOffset * 4, layout.total * 4);
            device.queue.submit([restore.finish()]);
            session.workspace.setLearningRate(i, 0);
            report.diverged = true;
            stopped[i] = true;
            continue;
          }
          for (let e = 0; e < chunkEpochs; e++) {
            report.history.push(chunkLoss[i][3 * e]);
            report.valueHistory.push(chunkLoss[i][3 * e + 1]);
            report.gradientHistory.push(chunkLoss[i][3 * e + 2]);
          }
          report.epochs = e0 + chunkEpochs;
          report.steps = step + s;
          report.loss = report.history[report.history.length - 1];
        }
        step += s;
        e0 += chunkEpochs;
        if (stopped.every(Boolean)) break;
        const msPerEpoch = (performance.now() - chunkStarted) / chunkEpochs;
        chunkLimit = Math.max(1, Math.min(epochsPerChunk, Math.floor(TARGET_CHUNK_MS / Math.max(msPerEpoch, 1e-3))));
        const now = performance.now();
        if (options.onProgress && (now - lastProgress >= (options.progressIntervalMs ?? 100) || e0 === epochs)) {
          lastProgress = now;
          const losses = reports.map((r) => r.loss);
          options.onProgress({ epoch: e0, epochs, loss: losses[0], losses, elapsedMs: now - started });
        }
      }
    });
  } finally {
    session.destroy();
    if (mapped && !group.scope.destroyed && !(await group.ctx.isLost())) await mapParams(group, prepared.map((p) => p!.scaler), 'out');
  }
  const ms = performance.now() - started;
  reports.forEach((r) => (r.ms = ms));
  return reports;
}

/** Every model's loss and parameter gradients on all of its data (raw units, no
 *  normalisation): one full-batch step without the optimiser. */
export async function lossAndGradientsGroup(group: GroupState, data: Dataset | readonly Dataset[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
  const B = group.models.length;
  const datasets = datasetsOf(data, B);
  const setups = resolveSetups(group, datasets, opts);
  const seeds = perModel('seed', opts.seed ?? 0, B);
  return byParts(group, setups, setups[0].n, (part, pick) => lossLockstep(part, pick(datasets), pick(setups), pick(seeds), opts));
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
      const ws = session.workspace;
      for (let i = 0; i < B; i++) {
        const { mode, k, gradientInputs } = setups[i];
        if (mode === 'given') device.queue.writeBuffer(ws.acts[0], (ws.actOffsets[i][0] + n * d) * 4, Float32Array.from(opts.directionVectors!));
        if (mode === 'perSample') {
          const v = opts.directionVectors ? Float32Array.from(opts.directionVectors) : randomDirections(n, d, k, gradientInputs, new Rng(seeds[i]));
          const t = await callTangentTargets(opts.tangentTargets!, Float32Array.from(datasets[i].x), v, k, n * group.outputs);
          device.queue.writeBuffer(session.data.directions!, session.memberData[i].offV * 4, v);
          device.queue.writeBuffer(session.data.dydx, session.memberData[i].offD * 4, t);
        }
      }
      session.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 0, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
      const identity = new Uint32Array(B * n);
      for (let i = 0; i < B; i++) for (let j = 0; j < n; j++) identity[i * n + j] = j;
      const encoder = device.createCommandEncoder({ label: 'lossAndGradients' });
      session.encodeSteps(encoder, 1, identity);
      device.queue.submit([encoder.finish()]);
      // Per model: its loss, its gradients and (random or given directions) the directions used.
      const hasDirections = setups.map((s) => s.mode !== 'all' && s.k > 0);
      const out = await session.scope.readMany(
        group.models.flatMap((m, i) => [
          { buffer: session.loss, offset: i * session.lossStride, count: 1 },
          { buffer: ws.grads!, offset: m.paramOffset, count: m.layout.total },
          { buffer: ws.acts[0], offset: ws.actOffsets[i][0] + n * d, count: hasDirections[i] ? setups[i].k * n * d : 0 },
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
