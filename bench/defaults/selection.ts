// How should gradientWeight 'auto' choose? Records, for each case of the defaults evaluation,
// what every candidate rule could see (cross-validation at several fold counts: held-out value
// and derivative errors per fold; each candidate's fit on all rows: its training errors) beside
// what it could not (each candidate's test error), then scores the rules on those records.
// Fits: d→16→16→1 tanh at the default budget, the cross-validation fits capped as 'auto' caps them.
//   node bench/defaults/run.mjs --script selection [--preset quick] [--folds 3,6]
//   node bench/defaults/run.mjs --script selection --from FILE       (the rules again, no fits)
//   --splits S: each fold count's cross-validation also on S − 1 more shuffles of the rows
//   ('auto' pools the first two, as the library does: give --splits 2 or more; the shuffle
//   table scores the rule on each shuffle alone and on pairs of them pooled).
//   --luck R --from FILE: fits every candidate on all rows from R more initialisations (the
//   records' cross-validation is kept), writes FILE's records with them to OUT/selection.json and
//   scores the rules without training luck (each w by its mean over the fits) as well.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createMlpGroup, GRADIENT_WEIGHT_CANDIDATES, type Context, type Dataset } from '../../src/index';
import { chooseCandidate, foldRows, SELECTION_MAX_STEPS, SHUFFLE_SEEDS } from '../../src/nn/auto-weight';
import { createNodeContext } from '../../src/node/index';
import { refForward, refJacobian, type RefMlp } from '../../src/reference/index';
import { mulberry32 } from '../../src/reference/rng';
import { takeDatasetRows } from '../../src/util/rows';
import { FUNCTIONS, sample, type TestFunction } from './functions';
import { f3, geomean, option, plotAutoVsBest } from './shared';

const out = option('out') ?? 'bench/results/defaults';
const FOLD_COUNTS = (option('folds') ?? '3,6').split(',').map(Number);
const SEEDS = (option('seeds') ?? '0,1').split(',').map(Number);
const ONLY = option('functions')?.split(',');
const REPLICATES = Number(option('replicates') ?? 0);
const SPLITS = Number(option('splits') ?? 1);
/** The cross-validation fits' step cap: the library's unless --cv-steps says otherwise. */
const CV_MAX_STEPS = Number(option('cv-steps') ?? SELECTION_MAX_STEPS);
const GRID = [...GRADIENT_WEIGHT_CANDIDATES];
const TEST_POINTS = 1000;
const HIDDEN = [16, 16];

/** Errors of one fitted model on some rows: value MSE and mean derivative MSE, each over
 *  the training targets' variance (so they add like the Huge & Savine weights). */
interface Errors {
  value: number;
  derivative: number;
}
interface CandidateRecord {
  w: number;
  /** The fit on all rows: test error (value RMSE / sd of test y), training errors, objective. */
  test: number;
  train: Errors;
  objective: number;
  steps: number;
  /** Per fold count K (FOLD_COUNTS order): each fold's held-out errors. */
  cv: Errors[][];
  /** The same on more shuffles of the rows (--splits S): shuffles[s − 1][K][fold]. */
  shuffles?: Errors[][][];
  /** Older records: the second shuffle alone. */
  cv2?: Errors[][];
  /** --luck R: test errors of R more fits on all rows from other initialisations, and their
   *  final training objectives. */
  luck?: number[];
  luckObjective?: number[];
  /** --luck R: the test error of those R fits' averaged predictions (an ensemble of R). */
  ensemble?: number;
}
interface CaseRecord {
  fn: string;
  kind: string;
  d: number;
  n: number;
  seed: number;
  candidates: CandidateRecord[];
  /** Test errors of w = 0.5 fits on the same rows from other initialisations (--replicates R):
   *  how far training luck alone moves the test error. */
  replicates?: number[];
}

const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  return Array.from(xs).reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

