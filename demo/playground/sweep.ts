// The width sweep on the user's data: sweepWidths over a few widths with and without GI on
// the playground's train/test split, drawn as the report draws its sweeps (test RMSE against
// width, the GI complexity bound UB and the best widths marked).
import type Chart from 'chart.js/auto';
import { sweepWidths, type Context, type Dataset, type WidthSweepResult } from '../../src/index';
import { drawSweepChart } from '../sections/nn-chart';

export interface DataSweepSettings {
  widths: number[];
  hiddenLayers: number;
  repeats: number;
  gradientWeight: number | 'auto';
  seed: number;
  inputs: number;
  gradientInputs: number[];
  /** fit's default budget when absent. */
  epochs?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

/** Runs the sweep on the given context (every network of it as one group). */
export async function runSweep(ctx: Context, data: { train: Dataset; test: Dataset }, s: DataSweepSettings): Promise<{ result: WidthSweepResult; draw(host: HTMLElement): Chart }> {
  const result = await sweepWidths(ctx, data, {
    widths: s.widths,
    hiddenLayers: s.hiddenLayers,
    repeats: s.repeats,
    gradientWeight: s.gradientWeight,
    seed: s.seed,
    inputs: s.inputs,
    outputs: 1,
    fit: { gradientInputs: s.gradientInputs, ...(s.epochs !== undefined && { epochs: s.epochs }) },
    signal: s.signal,
    onProgress: (p) => s.onProgress?.(p.fraction, `Width sweep: ${s.widths.length} widths × ${s.repeats} repeats × {baseline, GI}, epoch ${p.epoch} of ${p.epochs}`),
  });
  return {
    result,
    draw: (host) => drawSweepChart(host, 'Your data', { summary: result.summary, bound: result.bound, config: { giWeight: s.gradientWeight } }, 'η = hidden width'),
  };
}
