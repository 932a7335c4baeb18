// What a training step costs: value-only vs projected JVP loss (k directions, targets from the
// renderer through tangentTargets) vs full-Jacobian matching ('all', dydx uploaded). The claim
// under test: a projected step costs about (1 + k)× a value-only step, whatever the number of
// pixels and factors, while full matching costs about (1 + factors)×.
import type { Context } from '../../gpu/context';
import type { TangentTargets } from '../../nn/directions';
import type { FitOptions } from '../../nn/fit';
import { createMlp, type Mlp } from '../../nn/mlp';
import { blobsDataset, blobsProjectedTargets, BLOB_THETA_DIM } from '../problems/blobs';
import type { Dataset } from '../../types';
import { abortError } from '../../util/abort';
import { headRows } from '../../util/rows';
import { median } from '../../util/stats';
import type { GeneratorModel, TargetStats } from './generator';

export interface CostOptions {
  /** Image sides to measure. */
  sizes: number[];
  /** Generating factors: 6 are the blob's; more add factors the image does not depend on
   *  (their Jacobian columns are zero), which changes nothing but the input width. */
  factors?: number[];
  /** k values of the projected rows. */
  ks: number[];
  batchSize: number;
  /** Steps per epoch of the value-only and projected fits (projected fits refresh their
   *  directions and read the loss back once per epoch). Full matching runs 10-step epochs,
   *  as many as give the same number of steps. */
  steps: number;
  /** Epochs per timed fit (default 3); the first command-buffer chunk is not timed. */
  epochs?: number;
  /** Fits per configuration, interleaved across configurations (default 1). */
  rounds?: number;
  model: GeneratorModel;
  /** Also time full-Jacobian matching (default true). */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
}

export type CostMode = 'values' | 'projected' | 'full';

export interface CostRow {
  size: number;
  pixels: number;
  factors: number;
  mode: CostMode;
  /** Tangent blocks per sample: 0, k, or the number of factors for 'full'. */
  k: number;
  /** Milliseconds per optimiser step in steady state, in the fastest round: every command
   *  buffer of steps after a fit's first, with its host work and readback (no setup or
   *  compilation). */
  msPerStep: number;
  /** Median over the rounds (the fastest is the figure least disturbed by other load). */
  medianMsPerStep: number;
  /** msPerStep / the value-only step of the same size and factors. */
  ratio: number;
  /** (1 + k): the ratio predicted by counting stacked rows. */
  predicted: number;
  /** Time in the tangentTargets callback (renderer JVPs on the CPU) per step, in that round. */
  targetMsPerStep: number;
  /** ms per step of every round. */
  roundsMs: number[];
}

export interface CostResult {
  batchSize: number;
  steps: number;
  epochs: number;
  rounds: number;
  hidden: number[];
  rows: CostRow[];
}

/** Blob images with `factors` inputs (the first 6 drive the image) and their JVP callback. */
export function costProblem(size: number, factors: number, n: number, seed: number, jacobian: boolean): { data: Dataset; targets: (stats: TargetStats) => TangentTargets } {
  if (!(factors >= BLOB_THETA_DIM)) throw new RangeError(`factors must be ≥ ${BLOB_THETA_DIM}, got ${factors}`);
  const blobs = blobsDataset({ n, seed, size, jacobian });
  const hw = size * size;
  const pad = (a: Float32Array, rows: number, from: number, to: number) => {
    if (from === to) return a;
    const out = new Float32Array(rows * to);
    for (let r = 0; r < rows; r++) out.set(a.subarray(r * from, (r + 1) * from), r * to);
    return out;
  };
  const data: Dataset = { x: pad(blobs.x, n, BLOB_THETA_DIM, factors), y: blobs.y };
  if (jacobian) data.dydx = pad(blobs.dydx, n * hw, BLOB_THETA_DIM, factors);
  const targets = (stats: TargetStats): TangentTargets => (x, v, k) => {
    const started = performance.now();
    const rows = x.length / factors;
    const t = blobsProjectedTargets(firstColumns(x, rows, factors), firstColumns(v, k * rows, factors), { size, k });
    stats.calls++;
    stats.jvps += k * rows;
    stats.ms += performance.now() - started;
    return t;
  };
  return { data, targets };
}

/** The first 6 columns of a rows × width matrix. */
function firstColumns(a: Float32Array, rows: number, width: number): Float32Array {
  if (width === BLOB_THETA_DIM) return a;
  const out = new Float32Array(rows * BLOB_THETA_DIM);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * width, r * width + BLOB_THETA_DIM), r * BLOB_THETA_DIM);
  return out;
}

/** One timed stretch of a fit: wall ms, steps, ms in the target callback. */
interface Timing {
  ms: number;
  steps: number;
  targetMs: number;
}

/** One loss configuration under test: its model, data and fit options. */
interface Probe {
  size: number;
  factors: number;
  mode: CostMode;
  k: number;
  data: Dataset;
  batchesPerEpoch: number;
  stats: TargetStats;
  mlp: Mlp;
  epochs: number;
  options: (epochs: number, onProgress?: FitOptions['onProgress']) => FitOptions;
  rounds: Timing[];
}

