// Do fit's defaults converge, and does gradientWeight 'auto' choose well? On the surrogate
// test functions of bench/defaults/functions.ts, d→16→16→1 tanh, several N and seeds:
//   - the default fit (no budget options) against a long, careful fit (LONG steps, full batch,
//     lr 1e-2 decayed to 1e-4), at w = 0 and w = 0.5;
//   - 'auto' against w = 0, w = 0.5 and the best fixed w of the grid in hindsight (all default budget);
//   - what 'auto' costs against one default fit.
// Test error: value RMSE over 1000 fresh points, relative to the test values' spread.
// Built and run by bench/defaults/run.mjs (Node on Dawn: a GPU when there is one, else SwiftShader).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createMlp, createMlpGroup, GRADIENT_WEIGHT_CANDIDATES, type Context, type Dataset } from '../../src/index';
import { createNodeContext } from '../../src/node/index';
import { mulberry32 } from '../../src/reference/rng';
import { FUNCTIONS, sample, type TestFunction } from './functions';
import { f3, geomean, option, plotAutoVsBest } from './shared';

const preset = option('preset') ?? 'quick';
const out = option('out') ?? 'bench/results/defaults';
const PRESETS = {
  // Here (SwiftShader): a few functions, one seed, a shorter long fit.
  smoke: { functions: ['forrester', 'branin'], sizes: (d: number) => [Math.max(8, 4 * d)], seeds: [0], long: 2000 },
  // One N per function × 2 seeds: about half an hour on SwiftShader.
  quick: { functions: FUNCTIONS.map((f) => f.name), sizes: (d: number) => [d <= 2 ? 16 : 6 * d], seeds: [0, 1], long: 3000 },
  // Every function at a very small, a small and a comfortable N, 3 seeds (a GPU's job).
  full: { functions: FUNCTIONS.map((f) => f.name), sizes: (d: number) => [Math.max(8, 4 * d), Math.max(24, 12 * d), Math.max(60, 30 * d)], seeds: [0, 1, 2], long: 20000 },
} as const;
const chosen = PRESETS[preset as keyof typeof PRESETS];
if (!chosen) throw new Error(`unknown preset ${preset} (smoke, quick, full)`);
// --functions a,b and --sizes n,m narrow a preset (to rerun a few cases).
const only = option('functions')?.split(',');
const sizes = option('sizes')?.split(',').map(Number);
const settings = { ...chosen, functions: only ?? chosen.functions, sizes: sizes ? () => sizes : chosen.sizes };
const GRID = [...GRADIENT_WEIGHT_CANDIDATES];
const TEST_POINTS = 1000;

interface Arm {
  /** Test value RMSE relative to the test values' standard deviation. */
  error: number;
  objective: number;
  steps: number;
  stopReason: string;
  ms: number;
  w: number;
}

interface Case {
  fn: string;
  kind: string;
  d: number;
  n: number;
  seed: number;
  /** Default budget, one model per grid weight. */
  grid: Arm[];
  /** Long careful fits at w = 0 and 0.5. */
  long: Arm[];
  auto: Arm & { scores: number[] };
  /** 'auto' and one default fit at w = 0.5, each alone (the first seed of each N). */
  cost: { autoMs: number; fitMs: number } | null;
}

function relativeRmse(pred: Float32Array, y: Float32Array): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let se = 0;
  let sv = 0;
  for (let i = 0; i < y.length; i++) {
    se += (pred[i] - y[i]) ** 2;
    sv += (y[i] - mean) ** 2;
  }
  return Math.sqrt(se / sv);
}

/** Every seed of one (function, N): each arm is one grouped fit over the seeds' datasets
 *  (model i of a group trains exactly as it would alone). */
