import { expect, test } from '@playwright/test';
import { Dual, FUNCTIONS, sample } from '../../bench/defaults/functions';

// The evaluation's test functions (bench/defaults) carry exact gradients by dual numbers;
// finite differences are their truth.
test('every evaluation function is defined on its domain and its gradient matches central differences', () => {
  expect(FUNCTIONS.length).toBeGreaterThanOrEqual(8);
  let random = 0.123;
  const next = (): number => (random = (random * 9301 + 49297) % 233280 / 233280);
  for (const fn of FUNCTIONS) {
    const d = fn.domain.length;
    const { x, y, dydx } = sample(fn, 5, next);
    for (let i = 0; i < 5; i++) {
      const point = Array.from(x.subarray(i * d, (i + 1) * d), Number);
      const at = (p: number[]): number => fn.f(p.map((v) => new Dual(v, new Float64Array(d)))).v;
      expect(Number.isFinite(y[i]), `${fn.name} value`).toBe(true);
      expect(Math.abs(at(point) - y[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(y[i])));
      for (let j = 0; j < d; j++) {
        const [lo, hi] = fn.domain[j];
        const h = 1e-6 * (hi - lo);
        const plus = [...point];
        const minus = [...point];
        plus[j] += h;
        minus[j] -= h;
        const fd = (at(plus) - at(minus)) / (2 * h);
        const scale = Math.max(...Array.from(dydx.subarray(i * d, (i + 1) * d), Math.abs), 1e-3);
        expect(Math.abs(fd - dydx[i * d + j]), `${fn.name} ∂/∂x${j} at ${point.map((v) => v.toPrecision(3))}`).toBeLessThanOrEqual(2e-4 * scale);
      }
    }
  }
});
