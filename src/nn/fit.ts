import { withErrorScope } from '../gpu/buffers';
import type { Dataset } from '../types';
import { Rng } from '../util/rng';
import { callTangentTargets, randomDirections } from './directions';
import { resolveLoss, type LossOptions } from './loss';
import type { ModelState } from './model';
import { fitStandardizer, standardize, transformParams } from './normalize';
import { TrainingSession } from './session';
import { checkPositiveInt } from './validate';

export interface FitProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss of the last finished epoch (standardised units when normalize). */
  loss: number;
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

/** At most this many steps go into one command buffer; the loss is read back once per chunk. */
const STEPS_PER_CHUNK = 256;
/** Chunks shrink (to whole epochs) so one takes about this long: progress and abort stay
 *  responsive on slow adapters. */
const TARGET_CHUNK_MS = 250;

function checkFitOptions(o: FitOptions): void {
  checkPositiveInt('epochs', o?.epochs);
  checkPositiveInt('batchSize', o.batchSize);
  if (!(typeof o.learningRate === 'number' && o.learningRate > 0 && Number.isFinite(o.learningRate))) {
    throw new RangeError(`learningRate must be a positive number, got ${String(o.learningRate)}`);
  }
  if (o.lrDecay !== undefined && !(o.lrDecay >= 0 && Number.isFinite(o.lrDecay))) throw new RangeError(`lrDecay must be ≥ 0, got ${o.lrDecay}`);
}

