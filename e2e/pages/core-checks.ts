// In-page checks of the engine core: kernels against the float64 reference one program at a
// time, buffer ownership read from ctx.stats(), the program cache and its debug output.
import { BackProblem, groupedBackwardProgram } from '../../shaders/grouped';
import { f32Bits } from '../../shaders/table';
import { createContext, createMlp, type Activation } from '../../src/index';
import { dispatchOf, encodeDispatches, realize } from '../../src/gpu/dispatch';
import { compileProgram } from '../../src/gpu/programs';
import { activationBackward, refActivations, refRandomArray } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { context } from './checks';

const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);
const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(a as ArrayLike<number>));

/**
 * The grouped activation-backward kernel alone vs the reference's activationBackward: two
 * problems of different widths and tangent blocks in one dispatch, on random
 * pre-activations and upstream gradients: z̄ (with the σ'' coupling) and ż̄. With `seed`,
 * the upstream rows are network outputs and the kernel forms the loss seeds itself.
 */
export async function activationBackwardKernel(activation: Activation, k: number, seed: boolean): Promise<{ zBar: number; zDotBar: number }> {
  const ctx = await context();
  const n = 7;
  const problems = [
    { activation, width: 5, k },
    { activation, width: 3, k: k + 1 },
  ];
  const valueScale = 0.3;
  const tangentScale = 0.7;
  let offset = 0;
  let wgStart = 0;
  const parts = problems.map((p, j) => {
    const size = n * p.width;
    const zs = f64(refRandomArray((1 + p.k) * size, 11 + j, -2, 2));
    const upstream = f64(refRandomArray((1 + p.k) * size, 12 + j, -1, 1));
    const targets = f64(refRandomArray((1 + p.k) * size, 13 + j, -1, 1));
    const block = (a: Float64Array, b: number) => a.slice(b * size, (b + 1) * size);
    const aBar = seed ? block(upstream, 0).map((v, i) => valueScale * (v - targets[i])) : block(upstream, 0);
    const aDotBar = Array.from({ length: p.k }, (_, b) => (seed ? block(upstream, b + 1).map((v, i) => tangentScale * (v - targets[(b + 1) * size + i])) : block(upstream, b + 1)));
    const ref = activationBackward(refActivations[p.activation], block(zs, 0), Array.from({ length: p.k }, (_, b) => block(zs, b + 1)), aBar, aDotBar);
    const record = {
      n, width: p.width, k: p.k, valueScale: f32Bits(valueScale), tangentScale: f32Bits(tangentScale),
      offZ: offset, offUp: offset, offZbar: offset, offY: offset, offT: offset + size, offM: 0, start: wgStart,
    };
    offset += (1 + p.k) * size;
    wgStart += Math.ceil(size / 64);
    return { zs, upstream, targets, ref, record, size };
  });
  const concat = (pick: (p: (typeof parts)[number]) => Float64Array) => {
    const out = new Float32Array(offset);
    parts.forEach((p) => out.set(f32(pick(p)), p.record.offZ));
    return out;
  };
  const scope = ctx.scope('check:activation-backward');
  try {
    const zbar = scope.storage('zbar', offset);
    const table = BackProblem.pack(parts.map((p) => p.record));
    const [list] = realize(ctx, scope, 'check', [
      [
        dispatchOf(groupedBackwardProgram, { seed, activation }, { count: parts.length, total: wgStart, cap: 1 }, {
          zs: scope.storage('zs', offset, concat((p) => p.zs)),
          upstream: scope.storage('upstream', offset, concat((p) => p.upstream)),
          zbar,
          problems: scope.storage('table', table.length, table),
          ...(seed ? { targets: scope.storage('targets', offset, concat((p) => p.targets)) } : {}),
        }),
      ],
    ]);
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, list);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    const out = await scope.read(zbar, offset);
    let zBar = 0;
    let zDotBar = 0;
    for (const p of parts) {
      const mine = out.subarray(p.record.offZ, p.record.offZ + (1 + p.record.k) * p.size);
      const dots = new Float64Array(p.record.k * p.size);
      p.ref.zDotBar.forEach((b, j) => dots.set(b, j * p.size));
      zBar = Math.max(zBar, relErr(mine.subarray(0, p.size), p.ref.zBar));
      if (p.record.k > 0) zDotBar = Math.max(zDotBar, relErr(mine.subarray(p.size), dots));
    }
    return { zBar, zDotBar };
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
  const ctx = await createContext({ debugPrograms: ['loss-grouped'] });
  try {
    const mlp = createMlp(ctx, { inputs: 1, hidden: [4], outputs: 1 });
    const x = new Float32Array([0, 0.5, 1]);
    await mlp.lossAndGradients({ x, y: x, dydx: x }, { gradientWeight: 0.5 });
    mlp.destroy();
  } finally {
    console.log = log;
  }
  out.printedLoss = logs.some((l) => l.includes('program loss-grouped|') && l.includes('@group(0) @binding(2) var<storage, read_write> loss: array<f32>;'));
  out.printedOthers = logs.some((l) => l.includes('program gemm-grouped|'));
  const a = compileProgram(ctx.device, groupedBackwardProgram, { seed: false, activation: 'tanh' });
  const b = compileProgram(ctx.device, groupedBackwardProgram, { seed: false, activation: 'tanh' });
  out.sameKernel = a === b;
  out.key = a.label;
  try {
    compileProgram(ctx.device, { ...groupedBackwardProgram }, { seed: false, activation: 'tanh' });
    out.collision = 'no error';
  } catch (e) {
    out.collision = (e as Error).message;
  }
  ctx.destroy();
  return out;
}