/** Value and derivative errors of a float64 model on rows, scaled by the training targets. */
function errorsOn(model: RefMlp, rows: Dataset, d: number, scale: { y: number; dydx: number[] }): Errors {
  const n = rows.y.length;
  const y = refForward(model, rows.x, n);
  const jac = refJacobian(model, rows.x, n);
  let value = 0;
  let derivative = 0;
  for (let i = 0; i < n; i++) {
    value += (y[i] - rows.y[i]) ** 2 / scale.y;
    for (let j = 0; j < d; j++) derivative += (jac[i * d + j] - rows.dydx![i * d + j]) ** 2 / scale.dydx[j];
  }
  return { value: value / n, derivative: derivative / (n * d) };
}

async function refModels(group: ReturnType<typeof createMlpGroup>, d: number): Promise<RefMlp[]> {
  return Promise.all(group.models.map(async (_, i) => {
    const p = await group.getParameters(i);
    return { sizes: [d, ...HIDDEN, 1], activations: ['tanh', 'tanh', 'linear'], weights: p.weights, biases: p.biases } as RefMlp;
  }));
}

/** A case's training rows and its test points. */
const rowsOf = (fn: TestFunction, n: number, seed: number) => ({ train: sample(fn, n, mulberry32(1000 * seed + n)), test: sample(fn, TEST_POINTS, mulberry32(999_999 + seed)) });
const relError = (pred: Float32Array, t: Float32Array): number => Math.sqrt(mean(pred.map((v, r) => (v - t[r]) ** 2)) / variance(t));
/** The initialisation seed of replicate r (0: the records' own fit, seeded by the case's seed). */
const replicateSeed = (seed: number, r: number): number => seed + 7919 * r;

async function runCases(ctx: Context, fn: TestFunction, n: number): Promise<CaseRecord[]> {
  const d = fn.domain.length;
  const shape = { inputs: d, outputs: 1 };
  const rows = SEEDS.map((seed) => rowsOf(fn, n, seed));
  const trains = rows.map((r) => r.train);
  const tests = rows.map((r) => r.test);
  const scales = trains.map((t) => ({ y: variance(t.y), dydx: Array.from({ length: d }, (_, j) => variance(t.dydx.filter((_, r) => r % d === j)) || 1) }));
  const records: CaseRecord[] = SEEDS.map((seed) => ({ fn: fn.name, kind: fn.kind, d, n, seed, candidates: GRID.map((w) => ({ w, test: NaN, train: { value: NaN, derivative: NaN }, objective: NaN, steps: 0, cv: [] })) }));

  // Every candidate on all rows, one group over seeds × candidates (then the replicates).
  const pairs = SEEDS.flatMap((seed, s) => GRID.map((w, c) => ({ seed, s, c, w })));
  const extra = SEEDS.flatMap((seed, s) => Array.from({ length: REPLICATES }, (_, r) => ({ seed: replicateSeed(seed, r + 1), s, c: -1, w: 0.5 })));
  const full = createMlpGroup(ctx, { inputs: d, outputs: 1, models: [...pairs, ...extra].map((p) => ({ hidden: HIDDEN, seed: p.seed })) });
  const reports = await full.fit([...pairs, ...extra].map((p) => trains[p.s]), { gradientWeight: [...pairs, ...extra].map((p) => p.w) });
  const preds = await full.predict([...pairs, ...extra].map((p) => tests[p.s].x));
  const fullModels = await refModels(full, d);
  full.destroy();
  extra.forEach((p, e) => (records[p.s].replicates ??= []).push(relError(preds[pairs.length + e], tests[p.s].y)));
  pairs.forEach((p, i) => {
    const rec = records[p.s].candidates[p.c];
    rec.test = relError(preds[i], tests[p.s].y);
    rec.train = errorsOn(fullModels[i], trains[p.s], d, scales[p.s]);
    rec.objective = reports[i].objective;
    rec.steps = reports[i].steps;
    // The float64 copy must predict what the GPU model predicts (user-unit parameters).
    const check = refForward(fullModels[i], tests[p.s].x.subarray(0, 10 * d), 10);
    check.forEach((v, r) => {
      if (Math.abs(v - preds[i][r]) > 1e-3 * (1 + Math.abs(v))) throw new Error(`reference copy disagrees with predict: ${v} vs ${preds[i][r]}`);
    });
  });

  // Cross-validation at each fold count, one group over seeds × candidates × folds.
  for (const K of FOLD_COUNTS.filter((k) => k > 0)) {
    for (let split = 0; split < SPLITS; split++) {
      const { folds, train, held } = foldRows(n, K, SHUFFLE_SEEDS[split] ?? 0x5eed + split);
      const clones = pairs.flatMap((p) => Array.from({ length: folds }, (_, f) => ({ ...p, f })));
      const group = createMlpGroup(ctx, { inputs: d, outputs: 1, models: clones.map((c) => ({ hidden: HIDDEN, seed: c.seed })) });
      await group.fit(clones.map((c) => takeDatasetRows(trains[c.s], shape, train[c.f])), { gradientWeight: clones.map((c) => c.w), maxSteps: CV_MAX_STEPS });
      const models = await refModels(group, d);
      group.destroy();
      clones.forEach((c, i) => {
        const cand = records[c.s].candidates[c.c];
        const list = split === 0 ? cand.cv : ((cand.shuffles ??= [])[split - 1] ??= []);
        if (c.f === 0) list.push([]);
        list[list.length - 1].push(errorsOn(models[i], takeDatasetRows(trains[c.s], shape, held[c.f]), d, scales[c.s]));
      });
    }
  }
  return records;
}

