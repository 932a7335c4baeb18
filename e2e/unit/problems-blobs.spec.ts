import { test, expect } from '@playwright/test';
import { Rng } from '../../src/util/rng';
import { drawSubset } from '../../src/experiments/problems/dataset';
import {
  BLOB_FACTORS, blobsDataset, blobsProjectedTargets, renderBlobs, renderBlobs64, renderJacobian,
  renderJvp, renderJvp64,
} from '../../src/experiments/problems/blobs';

/** Max |a − e| − (atol + rtol·|e|) over all entries; ≤ 0 means close. */
function excess(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

function randomTheta(r: Rng): number[] {
  return Array.from({ length: 6 }, () => r.uniform());
}

/** Central difference of the float64 image along dθ. */
function fdImage(theta: number[], dtheta: number[], size: number, h = 1e-6): Float64Array {
  const up = renderBlobs64(theta.map((t, k) => t + h * dtheta[k]), { size });
  const dn = renderBlobs64(theta.map((t, k) => t - h * dtheta[k]), { size });
  return up.map((u, p) => (u - dn[p]) / (2 * h));
}

const unit = (k: number) => Array.from({ length: 6 }, (_, j) => (j === k ? 1 : 0));

test.describe('blobs renderer', () => {
  test('JVP matches central differences in float64 (16×16 and 28×28)', () => {
    const r = new Rng(31);
    const bad: string[] = [];
    for (const size of [16, 28]) {
      for (let trial = 0; trial < 40; trial++) {
        const theta = randomTheta(r);
        const dtheta = Array.from({ length: 6 }, () => r.normal());
        const e = excess(renderJvp64(theta, dtheta, { size }), fdImage(theta, dtheta, size), 1e-7, 1e-6);
        if (!(e <= 0)) bad.push(`size ${size} θ=${theta} dθ=${dtheta}: excess ${e}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('Jacobian columns match per-factor central differences and the JVP', () => {
    const r = new Rng(32);
    const bad: string[] = [];
    for (let trial = 0; trial < 20; trial++) {
      const theta = randomTheta(r);
      const J = renderJacobian(theta);
      expect(J.length).toBe(256 * 6);
      for (let k = 0; k < 6; k++) {
        const col = Array.from({ length: 256 }, (_, p) => J[p * 6 + k]);
        const label = `θ=${theta} factor ${BLOB_FACTORS[k].name}`;
        if (!(excess(col, fdImage(theta, unit(k), 16), 1e-6, 1e-5) <= 0)) bad.push(`${label}: vs FD`);
        if (!(excess(col, renderJvp(theta, unit(k)), 0, 0) <= 0)) bad.push(`${label}: vs JVP`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('float32 render equals the float64 render rounded; value at a known point', () => {
    const theta = [0.5, 0.5, 0.5, 0, 0, 1]; // centre (0.5, 0.5), round blob, s = 0.07, I = 1
    const img = renderBlobs(theta);
    const img64 = renderBlobs64(theta);
    expect(Array.from(img)).toEqual(Array.from(img64, Math.fround));
    // Pixel (row 8, col 8) sits at (17/32, 17/32): q = (1/32, 1/32).
    const q2 = 2 * (1 / 32) ** 2;
    expect(img64[8 * 16 + 8]).toBeCloseTo(Math.exp((-0.5 * q2) / 0.07 ** 2), 12);
    // Rotation by φ moves the major axis: aspect 2, φ = 0 stretches along u, φ = π/2 along v.
    const horiz = renderBlobs64([0.5, 0.5, 0.5, 1, 0, 1]);
    const vert = renderBlobs64([0.5, 0.5, 0.5, 1, 0.5, 1]);
    expect(horiz[8 * 16 + 13]).toBeGreaterThan(vert[8 * 16 + 13] * 5);
    expect(vert[13 * 16 + 8]).toBeGreaterThan(horiz[13 * 16 + 8] * 5);
  });

  test('images are informative: a visible peak inside, dim border, every factor acts', () => {
    const r = new Rng(33);
    const bad: string[] = [];
    let checked = 0;
    for (const size of [16, 28]) {
      for (let trial = 0; trial < 200; trial++) {
        const theta = randomTheta(r);
        const intensity = BLOB_FACTORS[5].lo + (BLOB_FACTORS[5].hi - BLOB_FACTORS[5].lo) * theta[5];
        const img = renderBlobs64(theta, { size });
        let peak = 0;
        let border = 0;
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            const v = img[i * size + j];
            peak = Math.max(peak, v);
            if (i === 0 || j === 0 || i === size - 1 || j === size - 1) border = Math.max(border, v);
          }
        }
        const label = `size ${size} θ=${theta}`;
        if (!(peak > 0.6 * intensity)) bad.push(`${label}: peak ${peak} of ${intensity}`);
        if (!(border < 0.25 * intensity)) bad.push(`${label}: border ${border} of ${intensity}`);
        if (theta[3] > 0.2) {
          const J = renderJacobian(theta, { size });
          for (let k = 0; k < 6; k++) {
            let norm = 0;
            for (let p = 0; p < size * size; p++) norm += J[p * 6 + k] ** 2;
            if (!(Math.sqrt(norm) > 1e-3)) bad.push(`${label}: factor ${k} has no effect`);
            checked++;
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });
});

test.describe('blobs dataset', () => {
  test('shapes, values and Jacobian at the stored θ, seeds', () => {
    const d = blobsDataset({ n: 12, seed: 4, size: 28 });
    const hw = 784;
    expect([d.n, d.inputs, d.outputs, d.size, d.x.length, d.y.length, d.dydx.length])
      .toEqual([12, 6, hw, 28, 72, 12 * hw, 12 * hw * 6]);
    expect(d.gradientInputs).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 12; i++) {
      const theta = Array.from(d.x.subarray(i * 6, i * 6 + 6));
      expect(theta.every((t) => t >= 0 && t < 1)).toBe(true);
      expect(excess(d.y.subarray(i * hw, (i + 1) * hw), renderBlobs(theta, { size: 28 }), 0, 0)).toBeLessThanOrEqual(0);
      const J = d.dydx.subarray(i * hw * 6, (i + 1) * hw * 6);
      expect(excess(J, renderJacobian(theta, { size: 28 }), 0, 0)).toBeLessThanOrEqual(0);
      const dtheta = [0.3, -1, 0.5, 2, -0.7, 1.1];
      const Jv = Array.from({ length: hw }, (_, p) => J.subarray(p * 6, p * 6 + 6).reduce((a, g, k) => a + g * dtheta[k], 0));
      expect(excess(Jv, fdImage(theta, dtheta, 28), 1e-5, 1e-4), `row ${i}`).toBeLessThanOrEqual(0);
    }
    const again = blobsDataset({ n: 12, seed: 4, size: 28 });
    expect(Array.from(again.dydx)).toEqual(Array.from(d.dydx));
    expect(Array.from(blobsDataset({ n: 12, seed: 5, size: 28 }).x)).not.toEqual(Array.from(d.x));
    const light = blobsDataset({ n: 12, seed: 4, size: 28, jacobian: false });
    expect(light.dydx.length).toBe(0);
    expect(Array.from(light.y)).toEqual(Array.from(d.y));
    expect(drawSubset(light, 5, new Rng(1)).dydx.length).toBe(0);
    expect(blobsDataset({ n: 3, seed: 1 }).outputs).toBe(256);
  });

  test('projected targets equal J·v in block layout, without forming J', () => {
    const n = 10;
    const k = 3;
    const d = blobsDataset({ n, seed: 6 });
    const r = new Rng(7);
    const v = Float32Array.from({ length: k * n * 6 }, () => r.normal());
    const t = blobsProjectedTargets(d.x, v, { k });
    expect(t.length).toBe(k * n * 256);
    const want = new Float64Array(k * n * 256);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < 256; p++) {
          let acc = 0;
          for (let m = 0; m < 6; m++) acc += d.dydx[(i * 256 + p) * 6 + m] * v[(j * n + i) * 6 + m];
          want[(j * n + i) * 256 + p] = acc;
        }
      }
    }
    expect(excess(t, want, 1e-6, 1e-5)).toBeLessThanOrEqual(0);
    const one = blobsProjectedTargets(d.x, v.subarray(0, n * 6));
    expect(excess(one, t.subarray(0, n * 256), 0, 0)).toBeLessThanOrEqual(0);
    expect(() => blobsProjectedTargets(d.x, v.subarray(0, 7), { k: 1 })).toThrow(/n×6/);
  });
});
