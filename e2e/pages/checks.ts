// In-page checks: run the GPU library and the float64 reference on the same model and data
// and return the errors, so the Playwright specs only compare numbers against tolerances.
import { createContext, createMlp, type Activation, type Context, type Mlp, type MlpParameters } from '../../src/index';
import { relErr } from '../../src/util/stats';
import { refForward, refJacobian, refJvp, refLossAndGradients, refRandomArray, refRandomMlp, type RefMlp } from '../../src/reference/index';

const shared = new Map<string, Promise<Context>>();
/** A model's parameters as one array: every weight matrix, then every bias vector. */
export function flatParameters(p: MlpParameters): Float32Array {
  return Float32Array.from([...p.weights, ...p.biases].flatMap((t) => [...t]));
}

/** One context per page and GEMM variant (default: the adapter's choice). */
export function context(tiledGemm?: boolean): Promise<Context> {
  const key = String(tiledGemm);
  if (!shared.has(key)) shared.set(key, createContext({ tiledGemm }));
  return shared.get(key)!;
}

export interface ModelSpec {
  sizes: number[];
  activation: Activation;
  outputActivation?: Activation;
  n: number;
  seed?: number;
  /** Force the workgroup-tiled GEMM on or off. */
  tiled?: boolean;
}

/** Normwise relative error ‖a − b‖∞ / ‖b‖∞ (src/util/stats), re-exported for the other pages. */
export { relErr };

export async function modelPair(spec: ModelSpec): Promise<{ mlp: Mlp; ref: RefMlp; x: Float32Array }> {
  const ctx = await context(spec.tiled);
  const { sizes, activation, n, seed = 1 } = spec;
  const outputActivation = spec.outputActivation ?? 'linear';
  const L = sizes.length - 1;
  const acts = Array.from({ length: L }, (_, l) => (l === L - 1 ? outputActivation : activation));
  const ref = refRandomMlp(sizes, acts, seed);
  // The GPU runs float32: give the reference exactly the float32 parameters and inputs.
  ref.weights = ref.weights.map((w) => Float64Array.from(Float32Array.from(w)));
  ref.biases = ref.biases.map((b) => Float64Array.from(Float32Array.from(b)));
  const mlp = createMlp(ctx, { inputs: sizes[0], hidden: sizes.slice(1, -1), outputs: sizes[L], activation, outputActivation, seed });
  mlp.setParameters({ weights: ref.weights.map((w) => Float32Array.from(w)), biases: ref.biases.map((b) => Float32Array.from(b)) });
  const x = Float32Array.from(refRandomArray(n * sizes[0], seed + 101, -1.5, 1.5));
  return { mlp, ref, x };
}

export async function checkPredict(spec: ModelSpec): Promise<number> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    return relErr(await mlp.predict(x), refForward(ref, x, spec.n));
  } finally {
    mlp.destroy();
  }
}

export async function checkJvp(spec: ModelSpec): Promise<{ y: number; dy: number }> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    const v = Float32Array.from(refRandomArray(x.length, 7, -1, 1));
    const gpu = await mlp.jvp(x, v);
    const cpu = refJvp(ref, x, v, spec.n);
    return { y: relErr(gpu.y, cpu.y), dy: relErr(gpu.dy, cpu.dy) };
  } finally {
    mlp.destroy();
  }
}

export async function checkJacobian(spec: ModelSpec): Promise<number> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    return relErr(await mlp.jacobian(x), refJacobian(ref, x, spec.n));
  } finally {
    mlp.destroy();
  }
}

export interface LossSpec extends ModelSpec {
  gradientWeight: number;
  gradientInputs?: number[];
  /** Random directions: k per sample, drawn on the GPU and fed back to the reference. */
  k?: number;
}

/** Loss and every parameter gradient vs the reference; errors per layer (max over layers). */
export async function checkLossAndGradients(spec: LossSpec): Promise<{ loss: number; weights: number; biases: number }> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    const { n, sizes } = spec;
    const m = sizes[sizes.length - 1];
    const g = (spec.gradientInputs ?? sizes.slice(0, 1).flatMap((d) => Array.from({ length: d }, (_, i) => i))).length;
    const y = Float32Array.from(refRandomArray(n * m, 11, -1, 1));
    const dydx = Float32Array.from(refRandomArray(n * m * g, 13, -1, 1));
    const gpu = await mlp.lossAndGradients(
      { x, y, dydx },
      { gradientWeight: spec.gradientWeight, gradientInputs: spec.gradientInputs, directions: spec.k ?? 'all', seed: 5 },
    );
    const cpu = refLossAndGradients(ref, { x, y, dydx }, n, {
      gradientWeight: spec.gradientWeight,
      gradientInputs: spec.gradientInputs,
      directions: gpu.directionVectors,
      k: spec.k,
    });
    return {
      loss: Math.abs(gpu.loss - cpu.loss) / Math.max(Math.abs(cpu.loss), 1e-12),
      weights: Math.max(...gpu.weights.map((w, l) => relErr(w, cpu.weights[l]))),
      biases: Math.max(...gpu.biases.map((b, l) => relErr(b, cpu.biases[l]))),
    };
  } finally {
    mlp.destroy();
  }
}
