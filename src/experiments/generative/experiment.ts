// The generative-image experiment: baseline (w = 0) vs GI (projected JVP loss) over N_train,
// test pixel RMSE on held-out θ, image grids, and what the number of directions k buys.
import type { Context } from '../../gpu/context';
import { blobsDataset, BLOB_THETA_DIM, type BlobsData } from '../problems/blobs';
import { Rng } from '../../util/rng';
import type { Dataset } from '../../types';
import { headRows as datasetHead } from '../../util/rows';
import { meanSd } from '../../util/stats';
import { createGenerator, pixelRmse, trainGenerator } from './generator';
import type { GenerativeConfig } from './presets';

export type GenerativeMethod = 'baseline' | 'gi';

/** One trained generator and its test error. */
export interface GenerativeRun {
  size: number;
  nTrain: number;
  method: GenerativeMethod;
  repeat: number;
  /** Test pixel RMSE (user units, all pixels of all held-out images). */
  rmse: number;
  /** Final training loss (mean over the last epoch, standardised units). */
  loss: number;
  epochs: number;
  steps: number;
  seconds: number;
  diverged: boolean;
}

/** Mean and sample standard deviation over repeats (sd 0 for one repeat). */
export interface Stat {
  mean: number;
  sd: number;
}

export interface GenerativeSummary {
  size: number;
  nTrain: number;
  baseline: Stat;
  gi: Stat;
  /** Paired: GI RMSE below the baseline's, per repeat. */
  giWins: number;
  repeats: number;
}

/** Truth / baseline / GI images (size² floats each) for the first test θ, repeat 0. */
export interface ImageGrid {
  size: number;
  nTrain: number;
  theta: number[][];
  truth: Float32Array[];
  baseline: Float32Array[];
  gi: Float32Array[];
}

/** Test RMSE of one way of supervising derivatives at fixed N (repeat 0). */
export interface KStudyRow {
  /** 'values only', 'k = 1', …, 'full Jacobian (6)'. */
  label: string;
  /** Tangent blocks per sample (0: values only). */
  k: number;
  rmse: number;
  seconds: number;
}

export interface GenerativeResult {
  config: GenerativeConfig;
  runs: GenerativeRun[];
  summary: GenerativeSummary[];
  grids: ImageGrid[];
  kStudy: { size: number; nTrain: number; rows: KStudyRow[] };
}

export interface ExperimentHooks {
  signal?: AbortSignal;
  /** Called after each trained model; done/total count models. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** Mean and sample sd. */
export function stat(values: number[]): Stat {
  const { mean, sd } = meanSd(values);
  return { mean, sd };
}

/** The first n rows of a blobs dataset (values only unless it holds a Jacobian). */
export function headRows(data: BlobsData, n: number): Dataset {
  return datasetHead(data, { inputs: BLOB_THETA_DIM, outputs: data.outputs }, n);
}

/** Seeds of one (size, repeat): the training pool, the initialisation, the fit. */
export function seedsFor(config: GenerativeConfig, size: number, repeat: number): { pool: number; init: number; fit: number; test: number } {
  const rng = new Rng(config.seed).fork(`generative:${size}`);
  const test = rng.fork('test').uint32();
  const r = rng.fork(repeat);
  return { pool: r.fork('pool').uint32(), init: r.fork('init').uint32() >>> 8, fit: r.fork('fit').uint32(), test };
}

interface Trained {
  run: GenerativeRun;
  predictions: Float32Array;
}

async function trainAndTest(
  ctx: Context,
  config: GenerativeConfig,
  data: Dataset,
  test: BlobsData,
  what: { size: number; nTrain: number; repeat: number; gradientWeight: number; directions?: number | 'all' },
  seeds: { init: number; fit: number },
  signal?: AbortSignal,
): Promise<Trained> {
  const { size, nTrain, repeat, gradientWeight } = what;
  const mlp = createGenerator(ctx, size, config.model, seeds.init);
  const started = performance.now();
  try {
    const training = { ...config.training, directions: typeof what.directions === 'number' ? what.directions : config.training.directions };
    const report = await trainGenerator(mlp, data, size, { training, gradientWeight, seed: seeds.fit, fullJacobian: what.directions === 'all', signal });
    const predictions = await mlp.predict(test.x);
    const run: GenerativeRun = {
      size,
      nTrain,
      method: gradientWeight > 0 ? 'gi' : 'baseline',
      repeat,
      rmse: pixelRmse(predictions, test.y),
      loss: report.loss,
      epochs: report.epochs,
      steps: report.steps,
      seconds: (performance.now() - started) / 1000,
      diverged: report.diverged,
    };
    return { run, predictions };
  } finally {
    mlp.destroy();
  }
}

function gridOf(size: number, nTrain: number, test: BlobsData, count: number, baseline: Float32Array, gi: Float32Array): ImageGrid {
  const hw = size * size;
  const take = (a: Float32Array) => Array.from({ length: count }, (_, i) => a.slice(i * hw, (i + 1) * hw));
  return {
    size,
    nTrain,
    theta: Array.from({ length: count }, (_, i) => Array.from(test.x.subarray(i * BLOB_THETA_DIM, (i + 1) * BLOB_THETA_DIM))),
    truth: take(test.y),
    baseline: take(baseline),
    gi: take(gi),
  };
}

/** Whether the k study's values-only and default-k rows are runs of the main grid. */
function kStudyReusesMain(config: GenerativeConfig): boolean {
  return config.sizes.includes(config.kStudy.size) && config.nTrain.includes(config.kStudy.nTrain);
}

/** Models the experiment trains (for progress bars). */
export function modelCount(config: GenerativeConfig): number {
  const k = config.kStudy;
  const reused = kStudyReusesMain(config) ? 1 + (k.ks.includes(config.training.directions) ? 1 : 0) : 0;
  return config.sizes.length * config.repeats * config.nTrain.length * 2 + 1 + k.ks.length + (k.full ? 1 : 0) - reused;
}

/**
 * Runs baseline and GI over every size, N_train and repeat of `config`, then the k study.
 * Deterministic given config.seed (up to float32 summation order on the device).
 */
export async function runGenerativeExperiment(ctx: Context, config: GenerativeConfig, hooks: ExperimentHooks = {}): Promise<GenerativeResult> {
  const runs: GenerativeRun[] = [];
  const grids: ImageGrid[] = [];
  const total = modelCount(config);
  let done = 0;
  const tick = (label: string) => hooks.onProgress?.(++done, total, label);
  const nMax = Math.max(...config.nTrain);
  const gridAt = new Set([Math.min(...config.nTrain), nMax]);

  for (const size of config.sizes) {
    const test = blobsDataset({ n: config.testSize, seed: seedsFor(config, size, 0).test, size, jacobian: false });
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      const seeds = seedsFor(config, size, repeat);
      const pool = blobsDataset({ n: nMax, seed: seeds.pool, size, jacobian: false });
      for (const nTrain of config.nTrain) {
        const data = headRows(pool, nTrain);
        const base = await trainAndTest(ctx, config, data, test, { size, nTrain, repeat, gradientWeight: 0 }, seeds, hooks.signal);
        runs.push(base.run);
        tick(`${size}×${size} N=${nTrain} baseline`);
        const gi = await trainAndTest(ctx, config, data, test, { size, nTrain, repeat, gradientWeight: config.giWeight }, seeds, hooks.signal);
        runs.push(gi.run);
        tick(`${size}×${size} N=${nTrain} GI`);
        if (repeat === 0 && gridAt.has(nTrain)) grids.push(gridOf(size, nTrain, test, config.gridCount, base.predictions, gi.predictions));
      }
    }
  }

