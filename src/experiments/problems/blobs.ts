/** Procedural renderer for the generative-image experiment (docs/experiments.md §C): one soft
 *  anisotropic Gaussian blob on an H×W grayscale image (H = W = size, 16 or 28), with exact
 *  hand-derived derivatives w.r.t. its 6 generating factors.
 *
 *  θ ∈ [0,1]⁶ maps linearly onto the factors in BLOB_FACTORS (centre cx, cy; minor-axis
 *  standard deviation s; aspect a = major/minor; angle φ; intensity I). Pixel (row i, col j)
 *  sits at (u, v) = ((j + ½)/W, (i + ½)/H), stored at index i·W + j, and
 *    image = I · exp(−½ qᵀ R D⁻² Rᵀ q),  q = (u − cx, v − cy),
 *  R the rotation by φ, D = diag(s·a, s). Ranges keep the blob well inside the frame
 *  (centre in [0.35, 0.65]², 1.5 major-axis sd ≤ 0.27). */
import type { ProblemData } from './dataset';
import { Rng } from '../../util/rng';

/** Factor ranges, in θ order: factor = lo + (hi − lo)·θ. */
export const BLOB_FACTORS = [
  { name: 'cx', lo: 0.35, hi: 0.65 },
  { name: 'cy', lo: 0.35, hi: 0.65 },
  { name: 's', lo: 0.05, hi: 0.09 },
  { name: 'aspect', lo: 1, hi: 2 },
  { name: 'angle', lo: 0, hi: Math.PI },
  { name: 'intensity', lo: 0.5, hi: 1 },
] as const;

/** Number of generating factors (length of θ). */
export const BLOB_THETA_DIM = BLOB_FACTORS.length;

export interface BlobOptions {
  /** Image side in pixels, H = W = size (default 16). */
  size?: number;
}

function sideOf(opts?: BlobOptions): number {
  const size = opts?.size ?? 16;
  if (!Number.isInteger(size) || size < 2) throw new Error(`blobs: size must be an integer ≥ 2, got ${size}`);
  return size;
}

/** Calls `pixel(p, value, grad)` for every pixel p with the float64 value and its 6 partial
 *  derivatives ∂value/∂θ (grad is reused between calls). */
function forEachPixel(
  theta: ArrayLike<number>, size: number,
  pixel: (p: number, value: number, grad: Float64Array) => void,
): void {
  const f = BLOB_FACTORS.map((r, k) => r.lo + (r.hi - r.lo) * theta[k]);
  const w = BLOB_FACTORS.map((r) => r.hi - r.lo); // dfactor/dθ
  const [cx, cy, s, a, phi, intensity] = f;
  const c = Math.cos(phi);
  const sn = Math.sin(phi);
  const s1 = s * a; // major-axis sd
  const s2 = s; // minor-axis sd
  const i1 = 1 / (s1 * s1);
  const i2 = 1 / (s2 * s2);
  const grad = new Float64Array(6);
  for (let i = 0; i < size; i++) {
    const dv = (i + 0.5) / size - cy;
    for (let j = 0; j < size; j++) {
      const du = (j + 0.5) / size - cx;
      const p1 = c * du + sn * dv; // Rᵀq
      const p2 = -sn * du + c * dv;
      const q = p1 * p1 * i1 + p2 * p2 * i2;
      const g = Math.exp(-0.5 * q);
      const value = intensity * g;
      // ∂Q/∂factor, then ∂value/∂factor = −½·value·∂Q/∂factor (geometric factors).
      const dQdcx = -2 * p1 * i1 * c + 2 * p2 * i2 * sn;
      const dQdcy = -2 * p1 * i1 * sn - 2 * p2 * i2 * c;
      const dQds1 = (-2 * p1 * p1 * i1) / s1;
      const dQds2 = (-2 * p2 * p2 * i2) / s2;
      const dQds = dQds1 * a + dQds2;
      const dQda = dQds1 * s;
      const dQdphi = 2 * p1 * p2 * (i1 - i2);
      const m = -0.5 * value;
      grad[0] = m * dQdcx * w[0];
      grad[1] = m * dQdcy * w[1];
      grad[2] = m * dQds * w[2];
      grad[3] = m * dQda * w[3];
      grad[4] = m * dQdphi * w[4];
      grad[5] = g * w[5];
      pixel(i * size + j, value, grad);
    }
  }
}

