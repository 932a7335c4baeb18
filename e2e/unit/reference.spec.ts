import { test, expect } from '@playwright/test';
import { ACTIVATIONS, type Activation } from '../../src/types';
import { refActivations } from '../../src/reference/activations';
import {
  refForward,
  refJacobian,
  refJvp,
  refLossAndGradients,
  refProjectTargets,
  refRandomMlp,
  type RefLossOptions,
  type RefMlp,
} from '../../src/reference/mlp';
import { mulberry32, refRandomArray } from '../../src/reference/rng';

// Float64 oracle checked against central finite differences, (f(θ+h) − f(θ−h)) / 2h.
// Tolerances: an element passes when |actual − expected| ≤ ATOL + RTOL·|expected|.
const H = 1e-5;
const RTOL = 1e-6;
const ATOL = 1e-9;

/** Asserts elementwise closeness, reporting the worst element. */
function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = RTOL, atol = ATOL): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    const ratio = err === 0 ? 0 : err / (atol + rtol * Math.abs(expected[i]));
    if (!(ratio <= worst)) {
      worst = ratio;
      at = i;
    }
  }
  const detail = at < 0 ? '' : ` worst at ${at}: ${actual[at]} vs ${expected[at]}`;
  expect(worst, `${label}:${detail}`).toBeLessThanOrEqual(1);
}

/** Central finite difference of a scalar function of one number. */
function fd(f: (x: number) => number, x: number, h = H): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** Central finite difference of a vector function along a parameter t. */
function fdVec(f: (t: number) => Float64Array, h = H): Float64Array {
  const plus = f(h);
  const minus = f(-h);
  return plus.map((p, i) => (p - minus[i]) / (2 * h));
}

/** Copy of an MLP with its parameters in fresh Float64Arrays (safe to perturb). */
function cloneMlp(m: RefMlp): { sizes: number[]; activations: Activation[]; weights: Float64Array[]; biases: Float64Array[] } {
  return {
    sizes: m.sizes.slice(),
    activations: m.activations.slice(),
    weights: m.weights.map((w) => Float64Array.from(w)),
    biases: m.biases.map((b) => Float64Array.from(b)),
  };
}

/** Finite-difference gradient of loss(m) with respect to every weight and bias. */
function fdParamGradients(m: RefMlp, loss: (m: RefMlp) => number) {
  const c = cloneMlp(m);
  const perturb = (arr: Float64Array) =>
    arr.map((_, i) => {
      const orig = arr[i];
      arr[i] = orig + H;
      const lp = loss(c);
      arr[i] = orig - H;
      const lm = loss(c);
      arr[i] = orig;
      return (lp - lm) / (2 * H);
    });
  return { weights: c.weights.map(perturb), biases: c.biases.map(perturb) };
}

function linspace(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}

/** Random orthogonal g×g matrix (rows orthonormal), by Gram–Schmidt on uniform noise. */
function randomOrthogonal(g: number, rand: () => number): number[][] {
  const rows: number[][] = [];
  while (rows.length < g) {
    const v = Array.from({ length: g }, () => 2 * rand() - 1);
    for (const r of rows) {
      const dot = r.reduce((s, ri, i) => s + ri * v[i], 0);
      for (let i = 0; i < g; i++) v[i] -= dot * r[i];
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-3) rows.push(v.map((vi) => vi / norm));
  }
  return rows;
}

interface Shape {
  sizes: number[];
  n: number;
  /** Supervised-gradient subset used by the 'subset' and projected tests. */
  subset: number[];
  /** Whether the output layer uses the activation under test (else linear). */
  activeOutput: boolean;
}

// Layers 1..4, n = 1 included, several outputs.
const SHAPES: Shape[] = [
  { sizes: [3, 1], n: 1, subset: [0, 2], activeOutput: true },
  { sizes: [2, 5, 3], n: 4, subset: [1], activeOutput: false },
  { sizes: [4, 3, 4, 2], n: 3, subset: [1, 2, 3], activeOutput: true },
  { sizes: [3, 4, 3, 3, 2], n: 2, subset: [0, 2], activeOutput: false },
];

function shapeMlp(shape: Shape, act: Activation, seed: number): RefMlp {
  const L = shape.sizes.length - 1;
  const acts = Array.from({ length: L }, (_, l) => (l === L - 1 && !shape.activeOutput ? 'linear' : act));
  return refRandomMlp(shape.sizes, acts, seed);
}

