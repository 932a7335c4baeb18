/** The §B sine protocol (docs/experiments.md): for each training size N and R fresh datasets, fit
 *  least squares, ridge, GI least squares and ridge-gradient (2-D and λ1 = λ2 grids), choose
 *  hyper-parameters on a validation set, and report mean/sd/standard error of the test RMSE per
 *  N per method. Ridge-gradient's β_grad is, as the authors fit it, a ridge regression of its
 *  own on the derivative equations with λ_g picked on the validation set's derivatives.
 *  Data come from an injected generator, so this module owns no RNG and no problem definition. */

import { evenlySpaced, rbfFeatures } from '../linear/features';
import type { FeatureMap } from '../linear/features';
import { meanSd, median, rmse } from '../util/stats';
import { fitLeastSquares, predictLinear } from '../linear/fit';
import { gramSums } from '../linear/normal-equations';
import type { SumsBackend } from '../linear/normal-equations';
import { DEFAULT_GAMMA_GRID, DEFAULT_LAMBDA_GRID, linspace, logspace, selectGiLeastSquares, selectGradientCoefficients, selectRidge, selectRidgeGradient, selectRidgeGradient1d } from '../linear/select';
import type { Selection } from '../linear/select';
import { SingularSystemError } from '../linear/solve';
import { assertFinite, assertInt, assertLength, assertNonNegative } from '../linear/validate';

/** One dataset: 1-D inputs x, observed values y (noisy) and derivatives dy/dx, all length n. */
export interface LinearSample {
  x: Float64Array;
  y: Float64Array;
  dydx: Float64Array;
}

/** Draws a fresh dataset of n points, deterministically from the integer seed. */
export type LinearDataGenerator = (n: number, seed: number) => LinearSample;

/** Methods compared by the protocol. `leastSquares` is plain λ = 0 least squares (a reference). */
export const LINEAR_METHODS = ['leastSquares', 'ridge', 'giLeastSquares', 'ridgeGradient', 'ridgeGradient1d'] as const;
/** One of {@link LINEAR_METHODS}. */
export type LinearMethod = (typeof LINEAR_METHODS)[number];

/** Sizes and grids of a run. */
export interface LinearExperimentConfig {
  nTrain: number[];
  repeats: number;
  nValidation: number;
  /** λ grid for ridge, λ1 grid for ridge-gradient, λ grid for the 1-D ridge-gradient. */
  lambdaGrid: number[];
  /** λ2 grid for the 2-D ridge-gradient (default: lambdaGrid). */
  lambda2Grid?: number[];
  gammaGrid: number[];
  /** Relative ridge for β_grad in ridge-gradient (default {@link DEFAULT_GRADIENT_RIDGE}). */
  gradientRidge?: number;
  /** How ridge-gradient's β_grad is fitted: 'validation' (default; the authors' way) — a ridge
   *  on the derivative equations, λ_g from `gradientLambdaGrid` by the validation derivatives'
   *  RMSE; 'leastSquares' — λ_g = 0 (only the tiny relative ridge), the earlier behaviour, which
   *  is near-singular when few points fall near an RBF centre. */
  betaGrad?: 'validation' | 'leastSquares';
  /** λ_g grid for β_grad (default: lambdaGrid). */
  gradientLambdaGrid?: number[];
  /** Base seed; per-dataset seeds are derived from it with {@link deriveSeed}. */
  seed: number;
}

/** Presets: `paper` follows docs/experiments.md §B; `quick` is a small smoke-sized run. */
export const LINEAR_PRESETS: Readonly<Record<'quick' | 'paper', LinearExperimentConfig>> = {
  quick: { nTrain: [10, 20, 30, 50], repeats: 10, nValidation: 50, lambdaGrid: linspace(0, 10, 26), gammaGrid: logspace(-2, 2, 9), seed: 1 },
  paper: {
    nTrain: linspace(10, 50, 21),
    repeats: 50,
    nValidation: 50,
    lambdaGrid: [...DEFAULT_LAMBDA_GRID],
    gammaGrid: [...DEFAULT_GAMMA_GRID],
    seed: 1,
  },
};

