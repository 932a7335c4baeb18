/** The paper's NN experiments (EXPERIMENTS.md §A) as data, in two presets:
 *  `paper` is the table of the paper; `quick` fits a CI budget on a 2-core machine with
 *  software WebGPU (fewer stages, widths, repeats and epochs, the smallest N only, and
 *  shallower networks for regression8d). Both produce the same tables and plots. */
import type { TrainSettings } from '../../sweep/job';
import type { ProblemName } from './problems';

export type NnPreset = 'quick' | 'paper';

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

const recipe = { activation: 'tanh', lrDecay: 0.01, epochs: 300 } as const;

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

/** The NN experiments of a preset, in report order. */
export const NN_EXPERIMENTS: Record<NnPreset, NnExperiment[]> = { quick: QUICK, paper: PAPER };