function shapeData(shape: Shape, g: number, seed: number) {
  const d = shape.sizes[0];
  const m = shape.sizes[shape.sizes.length - 1];
  return {
    x: refRandomArray(shape.n * d, seed, -1.5, 1.5),
    y: refRandomArray(shape.n * m, seed + 1),
    dydx: refRandomArray(shape.n * m * g, seed + 2),
  };
}

/** Points for the activation checks (away from 0 for relu's kink). */
function activationPoints(act: Activation): number[] {
  const pts = linspace(-6, 6, 97).concat([-0.3, 0.01, 0.7, 2.5]);
  return act === 'relu' ? pts.filter((x) => Math.abs(x) > 1e-3) : pts;
}

test.describe('reference activations', () => {
  for (const act of ACTIVATIONS) {
    test(`${act}: σ' and σ'' match central differences`, () => {
      const s = refActivations[act];
      const xs = activationPoints(act);
      expectClose(`${act} d1`, xs.map(s.d1), xs.map((x) => fd(s.f, x)));
      expectClose(`${act} d2`, xs.map(s.d2), xs.map((x) => fd(s.d1, x)));
    });
  }

  test('values agree with independent formulas', () => {
    const xs = linspace(-5, 5, 41);
    const a = refActivations;
    expectClose('tanh', xs.map(a.tanh.f), xs.map(Math.tanh), 1e-14, 1e-15);
    expectClose('sigmoid', xs.map(a.sigmoid.f), xs.map((x) => 1 / (1 + Math.exp(-x))), 1e-14, 1e-15);
    expectClose('softplus', xs.map(a.softplus.f), xs.map((x) => Math.log(1 + Math.exp(x))), 1e-13, 1e-15);
    expectClose('sin', xs.map(a.sin.f), xs.map(Math.sin), 0, 0);
    // ½x(1 + tanh u) = x·sigmoid(2u)
    const u = (x: number) => Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
    expectClose('gelu', xs.map(a.gelu.f), xs.map((x) => x / (1 + Math.exp(-2 * u(x)))), 1e-13, 1e-15);
    expect(a.gelu.f(1)).toBeCloseTo(0.8411919906, 9);
    expectClose('relu', xs.map(a.relu.f), xs.map((x) => Math.max(x, 0)), 0, 0);
    expectClose('relu d1', xs.map(a.relu.d1), xs.map((x) => (x > 0 ? 1 : 0)), 0, 0);
    expectClose('linear', xs.map(a.linear.f), xs, 0, 0);
  });

  test('softplus and sigmoid are stable for large |x|', () => {
    const { softplus, sigmoid } = refActivations;
    expect(softplus.f(800)).toBe(800);
    expect(softplus.f(-800)).toBe(0);
    expect(softplus.f(-40)).toBeCloseTo(Math.exp(-40), 30);
    expect(sigmoid.f(-800)).toBe(0);
    expect(sigmoid.f(800)).toBe(1);
    for (const x of [-800, -40, 40, 800]) {
      for (const v of [softplus.d1(x), softplus.d2(x), sigmoid.d1(x), sigmoid.d2(x)]) expect(Number.isFinite(v)).toBe(true);
    }
  });
});

