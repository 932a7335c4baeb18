// Kernel A/B in the same page: each change to the direct (SwiftShader) GEMM path kept behind a
// GemmPreferences switch is timed against the path without it, on the benchmark step's own
// shapes (N = 1024, k = 4, width 64), interleaved (so load on the machine hits both alike),
// and its output compared bit for bit with the other's.
import type { Context } from '../src/index';
import { encodeDispatches, realize, type Dispatch } from '../src/gpu/dispatch';
import { groupedGemmSpecs, type GemmPreferences, type GroupedProblem } from '../src/gpu/gemm';
import { median } from '../src/util/stats';
import { pause } from './timing';

export interface KernelComparison {
  /** What is computed. */
  what: string;
  /** The switch and its two settings. */
  change: string;
  /** ms per run of the dispatches (median over interleaved rounds): without, with. */
  withoutMs: number;
  withMs: number;
  /** withoutMs / withMs (> 1: the change pays). */
  speedup: number;
  dispatchesWithout: number;
  dispatchesWith: number;
  /** The two outputs are bitwise equal. */
  identical: boolean;
}

interface Case {
  what: string;
  change: string;
  key: keyof GemmPreferences;
  build: (prefs: GemmPreferences) => { specs: ReturnType<typeof groupedGemmSpecs>; output: GPUBuffer; bytes: number };
}

function randomBuffer(scope: ReturnType<Context['scope']>, label: string, length: number, seed: number, scale = 1): GPUBuffer {
  let s = seed >>> 0 || 1;
  const data = Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
  return scope.storage(label, length, data);
}

async function timeList(device: GPUDevice, list: Dispatch[], reps: number): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'bench:kernels' });
  const pass = encoder.beginComputePass({ label: 'bench:kernels' });
  for (let r = 0; r < reps; r++) encodeDispatches(pass, list);
  pass.end();
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / reps;
}

async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Uint32Array> {
  const staging = device.createBuffer({ label: 'bench:kernels:read', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

/** Times every case; `rounds` interleaved rounds of each setting. */
export async function compareKernels(ctx: Context, rounds = 5, log?: (m: string) => void): Promise<KernelComparison[]> {
  const n = 1024;
  const k = 4;
  const width = 64;
  const rows = (1 + k) * n;
  const scope = ctx.scope('bench:kernels');
  const table = (records: Uint32Array<ArrayBuffer>) => scope.storage('bench:kernels:table', records.length, records);
  const scratch = (floats: number) => scope.storage('bench:kernels:scratch', floats);
  const base: GemmPreferences = { tiledGemm: ctx.tiledGemm, splitTarget: ctx.splitTarget, elementwiseCap: ctx.elementwiseCap };
  // Parameters: W (fanIn × width) then its bias row, as the step stores [W; b].
  const forwardCase = (fanIn: number): Case => ({
    what: `forward tangents, ${k * n} rows, ${fanIn}→${width}, tanh epilogue`,
    change: "σ'(Z) from the stored σ(Z) (slopeFromOutput) vs act_d1(Z)",
    key: 'slopeFromOutput',
    build: (prefs) => {
      const a = randomBuffer(scope, 'bench:kernels:A', rows * fanIn, 1);
      const b = randomBuffer(scope, 'bench:kernels:W', (fanIn + 1) * width, 2, 0.3);
      const c = scope.storage('bench:kernels:C', rows * width);
      const zs = scope.storage('bench:kernels:Z', rows * width);
      const shape = { N: width, K: fanIn, rowsPerBlock: n, lda: fanIn, ldb: width, offsetA: 0, offsetB: 0, offsetC: 0 };
      const problem = (M: number, rowStart: number): GroupedProblem => ({ activation: 'tanh', offsetZ: 0, shape: { ...shape, M, rowStart } });
      const structure = { transA: false, transB: false, onesRow: false };
      const buffers = { a, b, c, zs, table };
      return {
        specs: [...groupedGemmSpecs(prefs, structure, 'primal', [problem(n, 0)], buffers), ...groupedGemmSpecs(prefs, structure, 'tangent', [problem(k * n, n)], buffers)],
        output: c,
        bytes: rows * width * 4,
      };
    },
  });
  const cases: Case[] = [
    forwardCase(4),
    forwardCase(width),
    {
      what: `Ā = Z̄·Wᵀ, ${rows} rows, ${width}→${width}`,
      change: 'Wᵀ transposed first, then a plain product (directTransposeB) vs strided Wᵀ reads',
      key: 'directTransposeB',
      build: (prefs) => {
        const a = randomBuffer(scope, 'bench:kernels:Zbar', rows * width, 3);
        const b = randomBuffer(scope, 'bench:kernels:W', width * width, 4, 0.3);
        const c = scope.storage('bench:kernels:Abar', rows * width);
        const shape = { M: rows, N: width, K: width, rowStart: 0, rowsPerBlock: n, lda: width, ldb: width, offsetA: 0, offsetB: 0, offsetC: 0 };
        return { specs: groupedGemmSpecs(prefs, { transA: false, transB: true, onesRow: false }, 'none', [{ shape }], { a, b, c, table, scratch }), output: c, bytes: rows * width * 4 };
      },
    },
  ];
  const out: KernelComparison[] = [];
  try {
    for (const kase of cases) {
      const settings = [false, true].map((on) => {
        const built = kase.build({ ...base, [kase.key]: on });
        const [list] = realize(ctx, scope, `bench:kernels:${kase.key}:${on}`, [built.specs]);
        return { list, ...built };
      });
      for (const s of settings) await timeList(ctx.device, s.list, 2); // compile, warm
      const probe = await timeList(ctx.device, settings[0].list, 2);
      const reps = Math.max(2, Math.min(200, Math.round(300 / Math.max(probe, 0.05))));
      const times: number[][] = [[], []];
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < 2; i++) times[i].push(await timeList(ctx.device, settings[i].list, reps));
        await pause(10);
      }
      const [x, y] = await Promise.all(settings.map((s) => readBack(ctx.device, s.output, s.bytes)));
      const identical = x.length === y.length && x.every((v, i) => v === y[i]);
      const row: KernelComparison = {
        what: kase.what,
        change: kase.change,
        withoutMs: median(times[0]),
        withMs: median(times[1]),
        speedup: median(times[0]) / median(times[1]),
        dispatchesWithout: settings[0].list.length,
        dispatchesWith: settings[1].list.length,
        identical,
      };
      log?.(`kernels: ${row.what}: ${row.withoutMs.toFixed(2)} → ${row.withMs.toFixed(2)} ms (${row.speedup.toFixed(2)}×), bitwise ${identical ? 'identical' : 'DIFFERENT'}`);
      out.push(row);
    }
  } finally {
    scope.destroy();
  }
  return out;
}

