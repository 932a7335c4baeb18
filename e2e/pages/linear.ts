// Test page of the GPU Gram sums and the linear section (e2e/linear*.spec.ts): each check runs
// the GPU backend and the float64 CPU sums on the same data in the page and returns numbers and
// messages, so the specs only compare them against tolerances. Live buffers are tracked so the
// specs can assert that every call frees what it made; uncaptured WebGPU errors become console
// errors (which fail the test).
import { compiledKernelCount, createContext, type Context } from '../../src/index';
import * as linear from '../../src/linear/index';
import { compareSums, sumsTestData, type SumsDataKind } from '../../src/linear/sums-check';
import type { GpuSumsOptions, GramSums } from '../../src/linear/index';
import { sineFeatures } from '../../src/experiments/linear';
import { sineData } from '../../src/experiments/problems/sine';
import { section } from '../../demo/sections/linear';

const live = new Set<GPUBuffer>();
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
  const device = await requestDevice.call(this, descriptor);
  device.addEventListener('uncapturederror', (event) => {
    console.error(`WebGPU uncaptured error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (d: GPUBufferDescriptor) => {
    const b = createBuffer(d);
    live.add(b);
    return b;
  };
  return device;
};
const destroyBuffer = GPUBuffer.prototype.destroy;
GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
  live.delete(this);
  destroyBuffer.call(this);
};

/** Labels of live (not destroyed) buffers made by the linear module. */
function liveLinearBuffers(): string[] {
  return [...live].filter((b) => b.label.startsWith('linear:')).map((b) => b.label);
}

let shared: Promise<Context> | null = null;
function context(): Promise<Context> {
  return (shared ??= createContext());
}

/** GPU vs float64 CPU sums on a seeded system; also the live linear buffers afterwards. */
async function compare(kind: SumsDataKind, n: number, p: number, g: number, options: GpuSumsOptions = {}, seed = 1) {
  const ctx = await context();
  const backend = linear.createGpuSums(ctx, options);
  await backend(new Float64Array(p).fill(1), new Float64Array(1), 1, p); // compile outside the timing
  const result = await compareSums(backend, kind, n, p, g, seed);
  return { ...result, live: liveLinearBuffers(), adapter: ctx.adapterInfo };
}

async function message(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'no error';
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** Every bad input the backend must reject, with the error each got. */
async function badInputs(): Promise<{ messages: Record<string, string>; live: string[] }> {
  const ctx = await context();
  const sums = linear.createGpuSums(ctx);
  const d = sumsTestData('random', 6, 3, 1, 4);
  const { phi, y, n, p } = d;
  const dphi = d.dphi!;
  const dy = d.dy!;
  const nan = Float64Array.from(phi);
  nan[7] = NaN;
  const inf = Float64Array.from(dy[0]);
  inf[2] = -Infinity;
  const huge = Float64Array.from(phi);
  huge[4] = 1e30;
  const messages: Record<string, string> = {
    phiShape: await message(() => sums(phi.subarray(1), y, n, p)),
    yShape: await message(() => sums(phi, y.subarray(1), n, p)),
    dphiShape: await message(() => sums(phi, y, n, p, [dphi[0].subarray(2)], dy)),
    dyCount: await message(() => sums(phi, y, n, p, dphi, [])),
    dphiWithoutDy: await message(() => sums(phi, y, n, p, dphi)),
    badN: await message(() => sums(phi, y, 0, p)),
    nanPhi: await message(() => sums(nan, y, n, p, dphi, dy)),
    infDy: await message(() => sums(phi, y, n, p, dphi, [inf])),
    overflowUncentred: await message(() => linear.createGpuSums(ctx, { centre: false })(huge, y, n, p)),
    badOption: await message(async () => linear.createGpuSums(ctx, { blockRows: 0 })),
    badMode: await message(async () => linear.createGpuSums(ctx, { mode: 'double' as never })),
  };
  const own = await createContext();
  const gone = linear.createGpuSums(own);
  own.destroy();
  messages.destroyedContext = await message(() => gone(phi, y, n, p));
  return { messages, live: liveLinearBuffers() };
}

/** Pipelines compiled on a fresh device: before, after one call, after calls of other shapes,
 *  and after one call in another mode. */
async function pipelineCounts() {
  const ctx = await createContext();
  try {
    const count = () => compiledKernelCount(ctx.device);
    const run = async (mode: 'split' | 'kahan', n: number, p: number, g: number) => {
      const d = sumsTestData('random', n, p, g, 2);
      await linear.createGpuSums(ctx, { mode })(d.phi, d.y, n, p, d.dphi, d.dy);
    };
    const before = count();
    await run('split', 10, 8, 1);
    const afterFirst = count();
    for (const [n, p, g] of [[500, 3, 0], [70, 17, 2], [5_000, 8, 1]]) await run('split', n, p, g);
    const afterMany = count();
    await run('kahan', 10, 8, 1);
    return { before, afterFirst, afterMany, afterKahan: count() };
  } finally {
    ctx.destroy();
  }
}

/** β from the GPU and the CPU sums for every fit on sine data of n rows: relative differences. */
async function fitAgreement(n: number, seed = 3) {
  const ctx = await context();
  const f = sineFeatures();
  const s = sineData({ n, seed });
  const d = f.design(s.x);
  const y = Float64Array.from(s.y);
  const dy = [Float64Array.from(s.dydx)];
  const [gpu, cpu] = await Promise.all([linear.createGpuSums(ctx)(d.phi, y, n, d.p, d.dphi, dy), linear.gramSums(d.phi, y, n, d.p, d.dphi, dy)]);
  const fits: Record<string, (g: GramSums) => Float64Array> = {
    leastSquares: (g) => linear.fitLeastSquares(g, 0),
    ridge: (g) => linear.fitLeastSquares(g, 0.1),
    giLeastSquares: (g) => linear.fitGiLeastSquares(g, 1),
    betaGrad: (g) => linear.fitGradientCoefficients(g),
    ridgeGradient: (g) => linear.fitRidgeGradient(g, 0.05, 2),
  };
  const rel: Record<string, number> = {};
  for (const [name, fit] of Object.entries(fits)) {
    const a = fit(gpu);
    const b = fit(cpu);
    let num = 0;
    let den = 0;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(a[i] - b[i]));
      den = Math.max(den, Math.abs(b[i]));
      if (!Number.isFinite(a[i])) num = Infinity;
    }
    rel[name] = num / den;
  }
  return { rel, zeroColumnExact: gpu.DtD![0] === 0 && cpu.DtD![0] === 0, live: liveLinearBuffers() };
}

/** Runs the demo's linear section with a stub UI; returns its result and the progress calls. */
async function runSection(preset: 'quick' | 'paper') {
  const element = document.createElement('div');
  document.body.append(element);
  const progress: [string, number, number][] = [];
  const logs: string[] = [];
  const started = performance.now();
  const result = await section.run(preset, { element, progress: (t, d, n) => progress.push([t, d, n]), log: (m) => logs.push(m) }, new AbortController().signal);
  section.render?.(result.json, element); // the figures come from the section's JSON, as on the report page
  return { result, progress, logs, seconds: (performance.now() - started) / 1000, canvases: element.querySelectorAll('canvas').length, live: liveLinearBuffers() };
}

Object.assign(globalThis, { linearChecks: { compare, badInputs, pipelineCounts, fitAgreement, runSection }, linearReady: true });
