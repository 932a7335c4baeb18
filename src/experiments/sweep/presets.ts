/** The paper's NN experiments (docs/experiments.md §A) as data, in three presets:
 *  - `paper`: the table of the paper (thousands of networks: hours on software WebGPU);
 *  - `full`: every problem's full η grid at its smallest N and the paper's recipe (300 epochs)
 *    for toy2d and garch4d, with fewer time steps and repeats, sized to about 30 minutes on a
 *    2-core SwiftShader machine; regression8d's recipe (10 layers of up to 360 units, batch
 *    100, N = 2500, 8 derivative directions) costs ~20 hours there at 300 epochs, so `full`
 *    trains its full grid with 3 hidden layers for a few epochs (a check of the pipeline);
 *  - `quick`: a CI budget (fewer stages, widths, repeats and epochs, the smallest N only, and
 *    shallower networks for regression8d);
 *  - `tiny`: a smoke test of the runners (seconds).
 *  All produce the same tables and plots; the report's caveat lists what a preset changes. */
import type { TrainSettings } from '../../sweep/job';
import type { ProblemName } from './problems';

/** The presets of the main job, smallest first. */
export const PRESET_NAMES = ['tiny', 'quick', 'full', 'paper'] as const;
export type NnPreset = (typeof PRESET_NAMES)[number];

/** The preset a page was asked to run by its `?experimentsPreset=` parameter (which
 *  scripts/reproduce.mjs sets beside `preset`), when it names one, else `fallback` (the
 *  shell's choice): lets a section run `full` or `tiny` where the page shell knows only
 *  quick/paper (and rewrites `preset` to one of those). */
export function pagePreset<P extends string>(fallback: P): NnPreset | P {
  const search = (globalThis as { location?: { search?: string } }).location?.search ?? '';
  return parsePreset(new URLSearchParams(search).get('experimentsPreset')) ?? fallback;
}

/** The shard ('i/n') a page was asked to train by its `?shard=` parameter (scripts/reproduce.mjs
 *  --shard sets it), else undefined: the whole preset. */
export function pageShard(): string | undefined {
  const search = (globalThis as { location?: { search?: string } }).location?.search ?? '';
  return new URLSearchParams(search).get('shard') ?? undefined;
}

/** A preset name from user input, or null when it is not one. */
export function parsePreset(value: string | null | undefined): NnPreset | null {
  return (PRESET_NAMES as readonly string[]).includes(value ?? '') ? (value as NnPreset) : null;
}

/** One problem's sweeps: every N_train in `nTrain`, each over the η grid. */
export interface NnExperiment {
  problem: ProblemName;
  title: string;
  stages: number;
  poolSize: number;
  testSize: number;
  nTrain: number[];
  etas: number[];
  repeats: number;
  settings: TrainSettings;
  seed: number;
}

const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const recipe = { activation: 'tanh', lrDecay: 0.01, epochs: 300, jacobianMode: 'auto' } as const;

const PAPER: NnExperiment[] = [
  {
    problem: 'toy2d',
    title: 'toy2d (10 time steps, recursive rollout)',
    stages: 10,
    poolSize: 1000,
    testSize: 1000,
    nTrain: [50, 100, 300, 500, 700],
    etas: [2, 4, ...range(8, 60, 4)],
    repeats: 10,
    settings: { ...recipe, hiddenLayers: 4, outputActivation: 'linear', learningRate: 1e-3, batchSize: 10 },
    seed: 1,
  },
  {
    problem: 'garch4d',
    title: 'garch4d (5 horizons, recursive rollout)',
    stages: 5,
    poolSize: 1000,
    testSize: 1000,
    nTrain: [100, 300, 500, 700],
    etas: range(2, 70, 4),
    repeats: 5,
    settings: { ...recipe, hiddenLayers: 4, outputActivation: 'softplus', learningRate: 1e-2, batchSize: 10 },
    seed: 2,
  },
  {
    problem: 'regression8d',
    title: 'regression8d (11 inputs, GI on 8)',
    stages: 1,
    poolSize: 20000,
    testSize: 1000,
    nTrain: [2500, 5000, 7500, 10000],
    etas: range(10, 90, 10),
    repeats: 5,
    settings: { ...recipe, hiddenLayers: 10, outputActivation: 'linear', learningRate: 1e-3, batchSize: 100 },
    seed: 3,
  },
];

const QUICK: NnExperiment[] = [
  { ...PAPER[0], title: 'toy2d (3 time steps, recursive rollout)', stages: 3, nTrain: [50], etas: [2, 4, 8], repeats: 2,
    settings: { ...PAPER[0].settings, epochs: 60 } },
  { ...PAPER[2], title: 'regression8d (11 inputs, GI on 8; 3 hidden layers)', nTrain: [2500], etas: [2, 5, 10], repeats: 2,
    settings: { ...PAPER[2].settings, hiddenLayers: 3, epochs: 10 } },
  { ...PAPER[1], title: 'garch4d (2 horizons, recursive rollout)', stages: 2, nTrain: [100], etas: [2, 6, 10], repeats: 2,
    settings: { ...PAPER[1].settings, epochs: 30 } },
];

const FULL: NnExperiment[] = [
  { ...PAPER[0], title: 'toy2d (2 time steps, recursive rollout)', stages: 2, nTrain: [50], repeats: 2 },
  { ...PAPER[2], title: 'regression8d (11 inputs, GI on 8; 3 hidden layers, 4 epochs)', nTrain: [2500], repeats: 1,
    settings: { ...PAPER[2].settings, hiddenLayers: 3, epochs: 4 } },
  { ...PAPER[1], title: 'garch4d (1 horizon)', stages: 1, nTrain: [100], repeats: 1 },
];

/** A smoke test of the runners (seconds): toy2d, one stage, two widths, a few epochs. */
const TINY: NnExperiment[] = [
  { ...PAPER[0], title: 'toy2d (1 time step; a smoke test)', stages: 1, poolSize: 200, testSize: 200, nTrain: [50], etas: [2, 4], repeats: 1,
    settings: { ...PAPER[0].settings, epochs: 3 } },
];

/** The NN experiments of a preset, in report order. */
export const NN_EXPERIMENTS: Record<NnPreset, NnExperiment[]> = { tiny: TINY, quick: QUICK, full: FULL, paper: PAPER };
