import { test, expect } from '@playwright/test';
import {
  SingularSystemError,
  choleskyFactor,
  choleskySolve,
  evenlySpaced,
  fitGiLeastSquares,
  fitGradientCoefficients,
  fitLeastSquares,
  fitRidgeGradient,
  gramSums,
  gramSumsSync,
  polynomialFeatures,
  predictLinear,
  rbfFeatures,
  rbfFeaturesMulti,
  rmse,
  selectGradientCoefficients,
  selectRidgeGradient1d,
  solveSpd,
} from '../../src/linear/index';
import type { FeatureMap, GramSums } from '../../src/linear/index';
import { mulberry32 } from '../../src/reference/rng';

// ---- test-only helpers (independent of src/linear) ----

function randn(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** §B-style sine data: x ~ U(0, 2.5π), y = sin x + N(0, 0.1²), dy/dx = cos x (noise-free). */
function sineData(n: number, seed: number) {
  const r = mulberry32(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const dydx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = r() * 2.5 * Math.PI;
    y[i] = Math.sin(x[i]) + 0.1 * randn(r);
    dydx[i] = Math.cos(x[i]);
  }
  return { x, y, dydx };
}

/** Independent least squares min ‖Ax − b‖ by Householder QR (A m×p row-major, m ≥ p). */
function qrLeastSquares(a: Float64Array, b: Float64Array, m: number, p: number): Float64Array {
  const r = Float64Array.from(a);
  const q = Float64Array.from(b);
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * p + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * p + k] > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = k; i < m; i++) v[i] = r[i * p + k];
    v[k] -= alpha;
    const vv = v.reduce((s, t) => s + t * t, 0);
    if (vv === 0) continue;
    for (let j = k; j < p; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i] * r[i * p + j];
      for (let i = k; i < m; i++) r[i * p + j] -= (2 * s * v[i]) / vv;
    }
    let s = 0;
    for (let i = k; i < m; i++) s += v[i] * q[i];
    for (let i = k; i < m; i++) q[i] -= (2 * s * v[i]) / vv;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = q[i];
    for (let j = i + 1; j < p; j++) s -= r[i * p + j] * x[j];
    x[i] = s / r[i * p + i];
  }
  return x;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Residual vector A x − b for A m×p. */
function residual(a: Float64Array, x: Float64Array, b: Float64Array, m: number, p: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = -b[i];
    for (let j = 0; j < p; j++) s += a[i * p + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Aᵀv for A m×p. */
function atv(a: Float64Array, v: Float64Array, m: number, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) out[j] += a[i * p + j] * v[i];
  return out;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, t) => s + t * t, 0));

async function sineSums(n: number, seed: number, f: FeatureMap = rbfFeatures(evenlySpaced(0, 2.5 * Math.PI, 7))) {
  const data = sineData(n, seed);
  const d = f.design(data.x);
  const s = await gramSums(d.phi, data.y, n, d.p, d.dphi, [data.dydx]);
  return { data, d, s };
}

// ---- features ----

test('RBF and polynomial derivatives match central finite differences', () => {
  const h = 1e-5;
  const xs = Float64Array.from([-0.7, 0, 0.3, 1.1, 2.9, 5.5, 7.8]);
  const maps: FeatureMap[] = [rbfFeatures(evenlySpaced(0, 2.5 * Math.PI, 7)), rbfFeatures([0.5, 2], 0.6), polynomialFeatures(4)];
  for (const f of maps) {
    const d = f.design(xs);
    const up = f.design(xs.map((x) => x + h)).phi;
    const dn = f.design(xs.map((x) => x - h)).phi;
    const fd = up.map((u, i) => (u - dn[i]) / (2 * h));
    expect(maxAbsDiff(d.dphi[0], fd)).toBeLessThan(1e-6 * Math.max(1, norm(fd)));
    for (let i = 0; i < xs.length; i++) {
      expect(d.phi[i * f.p]).toBe(1);
      expect(d.dphi[0][i * f.p]).toBe(0);
    }
  }
  const rb = rbfFeatures([1.5], 2).design([1.5, 3.5]);
  expect(Array.from(rb.phi)).toEqual([1, 1, 1, Math.exp(-1)]);
  expect(rb.dphi[0][3]).toBeCloseTo(-2 * 2 / 4 * Math.exp(-1), 14);
  const pd = polynomialFeatures(3).design([2]);
  expect(Array.from(pd.phi)).toEqual([1, 2, 4, 8]);
  expect(Array.from(pd.dphi[0])).toEqual([0, 1, 4, 12]);
});

