import { test, expect } from '@playwright/test';
import { Rng } from '../../src/util/rng';
import { mean, sd } from '../../src/util/stats';
import type { ProblemData } from '../../src/experiments/problems/dataset';
import { drawSubset, drawStagedSubset } from '../../src/experiments/problems/dataset';
import { toy2d, toy2dValue, toy2dGrad, rolloutToy2d } from '../../src/experiments/problems/toy2d';
import {
  garch4d, garch4dPath, garch4dFirstStep, garch4dNextStep, rolloutGarch4d,
} from '../../src/experiments/problems/garch4d';
import { regression8d, regression8dValue, regression8dGrad } from '../../src/experiments/problems/regression8d';
import { sineData, sineGrid, SINE_X_MAX } from '../../src/experiments/problems/sine';

/** Collects failed checks and asserts once at the end: Playwright's `expect` is far too slow
 *  to call per array element. */
class Checks {
  private readonly failed: string[] = [];
  private count = 0;

  /** Records `msg()` when `cond` is false. */
  ok(cond: boolean, msg: () => string): void {
    this.count++;
    if (!cond) this.failed.push(msg());
  }

  /** |a − e| ≤ atol + rtol·|e| elementwise; records the worst entry when it fails. */
  close(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
    this.ok(actual.length === expected.length, () => `${label}: length ${actual.length} ≠ ${expected.length}`);
    let worst = -Infinity;
    let at = 0;
    for (let i = 0; i < expected.length; i++) {
      const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
      if (!(excess <= worst)) { worst = excess; at = i; }
    }
    this.ok(worst <= 0, () => `${label}: entry ${at} is ${actual[at]}, expected ${expected[at]}`);
  }

  /** Fails the test with the first failures, and guards against checking nothing. */
  done(minChecks = 1): void {
    expect(this.failed.slice(0, 8), `${this.failed.length} of ${this.count} checks failed`).toEqual([]);
    expect(this.count).toBeGreaterThanOrEqual(minChecks);
  }
}

/** Central finite difference of f: R^d → R in float64, one partial per coordinate. */
function fdGrad(f: (p: number[]) => number, p: number[], h = 1e-6): number[] {
  return p.map((_, k) => {
    const up = p.slice(); up[k] += h;
    const dn = p.slice(); dn[k] -= h;
    return (f(up) - f(dn)) / (2 * h);
  });
}

function row(a: Float32Array, width: number, i: number): number[] {
  return Array.from(a.subarray(i * width, (i + 1) * width));
}


