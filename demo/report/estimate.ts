// How long a preset takes, before it runs: the tiny, quick and full presets' times were measured
// with `npm start` on SwiftShader with 2 CPU cores (docs/reproduction.md); the paper preset is
// estimated from its arithmetic (multiply-adds of every training step) at the throughput grouped
// training reached there (bench/group.mjs: ~1.6 GFLOP/s). All are for software WebGPU; a real
// GPU is much faster (overheads, not FLOPs, bound the small runs).
import { NN_EXPERIMENTS, type NnExperiment } from '../../src/experiments/index';
import { GENERATIVE_PRESETS, type GenerativeConfig } from '../../src/experiments/generative/index';
import type { Preset } from '../sections/types';

/** Measured wall seconds per preset and section (SwiftShader, 2 otherwise idle cores). `full`
 *  runs the linear section as `paper` does (§B as is) and the generative one as `quick` does.
 *  tiny was timed on busy cores (73, 29 and 45 s, when quick took 298, 59 and 143 s) and is
 *  scaled by quick's ratio of idle to busy times. */
const MEASURED: Record<Exclude<Preset, 'paper'>, Record<string, number>> = {
  tiny: { nn: 25, linear: 10, generative: 15 },
  quick: { nn: 90, linear: 15, generative: 45 },
  full: { nn: 3180, linear: 17, generative: 45 },
};
const QUICK_SECONDS = MEASURED.quick;
/** FLOP/s of grouped training on SwiftShader (2 cores), bench/group.mjs. */
const SOFTWARE_FLOPS = 1.6e9;

/** Inputs and derivative-supervised inputs of a problem's stage s (0-based). */
function shape(problem: string, stage: number): { inputs: number; k: number } {
  if (problem === 'toy2d') return { inputs: stage === 0 ? 2 : 3, k: 2 };
  if (problem === 'garch4d') return { inputs: stage === 0 ? 6 : 5, k: 4 };
  return { inputs: 11, k: 8 };
}

/** Floating-point operations of one sweep grid (forward, tangents, backward ≈ 6 per weight per row). */
export function nnFlops(experiments: NnExperiment[]): number {
  let flops = 0;
  for (const e of experiments) {
    const s = e.settings;
    for (const n of e.nTrain) {
      const steps = s.epochs * Math.ceil(n / s.batchSize);
      for (const eta of e.etas) {
        const w = 4 * eta;
        for (let stage = 0; stage < e.stages; stage++) {
          const { inputs, k } = shape(e.problem, stage);
          const weights = inputs * w + (s.hiddenLayers - 1) * w * w + w;
          // baseline rows: batch; GI rows: (1 + k)·batch
          flops += e.repeats * steps * s.batchSize * (1 + (1 + k)) * 6 * weights;
        }
      }
    }
  }
  return flops;
}

export function generativeFlops(c: GenerativeConfig): number {
  let flops = 0;
  for (const size of c.sizes) {
    const sizes = [6, ...c.model.hidden, size * size];
    let weights = 0;
    for (let l = 1; l < sizes.length; l++) weights += sizes[l - 1] * sizes[l];
    const perStep = c.training.batchSize * 6 * weights;
    const models = c.repeats * c.nTrain.length;
    flops += models * c.training.steps * perStep * (1 + (1 + c.training.directions));
  }
  const k = c.kStudy;
  flops += (k.ks.reduce((a, b) => a + 1 + b, 0) + (k.full ? 7 : 0)) * c.training.steps * c.training.batchSize * 6 * (6 * 64 + 64 * 64 + 64 * k.size ** 2);
  return flops;
}

/** Estimated seconds of one section with a preset on software WebGPU (SwiftShader, 2 cores). */
export function estimateSeconds(section: string, preset: Preset): number {
  if (preset !== 'paper') return MEASURED[preset][section] ?? 60;
  if (section === 'nn') return Math.max(MEASURED.full.nn, nnFlops(NN_EXPERIMENTS.paper) / SOFTWARE_FLOPS);
  if (section === 'generative') return Math.max(QUICK_SECONDS.generative, generativeFlops(GENERATIVE_PRESETS.paper) / SOFTWARE_FLOPS);
  if (section === 'linear') return MEASURED.full.linear;
  return 60;
}

/** "45 s", "12 min", "3.4 h", "2.1 days". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
