import { test, expect } from '@playwright/test';
import { paramLayout, joinParams, splitParams } from '../../src/nn/layout';
import { fitStandardizer, standardize, transformParams, userUnitWeights } from '../../src/nn/normalize';
import { refForward, refJacobian, refRandomArray, refRandomMlp } from '../../src/reference/index';

// fit trains in standardised units; these maps must be exact so predictions and the
// Jacobian targets speak the user's units.
for (const sizes of [[3, 1], [3, 6, 2], [2, 5, 4, 3]]) {
  test(`standardising parameters preserves the function and its Jacobian ${JSON.stringify(sizes)}`, () => {
    const L = sizes.length - 1;
    const acts = sizes.slice(1).map((_, l) => (l === L - 1 ? 'linear' : 'tanh')) as ('linear' | 'tanh')[];
    const ref = refRandomMlp(sizes, acts, 3);
    const layout = paramLayout(sizes, acts);
    const flat = joinParams(layout, ref.weights, ref.biases);
    const n = 7;
    const d = sizes[0];
    const m = sizes[L];
    const x = Float32Array.from(refRandomArray(n * d, 5, -40, 90));
    const y = Float32Array.from(refRandomArray(n * m, 6, 1000, 3000));
    const gradientInputs = Array.from({ length: d }, (_, i) => i);
    const dydx = Float32Array.from(refJacobian(ref, x, n));
    const s = fitStandardizer({ x, y }, d, m, true);
    const std = standardize({ x, y, dydx }, s, gradientInputs);
    const inside = { ...ref, ...splitParams(layout, transformParams(layout, flat, s, 'in')) };
    // Network in standardised units on standardised x = standardised outputs of the original.
    const out = refForward(inside, std.x, n);
    const expected = Array.from(refForward(ref, x, n), (v, i) => (v - s.yMean[i % m]) / s.yScale[i % m]);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    // Its Jacobian equals the rescaled Jacobian targets.
    const jac = refJacobian(inside, std.x, n);
    jac.forEach((v, i) => expect(v).toBeCloseTo(std.dydx![i], 4));
    // And back out again. The standardised first-layer bias b + μ·W is stored in float32
    // and μ is ~50 here, so the round trip of b carries ~1e-7·|μ·W| of cancellation.
    const back = transformParams(layout, transformParams(layout, flat, s, 'in'), s, 'out');
    back.forEach((v, i) => expect(Math.abs(v - flat[i])).toBeLessThan(3e-4));
  });
}

test('an output that barely varies is not blown up by standardisation', () => {
  // 3 outputs: two with spread ~1, one (a mostly dark pixel) with spread 1e-4.
  const n = 50;
  const y = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) y.set([Math.sin(i), Math.cos(i), i === 7 ? 1e-3 : 0], 3 * i);
  const s = fitStandardizer({ x: new Float32Array(n).map((_, i) => i), y }, 1, 3, true);
  // The floor is 0.1 × the RMS of the raw column spreads (the third one is ~1.4e-4).
  const rms = Math.sqrt((s.yScale[0] ** 2 + s.yScale[1] ** 2) / 3);
  expect(s.yScale[2]).toBeGreaterThanOrEqual(0.1 * rms);
  expect(s.yScale[2]).toBeLessThan(0.1 * rms * 1.001);
  expect(s.yScale[0]).toBeCloseTo(Math.sqrt(y.filter((_, i) => i % 3 === 0).reduce((a, v) => a + (v - s.yMean[0]) ** 2, 0) / n), 6);
  const std = standardize({ x: new Float32Array(n), y }, s, [0]);
  expect(Math.max(...Array.from(std.y, Math.abs))).toBeLessThan(50);
});

test('a tiny spread is standardised like any other; a spread within float32 rounding is treated as constant with a warning', () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const n = 8;
    const x = Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 7 : ((i >> 1) - 3.5) * 1e-13)); // column 1 constant
    const y = Float32Array.from({ length: n }, (_, i) => 1000 + (i % 2) * 2 ** -14); // one float32 rounding step of 1000
    const s = fitStandardizer({ x, y }, 2, 1, true);
    expect(s.xScale[0]).toBeCloseTo(2.29e-13, 15);
    expect(s.xScale[1]).toBe(1); // exactly constant: no warning
    expect(s.yScale[0]).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[sobolev-webgpu\] fit: y column 0 varies by 0\.0000305 around 1000\.00, within the rounding of its values; it is treated as constant\. Subtract/);
    // The same offset in float64 data is exact: scaled, not constant.
    expect(fitStandardizer({ x, y: Float64Array.from(y) as never }, 2, 1, true).yScale[0]).toBeCloseTo(2 ** -15, 10);
    expect(warnings).toHaveLength(1);
    const tiny = fitStandardizer({ x: Float32Array.of(0, 1e-12), y: Float32Array.of(0, 1e-12) }, 1, 1, true);
    for (const scale of [tiny.xScale[0], tiny.yScale[0]]) expect(Math.abs(scale / 5e-13 - 1)).toBeLessThan(1e-6);
  } finally {
    console.warn = warn;
  }
});

test('the loss weights back to user units stay within float32 for targets of 3e19: the scale is applied on the host', () => {
  const s = fitStandardizer({ x: Float32Array.of(-1, 1), y: Float32Array.of(-3e19, 3e19) }, 1, 1, true);
  const { weights, scale } = userUnitWeights({ k: 1, mode: 'all', gradientInputs: [0] }, 1, s);
  expect([...weights]).toEqual([1, 1]);
  expect(Math.abs(scale / 9e38 - 1)).toBeLessThan(1e-6); // (3e19)² overflows float32 (max 3.4e38)
  const mixed = userUnitWeights({ k: 1, mode: 'all', gradientInputs: [0] }, 1, fitStandardizer({ x: Float32Array.of(-2, 2), y: Float32Array.of(-3, 3) }, 1, 1, true));
  expect(mixed.scale).toBe(9);
  expect([...mixed.weights]).toEqual([1, Math.fround(0.25)]);
});