/** --luck R: every candidate of every case fitted on all its rows from R more
 *  initialisations (one group per function), their test errors into `luck`, their averaged
 *  predictions' into `ensemble`. */
async function fitLuck(ctx: Context, records: CaseRecord[], R: number): Promise<void> {
  for (const fn of FUNCTIONS.filter((f) => records.some((r) => r.fn === f.name))) {
    const t = performance.now();
    const mine = records.filter((r) => r.fn === fn.name);
    const fits = mine.flatMap((rec) => {
      const rows = rowsOf(fn, rec.n, rec.seed);
      return rec.candidates.flatMap((cand) => Array.from({ length: R }, (_, r) => ({ cand, seed: replicateSeed(rec.seed, r + 1), rows })));
    });
    const group = createMlpGroup(ctx, { inputs: fn.domain.length, outputs: 1, models: fits.map((f) => ({ hidden: HIDDEN, seed: f.seed })) });
    const reports = await group.fit(fits.map((f) => f.rows.train), { gradientWeight: fits.map((f) => f.cand.w) });
    const preds = await group.predict(fits.map((f) => f.rows.test.x));
    group.destroy();
    for (const cand of mine.flatMap((rec) => rec.candidates)) Object.assign(cand, { luck: [], luckObjective: [] });
    const averaged = new Map<CandidateRecord, { sum: Float32Array; y: Float32Array }>();
    fits.forEach((f, i) => {
      f.cand.luck!.push(relError(preds[i], f.rows.test.y));
      f.cand.luckObjective!.push(reports[i].objective);
      const { sum } = averaged.get(f.cand) ?? averaged.set(f.cand, { sum: new Float32Array(preds[i].length), y: f.rows.test.y }).get(f.cand)!;
      preds[i].forEach((v, j) => (sum[j] += v / R));
    });
    for (const [cand, { sum, y }] of averaged) cand.ensemble = relError(sum, y);
    console.log(`${fn.name}: ${fits.length} fits, ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
}

// ---- The rules: each maps a case's visible records (K index) to the chosen candidate index.
type Rule = (rec: CaseRecord, k: number) => number;
/** How many ratios miss the issue's 1.3× target. */
const overTarget = (xs: number[]): number => xs.filter((v) => v > 1.3).length;
const argmin = (xs: number[]): number => xs.reduce((b, x, i) => (x < xs[b] || Number.isNaN(xs[b]) ? i : b), 0);
const cvValue = (rec: CaseRecord, k: number): number[][] => rec.candidates.map((c) => c.cv[k].map((e) => e.value));
const cvSobolev = (rec: CaseRecord, k: number): number[][] => rec.candidates.map((c) => c.cv[k].map((e) => (e.value + rec.d * e.derivative) / (1 + rec.d)));
/** Whether candidate b beats candidate 0 by more than `se` standard errors fold by fold. */
function beats(perFold: number[][], b: number, se: number): boolean {
  const diffs = perFold[b].map((e, f) => e - perFold[0][f]);
  const m = mean(diffs);
  const sd = Math.sqrt(diffs.reduce((x, y) => x + (y - m) ** 2, 0) / (diffs.length - 1));
  return m + (se * sd) / Math.sqrt(diffs.length) < 0;
}
/** Every shuffle's folds: [split][candidate][fold] (split 0: `cv`). */
const shuffleFolds = (rec: CaseRecord, k: number): Errors[][][] => [rec.candidates.map((c) => c.cv[k]), ...(rec.candidates[0].shuffles ?? []).map((_, s) => rec.candidates.map((c) => c.shuffles![s][k]))];
/** Each candidate's held-out value errors over shuffles [from, to) pooled: [candidate][fold]. */
function pooledValues(rec: CaseRecord, k: number, from: number, to: number): number[][] {
  const splits = shuffleFolds(rec, k).slice(from, to);
  return rec.candidates.map((_, c) => splits.flatMap((split) => split[c].map((e) => e.value)));
}
/** 'auto''s choice (chooseCandidate) on shuffles [from, to) pooled. The library pools the first
 *  two (src/nn/auto-weight.ts SHUFFLE_SEEDS; the second shuffle's seed here is the library's);
 *  records without a second shuffle: the first alone. */
const autoOn = (rec: CaseRecord, k: number, from = 0, to = 2): number => chooseCandidate(pooledValues(rec, k, from, to)).chosen;
const RULES: Record<string, Rule> = {
  "'auto' (geometric mean over two shuffles' folds, 5 % margin over w = 0)": (r, k) => autoOn(r, k),
  "'auto' on one shuffle (the rule before: geometric mean over its folds, 5 % margin)": (r, k) => autoOn(r, k, 0, 1),
  "'auto', near-ties (within 1.25× of the best GI score) broken by held-out derivative error": (r, k) => {
    const { scores, chosen } = chooseCandidate(cvValue(r, k));
    if (chosen === 0) return 0;
    const near = scores.flatMap((s, c) => (c > 0 && s <= 1.25 * scores[chosen] ? [c] : []));
    const derivative = near.map((c) => mean(r.candidates[c].cv[k].map((e) => Math.log(e.derivative))));
    return near[argmin(derivative)];
  },
  'argmin value': (r, k) => argmin(cvValue(r, k).map(mean)),
  'argmin value, 1-SE guard vs 0': (r, k) => {
    const pf = cvValue(r, k);
    const b = argmin(pf.map(mean));
    return b === 0 || beats(pf, b, 1) ? b : 0;
  },
  'argmin Sobolev': (r, k) => argmin(cvSobolev(r, k).map(mean)),
  'GI if value CV says so (argmin), w by Sobolev CV': (r, k) => {
    const b = argmin(cvValue(r, k).map(mean));
    if (b === 0) return 0;
    const s = cvSobolev(r, k).map(mean);
    return 1 + argmin(s.slice(1));
  },
  'argmin value over log errors (geomean of folds)': (r, k) => argmin(cvValue(r, k).map((f) => mean(f.map(Math.log)))),
  'argmin log value, 1-SE guard vs 0 on log differences': (r, k) => {
    const pf = cvValue(r, k).map((f) => f.map(Math.log));
    const b = argmin(pf.map(mean));
    return b === 0 || beats(pf, b, 1) ? b : 0;
  },
  'argmin log value, GI only if it beats 0 on most folds': (r, k) => {
    const pf = cvValue(r, k);
    const b = argmin(pf.map((f) => mean(f.map(Math.log))));
    return b === 0 || pf[b].filter((e, f) => e < pf[0][f]).length * 2 > pf[b].length ? b : 0;
  },
  'argmin log value, 0.5-SE guard vs 0 on log differences': (r, k) => {
    const pf = cvValue(r, k).map((f) => f.map(Math.log));
    const b = argmin(pf.map(mean));
    return b === 0 || beats(pf, b, 0.5) ? b : 0;
  },
  'w = 0.5 unless value CV prefers 0': (r, k) => (argmin(cvValue(r, k).map(mean)) === 0 ? 0 : GRID.indexOf(0.5)),
  'GI if value CV says so, w by lowest training value error': (r, k) => {
    if (argmin(cvValue(r, k).map(mean)) === 0) return 0;
    const t = r.candidates.map((c) => c.train.value);
    return 1 + argmin(t.slice(1));
  },
  'GI if value CV says so, w by lowest training Sobolev error': (r, k) => {
    if (argmin(cvValue(r, k).map(mean)) === 0) return 0;
    const t = r.candidates.map((c) => (c.train.value + r.d * c.train.derivative) / (1 + r.d));
    return 1 + argmin(t.slice(1));
  },
  'argmin value over every fold count': (r) => argmin(r.candidates.map((c) => mean(c.cv.flat().map((e) => e.value)))),
};


/** Each function's fixed-w errors: per candidate, the geometric mean of `errors(candidate)`
 *  over the function's cases (one w for all its seeds). */
function fixedPerFunction(records: CaseRecord[], errors: (c: CandidateRecord) => number[]): Map<string, number[]> {
  const byFunction = new Map<string, number[]>();
  for (const fn of new Set(records.map((r) => r.fn))) {
    const mine = records.filter((r) => r.fn === fn);
    byFunction.set(fn, GRID.map((_, c) => geomean(mine.flatMap((r) => errors(r.candidates[c])))));
  }
  return byFunction;
}

function score(records: CaseRecord[], adapter: string): string {
  const lines = [`Adapter: ${adapter}. ${records.length} cases; fold counts ${FOLD_COUNTS.join(', ')}; test error ratio against w = 0 and against the best fixed w in hindsight.`, ''];
  // The best w per function (one w for all its seeds and N, by the geometric mean of its test errors).
  const perFunction = new Map([...fixedPerFunction(records, (c) => [c.test])].map(([fn, errors]) => [fn, argmin(errors)]));
  // The best single w for every case (what a user who fixes one w everywhere could pick in hindsight).
  const single = argmin(GRID.map((_, c) => mean(records.map((r) => Math.log(r.candidates[c].test)))));
  lines.push('| rule | folds | ÷ best: geomean | ÷ best: worst | cases > 1.3× best | ÷ w=0: geomean | ÷ w=0: worst | ÷ best w per function: geomean | worst | ÷ best single w (' + GRID[single] + '): geomean | worst |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, rule] of Object.entries(RULES)) {
    if (!records[0].candidates[0].cv.length) break;
    for (let k = 0; k < records[0].candidates[0].cv.length; k++) {
      if (name.includes('every fold count') && k > 0) continue;
      const vsBest = records.map((r) => r.candidates[rule(r, k)].test / Math.min(...r.candidates.map((c) => c.test)));
      const vsBase = records.map((r) => r.candidates[rule(r, k)].test / r.candidates[0].test);
      const vsFixed = records.map((r) => r.candidates[rule(r, k)].test / r.candidates[perFunction.get(r.fn)!].test);
      const vsSingle = records.map((r) => r.candidates[rule(r, k)].test / r.candidates[single].test);
      lines.push(`| ${name} | ${name.includes('every fold count') ? FOLD_COUNTS.join('+') : FOLD_COUNTS[k]} | ${f3(geomean(vsBest))} | ${f3(Math.max(...vsBest))} | ${overTarget(vsBest)} | ${f3(geomean(vsBase))} | ${f3(Math.max(...vsBase))} | ${f3(geomean(vsFixed))} | ${f3(Math.max(...vsFixed))} | ${f3(geomean(vsSingle))} | ${f3(Math.max(...vsSingle))} |`);
    }
  }
  // The choice's dependence on the shuffle: 'auto' on each shuffle alone, and on consecutive
  // pairs (triples) of shuffles pooled: each such selection scored like a rule above.
  const shuffles = shuffleFolds(records[0], 0).length;
  if (shuffles > 1) {
    lines.push('', `'auto' on ${FOLD_COUNTS[0]} folds of each shuffle of the rows alone and of shuffles pooled (the first fold count; one entry per selection, in shuffle order):`, '', '| shuffles pooled | ÷ best: geomean | ÷ best: worst | cases > 1.3× best | ÷ w=0: worst |', '|---:|---|---|---|---|');
    for (let p = 1; p <= Math.min(3, shuffles); p++) {
      const stats = Array.from({ length: Math.floor(shuffles / p) }, (_, g) => {
        const vsBest = records.map((r) => {
          const chosen = autoOn(r, 0, g * p, (g + 1) * p);
          return [r.candidates[chosen].test / Math.min(...r.candidates.map((c) => c.test)), r.candidates[chosen].test / r.candidates[0].test];
        });
        return [geomean(vsBest.map((v) => v[0])), Math.max(...vsBest.map((v) => v[0])), overTarget(vsBest.map((v) => v[0])), Math.max(...vsBest.map((v) => v[1]))];
      });
      lines.push(`| ${p} | ${stats.map((s) => f3(s[0])).join(', ')} | ${stats.map((s) => f3(s[1])).join(', ')} | ${stats.map((s) => s[2]).join(', ')} | ${stats.map((s) => f3(s[3])).join(', ')} |`);
    }
  }
  if (records.every((r) => r.candidates.every((c) => c.luck?.length))) lines.push('', ...withoutLuck(records));
  lines.push('', '| function | N | seed | test error by w (' + GRID.join(', ') + ') | w = 0.5, other initialisations |', '|---|---:|---:|---|---|');
  for (const r of records) lines.push(`| ${r.fn} | ${r.n} | ${r.seed} | ${r.candidates.map((c) => f3(c.test)).join(', ')} | ${(r.replicates ?? []).map(f3).join(', ')} |`);
  const spread = records.filter((r) => r.replicates?.length).map((r) => {
    const all = [r.candidates[GRID.indexOf(0.5)].test, ...r.replicates!];
    return Math.max(...all) / Math.min(...all);
  });
  // One fit ÷ the luckiest of the fits at the same w: what even the right w costs against a best-of.
  const oneVsLuckiest = records.filter((r) => r.replicates?.length).flatMap((r) => {
    const all = [r.candidates[GRID.indexOf(0.5)].test, ...r.replicates!];
    return all.map((e) => e / Math.min(...all));
  });
  if (spread.length) lines.push('', `Training luck: at w = 0.5 the worst of ${1 + Math.max(...records.map((r) => r.replicates?.length ?? 0))} initialisations ÷ the best, per case: geomean ${f3(geomean(spread))}, largest ${f3(Math.max(...spread))}; one fit ÷ the best of them: geomean ${f3(geomean(oneVsLuckiest))}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * The same scores with training luck taken out (--luck): fit r of every candidate (r = 0: the
 * records' own) is one draw of the case; each candidate's expected test error is the geometric
 * mean over its fits. Scores (geometric mean over cases, worst, cases over 1.3×):
 * - the issue's criterion on every draw: a selection's fit r ÷ the best of the candidates' fits r
 *   (the selection made once, from the records' cross-validation);
 * - the selection's expected error ÷ the best expected error (choosing well, not luck);
 * - the same criterion for the oracle that picks the best expected error (no rule can choose
 *   better than it in expectation): what the criterion leaves to luck.
 */
function withoutLuck(records: CaseRecord[]): string[] {
  const draws = 1 + records[0].candidates[0].luck!.length;
  const fitsOf = (c: CandidateRecord): number[] => [c.test, ...c.luck!];
  const expectedOf = new Map(records.map((r) => [r, r.candidates.map((c) => geomean(fitsOf(c)))]));
  const expected = (r: CaseRecord): number[] => expectedOf.get(r)!;
  // Each case's best single fit of each draw: the issue's criterion divides by it.
  const bestOfDraw = new Map(records.map((r) => [r, Array.from({ length: draws }, (_, d) => Math.min(...r.candidates.map((c) => fitsOf(c)[d])))]));
  const row = (name: string, choose: (r: CaseRecord) => number): string => {
    const perDraw = records.flatMap((r) => bestOfDraw.get(r)!.map((best, d) => fitsOf(r.candidates[choose(r)])[d] / best));
    const vsBase = records.flatMap((r) => Array.from({ length: draws }, (_, d) => fitsOf(r.candidates[choose(r)])[d] / fitsOf(r.candidates[0])[d]));
    const inExpectation = records.map((r) => expected(r)[choose(r)] / Math.min(...expected(r)));
    return `| ${name} | ${f3(geomean(perDraw))} | ${f3(Math.max(...perDraw))} | ${overTarget(perDraw)} of ${perDraw.length} | ${f3(Math.max(...vsBase))} | ${f3(geomean(inExpectation))} | ${f3(Math.max(...inExpectation))} | ${overTarget(inExpectation)} of ${records.length} |`;
  };
  const shuffles = shuffleFolds(records[0], 0).length;
  // 'auto' on consecutive groups of p shuffles pooled (p = 2: as the library pools them).
  const pooled = (p: number) => Array.from({ length: Math.floor(shuffles / p) }, (_, g) => row(`'auto', shuffle${p > 1 ? `s ${g * p + 1}–${(g + 1) * p} pooled` : ` ${g + 1} alone`}`, (r) => autoOn(r, 0, g * p, (g + 1) * p)));
  // Per function: the selection's fits over its seeds and draws against one w fixed for the
  // function (the best such w in hindsight, and w = 0), each the geometric mean of its fits.
  const fixed = fixedPerFunction(records, fitsOf);
  const perFunction = (name: string, choose: (r: CaseRecord) => number): string => {
    const ratios = [...fixed].map(([fn, errors]) => {
      const chosen = geomean(records.filter((r) => r.fn === fn).flatMap((r) => fitsOf(r.candidates[choose(r)])));
      return { fn, best: chosen / Math.min(...errors), base: chosen / errors[0] };
    });
    const worst = ratios.reduce((a, b) => (b.best > a.best ? b : a));
    return `| ${name} | ${f3(geomean(ratios.map((x) => x.best)))} | ${f3(worst.best)} (${worst.fn}) | ${overTarget(ratios.map((x) => x.best))} of ${fixed.size} | ${f3(Math.max(...ratios.map((x) => x.base)))} |`;
  };
  return [
    `Without training luck: every candidate fitted on all rows from ${draws} initialisations (the records' own and ${draws - 1} more); a candidate's expected test error is the geometric mean over them.`,
    '',
    '| selection | one fit ÷ the best fit (every draw): geomean | worst | > 1.3× | ÷ w=0 (every draw): worst | expected ÷ best expected: geomean | worst | > 1.3× |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...[1, 2, 3, 6].filter((p) => p <= shuffles).flatMap(pooled),
    row('w = 0.5', () => GRID.indexOf(0.5)),
    row('w = 0', () => 0),
    row('oracle: the best expected error', (r) => argmin(expected(r))),
    '',
    `Per function: a selection's ${draws} draws of every seed pooled (geometric mean) ÷ those of the best w fixed for the function in hindsight.`,
    '',
    '| selection | ÷ best fixed w per function: geomean | worst | > 1.3× | ÷ w=0: worst |',
    '|---|---:|---:|---:|---:|',
    perFunction("'auto', shuffles 1–2 pooled (the library's)", (r) => autoOn(r, 0)),
    perFunction('w = 0.5', () => GRID.indexOf(0.5)),
    perFunction('oracle: the best expected error', (r) => argmin(expected(r))),
    ...(records.every((r) => r.candidates.every((c) => c.ensemble !== undefined)) ? ensembles(records, bestOfDraw, fitsOf) : []),
  ];
}

/** What averaging the R extra fits' predictions of the chosen w (an ensemble) gives, against
 *  every draw's best single fit (the issue's criterion, an ensemble against one fit) and
 *  against the best w's ensemble (like against like). */
function ensembles(records: CaseRecord[], bestOfDraw: Map<CaseRecord, number[]>, fitsOf: (c: CandidateRecord) => number[]): string[] {
  const ens = (r: CaseRecord, c: number): number => r.candidates[c].ensemble!;
  const row = (name: string, choose: (r: CaseRecord) => number): string => {
    const vsSingle = records.flatMap((r) => bestOfDraw.get(r)!.map((best) => ens(r, choose(r)) / best));
    const vsBaseSingle = records.flatMap((r) => fitsOf(r.candidates[0]).map((base) => ens(r, choose(r)) / base));
    const vsEnsemble = records.map((r) => ens(r, choose(r)) / Math.min(...r.candidates.map((_, c) => ens(r, c))));
    const vsBaseEnsemble = records.map((r) => ens(r, choose(r)) / ens(r, 0));
    return `| ${name} | ${f3(geomean(vsSingle))} | ${f3(Math.max(...vsSingle))} | ${overTarget(vsSingle)} of ${vsSingle.length} | ${f3(Math.max(...vsBaseSingle))} | ${f3(geomean(vsEnsemble))} | ${f3(Math.max(...vsEnsemble))} | ${overTarget(vsEnsemble)} of ${records.length} | ${f3(Math.max(...vsBaseEnsemble))} |`;
  };
  const members = records[0].candidates[0].luck!.length;
  return [
    '',
    `An ensemble instead of one fit: each candidate's ${members} extra fits with their predictions averaged.`,
    '',
    `| selection, as an ensemble of ${members} | ÷ the best single fit (every draw): geomean | worst | > 1.3× | ÷ w=0's single fit: worst | ÷ the best w's ensemble: geomean | worst | > 1.3× | ÷ w=0's ensemble: worst |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row("'auto', shuffles 1–2 pooled (the library's)", (r) => autoOn(r, 0)),
    row('w = 0.5', () => GRID.indexOf(0.5)),
    row('w = 0', () => 0),
    row('oracle: the best ensemble', (r) => argmin(r.candidates.map((_, c) => ens(r, c)))),
  ];
}

/** The rules' table (selection.md) and, with cross-validation records, the plot of the
 *  library's rule against the best fixed w (selection.svg). */
function report(records: CaseRecord[], adapter: string): void {
  const table = score(records, adapter);
  writeFileSync(`${out}/selection.md`, table);
  console.log(table);
  if (!records[0].candidates[0].cv.length) return;
  writeFileSync(`${out}/selection.svg`, plotAutoVsBest(records.map((r) => ({
    best: Math.min(...r.candidates.map((c) => c.test)),
    auto: r.candidates[autoOn(r, 0)].test,
    smooth: r.kind === 'smooth',
    label: `${r.fn} N=${r.n} seed ${r.seed}`,
  }))));
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const from = option('from');
  if (from) {
    const saved = JSON.parse(readFileSync(from, 'utf8')) as { adapter: string; records: CaseRecord[] };
    for (const c of saved.records.flatMap((r) => r.candidates)) if (c.cv2) c.shuffles ??= [c.cv2];
    const luck = Number(option('luck') ?? 0);
    if (luck > 0) {
      const ctx = await createNodeContext({ swiftshader: 'fallback' });
      await fitLuck(ctx, saved.records, luck);
      ctx.destroy();
      writeFileSync(`${out}/selection.json`, JSON.stringify(saved, null, 1));
    }
    report(saved.records, saved.adapter);
    process.exit(0);
  }
  const ctx = await createNodeContext({ swiftshader: 'fallback' });
  const info = ctx.adapterInfo;
  const adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
  const records: CaseRecord[] = [];
  for (const fn of FUNCTIONS.filter((f) => !ONLY || ONLY.includes(f.name))) {
    const d = fn.domain.length;
    const n = d <= 2 ? 16 : 6 * d;
    const t = performance.now();
    records.push(...(await runCases(ctx, fn, n)));
    writeFileSync(`${out}/selection.json`, JSON.stringify({ adapter, records }, null, 1));
    console.log(`${fn.name} N=${n}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  ctx.destroy();
  report(records, adapter);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