test.describe('toy2d', () => {
  test('analytic dy_t/dθ matches central differences (float64)', () => {
    const c = new Checks();
    const r = new Rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const p = [r.uniform(0, 15), r.uniform(0, 15)];
      const t = 1 + r.int(10);
      const fd = fdGrad((q) => toy2dValue(q[0], q[1], t), p);
      c.close(toy2dGrad(p[0], p[1], t), fd, 1e-9, 1e-6, `t=${t} θ=${p}`);
    }
    c.done(400);
  });

  test('shapes, chained inputs, targets at the stored inputs', () => {
    const c = new Checks();
    const n = 300;
    const pb = toy2d({ n, seed: 5 });
    expect(pb.stages.length).toBe(10);
    expect(toy2d({ n: 4, seed: 5, steps: 3 }).stages.length).toBe(3);
    pb.stages.forEach((s, k) => {
      expect([s.inputs, s.outputs, s.n]).toEqual([k === 0 ? 2 : 3, 1, n]);
      expect([s.x.length, s.y.length, s.dydx.length]).toEqual([n * s.inputs, n, n * 2]);
      expect(s.gradientInputs).toEqual([0, 1]);
      const y64: number[] = [];
      const g64: number[] = [];
      for (let i = 0; i < n; i++) {
        const [a, b] = row(s.x, s.inputs, i);
        c.ok(a >= 0 && a < 15 && b >= 0 && b < 15, () => `θ out of range: ${a}, ${b}`);
        y64.push(toy2dValue(a, b, k + 1));
        g64.push(...toy2dGrad(a, b, k + 1));
        if (k > 0) {
          c.ok(s.x[i * 3 + 2] === pb.stages[k - 1].y[i], () => `t=${k + 1} row ${i}: input is not y_{t−1}`);
          c.ok(a === pb.stages[0].x[2 * i] && b === pb.stages[0].x[2 * i + 1], () => `t=${k + 1} row ${i}: θ differs`);
        }
      }
      c.close(s.y, y64, 1e-7, 1e-6, `y t=${k + 1}`);
      c.close(s.dydx, g64, 1e-7, 1e-6, `dydx t=${k + 1}`);
    });
    c.done(3000);
  });

  test('deterministic per seed, different seeds differ', () => {
    const a = toy2d({ n: 50, seed: 9 });
    const b = toy2d({ n: 50, seed: 9 });
    const c = toy2d({ n: 50, seed: 10 });
    expect(Array.from(a.stages[3].x)).toEqual(Array.from(b.stages[3].x));
    expect(Array.from(a.stages[3].dydx)).toEqual(Array.from(b.stages[3].dydx));
    expect(Array.from(a.stages[0].x)).not.toEqual(Array.from(c.stages[0].x));
  });

  test('rollout feeds the previous prediction, not the truth', async () => {
    const c = new Checks();
    const pb = toy2d({ n: 20, seed: 2, steps: 4 });
    // An exact model reproduces the truth; a biased one must see its own output fed back.
    const exact = await rolloutToy2d(pb, async (stage, x) => {
      const w = pb.stages[stage].inputs;
      return Float32Array.from({ length: 20 }, (_, i) => toy2dValue(x[i * w], x[i * w + 1], stage + 1));
    });
    exact.forEach((y, s) => c.close(y, pb.stages[s].y, 0, 0, `exact stage ${s}`));
    const seen: Float32Array[] = [];
    const biased = await rolloutToy2d(pb, async (stage, x) => {
      seen.push(x);
      return Float32Array.from({ length: 20 }, (_, i) => pb.stages[stage].y[i] + 0.5 * (stage + 1));
    });
    expect(seen.length).toBe(4);
    for (let s = 1; s < 4; s++) {
      for (let i = 0; i < 20; i++) {
        c.ok(seen[s][i * 3 + 2] === biased[s - 1][i], () => `stage ${s} row ${i}: previous prediction not fed`);
        c.ok(seen[s][i * 3] === pb.stages[s].x[i * 3], () => `stage ${s} row ${i}: θ changed`);
      }
    }
    c.done(120);
    expect(pb.stages[1].x[2]).toBe(pb.stages[0].y[0]); // the stored data is untouched
  });
});

