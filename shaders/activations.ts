import { ACTIVATIONS, type Activation } from '../src/types';

/** Compile-time id of an activation: only this number, never the name, reaches WGSL. */
export function activationId(name: Activation): number {
  const id = ACTIVATIONS.indexOf(name);
  if (id < 0) throw new Error(`Unknown activation '${String(name)}'`);
  return id;
}

/** The activation table: value, σ' and σ'' selected by the override constant `ACT`
 *  (ids follow ACTIVATIONS; mirrored in float64 by src/reference/activations.ts).
 *  `ACT` is a pipeline constant, so the switch folds away at pipeline creation. */
export const activationsWgsl = /* wgsl */ `
// Which activation this pipeline applies: index into ACTIVATIONS (src/types.ts).
override ACT: u32 = 0u;

const GELU_C: f32 = 0.7978845608028654; // sqrt(2/pi)

fn tanh_safe(x: f32) -> f32 {
  // tanh(x) = 1 - 2/(exp(2x)+1), clamped so exp never overflows.
  let e = exp(2.0 * clamp(x, -15.0, 15.0));
  return 1.0 - 2.0 / (e + 1.0);
}

// sin and cos to ~1e-7: WGSL's built-ins only promise an absolute error of 2^-11.
// Cody–Waite reduction by π/2 (π/2 split into f32 hi + lo), Taylor series on [−π/4, π/4].
fn sincos_precise(x: f32) -> vec2f {
  let q = round(x * 0.6366197723675814);
  let r = (x - q * 1.5707963705062866) + q * 4.371139000186243e-8;
  let r2 = r * r;
  let s = r + r * r2 * (-0.16666666666666666 + r2 * (0.008333333333333333 + r2 * (-0.0001984126984126984 + r2 * 2.7557319223985893e-6)));
  let c = 1.0 + r2 * (-0.5 + r2 * (0.041666666666666664 + r2 * (-0.001388888888888889 + r2 * 2.48015873015873e-5)));
  switch (i32(q) & 3) {
    case 0: { return vec2f(s, c); }
    case 1: { return vec2f(c, -s); }
    case 2: { return vec2f(-s, -c); }
    default: { return vec2f(-c, s); }
  }
}

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn act_f_id(id: u32, x: f32) -> f32 {
  switch id {
    case 0u: { return tanh_safe(x); }
    case 1u: { return sigmoid(x); }
    case 2u: { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
    case 3u: { return sincos_precise(x).x; }
    case 4u: { return 0.5 * x * (1.0 + tanh_safe(GELU_C * (x + 0.044715 * x * x * x))); }
    case 5u: { return max(x, 0.0); }
    default: { return x; }
  }
}

fn act_d1_id(id: u32, x: f32) -> f32 {
  switch id {
    case 0u: { let t = tanh_safe(x); return 1.0 - t * t; }
    case 1u: { let s = sigmoid(x); return s * (1.0 - s); }
    case 2u: { return sigmoid(x); }
    case 3u: { return sincos_precise(x).y; }
    case 4u: {
      let u = GELU_C * (x + 0.044715 * x * x * x);
      let t = tanh_safe(u);
      let du = GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
    }
    case 5u: { return select(0.0, 1.0, x > 0.0); }
    default: { return 1.0; }
  }
}

fn act_d2_id(id: u32, x: f32) -> f32 {
  switch id {
    case 0u: { let t = tanh_safe(x); return -2.0 * t * (1.0 - t * t); }
    case 1u: { let s = sigmoid(x); return s * (1.0 - s) * (1.0 - 2.0 * s); }
    case 2u: { let s = sigmoid(x); return s * (1.0 - s); }
    case 3u: { return -sincos_precise(x).x; }
    case 4u: {
      let u = GELU_C * (x + 0.044715 * x * x * x);
      let t = tanh_safe(u);
      let s = 1.0 - t * t;
      let du = GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
      let ddu = GELU_C * 6.0 * 0.044715 * x;
      return s * du + 0.5 * x * (-2.0 * t * s * du * du + s * ddu);
    }
    case 5u: { return 0.0; }
    default: { return 0.0; }
  }
}

// The pipeline's own activation (ACT folds at pipeline creation); the _id forms take one at
// run time (grouped kernels, where each model and layer has its own).
fn act_f(x: f32) -> f32 { return act_f_id(ACT, x); }
fn act_d1(x: f32) -> f32 { return act_d1_id(ACT, x); }
fn act_d2(x: f32) -> f32 { return act_d2_id(ACT, x); }
`;