async function runCases(ctx: Context, fn: TestFunction, n: number, seeds: readonly number[]): Promise<Case[]> {
  const d = fn.domain.length;
  const trains = seeds.map((seed) => sample(fn, n, mulberry32(1000 * seed + n)));
  const tests = seeds.map((seed) => sample(fn, TEST_POINTS, mulberry32(999_999 + seed)));
  const spec = (seed: number) => ({ hidden: [16, 16], seed });
  /** Each (seed, weight) pair as one model of a group, fit with `options`; the arms per seed. */
  const arms = async (weights: readonly (number | 'auto')[], options: object): Promise<{ arms: (Arm & { scores: number[] })[][]; ms: number }> => {
    const pairs = seeds.flatMap((seed, s) => weights.map((w) => ({ seed, s, w })));
    const group = createMlpGroup(ctx, { inputs: d, outputs: 1, models: pairs.map((p) => spec(p.seed)) });
    const t = performance.now();
    const reports = await group.fit(pairs.map((p) => trains[p.s]), { ...options, gradientWeight: pairs.map((p) => p.w) });
    const ms = performance.now() - t;
    const preds = await group.predict(pairs.map((p) => tests[p.s].x));
    group.destroy();
    const result = seeds.map(() => [] as (Arm & { scores: number[] })[]);
    pairs.forEach((p, i) => {
      const r = reports[i];
      result[p.s].push({ error: relativeRmse(preds[i], tests[p.s].y), objective: r.objective, steps: r.steps, stopReason: r.stopReason, ms, w: r.gradientWeight, scores: r.selection?.scores ?? [] });
    });
    return { arms: result, ms };
  };
  const grid = await arms(GRID, {});
  const long = await arms([0, 0.5], { epochs: settings.long, batchSize: 'full', learningRate: 1e-2, lrDecay: Math.pow(100, 1 / settings.long) - 1 });
  const auto = await arms(['auto'], {});
  // The cost of 'auto' against one default fit: the first seed alone, both ways (at the
  // smallest N of each function up to 3 inputs).
  const timed = n === settings.sizes(d)[0] && d <= 2;
  const oneAuto = timed ? await timeOne(ctx, d, spec(seeds[0]), trains[0], 'auto') : NaN;
  const oneFit = timed ? await timeOne(ctx, d, spec(seeds[0]), trains[0], 0.5) : NaN;
  return seeds.map((seed, s) => ({
    fn: fn.name, kind: fn.kind, d, n, seed,
    grid: grid.arms[s], long: long.arms[s], auto: auto.arms[s][0],
    cost: s === 0 && timed ? { autoMs: oneAuto, fitMs: oneFit } : null,
  }));
}

/** Milliseconds of one lone default fit with gradient weight `w`. */
async function timeOne(ctx: Context, d: number, spec: { hidden: number[]; seed: number }, train: Dataset, w: number | 'auto'): Promise<number> {
  const mlp = createMlp(ctx, { inputs: d, outputs: 1, ...spec });
  const t = performance.now();
  await mlp.fit(train, { gradientWeight: w });
  const ms = performance.now() - t;
  mlp.destroy();
  return ms;
}


function summarise(cases: Case[], adapter: string): string {
  const lines: string[] = [];
  const w = (c: Case, weight: number): Arm => c.grid[GRID.indexOf(weight)];
  const best = (c: Case): Arm => c.grid.reduce((b, a) => (a.error < b.error ? a : b));
  lines.push(`Adapter: ${adapter}. Preset ${preset}: ${cases.length} cases, d→16→16→1 tanh, test error = value RMSE / sd(y) over ${TEST_POINTS} points; long fit = ${settings.long} full-batch steps, lr 1e-2 → 1e-4.`, '');
  lines.push('| function | d | N | seed | default w=0 (steps, objective) | long w=0 | default w=0.5 (steps, objective) | long w=0.5 | best fixed w | auto (w) | auto ÷ w=0 | auto ÷ best | auto cost ÷ one fit |');
  lines.push('|---|---:|---:|---:|---|---:|---|---:|---|---|---:|---:|---:|');
  for (const c of cases) {
    const b = best(c);
    lines.push(
      `| ${c.fn} | ${c.d} | ${c.n} | ${c.seed} | ${f3(w(c, 0).error)} (${w(c, 0).steps}, ${f3(w(c, 0).objective)}) | ${f3(c.long[0].error)} | ${f3(w(c, 0.5).error)} (${w(c, 0.5).steps}, ${f3(w(c, 0.5).objective)}) | ${f3(c.long[1].error)} | ${f3(b.error)} (${b.w}) | ${f3(c.auto.error)} (${c.auto.w}) | ${f3(c.auto.error / w(c, 0).error)} | ${f3(c.auto.error / b.error)} | ${c.cost ? f3(c.cost.autoMs / c.cost.fitMs) : ''} |`,
    );
  }
  const ratioDefault0 = cases.map((c) => w(c, 0).error / c.long[0].error);
  const ratioDefault5 = cases.map((c) => w(c, 0.5).error / c.long[1].error);
  const autoVsBase = cases.map((c) => c.auto.error / w(c, 0).error);
  const autoVsBest = cases.map((c) => c.auto.error / best(c).error);
  const autoVsHalf = cases.map((c) => c.auto.error / w(c, 0.5).error);
  const cost = cases.flatMap((c) => (c.cost ? [c.cost.autoMs / c.cost.fitMs] : []));
  lines.push('', '| summary | geomean | worst |', '|---|---:|---:|');
  lines.push(`| default ÷ long, w = 0 | ${f3(geomean(ratioDefault0))} | ${f3(Math.max(...ratioDefault0))} |`);
  lines.push(`| default ÷ long, w = 0.5 | ${f3(geomean(ratioDefault5))} | ${f3(Math.max(...ratioDefault5))} |`);
  lines.push(`| auto ÷ w = 0 | ${f3(geomean(autoVsBase))} | ${f3(Math.max(...autoVsBase))} |`);
  lines.push(`| auto ÷ w = 0.5 | ${f3(geomean(autoVsHalf))} | ${f3(Math.max(...autoVsHalf))} |`);
  lines.push(`| auto ÷ best fixed w (hindsight) | ${f3(geomean(autoVsBest))} | ${f3(Math.max(...autoVsBest))} |`);
  lines.push(`| auto's time ÷ one default fit | ${f3(geomean(cost))} | ${f3(Math.max(...cost))} |`);
  return `${lines.join('\n')}\n`;
}