function makeProbe(ctx: Context, size: number, factors: number, mode: CostMode, k: number, o: CostOptions): Probe {
  const batch = o.batchSize;
  // Full matching uploads n × pixels × factors, so it uses a small n and more epochs.
  const n = mode === 'full' ? 10 * batch : o.steps * batch;
  const { data, targets } = costProblem(size, factors, n, 17 + size, mode === 'full');
  const mlp = createMlp(ctx, { inputs: factors, hidden: o.model.hidden, outputs: size * size, activation: o.model.activation ?? 'tanh', outputActivation: o.model.outputActivation ?? 'linear', seed: 3 });
  const stats: TargetStats = { calls: 0, jvps: 0, ms: 0 };
  const callback = targets(stats);
  const options = (epochs: number, onProgress?: FitOptions['onProgress']): FitOptions => ({
    epochs,
    batchSize: batch,
    learningRate: 1e-4,
    normalize: false,
    gradientWeight: mode === 'values' ? 0 : 0.5,
    directions: mode === 'full' ? 'all' : mode === 'projected' ? k : undefined,
    tangentTargets: mode === 'projected' ? callback : undefined,
    seed: 5,
    signal: o.signal,
    onProgress,
    progressIntervalMs: 0,
  });
  const batchesPerEpoch = Math.ceil(n / batch);
  const epochs = Math.ceil(((o.epochs ?? 3) * o.steps) / batchesPerEpoch);
  return { size, factors, mode, k, data, batchesPerEpoch, epochs, stats, mlp, options, rounds: [] };
}

/** One fit; times it from its first progress report (the end of its first command buffer,
 *  reported because progressIntervalMs is 0) to its last. */
async function timeFit(p: Probe): Promise<Timing> {
  const marks: { t: number; epoch: number; targetMs: number }[] = [];
  p.stats.ms = 0;
  await p.mlp.fit(
    p.data,
    p.options(p.epochs, (progress) => marks.push({ t: progress.elapsedMs, epoch: progress.epoch, targetMs: p.stats.ms })),
  );
  const a = marks[0];
  const b = marks[marks.length - 1];
  if (!a || b.epoch === a.epoch) throw new Error(`measureStepCost: a ${p.mode} fit of ${p.epochs} epochs ran as one command buffer; raise epochs`);
  return { ms: b.t - a.t, steps: (b.epoch - a.epoch) * p.batchesPerEpoch, targetMs: b.targetMs - a.targetMs };
}

/**
 * Times value-only, projected (each k) and full-Jacobian steps for each size and factor count.
 * After a one-step warm-up fit per configuration (pipelines), each round runs one fit per
 * configuration (interleaved, so a busy machine slows them alike) and times it after its
 * first command buffer; the fastest round gives ms per step.
 */
export async function measureStepCost(ctx: Context, o: CostOptions): Promise<CostResult> {
  const factorsList = o.factors ?? [BLOB_THETA_DIM];
  const rounds = o.rounds ?? 1;
  const probes: Probe[] = [];
  try {
    for (const size of o.sizes) {
      for (const factors of factorsList) {
        probes.push(makeProbe(ctx, size, factors, 'values', 0, o));
        for (const k of o.ks) probes.push(makeProbe(ctx, size, factors, 'projected', k, o));
        if (o.full !== false) probes.push(makeProbe(ctx, size, factors, 'full', factors, o));
      }
    }
    const total = probes.length * (rounds + 1);
    let done = 0;
    const label = (p: Probe) => `${p.size}×${p.size}, ${p.factors} factors, ${p.mode}${p.mode === 'projected' ? ` k=${p.k}` : ''}`;
    for (const p of probes) {
      await p.mlp.fit(headRows(p.data, { inputs: p.factors, outputs: p.size * p.size }, o.batchSize), p.options(1));
      o.onProgress?.(++done, total, `warm-up ${label(p)}`);
    }
    for (let r = 0; r < rounds; r++) {
      for (const p of probes) {
        if (o.signal?.aborted) throw abortError('measureStepCost aborted');
        p.rounds.push(await timeFit(p));
        o.onProgress?.(++done, total, label(p));
      }
    }
  } finally {
    for (const p of probes) p.mlp.destroy();
  }
  const perStep = (t: Timing) => t.ms / t.steps;
  const fastest = (p: Probe) => p.rounds.reduce((a, b) => (perStep(b) < perStep(a) ? b : a));
  const rows: CostRow[] = probes.map((p) => {
    const best = fastest(p);
    const values = probes.find((q) => q.mode === 'values' && q.size === p.size && q.factors === p.factors)!;
    return {
      size: p.size,
      pixels: p.size * p.size,
      factors: p.factors,
      mode: p.mode,
      k: p.k,
      msPerStep: perStep(best),
      medianMsPerStep: median(p.rounds.map(perStep)),
      ratio: perStep(best) / perStep(fastest(values)),
      predicted: 1 + p.k,
      targetMsPerStep: best.targetMs / best.steps,
      roundsMs: p.rounds.map(perStep),
    };
  });
  return { batchSize: o.batchSize, steps: o.steps, epochs: o.epochs ?? 3, rounds, hidden: o.model.hidden, rows };
}
