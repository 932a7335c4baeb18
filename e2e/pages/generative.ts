// Test page of the generative image model (e2e/generative.spec.ts): exposes src/experiments/generative and
// in-page checks of the generator against the float64 reference. Uncaptured WebGPU errors
// become console errors, which fail the test (as on harness.html).
import { createContext, createMlp, type Activation, type Context, type Mlp } from '../../src/index';
import * as gen from '../../src/experiments/generative/index';
import { blobsDataset, BLOB_THETA_DIM } from '../../src/experiments/problems/blobs';
import { refJacobian, refJvp, refLossAndGradients, refRandomArray, refRandomMlp, type RefMlp } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';

const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
  const device = await requestDevice.call(this, descriptor);
  device.addEventListener('uncapturederror', (event) => {
    console.error(`WebGPU uncaptured error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  return device;
};

let shared: Promise<Context> | null = null;
/** One context per page. */
export function context(): Promise<Context> {
  return (shared ??= createContext());
}

export interface GeneratorSpec {
  size: number;
  hidden: number[];
  activation: Activation;
  outputActivation: Activation;
  n: number;
  seed?: number;
}

/** A random generator on the GPU and its float64 twin with the same float32 parameters,
 *  and n real θ rows with their images and full Jacobians (the reference needs dydx). */
async function generatorPair(spec: GeneratorSpec): Promise<{ mlp: Mlp; ref: RefMlp; data: ReturnType<typeof blobsDataset> }> {
  const ctx = await context();
  const { size, hidden, activation, outputActivation, n, seed = 1 } = spec;
  const sizes = [BLOB_THETA_DIM, ...hidden, size * size];
  const acts = sizes.slice(1).map((_, l) => (l === sizes.length - 2 ? outputActivation : activation));
  const ref = refRandomMlp(sizes, acts, seed);
  ref.weights = ref.weights.map((w) => Float64Array.from(Float32Array.from(w)));
  ref.biases = ref.biases.map((b) => Float64Array.from(Float32Array.from(b)));
  const mlp = createMlp(ctx, { inputs: BLOB_THETA_DIM, hidden, outputs: size * size, activation, outputActivation, seed });
  mlp.setParameters({ weights: ref.weights.map((w) => Float32Array.from(w)), biases: ref.biases.map((b) => Float32Array.from(b)) });
  return { mlp, ref, data: blobsDataset({ n, seed: seed + 40, size, jacobian: true }) };
}

/** Generator values, JVPs and Jacobian at image-sized outputs vs the float64 reference. */
export async function checkGeneratorJvp(spec: GeneratorSpec): Promise<{ y: number; dy: number; jacobian: number }> {
  const { mlp, ref, data } = await generatorPair(spec);
  try {
    const v = Float32Array.from(refRandomArray(data.x.length, spec.n + 3, -1, 1));
    const gpu = await mlp.jvp(data.x, v);
    const cpu = refJvp(ref, data.x, v, spec.n);
    const jacobian = relErr(await mlp.jacobian(data.x), refJacobian(ref, data.x, spec.n));
    return { y: relErr(gpu.y, cpu.y), dy: relErr(gpu.dy, cpu.dy), jacobian };
  } finally {
    mlp.destroy();
  }
}

export interface ProjectedLossSpec extends GeneratorSpec {
  k: number;
  gradientWeight: number;
  /** Give the directions (directionVectors) or let the library draw them (directions: k). */
  given: boolean;
}

/**
 * lossAndGradients with the renderer's JVPs as tangentTargets (no dydx on the GPU side) vs the
 * reference, which projects the full Jacobian onto the same directions.
 */
export async function checkProjectedLoss(spec: ProjectedLossSpec): Promise<{ loss: number; weights: number; biases: number; directions: number; calls: number }> {
  const { mlp, ref, data } = await generatorPair(spec);
  try {
    const { n, k, gradientWeight, size } = spec;
    const stats: gen.TargetStats = { calls: 0, jvps: 0, ms: 0 };
    let seen: Float32Array | null = null;
    const targets = gen.blobsTangentTargets(size, stats);
    const given = spec.given ? Float32Array.from(refRandomArray(k * n * BLOB_THETA_DIM, 77, -1, 1)) : undefined;
    const gpu = await mlp.lossAndGradients(
      { x: data.x, y: data.y },
      {
        gradientWeight,
        directions: k,
        directionVectors: given,
        seed: 9,
        tangentTargets: (x, v, kk) => {
          seen = Float32Array.from(v);
          return targets(x, v, kk);
        },
      },
    );
    const used = gpu.directionVectors ?? new Float32Array(0);
    const cpu = refLossAndGradients(ref, { x: data.x, y: data.y, dydx: data.dydx }, n, { gradientWeight, directions: used, k });
    return {
      loss: Math.abs(gpu.loss - cpu.loss) / Math.max(Math.abs(cpu.loss), 1e-12),
      weights: Math.max(...gpu.weights.map((w, l) => relErr(w, cpu.weights[l]))),
      biases: Math.max(...gpu.biases.map((b, l) => relErr(b, cpu.biases[l]))),
      // The callback saw the directions the loss used (and the given ones, when given).
      directions: Math.max(relErr(seen ?? new Float32Array(0), used), given ? relErr(used, given) : 0),
      calls: stats.calls,
    };
  } finally {
    mlp.destroy();
  }
}

/** Runs the experiment with a preset (optionally overridden) and returns the JSON-safe parts. */
export async function runExperiment(preset: 'quick' | 'paper', overrides: Partial<gen.GenerativeConfig> = {}) {
  const config = { ...gen.GENERATIVE_PRESETS[preset], ...overrides };
  const started = performance.now();
  const result = await gen.runGenerativeExperiment(await context(), config);
  return {
    seconds: (performance.now() - started) / 1000,
    runs: result.runs,
    summary: result.summary,
    kStudy: result.kStudy,
    grids: result.grids.map((g) => ({ size: g.size, nTrain: g.nTrain, count: g.truth.length, pixels: g.truth[0]?.length ?? 0, finite: [...g.baseline, ...g.gi].every((a) => a.every(Number.isFinite)) })),
  };
}

/** Step costs (see src/experiments/generative/cost.ts) and the adapter that produced them. */
export async function runCost(options: Omit<gen.CostOptions, 'signal' | 'onProgress'>) {
  const ctx = await context();
  const info = ctx.adapterInfo;
  return { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '), ...(await gen.measureStepCost(ctx, options)) };
}

Object.assign(globalThis, { gen, generativeChecks: { checkGeneratorJvp, checkProjectedLoss, runExperiment, runCost }, generativeReady: true });