test('multi-input RBF: per-input derivative matrices match finite differences', () => {
  const f = rbfFeaturesMulti([0, 0, 1, -1, 2, 0.5], 2, 1.3);
  expect(f.p).toBe(4);
  const x = Float64Array.from([0.2, -0.4, 1.7, 0.9, -1, 2]);
  const d = f.design(x);
  expect(d.dphi.length).toBe(2);
  const h = 1e-5;
  for (let j = 0; j < 2; j++) {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    for (let i = 0; i < 3; i++) {
      up[i * 2 + j] += h;
      dn[i * 2 + j] -= h;
    }
    const a = f.design(up).phi;
    const b = f.design(dn).phi;
    expect(maxAbsDiff(d.dphi[j], a.map((u, i) => (u - b[i]) / (2 * h)))).toBeLessThan(1e-8);
  }
  expect(() => f.design([1, 2, 3])).toThrow(/multiple of the input count 2/);
  expect(() => rbfFeatures([1], 0)).toThrow(/width/);
  expect(() => rbfFeatures([1]).design([NaN])).toThrow(/x\[0\] is NaN/);
});

// ---- Cholesky ----

test('Cholesky solves an SPD system to a known solution with a tiny residual', () => {
  const p = 6;
  const r = mulberry32(7);
  const m = Float64Array.from({ length: p * p }, () => randn(r));
  const a = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = i === j ? 0.5 : 0;
    for (let k = 0; k < p; k++) s += m[k * p + i] * m[k * p + j];
    a[i * p + j] = s;
  }
  const xTrue = Float64Array.from({ length: p }, (_, i) => i - 2.5);
  const b = residual(a, xTrue, new Float64Array(p), p, p);
  const x = solveSpd(a, b, p);
  expect(maxAbsDiff(x, xTrue)).toBeLessThan(1e-9);
  expect(norm(residual(a, x, b, p, p))).toBeLessThan(1e-11 * norm(b));
  const l = choleskyFactor(a, p);
  const llt = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += l[i * p + k] * l[j * p + k];
    llt[i * p + j] = s;
  }
  expect(maxAbsDiff(llt, a)).toBeLessThan(1e-12 * 10);
  expect(l[0 * p + 1]).toBe(0);
  // 2×2 by hand: [[4,2],[2,3]] x = [2,1] → x = [0.5, 0]
  expect(Array.from(solveSpd(Float64Array.from([4, 2, 2, 3]), [2, 1], 2))).toEqual([0.5, 0]);
});

test('Cholesky throws clear errors for non-SPD, singular, ill-conditioned and malformed input', () => {
  const e = (a: number[], p: number) => () => solveSpd(Float64Array.from(a), new Float64Array(p).fill(1), p);
  expect(e([1, 2, 2, 1], 2)).toThrow(SingularSystemError); // indefinite
  expect(e([1, 2, 2, 1], 2)).toThrow(/not positive definite|singular/);
  expect(e([1, 1, 1, 1], 2)).toThrow(/Cholesky pivot 1/); // singular
  expect(e([1, 1, 1, 1 + 1e-14], 2)).toThrow(SingularSystemError); // ill-conditioned
  expect(e([0, 0, 0, 0], 2)).toThrow(SingularSystemError);
  expect(e([-1, 0, 0, 2], 2)).toThrow(/pivot 0/);
  expect(e([1, NaN, NaN, 1], 2)).toThrow(/matrix\[1\] is NaN/);
  expect(e([1, 0.5, 0.4, 1], 2)).toThrow(/not symmetric/);
  expect(e([1, 0, 0], 2)).toThrow(/length 3, expected p×p = 2×2 = 4/);
  expect(() => choleskySolve(choleskyFactor(Float64Array.from([1]), 1), [Infinity], 1)).toThrow(/rhs\[0\]/);
  // Nearly-singular Gram matrices: either a finite answer or a SingularSystemError, never NaN.
  for (let k = 4; k <= 18; k++) {
    const eps = 10 ** -k;
    try {
      const x = e([1, 1, 1, 1 + eps], 2)();
      expect(x.every(Number.isFinite)).toBe(true);
    } catch (err) {
      expect(err).toBeInstanceOf(SingularSystemError);
    }
  }
});

// ---- sums ----