/** The image for θ (6 values in [0,1]) in float64, H·W row-major. */
export function renderBlobs64(theta: ArrayLike<number>, opts?: BlobOptions): Float64Array {
  const size = sideOf(opts);
  const out = new Float64Array(size * size);
  forEachPixel(theta, size, (p, value) => { out[p] = value; });
  return out;
}

/** The image for θ (6 values in [0,1]), H·W row-major. */
export function renderBlobs(theta: ArrayLike<number>, opts?: BlobOptions): Float32Array {
  return Float32Array.from(renderBlobs64(theta, opts));
}

/** Exact directional derivative (∂image/∂θ)·dθ in float64, H·W. */
export function renderJvp64(theta: ArrayLike<number>, dtheta: ArrayLike<number>, opts?: BlobOptions): Float64Array {
  const size = sideOf(opts);
  const out = new Float64Array(size * size);
  forEachPixel(theta, size, (p, _v, g) => {
    let acc = 0;
    for (let k = 0; k < 6; k++) acc += g[k] * dtheta[k];
    out[p] = acc;
  });
  return out;
}

/** Exact directional derivative (∂image/∂θ)·dθ, H·W. */
export function renderJvp(theta: ArrayLike<number>, dtheta: ArrayLike<number>, opts?: BlobOptions): Float32Array {
  return Float32Array.from(renderJvp64(theta, dtheta, opts));
}

/** Full Jacobian ∂image/∂θ, (H·W)×6 row-major (pixel-major, as dydx rows). */
export function renderJacobian(theta: ArrayLike<number>, opts?: BlobOptions): Float32Array {
  const size = sideOf(opts);
  const out = new Float32Array(size * size * 6);
  forEachPixel(theta, size, (p, _v, g) => { out.set(g, p * 6); });
  return out;
}

/** A blobs dataset: x n×6 (θ), y n×(H·W), dydx n×(H·W)×6 (empty when jacobian: false). */
export interface BlobsData extends ProblemData {
  /** Image side (H = W). */
  size: number;
}

export interface BlobsOptions extends BlobOptions {
  /** Number of images. */
  n: number;
  seed: number;
  /** Store the full Jacobian in dydx (default true). When false dydx is empty: use
   *  blobsProjectedTargets, which never forms J. */
  jacobian?: boolean;
}

/** n images for θ ~ U(0,1)⁶, with the full Jacobian (for small n and tests). */
export function blobsDataset(opts: BlobsOptions): BlobsData {
  const { n, seed } = opts;
  const size = sideOf(opts);
  const hw = size * size;
  const withJ = opts.jacobian ?? true;
  const rng = new Rng(seed).fork('blobs');
  const x = new Float32Array(n * 6);
  for (let k = 0; k < n * 6; k++) x[k] = rng.uniform();
  const y = new Float32Array(n * hw);
  const dydx = new Float32Array(withJ ? n * hw * 6 : 0);
  for (let i = 0; i < n; i++) {
    const theta = x.subarray(i * 6, i * 6 + 6);
    forEachPixel(theta, size, (p, value, g) => {
      y[i * hw + p] = value;
      if (withJ) dydx.set(g, (i * hw + p) * 6);
    });
  }
  return { x, y, dydx, n, inputs: 6, outputs: hw, gradientInputs: [0, 1, 2, 3, 4, 5], size };
}

/** Projected Jacobian targets J·v without forming J. x: n×6 θ rows; v: k·n×6 directions in
 *  block layout (block j holds direction j for all n rows, like the stacked tangent rows
 *  [V¹; …; Vᵏ]); returns k·n×(H·W) with out[(j·n + i)·HW + p] = Σ_m ∂y[i,p]/∂θ_m · v[j·n + i, m]. */
export function blobsProjectedTargets(
  x: Float32Array, v: Float32Array, opts?: BlobOptions & { k?: number },
): Float32Array {
  const size = sideOf(opts);
  const hw = size * size;
  const k = opts?.k ?? 1;
  const n = x.length / 6;
  if (!Number.isInteger(n) || v.length !== k * n * 6) {
    throw new Error(`blobsProjectedTargets: x must be n×6 and v k·n×6 (n=${n}, k=${k}, v.length=${v.length})`);
  }
  const out = new Float32Array(k * n * hw);
  for (let i = 0; i < n; i++) {
    forEachPixel(x.subarray(i * 6, i * 6 + 6), size, (p, _v, g) => {
      for (let j = 0; j < k; j++) {
        const d = (j * n + i) * 6;
        let acc = 0;
        for (let m = 0; m < 6; m++) acc += g[m] * v[d + m];
        out[(j * n + i) * hw + p] = acc;
      }
    });
  }
  return out;
}