test.describe('reference forward, JVP, Jacobian', () => {
  test('refForward matches a hand-written 2-layer network', () => {
    const m: RefMlp = {
      sizes: [2, 3, 1],
      activations: ['tanh', 'linear'],
      weights: [[0.5, -1, 0.25, 2, 0.3, -0.7], [1.5, -0.5, 0.8]],
      biases: [[0.1, -0.2, 0.05], [0.3]],
    };
    const x = [0.4, -0.9, 1.2, 0.6];
    const expected = [0, 1].map((i) => {
      let y = 0.3;
      for (let j = 0; j < 3; j++) {
        const z = x[2 * i] * m.weights[0][j] + x[2 * i + 1] * m.weights[0][3 + j] + m.biases[0][j];
        y += Math.tanh(z) * m.weights[1][j];
      }
      return y;
    });
    expectClose('forward', refForward(m, x, 2), expected, 1e-14, 1e-15);
  });

  for (const act of ACTIVATIONS) {
    test(`${act}: JVP and Jacobian match central differences`, () => {
      SHAPES.forEach((shape, si) => {
        const m = shapeMlp(shape, act, 100 + si);
        const d = shape.sizes[0];
        const x = refRandomArray(shape.n * d, 200 + si, -1.5, 1.5);
        const v = refRandomArray(shape.n * d, 300 + si);
        const { y, dy } = refJvp(m, x, v, shape.n);
        expectClose(`${act} shape ${si} jvp y`, y, refForward(m, x, shape.n), 0, 0);
        const fdDy = fdVec((t) => refForward(m, x.map((xi, i) => xi + t * v[i]), shape.n));
        expectClose(`${act} shape ${si} jvp dy`, dy, fdDy);

        const jac = refJacobian(m, x, shape.n);
        const out = shape.sizes[shape.sizes.length - 1];
        const fdJac = new Float64Array(jac.length);
        for (let c = 0; c < d; c++) {
          const col = fdVec((t) => refForward(m, x.map((xi, i) => (i % d === c ? xi + t : xi)), shape.n));
          for (let r = 0; r < shape.n * out; r++) fdJac[r * d + c] = col[r];
        }
        expectClose(`${act} shape ${si} jacobian`, jac, fdJac);

        // J·v from the Jacobian equals the JVP up to rounding.
        const jv = dy.map((_, r) => {
          const i = Math.floor(r / out);
          let s = 0;
          for (let c = 0; c < d; c++) s += jac[r * d + c] * v[i * d + c];
          return s;
        });
        expectClose(`${act} shape ${si} J·v`, jv, dy, 1e-12, 1e-14);
      });
    });
  }
});

test.describe('reference projected targets', () => {
  test('refProjectTargets by hand', () => {
    // n=2, outputs=1, inputs=3, gradientInputs=[0,2], k=2
    const dydx = [1, 2, /* row 1 */ 3, -1];
    const directions = [
      // j=0: row0, row1
      1, 5, 0, /**/ 0, 5, 1,
      // j=1
      0.5, 5, 0.5, /**/ 2, 5, -1,
    ];
    const t = refProjectTargets(dydx, directions, 2, 1, 3, [0, 2], 2);
    expectClose('targets', t, [1, -1, 1.5, 7], 0, 0);
  });
});

/** Independent loss value from refForward / refJacobian: (1−w)·mean(ŷ−y)² + w·mean_k(J v_k − t_k)²,
 *  the derivative mean over present targets (NaN in dydx: missing, unit directions only). */
function lossFromJacobian(m: RefMlp, data: ReturnType<typeof shapeData>, n: number, w: number, gi: number[], dirs?: { v: Float64Array; k: number }): number {
  const d = m.sizes[0];
  const out = m.sizes[m.sizes.length - 1];
  const yHat = refForward(m, data.x, n);
  let value = 0;
  for (let r = 0; r < n * out; r++) value += (yHat[r] - data.y[r]) ** 2;
  const jac = refJacobian(m, data.x, n);
  const g = gi.length;
  let grad = 0;
  let present = 0;
  const k = dirs ? dirs.k : g;
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < out; o++) {
        let jv = 0;
        let t = 0;
        if (dirs) {
          for (let c = 0; c < d; c++) jv += jac[(i * out + o) * d + c] * dirs.v[(j * n + i) * d + c];
          for (let q = 0; q < g; q++) t += data.dydx[(i * out + o) * g + q] * dirs.v[(j * n + i) * d + gi[q]];
        } else {
          jv = jac[(i * out + o) * d + gi[j]];
          t = data.dydx[(i * out + o) * g + j];
          if (Number.isNaN(t)) continue;
        }
        present++;
        grad += (jv - t) ** 2;
      }
    }
  }
  return ((1 - w) * value) / (n * out) + (w * grad) / present;
}

/** Random directions supported on the gradient inputs only, k×n×inputs. */
function subsetDirections(k: number, n: number, d: number, gi: number[], seed: number): Float64Array {
  const raw = refRandomArray(k * n * d, seed);
  return raw.map((v, i) => (gi.includes(i % d) ? v : 0));
}

type Mode = 'all' | 'all-subset' | 'projected-k2';
const MODES: Mode[] = ['all', 'all-subset', 'projected-k2'];
const WEIGHTS = [0, 0.5, 1];

