// Surrogate test functions from the Virtual Library of Simulation Experiments (Surjanovic &
// Bingham, sfu.ca/~ssurjano), written once over dual numbers so each value comes with its
// exact gradient (forward-mode automatic differentiation, no finite differences).

/** A value and its gradient with respect to the function's inputs. */
export class Dual {
  constructor(
    readonly v: number,
    readonly g: Float64Array,
  ) {}
}

type Arg = Dual | number;
const lift = (a: Arg, d: number): Dual => (typeof a === 'number' ? new Dual(a, new Float64Array(d)) : a);
const dimOf = (...args: Arg[]): number => (args.find((a) => typeof a !== 'number') as Dual | undefined)?.g.length ?? 0;
/** f(a) with f'(a) = slope. */
const unary = (a: Dual, v: number, slope: number): Dual => new Dual(v, a.g.map((g) => g * slope));

/** The operations the functions use. */
export const D = {
  add(a: Arg, b: Arg): Dual {
    const d = dimOf(a, b);
    const x = lift(a, d);
    const y = lift(b, d);
    return new Dual(x.v + y.v, x.g.map((g, i) => g + y.g[i]));
  },
  sub(a: Arg, b: Arg): Dual {
    return D.add(a, typeof b === 'number' ? -b : D.mul(b, -1));
  },
  mul(a: Arg, b: Arg): Dual {
    const d = dimOf(a, b);
    const x = lift(a, d);
    const y = lift(b, d);
    return new Dual(x.v * y.v, x.g.map((g, i) => g * y.v + x.v * y.g[i]));
  },
  div(a: Arg, b: Arg): Dual {
    const d = dimOf(a, b);
    const x = lift(a, d);
    const y = lift(b, d);
    return new Dual(x.v / y.v, x.g.map((g, i) => (g * y.v - x.v * y.g[i]) / (y.v * y.v)));
  },
  sum(...terms: Arg[]): Dual {
    return terms.reduce<Dual>((s, t) => D.add(s, t), lift(0, dimOf(...terms)));
  },
  pow(a: Dual, p: number): Dual {
    return unary(a, a.v ** p, p * a.v ** (p - 1));
  },
  sqrt(a: Dual): Dual {
    return unary(a, Math.sqrt(a.v), 0.5 / Math.sqrt(a.v));
  },
  sin(a: Dual): Dual {
    return unary(a, Math.sin(a.v), Math.cos(a.v));
  },
  cos(a: Dual): Dual {
    return unary(a, Math.cos(a.v), -Math.sin(a.v));
  },
  exp(a: Dual): Dual {
    return unary(a, Math.exp(a.v), Math.exp(a.v));
  },
  log(a: Dual): Dual {
    return unary(a, Math.log(a.v), 1 / a.v);
  },
};

export interface TestFunction {
  name: string;
  /** Smooth or oscillatory over its domain (for the tables). */
  kind: 'smooth' | 'oscillatory';
  /** [low, high] of each input. */
  domain: [number, number][];
  f(x: Dual[]): Dual;
}

const HARTMANN3 = {
  alpha: [1.0, 1.2, 3.0, 3.2],
  A: [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]],
  P: [[0.3689, 0.117, 0.2673], [0.4699, 0.4387, 0.747], [0.1091, 0.8732, 0.5547], [0.0381, 0.5743, 0.8828]],
};

