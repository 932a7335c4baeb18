// In-page checks of the engine core: kernels against the float64 reference one program at a
// time, buffer ownership read from ctx.stats(), the program cache and its debug output.
import { activationBackwardProgram } from '../../shaders/sobolev';
import { createContext, createMlp, type Activation } from '../../src/index';
import { dispatchOf, encodeDispatches, realize } from '../../src/gpu/dispatch';
import { compileProgram } from '../../src/gpu/programs';
import { activationBackward, refActivations, refRandomArray } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { context } from './checks';

const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);
const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(a as ArrayLike<number>));

/**
 * The activation-backward kernel alone vs the reference's activationBackward on random
 * pre-activations and upstream gradients: z̄ (with the σ'' coupling) and ż̄. With `seed`,
 * the upstream rows are network outputs and the kernel forms the loss seeds itself.
 */
export async function activationBackwardKernel(activation: Activation, k: number, seed: boolean): Promise<{ zBar: number; zDotBar: number }> {
  const ctx = await context();
  const n = 7;
  const width = 5;
  const size = n * width;
  const zs = f64(refRandomArray((1 + k) * size, 11, -2, 2));
  const upstream = f64(refRandomArray((1 + k) * size, 12, -1, 1));
  const yTarget = f64(refRandomArray(size, 13, -1, 1));
  const tTarget = f64(refRandomArray(k * size, 14, -1, 1));
  const valueScale = 0.3;
  const tangentScale = 0.7;
  const block = (a: Float64Array, j: number) => a.slice(j * size, (j + 1) * size);
  const aBar = seed ? block(upstream, 0).map((v, i) => valueScale * (v - yTarget[i])) : block(upstream, 0);
  const aDotBar = Array.from({ length: k }, (_, j) => (seed ? block(upstream, j + 1).map((v, i) => tangentScale * (v - tTarget[j * size + i])) : block(upstream, j + 1)));
  const ref = activationBackward(refActivations[activation], block(zs, 0), Array.from({ length: k }, (_, j) => block(zs, j + 1)), aBar, aDotBar);

  const scope = ctx.scope('check:activation-backward');
  try {
    const zbar = scope.storage('zbar', (1 + k) * size);
    const [list] = realize(ctx, scope, 'check', [
      [
        dispatchOf(activationBackwardProgram, { activation, seed }, { n, width, k, valueScale, tangentScale }, {
          zs: scope.storage('zs', zs.length, f32(zs)),
          upstream: scope.storage('upstream', upstream.length, f32(upstream)),
          zbar,
          ...(seed ? { yTarget: scope.storage('y', size, f32(yTarget)), tTarget: scope.storage('t', k * size, f32(tTarget)) } : {}),
        }),
      ],
    ]);
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, list);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    const out = await scope.read(zbar, (1 + k) * size);
    const dots = new Float64Array(k * size);
    ref.zDotBar.forEach((b, j) => dots.set(b, j * size));
    return { zBar: relErr(out.subarray(0, size), ref.zBar), zDotBar: k > 0 ? relErr(out.subarray(size), dots) : 0 };
  } finally {
    scope.destroy();
  }
}

/** Buffers created and alive around repeated inference, a fit and destroy(), from ctx.stats(). */
export async function ownershipStats(): Promise<Record<string, number>> {
  const ctx = await createContext();
  try {
    const start = ctx.stats();
    const mlp = createMlp(ctx, { inputs: 3, hidden: [16, 16], outputs: 2, seed: 3 });
    const x = Float32Array.from(refRandomArray(3 * 40, 5));
    await mlp.predict(x);
    await mlp.jvp(x, x);
    const afterFirst = ctx.stats();
    for (let i = 0; i < 100; i++) await mlp.predict(x);
    for (let i = 0; i < 20; i++) await mlp.jvp(x, x);
    const afterMany = ctx.stats();
    // Concurrent calls on one model are queued, not interleaved on its buffers.
    const [a, b] = await Promise.all([mlp.predict(x), mlp.predict(x.map((v) => -v))]);
    const single = await mlp.predict(x.map((v) => -v));
    const y = Float32Array.from(refRandomArray(2 * 40, 6));
    const dydx = Float32Array.from(refRandomArray(2 * 3 * 40, 7));
    const beforeFit = ctx.stats();
    await mlp.fit({ x, y, dydx }, { epochs: 3, batchSize: 8, learningRate: 1e-3, gradientWeight: 0.5 });
    const afterFit = ctx.stats();
    let refusedLive = -1;
    try {
      await mlp.fit({ x, y: y.subarray(1), dydx }, { epochs: 3, batchSize: 8, learningRate: 1e-3, gradientWeight: 0.5 });
    } catch {
      refusedLive = ctx.stats().liveBuffers;
    }
    mlp.destroy();
    const end = ctx.stats();
    return {
      startLive: start.liveBuffers,
      afterFirstCreated: afterFirst.buffersCreated,
      afterManyCreated: afterMany.buffersCreated,
      concurrentMatches: relErr(b, single) === 0 && relErr(a, b) > 0 ? 1 : 0,
      beforeFitLive: beforeFit.liveBuffers,
      afterFitLive: afterFit.liveBuffers,
      refusedLive,
      endLive: end.liveBuffers,
      endBytes: end.liveBytes,
      endScopes: end.scopes,
    };
  } finally {
    ctx.destroy();
  }
}

/** Two programs under one name are refused; the same variant compiles once; the debug
 *  option prints a program's WGSL by name. */
export async function programCache(): Promise<Record<string, string | number | boolean>> {
  const out: Record<string, string | number | boolean> = {};
  const logs: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  const ctx = await createContext({ debugPrograms: ['loss'] });
  try {
    const mlp = createMlp(ctx, { inputs: 1, hidden: [4], outputs: 1 });
    const x = new Float32Array([0, 0.5, 1]);
    await mlp.lossAndGradients({ x, y: x, dydx: x }, { gradientWeight: 0.5 });
    mlp.destroy();
  } finally {
    console.log = log;
  }
  out.printedLoss = logs.some((l) => l.includes('program loss|') && l.includes('@group(0) @binding(3) var<storage, read_write> loss: array<f32>;'));
  out.printedOthers = logs.some((l) => l.includes('program gemm|'));
  const a = compileProgram(ctx.device, activationBackwardProgram, { activation: 'tanh', seed: false });
  const b = compileProgram(ctx.device, activationBackwardProgram, { activation: 'tanh', seed: false });
  out.sameKernel = a === b;
  out.key = a.label;
  try {
    compileProgram(ctx.device, { ...activationBackwardProgram }, { activation: 'tanh', seed: false });
    out.collision = 'no error';
  } catch (e) {
    out.collision = (e as Error).message;
  }
  ctx.destroy();
  return out;
}
