import { test, expect } from '@playwright/test';
import { refAdamFit, refAdamStep, type RefMlp } from '../../src/reference/index';

// The float64 Adam oracle against values worked out by hand from Kingma & Ba's Algorithm 1
// (m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), p −= lr·m̂/(√v̂+ε)). Float64 arithmetic on a handful of
// operations: agreement to 1e-14 relative.
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));

test('refAdamStep: two steps with round numbers (β1 = 0.5, β2 = 0.75, ε = 0)', () => {
  const p = Float64Array.of(1, -3);
  const m = new Float64Array(2);
  const v = new Float64Array(2);
  const opts = { lr: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0 };
  // t = 1, g = (2, −1): m = (1, −0.5), v = (1, 0.25); m̂ = m/0.5 = (2, −1), v̂ = v/0.25 = (4, 1);
  // step = 0.1·m̂/√v̂ = (0.1, −0.1): the first step has length lr whatever the gradient's size.
  refAdamStep(p, [2, -1], m, v, 1, opts);
  close(m[0], 1);
  close(m[1], -0.5);
  close(v[0], 1);
  close(v[1], 0.25);
  close(p[0], 0.9);
  close(p[1], -2.9);
  // t = 2, g = (4, 0): m = 0.5·m + 0.5·g = (2.5, −0.25), v = 0.75·v + 0.25·g² = (4.75, 0.1875);
  // 1 − β1² = 0.75, 1 − β2² = 0.4375: m̂ = (10/3, −1/3), v̂ = (76/7, 3/7).
  refAdamStep(p, [4, 0], m, v, 2, opts);
  close(m[0], 2.5);
  close(v[0], 4.75);
  close(m[1], -0.25);
  close(v[1], 0.1875);
  close(p[0], 0.9 - (0.1 * (10 / 3)) / Math.sqrt(76 / 7));
  close(p[1], -2.9 + (0.1 * (1 / 3)) / Math.sqrt(3 / 7));
});

test('refAdamStep: ε is added to √v̂ after bias correction (default β1, β2)', () => {
  // g = ε = 1e-8 on the first step: m̂ = g, √v̂ = g, so the step is lr·g/(g + ε) = lr/2 exactly.
  // ε added to the uncorrected √v = √0.001·g instead would give a step of lr/(1 + 1/√0.001).
  const p = Float64Array.of(0);
  refAdamStep(p, [1e-8], new Float64Array(1), new Float64Array(1), 1, { lr: 0.2, epsilon: 1e-8 });
  close(p[0], -0.1);
  // Without bias correction the first step would be lr·(0.1g)/(√0.001·g + ε) ≈ 3.16·lr: not this.
  const q = Float64Array.of(0);
  refAdamStep(q, [3], new Float64Array(1), new Float64Array(1), 1, { lr: 0.2 });
  close(q[0], -0.2 * (3 / (3 + 1e-8)));
});

test('refAdamStep rejects mismatched lengths and t < 1', () => {
  const a = new Float64Array(2);
  expect(() => refAdamStep(a, [1], new Float64Array(2), new Float64Array(2), 1, { lr: 1 })).toThrow(/must match/);
  expect(() => refAdamStep(a, [1, 1], new Float64Array(2), new Float64Array(2), 0, { lr: 1 })).toThrow(/t must be/);
});

test('refAdamFit: two full-batch steps of the value-and-gradient loss on ŷ = w·x + b', () => {
  // One sample x = 1, y = 0, dy/dx = 0, w = 0.5: L = 0.5·(w + b)² + 0.5·w² (ẏ = w).
  // ∂L/∂w = (w + b) + w, ∂L/∂b = w + b.
  const model: RefMlp = { sizes: [1, 1], activations: ['linear'], weights: [[1]], biases: [[0]] };
  const r = refAdamFit(model, { x: [1], y: [0], dydx: [0] }, 1, 2, { gradientWeight: 0.5 }, { lr: 0.1 });
  // Step 1 at (w, b) = (1, 0): L = 1, g = (2, 1); m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g².
  const w1 = 1 - (0.1 * 2) / (2 + 1e-8);
  const b1 = 0 - (0.1 * 1) / (1 + 1e-8);
  // Step 2 at (w1, b1) ≈ (0.9, −0.1): g = (2·w1 + b1, w1 + b1); 1 − 0.9² = 0.19, 1 − 0.999² = 0.001999.
  const g2 = [2 * w1 + b1, w1 + b1];
  const m2 = [0.9 * 0.2 + 0.1 * g2[0], 0.9 * 0.1 + 0.1 * g2[1]];
  const v2 = [0.999 * 0.004 + 0.001 * g2[0] ** 2, 0.999 * 0.001 + 0.001 * g2[1] ** 2];
  const step = (i: number) => (0.1 * (m2[i] / 0.19)) / (Math.sqrt(v2[i] / 0.001999) + 1e-8);
  expect(r.history.length).toBe(2);
  close(r.history[0], 1);
  close(r.history[1], 0.5 * (w1 + b1) ** 2 + 0.5 * w1 ** 2);
  close(r.mlp.weights[0][0], w1 - step(0));
  close(r.mlp.biases[0][0], b1 - step(1));
  // Sanity of the hand numbers: step 2 moves w by ≈ 0.0988 (about lr, as Adam's steps are).
  expect(step(0)).toBeGreaterThan(0.09);
  expect(step(0)).toBeLessThan(0.1);
  // The input model is untouched.
  expect(model.weights[0][0]).toBe(1);
  expect(model.biases[0][0]).toBe(0);
});

test('refAdamFit: weight decay λ adds λ·w to the weight gradient, not to the bias', () => {
  // As above with λ = 3: ∂/∂w of L + ½λw² = (w + b) + w + λw = 2 + 3 = 5 at (1, 0); ∂/∂b = 1.
  // Adam's first step has length lr per coordinate whatever the gradient: take two steps.
  const model: RefMlp = { sizes: [1, 1], activations: ['linear'], weights: [[1]], biases: [[0]] };
  const r = refAdamFit(model, { x: [1], y: [0], dydx: [0] }, 1, 2, { gradientWeight: 0.5 }, { lr: 0.1, weightDecay: 3 });
  const w1 = 1 - (0.1 * 5) / (5 + 1e-8);
  const b1 = 0 - (0.1 * 1) / (1 + 1e-8);
  const g2 = [2 * w1 + b1 + 3 * w1, w1 + b1];
  const m2 = [0.9 * 0.5 + 0.1 * g2[0], 0.9 * 0.1 + 0.1 * g2[1]];
  const v2 = [0.999 * 0.025 + 0.001 * g2[0] ** 2, 0.999 * 0.001 + 0.001 * g2[1] ** 2];
  const step = (i: number) => (0.1 * (m2[i] / 0.19)) / (Math.sqrt(v2[i] / 0.001999) + 1e-8);
  close(r.mlp.weights[0][0], w1 - step(0));
  close(r.mlp.biases[0][0], b1 - step(1));
  // The history is the data loss (the penalty is not part of it).
  close(r.history[1], 0.5 * (w1 + b1) ** 2 + 0.5 * w1 ** 2);
});
