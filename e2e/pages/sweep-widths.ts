// Test page of sweepWidths (e2e/sweep-widths.spec.ts): the width sweep on the caller's own
// context and data, no worker pool. Exposes the engine entry and a small 2-D, 2-output dataset
// with its exact gradients.
import * as lib from '../../src/index';
import type { Dataset } from '../../src/index';
import { Rng } from '../../src/util/rng';

/** n rows of f(x) = (sin(2x₀)·cos(x₁), x₀·x₁ + ½x₁²) on [−1, 1]² with dydx (n × 2 × 2). */
export function twoOutputData(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(2 * n);
  const dydx = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    x.set([a, b], 2 * i);
    y.set([Math.sin(2 * a) * Math.cos(b), a * b + 0.5 * b * b], 2 * i);
    // Row i: output 0's gradient (∂/∂x₀, ∂/∂x₁), then output 1's.
    dydx.set([2 * Math.cos(2 * a) * Math.cos(b), -Math.sin(2 * a) * Math.sin(b), b, a + b], 4 * i);
  }
  return { x, y, dydx };
}

Object.assign(globalThis, { lib, twoOutputData, sweepWidthsReady: true });