test.describe('reference loss gradients vs finite differences', () => {
  for (const act of ACTIVATIONS) {
    for (const mode of MODES) {
      test(`${act}, ${mode}: w ∈ {0, 0.5, 1}, 4 shapes`, () => {
        SHAPES.forEach((shape, si) => {
          const d = shape.sizes[0];
          const gi = mode === 'all' ? Array.from({ length: d }, (_, c) => c) : shape.subset;
          const m = shapeMlp(shape, act, 400 + si);
          const data = shapeData(shape, gi.length, 500 + si);
          const dirs = mode === 'projected-k2' ? { v: subsetDirections(2, shape.n, d, gi, 600 + si), k: 2 } : undefined;
          for (const w of WEIGHTS) {
            const opts: RefLossOptions = {
              gradientWeight: w,
              gradientInputs: mode === 'all' ? undefined : gi,
              directions: dirs?.v,
              k: dirs?.k,
            };
            const label = `${act} ${mode} shape ${si} w=${w}`;
            const res = refLossAndGradients(m, data, shape.n, opts);
            expectClose(`${label} loss`, [res.loss], [lossFromJacobian(m, data, shape.n, w, gi, dirs)], 1e-12, 1e-15);
            const num = fdParamGradients(m, (mm) => refLossAndGradients(mm, data, shape.n, opts).loss);
            res.weights.forEach((gw, l) => expectClose(`${label} dW${l + 1}`, gw, num.weights[l]));
            res.biases.forEach((gb, l) => expectClose(`${label} db${l + 1}`, gb, num.biases[l]));
          }
        });
      });
    }
  }
});

test.describe('reference loss: consistency', () => {
  for (const act of ACTIVATIONS) {
    test(`${act}: k = g orthonormal directions give the same loss and gradients as 'all' mode`, () => {
      const rand = mulberry32(700);
      SHAPES.forEach((shape, si) => {
        const d = shape.sizes[0];
        const n = shape.n;
        for (const gi of [Array.from({ length: d }, (_, c) => c), shape.subset]) {
          const g = gi.length;
          const m = shapeMlp(shape, act, 800 + si);
          const data = shapeData(shape, g, 900 + si);
          // A different random rotation of the gradient-input subspace for every sample.
          const v = new Float64Array(g * n * d);
          for (let i = 0; i < n; i++) {
            const q = randomOrthogonal(g, rand);
            for (let j = 0; j < g; j++) for (let c = 0; c < g; c++) v[(j * n + i) * d + gi[c]] = q[j][c];
          }
          const all = refLossAndGradients(m, data, n, { gradientWeight: 0.7, gradientInputs: gi });
          const rot = refLossAndGradients(m, data, n, { gradientWeight: 0.7, gradientInputs: gi, directions: v, k: g });
          const label = `${act} shape ${si} g=${g}`;
          expectClose(`${label} loss`, [rot.loss], [all.loss], 1e-12, 1e-15);
          rot.weights.forEach((gw, l) => expectClose(`${label} dW${l + 1}`, gw, all.weights[l], 1e-10, 1e-13));
          rot.biases.forEach((gb, l) => expectClose(`${label} db${l + 1}`, gb, all.biases[l], 1e-10, 1e-13));
        }
      });
    });
  }

  test('w = 0 needs no dydx; w > 0 without dydx throws; k defaults from directions', () => {
    const shape = SHAPES[2];
    const m = shapeMlp(shape, 'tanh', 1000);
    const data = shapeData(shape, shape.sizes[0], 1001);
    const withDydx = refLossAndGradients(m, data, shape.n, { gradientWeight: 0 });
    const without = refLossAndGradients(m, { x: data.x, y: data.y }, shape.n, { gradientWeight: 0 });
    expect(without.loss).toBe(withDydx.loss);
    expect(without.loss).toBeGreaterThan(0);
    without.weights.forEach((gw, l) => expectClose(`dW${l + 1}`, gw, withDydx.weights[l], 0, 0));
    expect(() => refLossAndGradients(m, { x: data.x, y: data.y }, shape.n, { gradientWeight: 0.5 })).toThrow(/dydx/);
    expect(() => refLossAndGradients(m, data, shape.n, { gradientWeight: 1.5 })).toThrow(/gradientWeight/);

    const v = subsetDirections(3, shape.n, shape.sizes[0], [0, 1, 2, 3], 1002);
    const explicitK = refLossAndGradients(m, data, shape.n, { gradientWeight: 0.5, directions: v, k: 3 });
    const inferredK = refLossAndGradients(m, data, shape.n, { gradientWeight: 0.5, directions: v });
    expect(inferredK.loss).toBe(explicitK.loss);
  });

  test('refRandomMlp is deterministic and seed-dependent', () => {
    const a = refRandomMlp([3, 4, 2], 'gelu', 5);
    const b = refRandomMlp([3, 4, 2], ['gelu', 'gelu'], 5);
    const c = refRandomMlp([3, 4, 2], 'gelu', 6);
    expectClose('same seed', a.weights[0], b.weights[0], 0, 0);
    expect(Array.from(a.weights[0])).not.toEqual(Array.from(c.weights[0]));
    const bound = Math.sqrt(3 / 3);
    for (const wi of Array.from(a.weights[0])) expect(Math.abs(wi)).toBeLessThanOrEqual(bound);
    expect(a.activations).toEqual(['gelu', 'gelu']);
  });
});