/** What the main job's linear section runs per preset (overrides of LINEAR_PRESETS.paper):
 *  `quick` keeps every N but fits 30 datasets per N (not 50) on a 51-point λ grid (not 100),
 *  to run in 20–40 s on a 2-core SwiftShader adapter; `full` and `paper` are §B as is (50
 *  datasets per N, 21 sizes; a few seconds on the CPU); `tiny` is a smoke test. */
export const LINEAR_SECTION_SETTINGS: Readonly<Record<'tiny' | 'quick' | 'full' | 'paper', Partial<LinearExperimentOptions>>> = {
  tiny: { preset: 'quick', nTrain: [10, 12], repeats: 3, lambdaGrid: linspace(0, 10, 11) },
  quick: { preset: 'paper', repeats: 30, lambdaGrid: linspace(0, 10, 51) },
  full: { preset: 'paper' },
  paper: { preset: 'paper' },
};

/** Options of {@link runLinearExperiment}; config fields override the preset. */
export interface LinearExperimentOptions extends Partial<LinearExperimentConfig> {
  /** Training and validation data (different seeds per draw). */
  generate: LinearDataGenerator;
  /** Fixed noise-free test set (the 100-point grid for §B). */
  test: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** 1-input feature map (default {@link sineFeatures}). */
  features?: FeatureMap;
  preset?: 'quick' | 'paper';
  methods?: readonly LinearMethod[];
  /** Sums implementation (default CPU float64 {@link gramSums}). */
  sums?: SumsBackend;
  onProgress?: (done: number, total: number) => void;
}

/** One (dataset, method) outcome; testRmse is NaN when the fit failed (singular system). */
export interface LinearRun {
  n: number;
  repeat: number;
  method: LinearMethod;
  testRmse: number;
  validationRmse: number;
  params: Record<string, number>;
}

/** Mean, sample sd, standard error and median (over successful fits) of the test RMSE for one
 *  N and method. */
export interface LinearSummary {
  n: number;
  method: LinearMethod;
  mean: number;
  sd: number;
  /** Standard error of the mean, sd / √count. */
  se: number;
  median: number;
  count: number;
  failures: number;
}

/** Everything a run produced. */
export interface LinearExperimentResult {
  config: LinearExperimentConfig;
  methods: LinearMethod[];
  summary: LinearSummary[];
  runs: LinearRun[];
}

/** §B features: 7 Gaussian RBFs of width 1 with centres evenly spaced on [0, 2.5π], plus a constant. */
export function sineFeatures(): FeatureMap {
  return rbfFeatures(evenlySpaced(0, 2.5 * Math.PI, 7), 1);
}