/** Trains a model with Adam on the value-and-gradient loss; the loop stays on the GPU. */
export async function fitModel(model: ModelState, data: Dataset, options: FitOptions): Promise<FitReport> {
  checkFitOptions(options);
  const setup = resolveLoss(model.inputs, model.outputs, data, options);
  const started = performance.now();
  const { device } = model.ctx;
  const { n, k } = setup;
  const epochs = options.epochs;
  const batch = Math.min(options.batchSize, n);
  const batchesPerEpoch = Math.ceil(n / batch);
  const perSample = setup.mode === 'perSample';
  // Directions drawn on the CPU (tangentTargets) are refreshed every epoch: one epoch per chunk.
  const epochsPerChunk = Math.min(epochs, perSample ? 1 : Math.max(1, Math.floor(STEPS_PER_CHUNK / batchesPerEpoch)));
  const [beta1, beta2, eps] = [options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8];
  const rng = new Rng(options.seed ?? 0);

  const normalize = options.normalize ?? true;
  const scaler = normalize ? fitStandardizer(data, model.inputs, model.outputs, model.outputActivation === 'linear') : null;
  const trainData = scaler ? standardize(data, scaler, setup.gradientInputs) : data;
  const session = new TrainingSession(model, setup, trainData, {
    batch,
    stepsPerChunk: epochsPerChunk * batchesPerEpoch,
    epochsPerChunk,
    seed: rng.uint32(),
    adam: { beta1, beta2 },
  });
  const paramBytes = model.layout.total * 4;
  const mapParams = async (direction: 'in' | 'out'): Promise<void> => {
    const flat = transformParams(model.layout, await model.scope.read(model.params, model.layout.total), scaler!, direction);
    device.queue.writeBuffer(model.params, 0, flat);
  };
  const report: FitReport = { epochs: 0, loss: NaN, history: [], valueHistory: [], gradientHistory: [], diverged: false, aborted: false, steps: 0, ms: 0 };
  let lastProgress = -Infinity;
  let mapped = false;
  const userX = Float32Array.from(data.x);
  // Fresh unit directions in the (standardised) gradient-input space, their user-space
  // images u = scale_x ⊙ v, and the targets J·u / scale_y from the callback.
  const uploadEpochDirections = async (): Promise<void> => {
    const d = model.inputs;
    const m = model.outputs;
    const v = randomDirections(n, d, k, setup.gradientInputs, rng);
    const u = scaler ? Float32Array.from(v, (value, i) => value * scaler.xScale[i % d]) : v;
    const t = await callTangentTargets(options.tangentTargets!, userX, u, k, n * m);
    if (scaler) t.forEach((value, i) => (t[i] = value / scaler.yScale[i % m]));
    device.queue.writeBuffer(session.data.directions!, 0, v);
    device.queue.writeBuffer(session.data.dydx, 0, t);
  };
  try {
    const snapshot = session.scope.storage('fit:snapshot', model.layout.total);
    const perms = new Uint32Array(n * epochsPerChunk);
    if (scaler) {
      await mapParams('in');
      mapped = true;
    }
    await withErrorScope(device, 'Mlp.fit', async () => {
      let step = 0;
      let chunkLimit = 1; // epochs in the next chunk: start small, grow while chunks are quick
      for (let e0 = 0; e0 < epochs; ) {
        if (options.signal?.aborted) {
          report.aborted = true;
          break;
        }
        model.ctx.check();
        const chunkEpochs = Math.min(chunkLimit, epochs - e0);
        const chunkStarted = performance.now();
        let s = 0;
        for (let e = 0; e < chunkEpochs; e++) {
          const perm = perms.subarray(e * n, (e + 1) * n);
          for (let i = 0; i < n; i++) perm[i] = i;
          rng.shuffle(perm);
          const lrEpoch = options.learningRate / Math.pow(1 + (options.lrDecay ?? 0), e0 + e);
          for (let b = 0; b < batchesPerEpoch; b++, s++) {
            const t = step + s + 1;
            const correction = Math.sqrt(1 - Math.pow(beta2, t));
            session.setStep(s, {
              permBase: e * n,
              batchOffset: b * batch,
              rngStep: t,
              lossSlot: e,
              lossScale: 1 / batchesPerEpoch,
              lrT: (lrEpoch * correction) / (1 - Math.pow(beta1, t)),
              epsT: eps * correction,
            });
          }
        }
        if (perSample) await uploadEpochDirections();
        const encoder = device.createCommandEncoder({ label: 'fit:chunk' });
        encoder.copyBufferToBuffer(model.params, 0, snapshot, 0, paramBytes);
        session.encodeSteps(encoder, s, perms, chunkEpochs);
        device.queue.submit([encoder.finish()]);
        const chunkLoss = await session.readLoss(chunkEpochs);
        if (!chunkLoss.every(Number.isFinite)) {
          // Back to the parameters at the start of this chunk, the last ones known finite.
          const restore = device.createCommandEncoder({ label: 'fit:restore' });
          restore.copyBufferToBuffer(snapshot, 0, model.params, 0, paramBytes);
          device.queue.submit([restore.finish()]);
          report.diverged = true;
          break;
        }
        for (let e = 0; e < chunkEpochs; e++) {
          report.history.push(chunkLoss[3 * e]);
          report.valueHistory.push(chunkLoss[3 * e + 1]);
          report.gradientHistory.push(chunkLoss[3 * e + 2]);
        }
        step += s;
        e0 += chunkEpochs;
        const msPerEpoch = (performance.now() - chunkStarted) / chunkEpochs;
        chunkLimit = Math.max(1, Math.min(epochsPerChunk, Math.floor(TARGET_CHUNK_MS / Math.max(msPerEpoch, 1e-3))));
        report.epochs = e0;
        report.steps = step;
        report.loss = report.history[report.history.length - 1];
        const now = performance.now();
        if (options.onProgress && (now - lastProgress >= (options.progressIntervalMs ?? 100) || report.epochs === epochs)) {
          lastProgress = now;
          options.onProgress({ epoch: report.epochs, epochs, loss: report.loss, elapsedMs: now - started });
        }
      }
    });
  } finally {
    session.destroy();
    if (mapped && !model.scope.destroyed && !(await model.ctx.isLost())) await mapParams('out');
  }
  report.ms = performance.now() - started;
  return report;
}