  const summary: GenerativeSummary[] = [];
  for (const size of config.sizes) {
    for (const nTrain of config.nTrain) {
      const pick = (m: GenerativeMethod) => runs.filter((r) => r.size === size && r.nTrain === nTrain && r.method === m).sort((a, b) => a.repeat - b.repeat);
      const b = pick('baseline');
      const g = pick('gi');
      summary.push({
        size,
        nTrain,
        baseline: stat(b.map((r) => r.rmse)),
        gi: stat(g.map((r) => r.rmse)),
        giWins: g.filter((r, i) => r.rmse < b[i].rmse).length,
        repeats: b.length,
      });
    }
  }
  const kStudy = await runKStudy(ctx, config, runs, tick, hooks.signal);
  return { config, runs, summary, grids, kStudy };
}

/** Test RMSE at one N for values only, k = each of config.kStudy.ks, and full-Jacobian matching;
 *  rows that are runs of the main grid (same size, N, seeds, repeat 0) are taken from it. */
async function runKStudy(
  ctx: Context,
  config: GenerativeConfig,
  runs: GenerativeRun[],
  tick: (label: string) => void,
  signal?: AbortSignal,
): Promise<GenerativeResult['kStudy']> {
  const { size, nTrain, ks, full } = config.kStudy;
  const seeds = seedsFor(config, size, 0);
  const test = blobsDataset({ n: config.testSize, seed: seeds.test, size, jacobian: false });
  // The same first nTrain θ as repeat 0 of the main runs; the Jacobian only for the 'full' row.
  const pool = blobsDataset({ n: Math.max(nTrain, ...config.nTrain), seed: seeds.pool, size, jacobian: full });
  const data = headRows(pool, nTrain);
  const reuse = kStudyReusesMain(config);
  const mainRun = (method: GenerativeMethod) => runs.find((r) => r.size === size && r.nTrain === nTrain && r.repeat === 0 && r.method === method);
  const rows: KStudyRow[] = [];
  const add = async (label: string, k: number, gradientWeight: number, directions?: number | 'all') => {
    const known = reuse && directions !== 'all' && (k === 0 ? mainRun('baseline') : k === config.training.directions ? mainRun('gi') : undefined);
    const run = known || (await trainAndTest(ctx, config, data, test, { size, nTrain, repeat: 0, gradientWeight, directions }, seeds, signal)).run;
    rows.push({ label, k, rmse: run.rmse, seconds: run.seconds });
    if (!known) tick(`k study: ${label}`);
  };
  await add('values only', 0, 0);
  for (const k of ks) await add(`k = ${k}`, k, config.giWeight, k);
  if (full) await add(`full Jacobian (${BLOB_THETA_DIM} directions)`, BLOB_THETA_DIM, config.giWeight, 'all');
  return { size, nTrain, rows };
}