export const FUNCTIONS: TestFunction[] = [
  {
    name: 'forrester',
    kind: 'oscillatory',
    domain: [[0, 1]],
    f: ([x]) => D.mul(D.pow(D.sub(D.mul(x, 6), 2), 2), D.sin(D.sub(D.mul(x, 12), 4))),
  },
  {
    name: 'gramacy-lee',
    kind: 'oscillatory',
    domain: [[0.5, 2.5]],
    f: ([x]) => D.add(D.div(D.sin(D.mul(x, 10 * Math.PI)), D.mul(x, 2)), D.pow(D.sub(x, 1), 4)),
  },
  {
    name: 'branin',
    kind: 'smooth',
    domain: [[-5, 10], [0, 15]],
    f: ([x1, x2]) => {
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const inner = D.sum(x2, D.mul(D.pow(x1, 2), -b), D.mul(x1, c), -6);
      return D.sum(D.pow(inner, 2), D.mul(D.cos(x1), 10 * (1 - 1 / (8 * Math.PI))), 10);
    },
  },
  {
    name: 'six-hump camel',
    kind: 'smooth',
    domain: [[-2, 2], [-1, 1]],
    f: ([x1, x2]) =>
      D.sum(D.mul(D.sum(4, D.mul(D.pow(x1, 2), -2.1), D.div(D.pow(x1, 4), 3)), D.pow(x1, 2)), D.mul(x1, x2), D.mul(D.add(-4, D.mul(D.pow(x2, 2), 4)), D.pow(x2, 2))),
  },
  {
    name: 'franke',
    kind: 'smooth',
    domain: [[0, 1], [0, 1]],
    f: ([x1, x2]) => {
      const g = (a: number, b: number, c: number, e: number, s: number): Dual =>
        D.mul(D.exp(D.sub(D.mul(D.pow(D.sub(D.mul(x1, 9), a), 2), -1 / b), D.div(D.pow(D.sub(D.mul(x2, 9), c), 2), e))), s);
      return D.sum(g(2, 4, 2, 4, 0.75), D.mul(D.exp(D.sub(D.mul(D.pow(D.add(D.mul(x1, 9), 1), 2), -1 / 49), D.div(D.add(D.mul(x2, 9), 1), 10))), 0.75), g(7, 4, 3, 4, 0.5), g(4, 1, 7, 1, -0.2));
    },
  },
  {
    name: 'ishigami',
    kind: 'oscillatory',
    domain: [[-Math.PI, Math.PI], [-Math.PI, Math.PI], [-Math.PI, Math.PI]],
    f: ([x1, x2, x3]) => D.sum(D.sin(x1), D.mul(D.pow(D.sin(x2), 2), 7), D.mul(D.mul(D.pow(x3, 4), D.sin(x1)), 0.1)),
  },
  {
    name: 'hartmann3',
    kind: 'smooth',
    domain: [[0, 1], [0, 1], [0, 1]],
    f: (x) =>
      D.mul(
        D.sum(...HARTMANN3.alpha.map((a, i) => D.mul(D.exp(D.mul(D.sum(...x.map((xj, j) => D.mul(D.pow(D.sub(xj, HARTMANN3.P[i][j]), 2), HARTMANN3.A[i][j]))), -1)), a))),
        -1,
      ),
  },
  {
    name: 'otl circuit',
    kind: 'smooth',
    domain: [[50, 150], [25, 70], [0.5, 3], [1.2, 2.5], [0.25, 1.2], [50, 300]],
    f: ([rb1, rb2, rf, rc1, rc2, beta]) => {
      const vb1 = D.div(D.mul(rb2, 12), D.add(rb1, rb2));
      const betaTerm = D.mul(beta, D.add(rc2, 9));
      const denom = D.add(betaTerm, rf);
      return D.sum(
        D.div(D.mul(D.add(vb1, 0.74), betaTerm), denom),
        D.div(D.mul(rf, 11.35), denom),
        D.div(D.mul(D.mul(rf, 0.74), betaTerm), D.mul(denom, rc1)),
      );
    },
  },
  {
    name: 'borehole',
    kind: 'smooth',
    domain: [[0.05, 0.15], [100, 50000], [63070, 115600], [990, 1110], [63.1, 116], [700, 820], [1120, 1680], [9855, 12045]],
    f: ([rw, r, tu, hu, tl, hl, l, kw]) => {
      const lnr = D.log(D.div(r, rw));
      const numerator = D.mul(D.mul(tu, D.sub(hu, hl)), 2 * Math.PI);
      const denom = D.mul(lnr, D.sum(1, D.div(D.mul(D.mul(l, tu), 2), D.mul(D.mul(lnr, D.pow(rw, 2)), kw)), D.div(tu, tl)));
      return D.div(numerator, denom);
    },
  },
  {
    name: 'wing weight',
    kind: 'smooth',
    domain: [[150, 200], [220, 300], [6, 10], [-10, 10], [16, 45], [0.5, 1], [0.08, 0.18], [2.5, 6], [1700, 2500], [0.025, 0.08]],
    f: ([sw, wfw, a, lamDeg, q, lam, tc, nz, wdg, wp]) => {
      const cosL = D.cos(D.mul(lamDeg, Math.PI / 180));
      const t1 = D.mul(D.mul(D.pow(sw, 0.758), D.pow(wfw, 0.0035)), 0.036);
      const t2 = D.pow(D.div(a, D.pow(cosL, 2)), 0.6);
      const t3 = D.mul(D.mul(D.pow(q, 0.006), D.pow(lam, 0.04)), D.pow(D.div(D.mul(tc, 100), cosL), -0.3));
      const t4 = D.pow(D.mul(nz, wdg), 0.49);
      return D.add(D.mul(D.mul(D.mul(t1, t2), t3), t4), D.mul(sw, wp));
    },
  },
];

/** n points drawn uniformly over f's domain with `random` (in [0, 1)): x (n × d), y (n), dydx (n × d). */
export function sample(fn: TestFunction, n: number, random: () => number): { x: Float32Array; y: Float32Array; dydx: Float32Array } {
  const d = fn.domain.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const dydx = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const point = fn.domain.map(([lo, hi]) => lo + (hi - lo) * random());
    const duals = point.map((v, j) => {
      const g = new Float64Array(d);
      g[j] = 1;
      return new Dual(v, g);
    });
    const out = fn.f(duals);
    point.forEach((v, j) => (x[i * d + j] = v));
    y[i] = out.v;
    out.g.forEach((g, j) => (dydx[i * d + j] = g));
  }
  return { x, y, dydx };
}