test.describe('garch4d', () => {
  const draws = (r: Rng) => ({
    theta: [r.uniform(), r.uniform(), r.uniform(), r.uniform()],
    sigma0: r.gamma(0.5, 1.5) + 0.05,
    r0: r.normal(0.1, 3),
  });

  test('total dσ_h/dθ (σ₀, r₀ fixed) matches central differences of the path', () => {
    const c = new Checks();
    const r = new Rng(3);
    for (let trial = 0; trial < 100; trial++) {
      const { theta, sigma0, r0 } = draws(r);
      const path = garch4dPath(theta, sigma0, r0, 5);
      for (let h = 0; h < 5; h++) {
        const fd = fdGrad((q) => garch4dPath(q, sigma0, r0, 5).sigma[h], theta);
        c.close(path.total.subarray(h * 4, h * 4 + 4), fd, 1e-8, 1e-6, `total h=${h + 1}`);
      }
    }
    c.done(1000);
  });

  test('partial ∂σ_h/∂θ (stage inputs fixed) matches central differences of one step', () => {
    const c = new Checks();
    const r = new Rng(4);
    for (let trial = 0; trial < 100; trial++) {
      const { theta, sigma0, r0 } = draws(r);
      const path = garch4dPath(theta, sigma0, r0, 5);
      const d = r0 - theta[0];
      c.close([path.sigma[0]], [garch4dFirstStep(theta, sigma0, d)], 0, 1e-14, 'σ₁');
      const fd1 = fdGrad((q) => garch4dFirstStep(q, sigma0, d), theta);
      c.close(path.partial.subarray(0, 4), fd1, 1e-8, 1e-6, 'partial h=1');
      for (let h = 1; h < 5; h++) {
        const prev = path.sigma[h - 1];
        c.close([path.sigma[h]], [garch4dNextStep(theta, prev)], 0, 1e-14, `σ_${h + 1}`);
        const fd = fdGrad((q) => garch4dNextStep(q, prev), theta);
        c.close(path.partial.subarray(h * 4, h * 4 + 4), fd, 1e-8, 1e-6, `partial h=${h + 1}`);
      }
      // The two conventions really differ: ∂σ₁/∂μ is 0 holding r₀ − μ, not holding r₀.
      c.ok(path.partial[0] === 0 && Math.abs(path.total[0]) > 0, () => `∂σ₁/∂μ: partial ${path.partial[0]}, total ${path.total[0]}`);
    }
    c.done(2000);
  });

  test('shapes, input layout, targets at the stored inputs, sampling laws', () => {
    const c = new Checks();
    const n = 20_000;
    const pb = garch4d({ n, seed: 6 });
    expect(pb.stages.map((s) => s.inputs)).toEqual([6, 5, 5, 5, 5]);
    for (const s of pb.stages) {
      expect([s.n, s.outputs, s.x.length, s.y.length, s.dydx.length]).toEqual([n, 1, n * s.inputs, n, n * 4]);
      expect(s.gradientInputs).toEqual([0, 1, 2, 3]);
    }
    const s0 = pb.stages[0];
    const r0: number[] = [];
    const sig0: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = row(s0.x, 6, i);
      c.ok(x.slice(0, 4).every((v) => v >= 0 && v < 1), () => `θ out of range: ${x}`);
      c.ok(x[4] > 0, () => `σ₀ = ${x[4]}`);
      r0.push(x[5] + x[0]);
      sig0.push(x[4]);
      const path = garch4dPath(x.slice(0, 4), x[4], x[0] + x[5], 5);
      pb.stages.forEach((s, h) => {
        c.ok(s.y[i] > 0, () => `σ_${h + 1} = ${s.y[i]}`);
        if (i >= 500) return;
        c.close([s.y[i]], [path.sigma[h]], 0, 1e-6, `y h=${h + 1}`);
        c.close(row(s.dydx, 4, i), path.total.subarray(h * 4, h * 4 + 4), 1e-6, 1e-5, `dydx h=${h + 1}`);
        if (h > 0) {
          c.ok(row(s.x, 5, i).slice(0, 4).every((v, j) => v === x[j]), () => `h=${h + 1} row ${i}: θ differs`);
          c.ok(s.x[i * 5 + 4] === pb.stages[h - 1].y[i], () => `h=${h + 1} row ${i}: input is not σ_{h−1}`);
        }
      });
    }
    c.done(100_000);
    expect(Math.abs(mean(sig0) - 0.75)).toBeLessThan(0.04); // Gamma(0.5, 1.5), SE 0.0075
    expect(Math.abs(mean(r0) - 0.1)).toBeLessThan(0.1); // SE 0.021
    expect(Math.abs(sd(r0) - 3)).toBeLessThan(0.1);
  });

  test("derivative: 'partial' stores the stage-wise partials; seeds", () => {
    const c = new Checks();
    const tot = garch4d({ n: 100, seed: 8 });
    const par = garch4d({ n: 100, seed: 8, derivative: 'partial' });
    expect(Array.from(par.stages[2].x)).toEqual(Array.from(tot.stages[2].x));
    expect(Array.from(par.stages[2].dydx)).not.toEqual(Array.from(tot.stages[2].dydx));
    for (let i = 0; i < 100; i++) {
      const x = row(tot.stages[0].x, 6, i);
      const path = garch4dPath(x.slice(0, 4), x[4], x[0] + x[5], 5);
      for (let h = 0; h < 5; h++) {
        c.close(row(par.stages[h].dydx, 4, i), path.partial.subarray(h * 4, h * 4 + 4), 1e-6, 1e-5, `partial h=${h + 1}`);
      }
    }
    c.done(1000);
    expect(Array.from(garch4d({ n: 100, seed: 8 }).stages[4].dydx)).toEqual(Array.from(tot.stages[4].dydx));
    expect(Array.from(garch4d({ n: 100, seed: 9 }).stages[0].x)).not.toEqual(Array.from(tot.stages[0].x));
  });

  test('rollout replaces σ_{h−1} by the previous prediction', async () => {
    const c = new Checks();
    const pb = garch4d({ n: 10, seed: 1 });
    const seen: Float32Array[] = [];
    const preds = await rolloutGarch4d(pb, async (stage, x) => {
      seen.push(x);
      return Float32Array.from({ length: 10 }, (_, i) => stage + i / 10);
    });
    expect(preds.length).toBe(5);
    expect(Array.from(seen[0])).toEqual(Array.from(pb.stages[0].x));
    for (let h = 1; h < 5; h++) {
      for (let i = 0; i < 10; i++) {
        c.ok(seen[h][i * 5 + 4] === preds[h - 1][i], () => `h=${h + 1} row ${i}: previous prediction not fed`);
      }
    }
    c.done(40);
    await expect(rolloutGarch4d(pb, async () => new Float32Array(3))).rejects.toThrow(/expected 10/);
  });
});