/** Deterministic 32-bit seed from a base seed and integer parts (hash mix). */
export function deriveSeed(base: number, ...parts: number[]): number {
  let h = (base ^ 0x9e3779b9) >>> 0;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function checkSample(s: LinearSample, n: number, what: string): void {
  assertLength(`${what}.x`, s.x, n, 'n');
  assertLength(`${what}.y`, s.y, n, 'n');
  assertLength(`${what}.dydx`, s.dydx, n, 'n');
  assertFinite(`${what}.x`, s.x);
  assertFinite(`${what}.y`, s.y);
  assertFinite(`${what}.dydx`, s.dydx);
}

function resolveConfig(o: LinearExperimentOptions): LinearExperimentConfig {
  const base = LINEAR_PRESETS[o.preset ?? 'quick'];
  const c: LinearExperimentConfig = {
    nTrain: o.nTrain ?? base.nTrain,
    repeats: o.repeats ?? base.repeats,
    nValidation: o.nValidation ?? base.nValidation,
    lambdaGrid: o.lambdaGrid ?? base.lambdaGrid,
    gammaGrid: o.gammaGrid ?? base.gammaGrid,
    seed: o.seed ?? base.seed,
  };
  const l2 = o.lambda2Grid ?? base.lambda2Grid;
  if (l2) c.lambda2Grid = l2;
  const bgMode = o.betaGrad ?? base.betaGrad;
  if (bgMode !== undefined) {
    if (bgMode !== 'validation' && bgMode !== 'leastSquares') throw new Error(`betaGrad must be 'validation' or 'leastSquares', got '${String(bgMode)}'`);
    c.betaGrad = bgMode;
  }
  const lg = o.gradientLambdaGrid ?? base.gradientLambdaGrid;
  if (lg) c.gradientLambdaGrid = lg;
  const gr = o.gradientRidge ?? base.gradientRidge;
  if (gr !== undefined) {
    assertNonNegative('gradientRidge', gr);
    c.gradientRidge = gr;
  }
  if (c.nTrain.length === 0) throw new Error('nTrain is empty');
  c.nTrain.forEach((n, i) => assertInt(`nTrain[${i}]`, n, 1));
  assertInt('repeats', c.repeats, 1);
  assertInt('nValidation', c.nValidation, 1);
  assertInt('seed', c.seed, 0);
  return c;
}

function stats(v: number[]): { mean: number; sd: number; se: number; median: number } {
  const { mean, sd } = meanSd(v);
  return { mean, sd, se: sd / Math.sqrt(v.length), median: median(v) };
}

/** Paired difference ridge − `method` of the test RMSE per N, over the datasets where both
 *  fitted: mean, standard error and count (positive: `method` is better than ridge). */
export function pairedGain(result: Pick<LinearExperimentResult, 'config' | 'runs'>, method: LinearMethod = 'ridgeGradient1d'): { n: number; mean: number; se: number; count: number }[] {
  const rmseOf = new Map(result.runs.map((x) => [`${x.n}:${x.repeat}:${x.method}`, x.testRmse]));
  return result.config.nTrain.map((n) => {
    const d: number[] = [];
    for (let r = 0; r < result.config.repeats; r++) {
      const a = rmseOf.get(`${n}:${r}:ridge`);
      const b = rmseOf.get(`${n}:${r}:${method}`);
      if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)) d.push(a - b);
    }
    const { mean, sd } = meanSd(d);
    return { n, mean, se: sd / Math.sqrt(d.length), count: d.length };
  });
}