test('gramSums equals explicit products and validates its inputs', async () => {
  const f = rbfFeaturesMulti([0, 0, 1, 1, -1, 0.5], 2);
  const r = mulberry32(3);
  const n = 9;
  const x = Float64Array.from({ length: n * 2 }, () => 2 * r() - 1);
  const y = Float64Array.from({ length: n }, () => r());
  const dy = [Float64Array.from({ length: n }, () => r()), Float64Array.from({ length: n }, () => r())];
  const d = f.design(x);
  const p = d.p;
  const s = await gramSums(d.phi, y, n, p, d.dphi, dy);
  expect(s.g).toBe(2);
  for (let a = 0; a < p; a++) {
    let ty = 0;
    let tdy = 0;
    for (let i = 0; i < n; i++) {
      ty += d.phi[i * p + a] * y[i];
      tdy += d.dphi[0][i * p + a] * dy[0][i] + d.dphi[1][i * p + a] * dy[1][i];
    }
    expect(s.Aty[a]).toBeCloseTo(ty, 13);
    expect(s.Dty![a]).toBeCloseTo(tdy, 13);
    for (let b = 0; b < p; b++) {
      let t = 0;
      let u = 0;
      for (let i = 0; i < n; i++) {
        t += d.phi[i * p + a] * d.phi[i * p + b];
        u += d.dphi[0][i * p + a] * d.dphi[0][i * p + b] + d.dphi[1][i * p + a] * d.dphi[1][i * p + b];
      }
      expect(s.AtA[a * p + b]).toBeCloseTo(t, 13);
      expect(s.DtD![a * p + b]).toBeCloseTo(u, 13);
    }
  }
  expect(s.DtD![0]).toBe(0);
  await expect(gramSums(d.phi, y, n, p + 1)).rejects.toThrow(/phi has length 36, expected n×p = 9×5 = 45/);
  await expect(gramSums(d.phi, y.subarray(1), n, p)).rejects.toThrow(/y has length 8/);
  await expect(gramSums(d.phi, Float64Array.from(y).fill(NaN, 2, 3), n, p)).rejects.toThrow(/y\[2\] is NaN/);
  expect(() => gramSumsSync(d.phi, y, n, p, d.dphi)).toThrow(/dphi and dy must be given together/);
  expect(() => gramSumsSync(d.phi, y, n, p, d.dphi, [dy[0]])).toThrow(/2 blocks but dy has 1/);
  expect(() => gramSumsSync(d.phi, y, n, p, d.dphi, [dy[0], Float64Array.from(dy[1]).fill(Infinity)])).toThrow(/dy\[1\]\[0\] is Infinity/);
});

// ---- closed forms ----

test('ridge and GI least squares match Householder QR on the stacked problem and zero the objective gradient', async () => {
  const { data, d, s } = await sineSums(15, 11);
  const { n, p } = d;
  for (const lambda of [0, 0.3, 4]) {
    const beta = fitLeastSquares(s, lambda);
    // stacked [Φ; √λ I] vs [y; 0]
    const a = new Float64Array((n + p) * p);
    a.set(d.phi);
    const b = new Float64Array(n + p);
    b.set(data.y);
    for (let k = 0; k < p; k++) a[(n + k) * p + k] = Math.sqrt(lambda);
    const ref = qrLeastSquares(a, b, lambda > 0 ? n + p : n, p);
    expect(maxAbsDiff(beta, ref)).toBeLessThan(1e-7 * Math.max(1, norm(ref)));
  }
  for (const gamma of [0.01, 1, 25]) {
    const beta = fitGiLeastSquares(s, gamma);
    const a = new Float64Array(2 * n * p);
    a.set(d.phi);
    a.set(d.dphi[0].map((v) => v * Math.sqrt(gamma)), n * p);
    const b = new Float64Array(2 * n);
    b.set(data.y);
    b.set(data.dydx.map((v) => v * Math.sqrt(gamma)), n);
    const ref = qrLeastSquares(a, b, 2 * n, p);
    expect(maxAbsDiff(beta, ref)).toBeLessThan(1e-7 * Math.max(1, norm(ref)));
    // ∇ = 2[Φᵀ(Φβ−y) + γΦ'ᵀ(Φ'β−y')] ≈ 0 relative to its parts
    const g1 = atv(d.phi, residual(d.phi, beta, data.y, n, p), n, p);
    const g2 = atv(d.dphi[0], residual(d.dphi[0], beta, data.dydx, n, p), n, p);
    const grad = g1.map((v, i) => v + gamma * g2[i]);
    expect(norm(grad)).toBeLessThan(1e-8 * (norm(s.Aty) + gamma * norm(s.Dty!)));
  }
  // γ = 0 reduces to least squares; different γ gives a different answer (the test can tell).
  expect(maxAbsDiff(fitGiLeastSquares(s, 0), fitLeastSquares(s))).toBeLessThan(1e-12);
  expect(maxAbsDiff(fitGiLeastSquares(s, 1), fitLeastSquares(s))).toBeGreaterThan(1e-3);
});

