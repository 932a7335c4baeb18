import { median } from '../src/util/stats';
import type { Trainer } from './peers/types';

export interface TimingOptions {
  /** Steps of the first (compiling) run. */
  warmSteps: number;
  /** Steps of the calibration run that sizes the timed blocks. */
  calibrationSteps: number;
  /** Aim for timed blocks of about this long. */
  targetBlockMs: number;
  minSteps: number;
  maxSteps: number;
  /** Timed blocks (fewer when a block would blow `budgetMs`, never under 2). */
  repeats: number;
  /** Rough ceiling on the time of all timed blocks together. */
  budgetMs: number;
  /** Give up (SkippedError) when the warm-up or calibration step is slower than this. */
  maxMsPerStep?: number;
}

/** A size this adapter cannot run in reasonable time. */
export class SkippedError extends Error {
  constructor(readonly msPerStep: number) {
    super(`skipped: about ${(msPerStep / 1000).toFixed(1)} s per step here`);
    this.name = 'SkippedError';
  }
}

export interface Timing {
  /** Median over the timed blocks of (block time / steps). */
  msPerStep: number;
  /** Each block's ms per step. */
  blocks: number[];
  stepsPerBlock: number;
  /** The first run (compilation, pipeline creation, uploads) and its steps. */
  warmupMs: number;
  warmSteps: number;
  calibrationMsPerStep: number;
}

/** Times a trainer: warm-up, calibration, then `repeats` blocks of equal step counts, each
 *  finished on the device (Trainer.run resolves after its results are read back). */
export async function timeTrainer(trainer: Trainer, o: TimingOptions, log?: (m: string) => void): Promise<Timing> {
  let t0 = performance.now();
  await trainer.run(o.warmSteps);
  const warmupMs = performance.now() - t0;
  const limit = o.maxMsPerStep ?? Infinity;
  if (warmupMs / o.warmSteps > limit) throw new SkippedError(warmupMs / o.warmSteps);
  t0 = performance.now();
  await trainer.run(o.calibrationSteps);
  const calibrationMsPerStep = (performance.now() - t0) / o.calibrationSteps;
  if (calibrationMsPerStep > limit) throw new SkippedError(calibrationMsPerStep);
  const stepsPerBlock = Math.max(o.minSteps, Math.min(o.maxSteps, Math.round(o.targetBlockMs / calibrationMsPerStep)));
  const blockMs = stepsPerBlock * calibrationMsPerStep;
  const repeats = Math.max(2, Math.min(o.repeats, Math.floor(o.budgetMs / blockMs)));
  log?.(`warm-up ${warmupMs.toFixed(0)} ms, ~${calibrationMsPerStep.toFixed(2)} ms/step → ${repeats} blocks of ${stepsPerBlock} steps`);
  const blocks: number[] = [];
  for (let r = 0; r < repeats; r++) {
    t0 = performance.now();
    await trainer.run(stepsPerBlock);
    blocks.push((performance.now() - t0) / stepsPerBlock);
  }
  return { msPerStep: median(blocks), blocks, stepsPerBlock, warmupMs, warmSteps: o.warmSteps, calibrationMsPerStep };
}

/** A short pause between runs (lets the page's event loop and the GPU process settle). */
export const pause = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