/** Runs the §B protocol. Throws clear errors for bad options or malformed generator output. */
export async function runLinearExperiment(o: LinearExperimentOptions): Promise<LinearExperimentResult> {
  const cfg = resolveConfig(o);
  const features = o.features ?? sineFeatures();
  if (features.inputs !== 1) throw new Error(`the sine protocol needs a 1-input feature map, got ${features.inputs} inputs`);
  const methods = [...(o.methods ?? LINEAR_METHODS)];
  for (const m of methods) if (!LINEAR_METHODS.includes(m)) throw new Error(`unknown method '${String(m)}'`);
  const sums = o.sums ?? gramSums;
  assertLength('test.y', o.test.y, o.test.x.length, 'test.x.length');
  const test = features.design(o.test.x);
  const testY = Float64Array.from(o.test.y);
  assertFinite('test.y', testY);
  const gradOpts = cfg.gradientRidge === undefined ? {} : { relativeRidge: cfg.gradientRidge };
  const fitsBetaGrad = methods.includes('ridgeGradient') || methods.includes('ridgeGradient1d');
  const lambdaGGrid = cfg.gradientLambdaGrid ?? cfg.lambdaGrid;
  const runs: LinearRun[] = [];
  const total = cfg.nTrain.length * cfg.repeats;
  let done = 0;
  for (const n of cfg.nTrain) {
    for (let r = 0; r < cfg.repeats; r++) {
      const train = o.generate(n, deriveSeed(cfg.seed, n, r, 0));
      checkSample(train, n, 'training sample');
      const valSample = o.generate(cfg.nValidation, deriveSeed(cfg.seed, n, r, 1));
      checkSample(valSample, cfg.nValidation, 'validation sample');
      const d = features.design(train.x);
      const s = await sums(d.phi, train.y, n, d.p, d.dphi, [train.dydx]);
      const valDesign = features.design(valSample.x);
      const val = { phi: valDesign.phi, y: valSample.y };
      // β_grad once per dataset for both ridge-gradient variants; a dataset where every λ_g
      // is singular fails both (NaN runs), like any other singular fit.
      let betaGrad: { beta: Float64Array; lambdaG: number } | SingularSystemError | null = null;
      if (fitsBetaGrad && (cfg.betaGrad ?? 'validation') === 'validation') {
        try {
          const g = selectGradientCoefficients(s, { dphi: valDesign.dphi, dy: [valSample.dydx] }, lambdaGGrid, gradOpts);
          betaGrad = { beta: g.beta, lambdaG: g.params.lambdaG };
        } catch (e) {
          if (!(e instanceof SingularSystemError)) throw e;
          betaGrad = e;
        }
      }
      for (const method of methods) {
        let sel: Pick<Selection<Record<string, number>>, 'beta' | 'params' | 'validationRmse'>;
        try {
          if (method === 'leastSquares') {
            const beta = fitLeastSquares(s, 0);
            sel = { beta, params: {}, validationRmse: rmse(predictLinear(val.phi, beta), val.y) };
          } else if (method === 'ridge') sel = selectRidge(s, val, cfg.lambdaGrid);
          else if (method === 'giLeastSquares') sel = selectGiLeastSquares(s, val, cfg.gammaGrid);
          else {
            if (betaGrad instanceof SingularSystemError) throw betaGrad;
            const opts = betaGrad ? { ...gradOpts, betaGrad: betaGrad.beta } : gradOpts;
            const chosen = method === 'ridgeGradient'
              ? selectRidgeGradient(s, val, cfg.lambdaGrid, cfg.lambda2Grid ?? cfg.lambdaGrid, opts)
              : selectRidgeGradient1d(s, val, cfg.lambdaGrid, opts);
            sel = betaGrad ? { ...chosen, params: { ...chosen.params, lambdaG: betaGrad.lambdaG } } : chosen;
          }
        } catch (e) {
          if (!(e instanceof SingularSystemError)) throw e;
          runs.push({ n, repeat: r, method, testRmse: NaN, validationRmse: NaN, params: {} });
          continue;
        }
        const testRmse = rmse(predictLinear(test.phi, sel.beta), testY);
        runs.push({ n, repeat: r, method, testRmse, validationRmse: sel.validationRmse, params: { ...sel.params } });
      }
      o.onProgress?.(++done, total);
    }
  }
  const summary: LinearSummary[] = [];
  for (const n of cfg.nTrain) {
    for (const method of methods) {
      const mine = runs.filter((x) => x.n === n && x.method === method);
      const ok = mine.filter((x) => Number.isFinite(x.testRmse)).map((x) => x.testRmse);
      summary.push({ n, method, ...stats(ok), count: ok.length, failures: mine.length - ok.length });
    }
  }
  return { config: cfg, methods, summary, runs };
}

/** Markdown table: one row per N, one "mean ± sd" column per method. */
export function linearSummaryMarkdown(result: LinearExperimentResult): string {
  const head = `| N | ${result.methods.join(' | ')} |\n|---|${result.methods.map(() => '---').join('|')}|`;
  const rows = result.config.nTrain.map((n) => {
    const cells = result.methods.map((m) => {
      const s = result.summary.find((x) => x.n === n && x.method === m);
      return s ? `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}` : '';
    });
    return `| ${n} | ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}