test.describe('regression8d', () => {
  test('analytic ∂y/∂θ matches central differences (float64)', () => {
    const c = new Checks();
    const r = new Rng(21);
    for (let trial = 0; trial < 200; trial++) {
      const theta = Array.from({ length: 8 }, () => r.uniform(-0.5, 0.5));
      const x1 = r.normal();
      const x2 = r.normal();
      const fd = fdGrad((q) => regression8dValue(q, x1, x2), theta);
      c.close(regression8dGrad(theta, x1, x2), fd, 1e-9, 1e-6, `θ=${theta}`);
    }
    c.done(400);
  });

  test('value formula (1-indexed θ) at a hand-checked point', () => {
    const theta = [0.9, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const want = 0.6 * 0.2 * Math.exp(0.3 * (1 - 0.1)) + 0.7 * 0.4 * Math.exp(0.5 * (-1 - 0.2)) + 0.8;
    expect(regression8dValue(theta, 1, -1)).toBeCloseTo(want, 14);
  });

  test('shapes, input layout, targets, seeds', () => {
    const c = new Checks();
    const n = 5000;
    const pb = regression8d({ n, seed: 4 });
    expect(pb.stages.length).toBe(1);
    const s = pb.stages[0];
    expect([s.inputs, s.outputs, s.x.length, s.y.length, s.dydx.length]).toEqual([11, 1, n * 11, n, n * 8]);
    expect(s.gradientInputs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const x1s: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = row(s.x, 11, i);
      c.ok(x.slice(0, 8).every((v) => v >= -0.5 && v < 0.5), () => `θ out of range: ${x}`);
      c.ok(x[8] === 1, () => `row ${i}: constant input ${x[8]}`);
      c.ok(s.dydx[i * 8] === 0 && s.dydx[i * 8 + 7] === 1, () => `row ${i}: ∂y/∂θ₁ or ∂y/∂θ₈ wrong`);
      x1s.push(x[9]);
      c.close([s.y[i]], [regression8dValue(x, x[9], x[10])], 1e-7, 1e-6, 'y');
      c.close(row(s.dydx, 8, i), regression8dGrad(x, x[9], x[10]), 1e-7, 1e-6, 'dydx');
    }
    c.done(5 * n);
    expect(Math.abs(mean(x1s))).toBeLessThan(0.06);
    expect(Math.abs(sd(x1s) - 1)).toBeLessThan(0.05);
    expect(Array.from(regression8d({ n: 50, seed: 4 }).stages[0].y)).toEqual(Array.from(s.y.subarray(0, 50)));
    expect(Array.from(regression8d({ n: 50, seed: 5 }).stages[0].y)).not.toEqual(Array.from(s.y.subarray(0, 50)));
  });
});

test.describe('sine', () => {
  test('dy/dx = cos x matches central differences of sin (float64)', () => {
    const c = new Checks();
    const grid = sineGrid(100);
    const fd = Array.from(grid.x, (x) => fdGrad((q) => Math.sin(q[0]), [x])[0]);
    c.close(grid.dydx, fd, 1e-7, 0, 'grid dydx');
    c.done();
  });

  test('noisy data: range, noise sd 0.1, noise-free derivative, seeds', () => {
    const c = new Checks();
    const n = 20_000;
    const d = sineData({ n, seed: 1 });
    expect([d.x.length, d.y.length, d.dydx.length, d.inputs, d.outputs]).toEqual([n, n, n, 1, 1]);
    const res: number[] = [];
    for (let i = 0; i < n; i++) {
      c.ok(d.x[i] >= 0 && d.x[i] < SINE_X_MAX, () => `x = ${d.x[i]}`);
      c.ok(Math.abs(d.dydx[i] - Math.cos(d.x[i])) < 1e-7, () => `dydx ${d.dydx[i]} at x = ${d.x[i]}`);
      res.push(d.y[i] - Math.sin(d.x[i]));
    }
    c.done(2 * n);
    expect(Math.abs(mean(res))).toBeLessThan(0.005);
    expect(Math.abs(sd(res) - 0.1)).toBeLessThan(0.005);
    const clean = sineData({ n: 100, seed: 1, noise: 0 });
    const c2 = new Checks();
    c2.close(clean.y, Array.from(clean.x, Math.sin), 1e-7, 0, 'noise 0');
    c2.done();
    expect(Array.from(sineData({ n: 30, seed: 1 }).y)).toEqual(Array.from(d.y.subarray(0, 30)));
    expect(Array.from(sineData({ n: 30, seed: 2 }).x)).not.toEqual(Array.from(d.x.subarray(0, 30)));
  });

  test('grid: n points over [0, 2.5π], noise-free', () => {
    const g = sineGrid();
    expect(g.n).toBe(100);
    expect(g.x[0]).toBe(0);
    expect(g.x[99]).toBeCloseTo(2.5 * Math.PI, 6);
    expect(g.x[50] - g.x[49]).toBeCloseTo((2.5 * Math.PI) / 99, 6);
    const c = new Checks();
    c.close(g.y, Array.from(g.x, Math.sin), 1e-7, 0, 'grid y');
    c.done();
    expect(sineGrid(7).x.length).toBe(7);
    expect(() => sineGrid(1)).toThrow();
  });
});

test.describe('drawSubset', () => {
  const key = (d: ProblemData, i: number) => row(d.x, d.inputs, i).join(',');

  test('distinct pool rows with x, y and dydx kept together', () => {
    const c = new Checks();
    const pool = regression8d({ n: 1000, seed: 3 }).stages[0];
    const index = new Map<string, number>();
    for (let i = 0; i < pool.n; i++) index.set(key(pool, i), i);
    expect(index.size).toBe(1000);
    const sub = drawSubset(pool, 300, new Rng(1).fork('repeat:0'));
    expect([sub.n, sub.x.length, sub.y.length, sub.dydx.length, sub.inputs]).toEqual([300, 3300, 300, 2400, 11]);
    const rows: number[] = [];
    for (let i = 0; i < 300; i++) {
      const src = index.get(key(sub, i)) ?? -1;
      c.ok(src >= 0, () => `row ${i} is not a pool row`);
      rows.push(src);
      c.ok(sub.y[i] === pool.y[src], () => `row ${i}: y not from pool row ${src}`);
      c.close(row(sub.dydx, 8, i), row(pool.dydx, 8, src), 0, 0, `row ${i}: dydx not from pool row ${src}`);
    }
    c.done(900);
    expect(new Set(rows).size).toBe(300);
    expect(rows.slice(0, 20)).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(() => drawSubset(pool, 1001, new Rng(1))).toThrow();
  });

  test('fresh subsets per repeat, reproducible per seed', () => {
    const pool = sineData({ n: 1000, seed: 3 });
    const subs = [0, 1, 2].map((r) => Array.from(drawSubset(pool, 100, new Rng(7).fork(`repeat:${r}`)).x));
    expect(subs[0]).not.toEqual(subs[1]);
    expect(subs[1]).not.toEqual(subs[2]);
    const overlap = subs[0].filter((x) => subs[1].includes(x)).length;
    expect(overlap).toBeLessThan(40); // ~10 expected for independent draws of 100 from 1000
    expect(Array.from(drawSubset(pool, 100, new Rng(7).fork('repeat:1')).x)).toEqual(subs[1]);
  });

  test('staged subsets take the same paths in every stage', () => {
    const c = new Checks();
    const pb = toy2d({ n: 1000, seed: 1, steps: 4 });
    const sub = drawStagedSubset(pb, 50, new Rng(2));
    expect(sub.n).toBe(50);
    sub.stages.forEach((s, k) => {
      expect(s.n).toBe(50);
      for (let i = 0; i < 50; i++) {
        c.close(row(s.x, s.inputs, i).slice(0, 2), row(sub.stages[0].x, 2, i), 0, 0, `stage ${k} row ${i}: θ`);
        if (k > 0) c.ok(s.x[i * 3 + 2] === sub.stages[k - 1].y[i], () => `stage ${k} row ${i}: not the same path`);
      }
    });
    c.done(300);
  });
});
