import type { Dataset } from '../types';
import type { ParamLayout } from './layout';
import type { LossSetup } from './loss';

/** Per-column affine maps: user units u ↔ standardised units (u − mean) / scale. */
export interface Standardizer {
  xMean: Float64Array;
  xScale: Float64Array;
  yMean: Float64Array;
  yScale: Float64Array;
}

/** A column whose spread is at most this fraction of its mean varies by a few rounding steps
 *  of its values at most (2⁻²³ of a value each in float32, 2⁻⁵² in float64): noise, nothing
 *  to learn. Float64Array and number[] data keep offsets float32 would round away. */
const roundingSpread = (data: ArrayLike<number>): number => (data instanceof Float32Array ? 2 ** -20 : 2 ** -49);

function columnStats(data: ArrayLike<number>, cols: number, name: string): { mean: Float64Array; scale: Float64Array } {
  const rows = data.length / cols;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let i = 0; i < data.length; i++) mean[i % cols] += data[i] / rows;
  for (let i = 0; i < data.length; i++) scale[i % cols] += (data[i] - mean[i % cols]) ** 2 / rows;
  for (let c = 0; c < cols; c++) {
    const sd = Math.sqrt(scale[c]);
    // Any real spread is scaled to 1, however small (float32 holds 1e-13 as well as 1). A
    // constant column (e.g. the bias input of regression8d) is centred but not scaled; so is
    // one that varies only by rounding, with a warning: its variation is lost in float32.
    const rounding = sd <= roundingSpread(data) * Math.abs(mean[c]);
    if (sd > 0 && rounding) {
      console.warn(
        `[sobolev-webgpu] fit: ${name} column ${c} varies by ${sd.toPrecision(3)} around ${mean[c].toPrecision(6)}, within the rounding of its values; ` +
          'it is treated as constant. Subtract a reference value from it (or rescale it) before fitting.',
      );
    }
    scale[c] = sd > 0 && !rounding ? sd : 1;
  }
  return { mean, scale };
}

/** Output columns are scaled by at least this fraction of their RMS spread: an output that
 *  barely varies (a mostly dark pixel) must not be blown up into a huge standardised target. */
const OUTPUT_SCALE_FLOOR = 0.1;

/** Statistics of x and (when the output is linear) y; identity maps otherwise. */
export function fitStandardizer(data: Dataset, inputs: number, outputs: number, scaleOutputs: boolean): Standardizer {
  const xs = columnStats(data.x, inputs, 'x');
  const ys = scaleOutputs ? columnStats(data.y, outputs, 'y') : { mean: new Float64Array(outputs), scale: new Float64Array(outputs).fill(1) };
  if (scaleOutputs && outputs > 1) {
    const rms = Math.sqrt(ys.scale.reduce((sum, sd) => sum + sd * sd, 0) / outputs);
    ys.scale.forEach((sd, c) => (ys.scale[c] = Math.max(sd, OUTPUT_SCALE_FLOOR * rms)));
  }
  return { xMean: xs.mean, xScale: xs.scale, yMean: ys.mean, yScale: ys.scale };
}

/** The dataset in standardised units; Jacobian targets rescaled by scale_x / scale_y. */
export function standardize(data: Dataset, s: Standardizer, gradientInputs: number[]): Dataset {
  const d = s.xMean.length;
  const m = s.yMean.length;
  const g = gradientInputs.length;
  const x = Float32Array.from(data.x, (v, i) => (v - s.xMean[i % d]) / s.xScale[i % d]);
  const y = Float32Array.from(data.y, (v, i) => (v - s.yMean[i % m]) / s.yScale[i % m]);
  const dydx = data.dydx
    ? Float32Array.from(data.dydx, (v, i) => (v * s.xScale[gradientInputs[i % g]]) / s.yScale[Math.floor(i / g) % m])
    : undefined;
  return { x, y, dydx };
}

/** Rewrites flat parameters so the network on standardised data computes the same function
 *  (direction 'in'), or back to user units (direction 'out'). Exact: both maps are affine. */
export function transformParams(layout: ParamLayout, flat: Float32Array, s: Standardizer, direction: 'in' | 'out'): Float32Array<ArrayBuffer> {
  const p = Float64Array.from(flat);
  const { sizes, weightOffsets, biasOffsets } = layout;
  const L = sizes.length - 1;
  const inputLayer = (): void => {
    const fanOut = sizes[1];
    const w = weightOffsets[0];
    const b = biasOffsets[0];
    for (let i = 0; i < sizes[0]; i++) {
      for (let c = 0; c < fanOut; c++) {
        const idx = w + i * fanOut + c;
        // user: x·W + b;  standardised: x'·W' + b' with x' = (x − μ)/s  ⇒  W' = s·W, b' = b + μ·W
        if (direction === 'in') {
          p[b + c] += s.xMean[i] * p[idx];
          p[idx] *= s.xScale[i];
        } else {
          p[idx] /= s.xScale[i];
          p[b + c] -= s.xMean[i] * p[idx];
        }
      }
    }
  };
  const outputLayer = (): void => {
    const fanIn = sizes[L - 1];
    const fanOut = sizes[L];
    const w = weightOffsets[L - 1];
    const b = biasOffsets[L - 1];
    for (let c = 0; c < fanOut; c++) {
      const scale = s.yScale[c];
      const mean = s.yMean[c];
      for (let i = 0; i < fanIn; i++) p[w + i * fanOut + c] = direction === 'in' ? p[w + i * fanOut + c] / scale : p[w + i * fanOut + c] * scale;
      p[b + c] = direction === 'in' ? (p[b + c] - mean) / scale : p[b + c] * scale + mean;
    }
  };
  if (direction === 'in') {
    inputLayer();
    outputLayer();
  } else {
    outputLayer();
    inputLayer();
  }
  return Float32Array.from(p);
}

/** The weights that map a model's squared residuals in standardised units (outputs, then k ×
 *  outputs) back to the user's units, split as float32 `weights` ≤ 1 for the GPU and one
 *  float64 `scale` applied on the host: (scale_y / scale_x)² alone overflows float32 for y of
 *  order 1e19, and the loss would read as infinite at its first step. */
export function userUnitWeights(setup: Pick<LossSetup, 'k' | 'mode' | 'gradientInputs'>, m: number, scaler: Standardizer | undefined): { weights: Float32Array; scale: number } {
  const w = new Float64Array(m * (1 + setup.k)).fill(1);
  if (scaler) {
    for (let j = -1; j < setup.k; j++) {
      for (let c = 0; c < m; c++) {
        const perInput = j >= 0 && setup.mode === 'all' ? scaler.xScale[setup.gradientInputs[j]] : 1;
        w[m * (1 + j) + c] = (scaler.yScale[c] / perInput) ** 2;
      }
    }
  }
  const scale = Math.max(...w);
  return { weights: Float32Array.from(w, (v) => v / scale), scale };
}
