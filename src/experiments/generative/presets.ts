// Settings of the generative-image experiment for the two presets of the main job.
import type { GeneratorModel, GeneratorTraining } from './generator';

/** Everything one run of the image experiment needs (deterministic given `seed`). */
export interface GenerativeConfig {
  /** Image sides to run (H = W). */
  sizes: number[];
  /** Training-set sizes; the sets of one repeat are nested (the first N of one pool). */
  nTrain: number[];
  /** Independent training pools (and model initialisations) per N. */
  repeats: number;
  /** Held-out θ for the test pixel RMSE. */
  testSize: number;
  /** w of the GI model (the baseline has w = 0). */
  giWeight: number;
  model: GeneratorModel;
  training: GeneratorTraining;
  /** Test images shown in the truth / baseline / GI grids (at the smallest and largest N). */
  gridCount: number;
  /** What k buys: test RMSE for each k (and full-Jacobian matching) at one N. */
  kStudy: { size: number; nTrain: number; ks: number[]; full: boolean };
  /** Step-cost measurement (see cost.ts). */
  cost: { sizes: number[]; factors?: number[]; ks: number[]; batchSize: number; steps: number; rounds?: number; epochs?: number };
  seed: number;
}

/** The `quick` preset fits in a minute or two on SwiftShader; `paper` runs the full protocol;
 *  `full` (the NN grids at their real scale) keeps this experiment at its quick size. */
export const GENERATIVE_PRESETS: Record<'tiny' | 'quick' | 'full' | 'paper', GenerativeConfig> = {
  quick: {
    sizes: [16],
    nTrain: [25, 100],
    repeats: 1,
    testSize: 200,
    giWeight: 0.5,
    model: { hidden: [64, 64], activation: 'tanh', outputActivation: 'linear' },
    training: { steps: 500, batchSize: 10, learningRate: 1e-2, lrEnd: 0.1, directions: 2 },
    gridCount: 6,
    kStudy: { size: 16, nTrain: 25, ks: [1, 2, 4], full: true },
    cost: { sizes: [16], ks: [1, 2, 4], batchSize: 10, steps: 128, epochs: 3, rounds: 1 },
    seed: 1,
  },
  get full(): GenerativeConfig {
    return this.quick;
  },
  get tiny(): GenerativeConfig {
    const q = this.quick;
    return { ...q, nTrain: [25], testSize: 50, training: { ...q.training, steps: 40 }, gridCount: 2, kStudy: { ...q.kStudy, ks: [1], full: false }, cost: { ...q.cost, ks: [1], steps: 16, epochs: 1 } };
  },
  paper: {
    sizes: [16, 28],
    nTrain: [25, 50, 100, 200, 400],
    repeats: 3,
    testSize: 500,
    giWeight: 0.5,
    model: { hidden: [64, 64], activation: 'tanh', outputActivation: 'linear' },
    training: { steps: 3000, batchSize: 10, learningRate: 1e-2, lrEnd: 0.1, directions: 2 },
    gridCount: 8,
    kStudy: { size: 16, nTrain: 50, ks: [1, 2, 4], full: true },
    cost: { sizes: [16, 28], factors: [6, 24], ks: [1, 2, 4], batchSize: 10, steps: 128, epochs: 3, rounds: 3 },
    seed: 1,
  },
};