test('β_grad: intercept 0, exact derivative least squares on the other columns', async () => {
  const { data, d, s } = await sineSums(20, 5);
  const { n, p } = d;
  const bg0 = fitGradientCoefficients(s, { relativeRidge: 0 });
  expect(bg0[0]).toBe(0);
  // reference: QR on the non-constant columns of Φ'
  const q = p - 1;
  const a = new Float64Array(n * q);
  for (let i = 0; i < n; i++) for (let k = 0; k < q; k++) a[i * q + k] = d.dphi[0][i * p + k + 1];
  const ref = qrLeastSquares(a, data.dydx, n, q);
  expect(maxAbsDiff(bg0.subarray(1), ref)).toBeLessThan(1e-7 * norm(ref));
  // default tiny ridge barely changes it; explicit column list gives the same answer
  const bg = fitGradientCoefficients(s);
  expect(maxAbsDiff(bg, bg0)).toBeLessThan(1e-5 * norm(ref));
  expect(maxAbsDiff(fitGradientCoefficients(s, { zeroGradientColumns: [0], relativeRidge: 0 }), bg0)).toBe(0);
  // derivatives are fitted well: RMSE of Φ'β_grad vs cos x is small
  expect(rmse(predictLinear(d.dphi[0], bg0), data.dydx)).toBeLessThan(0.05);
  expect(() => fitGradientCoefficients({ ...s, DtD: undefined, Dty: undefined, g: 0 })).toThrow(/needs derivative sums/);
  expect(() => fitGradientCoefficients(s, { zeroGradientColumns: [9] })).toThrow(/not a column/);
});

test('β_grad with a ridge λ_g: QR on the stacked [Φ\'; √λ_g I] system; λ_g picked on validation derivatives', async () => {
  const { data, d, s } = await sineSums(10, 11);
  const { n, p } = d;
  const q = p - 1;
  for (const lambdaG of [0.05, 1, 7]) {
    const bg = fitGradientCoefficients(s, { lambda: lambdaG, relativeRidge: 0 });
    expect(bg[0]).toBe(0);
    // reference: min ‖Φ'_free β − y'‖² + λ_g‖β‖² as least squares on n + q stacked rows
    const a = new Float64Array((n + q) * q);
    const b = new Float64Array(n + q);
    for (let i = 0; i < n; i++) for (let k = 0; k < q; k++) a[i * q + k] = d.dphi[0][i * p + k + 1];
    b.set(data.dydx);
    for (let k = 0; k < q; k++) a[(n + k) * q + k] = Math.sqrt(lambdaG);
    const ref = qrLeastSquares(a, b, n + q, q);
    expect(maxAbsDiff(bg.subarray(1), ref)).toBeLessThan(1e-9 * norm(ref));
  }
  expect(maxAbsDiff(fitGradientCoefficients(s, { lambda: 0 }), fitGradientCoefficients(s))).toBe(0);
  expect(() => fitGradientCoefficients(s, { lambda: -1 })).toThrow(/lambda/);
  // selection: the grid point with the smallest RMSE of Φ'_val β_grad against the validation derivatives
  const f = rbfFeatures(evenlySpaced(0, 2.5 * Math.PI, 7));
  const v = sineData(50, 77);
  const vd = f.design(v.x);
  const grid = [0, 0.01, 0.1, 1, 10];
  const sel = selectGradientCoefficients(s, { dphi: vd.dphi, dy: [v.dydx] }, grid);
  const scores = grid.map((l) => rmse(predictLinear(vd.dphi[0], fitGradientCoefficients(s, { lambda: l })), v.dydx));
  const best = scores.indexOf(Math.min(...scores));
  expect(sel.params.lambdaG).toBe(grid[best]);
  expect(sel.validationRmse).toBeCloseTo(scores[best], 12);
  expect(maxAbsDiff(sel.beta, fitGradientCoefficients(s, { lambda: grid[best] }))).toBe(0);
  // a different grid can pick a different λ_g (the test can tell): a grid without the winner
  const other = selectGradientCoefficients(s, { dphi: vd.dphi, dy: [v.dydx] }, grid.filter((_, i) => i !== best));
  expect(other.params.lambdaG).not.toBe(grid[best]);
  // the chosen β_grad is what the ridge-gradient selection uses when handed it
  const val = { phi: vd.phi, y: v.y };
  const r1 = selectRidgeGradient1d(s, val, [0.5, 1, 2], { betaGrad: sel.beta });
  const l = r1.params.lambda1;
  expect(maxAbsDiff(r1.beta, fitRidgeGradient(s, l, l, sel.beta))).toBeLessThan(1e-12);
  expect(() => selectGradientCoefficients(s, { dphi: [], dy: [] }, grid)).toThrow(/same positive count/);
  expect(() => selectGradientCoefficients(s, { dphi: vd.dphi, dy: [v.dydx.subarray(1)] }, grid)).toThrow(/block 0/);
  expect(() => selectRidgeGradient1d(s, val, [1], { betaGrad: new Float64Array(3) })).toThrow(/betaGrad must hold 8/);
});