/** Auto's error against the best fixed w's, one point per case. */
function plot(cases: Case[]): string {
  return plotAutoVsBest(cases.map((c) => ({ best: c.grid.reduce((b, a) => (a.error < b.error ? a : b)).error, auto: c.auto.error, smooth: c.kind === 'smooth', label: `${c.fn} N=${c.n}` })));
}

async function main(): Promise<void> {
  const from = option('from');
  if (from) {
    // Tables and plot again from a run's JSON (a run cut short keeps the cases it finished).
    const { readFileSync } = await import('node:fs');
    const saved = JSON.parse(readFileSync(from, 'utf8')) as { adapter: string; cases: Case[] };
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}/defaults.md`, summarise(saved.cases, saved.adapter));
    writeFileSync(`${out}/defaults.svg`, plot(saved.cases));
    console.log(summarise(saved.cases, saved.adapter));
    return;
  }
  const ctx = await createNodeContext({ swiftshader: 'fallback' });
  const info = ctx.adapterInfo;
  const adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
  console.log(`adapter: ${adapter}; preset ${preset}`);
  const cases: Case[] = [];
  mkdirSync(out, { recursive: true });
  for (const name of settings.functions) {
    const fn = FUNCTIONS.find((f) => f.name === name)!;
    for (const n of settings.sizes(fn.domain.length)) {
      for (const c of await runCases(ctx, fn, n, settings.seeds)) {
        cases.push(c);
        writeFileSync(`${out}/defaults.json`, JSON.stringify({ adapter, preset, cases }, null, 1)); // kept if a time limit cuts the run
        const { seed } = c;
        const w0 = c.grid[0];
        const best = c.grid.reduce((b, a) => (a.error < b.error ? a : b));
        console.log(`${fn.name} N=${n} seed=${seed}: w=0 ${f3(w0.error)} (long ${f3(c.long[0].error)}), w=0.5 ${f3(c.grid[GRID.indexOf(0.5)].error)} (long ${f3(c.long[1].error)}), best ${f3(best.error)} @${best.w}, auto ${f3(c.auto.error)} @${c.auto.w}; steps ${c.grid.map((a) => a.steps).join('/')}${c.cost ? `; alone: auto ${(c.cost.autoMs / 1000).toFixed(1)} s, one fit ${(c.cost.fitMs / 1000).toFixed(1)} s` : ''}`);
      }
    }
  }
  ctx.destroy();
  writeFileSync(`${out}/defaults.json`, JSON.stringify({ adapter, preset, cases }, null, 1));
  writeFileSync(`${out}/defaults.md`, summarise(cases, adapter));
  writeFileSync(`${out}/defaults.svg`, plot(cases));
  console.log(summarise(cases, adapter));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
