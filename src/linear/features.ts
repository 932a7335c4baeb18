/** Feature maps for linear-in-parameters models, with exact input derivatives.
 *
 *  A feature map turns inputs x (n×d, row-major) into the design matrix Φ (n×p, row-major)
 *  and one derivative design matrix Φ'_j = ∂Φ/∂x_j (n×p) per input j. */

import { assertFinite, assertInt, assertLength } from './validate';

/** Design matrices for n points: Φ and ∂Φ/∂x_j for j = 0..d−1, all row-major n×p float64. */
export interface Design {
  n: number;
  p: number;
  phi: Float64Array;
  /** dphi[j] = Φ'_j, the derivative of every feature with respect to input j. */
  dphi: Float64Array[];
}

/** A feature map with exact derivatives. */
export interface FeatureMap {
  /** Number of inputs d per point. */
  readonly inputs: number;
  /** Number of features p (columns of Φ), including the constant feature. */
  readonly p: number;
  /** Columns whose derivative is identically zero (the constant feature, column 0). */
  readonly zeroGradientColumns: readonly number[];
  /** Builds Φ and Φ'_j for x given row-major n×d (n = x.length / d). */
  design(x: ArrayLike<number>): Design;
}

function pointCount(x: ArrayLike<number>, d: number): number {
  if (x.length === 0 || x.length % d !== 0) {
    throw new RangeError(`x has length ${x.length}, which is not a positive multiple of the input count ${d}`);
  }
  assertFinite('x', x);
  return x.length / d;
}

function checkWidth(width: number): void {
  if (!Number.isFinite(width) || width <= 0) throw new RangeError(`width must be finite and > 0, got ${String(width)}`);
}

/** `k` evenly spaced values from `a` to `b` inclusive (k = 1 gives [a]). */
export function evenlySpaced(a: number, b: number, k: number): Float64Array {
  assertInt('k', k, 1);
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = k === 1 ? a : a + ((b - a) * i) / (k - 1);
  return out;
}

/** 1-D Gaussian RBF features: Φ(x) = [1, exp(−(x−c_k)²/width²)] (p = 1 + #centres) and
 *  Φ'(x) = [0, −2(x−c_k)/width² · exp(−(x−c_k)²/width²)]; {@link rbfFeaturesMulti} with one input. */
export function rbfFeatures(centres: ArrayLike<number>, width = 1): FeatureMap {
  if (centres.length === 0) throw new RangeError('rbfFeatures needs at least one centre');
  return rbfFeaturesMulti(centres, 1, width);
}

/** Gaussian RBF features on d inputs: centres is row-major k×d; Φ(x) = [1, exp(−‖x−c_k‖²/width²)]
 *  and Φ'_j(x) = [0, −2(x_j−c_kj)/width² · exp(−‖x−c_k‖²/width²)], one matrix per input j. */
export function rbfFeaturesMulti(centres: ArrayLike<number>, inputs: number, width = 1): FeatureMap {
  assertInt('inputs', inputs, 1);
  if (centres.length === 0 || centres.length % inputs !== 0) {
    throw new RangeError(`centres has length ${centres.length}, expected a positive multiple of inputs = ${inputs}`);
  }
  assertFinite('centres', centres);
  checkWidth(width);
  const c = Float64Array.from(centres);
  const k = c.length / inputs;
  const p = k + 1;
  const w2 = width * width;
  return {
    inputs,
    p,
    zeroGradientColumns: [0],
    design(x: ArrayLike<number>): Design {
      const n = pointCount(x, inputs);
      const phi = new Float64Array(n * p);
      const dphi = Array.from({ length: inputs }, () => new Float64Array(n * p));
      for (let i = 0; i < n; i++) {
        phi[i * p] = 1;
        for (let m = 0; m < k; m++) {
          let r2 = 0;
          for (let j = 0; j < inputs; j++) {
            const r = x[i * inputs + j] - c[m * inputs + j];
            r2 += r * r;
          }
          const e = Math.exp(-r2 / w2);
          phi[i * p + m + 1] = e;
          for (let j = 0; j < inputs; j++) {
            const r = x[i * inputs + j] - c[m * inputs + j];
            dphi[j][i * p + m + 1] = ((-2 * r) / w2) * e;
          }
        }
      }
      return { n, p, phi, dphi };
    },
  };
}

/** 1-D polynomial features Φ(x) = [1, x, x², …, x^degree] with Φ'(x) = [0, 1, 2x, …, degree·x^(degree−1)]. */
export function polynomialFeatures(degree: number): FeatureMap {
  assertInt('degree', degree, 0);
  const p = degree + 1;
  return {
    inputs: 1,
    p,
    zeroGradientColumns: [0],
    design(x: ArrayLike<number>): Design {
      const n = pointCount(x, 1);
      const phi = new Float64Array(n * p);
      const dphi = new Float64Array(n * p);
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        let pow = 1; // x^(k-1) while filling column k
        phi[i * p] = 1;
        for (let k = 1; k < p; k++) {
          dphi[i * p + k] = k * pow;
          pow *= xi;
          phi[i * p + k] = pow;
        }
      }
      return { n, p, phi, dphi: [dphi] };
    },
  };
}

/** Checks that a design is internally consistent (lengths n×p, finite entries); throws otherwise. */
export function checkDesign(d: Design, name = 'design'): void {
  assertInt(`${name}.n`, d.n, 1);
  assertInt(`${name}.p`, d.p, 1);
  assertLength(`${name}.phi`, d.phi, d.n * d.p, `n×p = ${d.n}×${d.p}`);
  assertFinite(`${name}.phi`, d.phi);
  d.dphi.forEach((m, j) => {
    assertLength(`${name}.dphi[${j}]`, m, d.n * d.p, `n×p = ${d.n}×${d.p}`);
    assertFinite(`${name}.dphi[${j}]`, m);
  });
}