test('ridge-gradient closed form zeroes the gradient of its objective; limits are right', async () => {
  const { data, d, s } = await sineSums(12, 9);
  const { n, p } = d;
  const bg = fitGradientCoefficients(s);
  for (const [l1, l2] of [[0.5, 2], [0, 3], [1e-3, 1e-3], [4, 0.1]]) {
    const beta = fitRidgeGradient(s, l1, l2);
    const g = atv(d.phi, residual(d.phi, beta, data.y, n, p), n, p).map((v, i) => v + l1 * beta[i] + l2 * (beta[i] - bg[i]));
    expect(norm(g)).toBeLessThan(1e-9 * (norm(s.Aty) + l2 * norm(bg)));
    // objective is strictly larger at perturbed β
    const obj = (b: Float64Array) =>
      norm(residual(d.phi, b, data.y, n, p)) ** 2 + l1 * norm(b) ** 2 + l2 * norm(b.map((v, i) => v - bg[i])) ** 2;
    const pert = beta.map((v, i) => v + (i === 2 ? 1e-3 : 0));
    expect(obj(pert)).toBeGreaterThan(obj(beta));
  }
  expect(maxAbsDiff(fitRidgeGradient(s, 0.7, 0), fitLeastSquares(s, 0.7))).toBeLessThan(1e-12);
  expect(maxAbsDiff(fitRidgeGradient(s, 0, 1e9), bg)).toBeLessThan(1e-5);
  expect(maxAbsDiff(fitRidgeGradient(s, 0.5, 2, bg), fitRidgeGradient(s, 0.5, 2))).toBe(0);
});

test('unregularised under-determined fits and bad hyper-parameters throw clear errors', async () => {
  const { s } = await sineSums(5, 2); // p = 8 > n = 5
  expect(() => fitLeastSquares(s, 0)).toThrow(/p = 8 features > 5 equations without regularisation/);
  expect(() => fitRidgeGradient(s, 0, 0)).toThrow(SingularSystemError);
  expect(fitLeastSquares(s, 0.1).every(Number.isFinite)).toBe(true);
  expect(fitGiLeastSquares(s, 1).every(Number.isFinite)).toBe(true); // 10 equations ≥ 8
  expect(fitRidgeGradient(s, 0, 0.5).every(Number.isFinite)).toBe(true);
  expect(() => fitLeastSquares(s, -1)).toThrow(/lambda must be a finite number ≥ 0/);
  expect(() => fitLeastSquares(s, NaN)).toThrow(/lambda/);
  expect(() => fitGiLeastSquares(s, Infinity)).toThrow(/gamma/);
  expect(() => fitRidgeGradient(s, 1, 1, new Float64Array(3))).toThrow(/betaGrad has length 3/);
  const noGrad: GramSums = { n: s.n, p: s.p, AtA: s.AtA, Aty: s.Aty, g: 0 };
  expect(() => fitGiLeastSquares(noGrad, 1)).toThrow(/needs derivative sums/);
  expect(() => predictLinear(new Float64Array(7), new Float64Array(2))).toThrow(/not a multiple/);
  expect(() => rmse([1, 2], [1])).toThrow(/equal non-empty lengths/);
  expect(rmse([1, 2], [1, 4])).toBeCloseTo(Math.sqrt(2), 15);
});