test.describe('reference loss: missing derivative targets (NaN in dydx)', () => {
  for (const act of ['tanh', 'gelu', 'sin'] as const) {
    test(`${act}: the masked loss is the mean over present entries; its gradients match central differences`, () => {
      SHAPES.forEach((shape, si) => {
        const gi = si % 2 ? shape.subset : Array.from({ length: shape.sizes[0] }, (_, c) => c);
        const m = shapeMlp(shape, act, 1400 + si);
        const data = shapeData(shape, gi.length, 1500 + si);
        // Every third entry missing, but never all of them.
        data.dydx.forEach((_, i) => i % 3 === 1 && (data.dydx[i] = NaN));
        for (const w of [0.5, 1]) {
          const opts: RefLossOptions = { gradientWeight: w, gradientInputs: gi };
          const label = `${act} shape ${si} w=${w}`;
          const res = refLossAndGradients(m, data, shape.n, opts);
          expect(Number.isFinite(res.loss), label).toBe(true);
          expectClose(`${label} loss`, [res.loss], [lossFromJacobian(m, data, shape.n, w, gi)], 1e-12, 1e-15);
          const num = fdParamGradients(m, (mm) => refLossAndGradients(mm, data, shape.n, opts).loss);
          res.weights.forEach((gw, l) => expectClose(`${label} dW${l + 1}`, gw, num.weights[l]));
          res.biases.forEach((gb, l) => expectClose(`${label} db${l + 1}`, gb, num.biases[l]));
        }
      });
    });
  }

  test('a missing target changes nothing but its own term; all missing or given directions throw', () => {
    const shape = SHAPES[2];
    const gi = [0, 1, 2, 3];
    const m = shapeMlp(shape, 'tanh', 1600);
    const data = shapeData(shape, gi.length, 1601);
    const full = refLossAndGradients(m, data, shape.n, { gradientWeight: 0.5 });
    // Without NaN: unchanged, and equal to the unmasked formula.
    expectClose('no NaN', [full.loss], [lossFromJacobian(m, data, shape.n, 0.5, gi)], 1e-12, 1e-15);
    const one = { ...data, dydx: Float64Array.from(data.dydx) };
    one.dydx[5] = NaN;
    const masked = refLossAndGradients(m, one, shape.n, { gradientWeight: 1 });
    // Replacing the missing target by the model's own derivative: the same sum, one more entry.
    const jac = refJacobian(m, data.x, shape.n);
    const out = shape.sizes[shape.sizes.length - 1];
    const i = Math.floor(5 / (out * gi.length));
    const o = Math.floor(5 / gi.length) % out;
    const own = { ...data, dydx: Float64Array.from(data.dydx) };
    own.dydx[5] = jac[(i * out + o) * shape.sizes[0] + gi[5 % gi.length]];
    const P = data.dydx.length;
    const exact = refLossAndGradients(m, own, shape.n, { gradientWeight: 1 });
    expectClose('one missing', [masked.loss * (P - 1)], [exact.loss * P], 1e-12, 1e-15);
    masked.weights.forEach((gw, l) => expectClose(`dW${l + 1}`, gw.map((v) => v * (P - 1)), exact.weights[l].map((v) => v * P), 1e-10, 1e-13));
    const none = { ...data, dydx: new Float64Array(data.dydx.length).fill(NaN) };
    expect(() => refLossAndGradients(m, none, shape.n, { gradientWeight: 0.5 })).toThrow(/every derivative target is missing/);
    const v = subsetDirections(2, shape.n, shape.sizes[0], gi, 1602);
    expect(() => refLossAndGradients(m, one, shape.n, { gradientWeight: 0.5, directions: v, k: 2 })).toThrow(/'all'/);
  });
});
