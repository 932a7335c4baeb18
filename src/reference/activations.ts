import type { Activation } from '../types';

/** One activation in float64: value σ(x), first derivative σ'(x), second derivative σ''(x). */
export interface RefActivation {
  f(x: number): number;
  d1(x: number): number;
  d2(x: number): number;
}

/** Logistic sigmoid without overflow for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const tanh: RefActivation = {
  f: (x) => Math.tanh(x),
  d1: (x) => 1 - Math.tanh(x) ** 2,
  d2: (x) => {
    const t = Math.tanh(x);
    return -2 * t * (1 - t * t);
  },
};

const sigmoidAct: RefActivation = {
  f: sigmoid,
  d1: (x) => {
    const s = sigmoid(x);
    return s * (1 - s);
  },
  d2: (x) => {
    const s = sigmoid(x);
    return s * (1 - s) * (1 - 2 * s);
  },
};

/** softplus(x) = log(1 + eˣ), written so that neither branch overflows. */
const softplus: RefActivation = {
  f: (x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0),
  d1: sigmoid,
  d2: (x) => {
    const s = sigmoid(x);
    return s * (1 - s);
  },
};

const sin: RefActivation = {
  f: (x) => Math.sin(x),
  d1: (x) => Math.cos(x),
  d2: (x) => -Math.sin(x),
};

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** GELU, tanh approximation: ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³). */
const gelu: RefActivation = {
  f: (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x))),
  d1: (x) => {
    const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
    const du = GELU_C * (1 + 3 * GELU_A * x * x);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
  },
  d2: (x) => {
    const t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
    const sech2 = 1 - t * t;
    const du = GELU_C * (1 + 3 * GELU_A * x * x);
    const ddu = GELU_C * 6 * GELU_A * x;
    return sech2 * du - x * t * sech2 * du * du + 0.5 * x * sech2 * ddu;
  },
};

/** ReLU; σ'' = 0 everywhere, so it carries no curvature signal into the Sobolev coupling term. */
const relu: RefActivation = {
  f: (x) => (x > 0 ? x : 0),
  d1: (x) => (x > 0 ? 1 : 0),
  d2: () => 0,
};

const linear: RefActivation = {
  f: (x) => x,
  d1: () => 1,
  d2: () => 0,
};

/** Float64 activation table (value, σ', σ''), mirroring the WGSL table. */
export const refActivations: Record<Activation, RefActivation> = {
  tanh,
  sigmoid: sigmoidAct,
  softplus,
  sin,
  gelu,
  relu,
  linear,
};
