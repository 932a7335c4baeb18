import { directGemmLayout, GemmDims, gemmTiles, type GemmVariant } from '../../shaders/gemm';
import { GemmProblem, groupedGemmProgram, groupedTransposeProgram, SLOPE_FROM_OUTPUT, TransposeProblem, type GroupedGemmVariant } from '../../shaders/gemm-grouped';
import { groupedSliceSumProgram, SumProblem } from '../../shaders/grouped';
import type { Activation } from '../types';
import { dispatchOf, type DispatchSpec } from './dispatch';

/** Shape of one GEMM call (kChunk is decided here). */
export type GemmShape = Omit<Parameters<typeof GemmDims.pack>[0], 'kChunk'>;

export type GemmStructure = Pick<GemmVariant, 'transA' | 'transB' | 'onesRow'>;

/** Which GEMM variant a device gets (Context holds its own). */
export interface GemmPreferences {
  /** Stage tiles in workgroup memory (right for GPUs; wrong for CPU emulation). */
  tiledGemm: boolean;
  /** Workgroups a GEMM should have before it is worth splitting K across more of them. */
  splitTarget: number;
  /** Most workgroups an elementwise grouped kernel dispatches (0: all). */
  elementwiseCap: number;
  /** Direct kernel: transpose op(B) = Bᵀ into scratch and multiply untransposed. Off by
   *  default: bench/kernels.ts measured 0.98–1.04× on SwiftShader at low load (it only
   *  seemed to pay under heavy load), not worth its extra dispatch. */
  directTransposeB?: boolean;
  /** Tangent epilogue: σ' of tanh and sigmoid from the primal activation (default true). */
  slopeFromOutput?: boolean;
}

/** How many K slices: enough workgroups to fill the device when the output is small and K
 *  long (the weight gradient: a (fanIn + 1) × fanOut output summed over (1 + k)·n rows). */
function splitCount(tiles: number, K: number, target: number): number {
  if (tiles >= target || K < 512) return 1;
  return Math.max(1, Math.min(Math.ceil(target / tiles), Math.floor(K / 256)));
}

/** One product of a grouped GEMM: a shape in the group's buffers, and for a forward GEMM the
 *  epilogue and activation of its layer. */
export interface GroupedProblem {
  shape: GemmShape;
  /** The forward epilogue's activation (problems with different ones get their own dispatch). */
  activation?: Activation;
  /** Pre-activation offset ('primal', 'tangent'). */
  offsetZ?: number;
}

export interface GroupedGemmBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  zs?: GPUBuffer;
  /** A storage buffer holding a problem table (owned by the caller). */
  table: (records: Uint32Array<ArrayBuffer>) => GPUBuffer;
  /** Split K: a scratch buffer of at least `floats` elements (owned by the caller). */
  scratch?: (floats: number) => GPUBuffer;
}

/**
 * Dispatch specs of one grouped GEMM over `problems` (all with the same structure): one
 * dispatch per direct-layout class present (one for the tiled variant), then one grouped
 * slice sum if any problem splits K. Each problem is tiled and split by its own shape alone,
 * so a model computes the same sums in any group.
 */
export function groupedGemmSpecs(prefs: GemmPreferences, structure: GemmStructure, epilogue: 'none' | 'primal' | 'tangent', problems: GroupedProblem[], buffers: GroupedGemmBuffers): DispatchSpec[] {
  // Direct kernel, op(B) = Bᵀ: transpose every B into scratch first (one grouped dispatch)
  // and multiply by it untransposed. Each C element is the same k-ordered sum of the same
  // products either way, so the results are bit-identical; the B loads become contiguous.
  if (!prefs.tiledGemm && structure.transB && buffers.scratch && prefs.directTransposeB === true) {
    const records: Record<string, number>[] = [];
    let floats = 0;
    let groups = 0;
    const moved = problems.map((problem) => {
      const { N, K, ldb, offsetB } = problem.shape;
      records.push({ rows: N, cols: K, ld: ldb, offIn: offsetB, offOut: floats, start: groups });
      const shape = { ...problem.shape, offsetB: floats, ldb: N };
      floats += N * K;
      groups += Math.ceil((N * K) / 64);
      return { ...problem, shape };
    });
    const transposed = buffers.scratch(floats);
    const transpose = dispatchOf(groupedTransposeProgram, undefined, { count: records.length, total: groups, cap: prefs.elementwiseCap }, {
      src: buffers.b,
      dst: transposed,
      problems: buffers.table(TransposeProblem.pack(records as never)),
    });
    return [transpose, ...groupedGemmSpecs(prefs, { ...structure, transB: false }, epilogue, moved, { ...buffers, b: transposed })];
  }
  const forward = epilogue !== 'none';
  if (forward && !buffers.zs) throw new Error('grouped gemm: a forward product needs the pre-activation buffer');
  // One dispatch per (layout class, split or not): split problems write partial sums to scratch.
  const classes = new Map<string, { variant: GroupedGemmVariant; split: boolean; records: Record<string, number>[]; total: number }>();
  const sums: Record<string, number>[] = [];
  let scratchFloats = 0;
  let sumGroups = 0;
  for (const problem of problems) {
    const { shape } = problem;
    const layout = prefs.tiledGemm ? { x: 8, y: 8, microRows: 4, microCols: 4 } : directGemmLayout(shape.M, shape.N);
    const activation = forward ? (problem.activation ?? 'linear') : 'linear';
    const variant: GroupedGemmVariant = { ...structure, epilogue, activation, tiled: prefs.tiledGemm, microRows: layout.microRows, microCols: layout.microCols, threadsX: layout.x, threadsY: layout.y };
    if (epilogue === 'tangent' && SLOPE_FROM_OUTPUT[activation] && prefs.slopeFromOutput !== false) variant.slopeFromOutput = true;
    const { x: tilesX, y: tilesY } = gemmTiles(variant, shape.M, shape.N);
    const wanted = !forward && buffers.scratch ? splitCount(tilesX * tilesY, shape.K, prefs.splitTarget) : 1;
    const kChunk = Math.ceil(shape.K / wanted);
    const slices = Math.ceil(shape.K / kChunk);
    const key = `${groupedGemmProgram.key(variant)}|${slices > 1}`;
    let entry = classes.get(key);
    if (!entry) classes.set(key, (entry = { variant, split: slices > 1, records: [], total: 0 }));
    const record: Record<string, number> = {
      ...shape,
      kChunk,
      start: entry.total,
      tilesX,
      tilesY,
      offsetZ: problem.offsetZ ?? 0,
    };
    entry.records.push(record);
    entry.total += tilesX * tilesY * slices;
    if (slices > 1) {
      const count = shape.M * shape.N;
      sums.push({ count, slices, offParts: scratchFloats, offOut: shape.offsetC, start: sumGroups });
      record.offsetC = scratchFloats;
      scratchFloats += slices * count;
      sumGroups += Math.ceil(count / 64);
    }
  }
  const scratch = sums.length > 0 ? buffers.scratch!(scratchFloats) : null;
  const specs = [...classes.values()].map(({ variant, split, records, total }) =>
    dispatchOf(groupedGemmProgram, variant, { count: records.length, total, cap: 0 }, {
      A: buffers.a,
      B: buffers.b,
      C: split ? scratch! : buffers.c,
      problems: buffers.table(GemmProblem.pack(records as never)),
      ...(forward ? { Zs: buffers.zs! } : {}),
    }),
  );
  if (scratch) specs.push(dispatchOf(groupedSliceSumProgram, undefined, { count: sums.length, total: sumGroups, cap: prefs.elementwiseCap }, { parts: scratch, out: buffers.c, problems: buffers.table(SumProblem.pack(sums as never)) }));
  return specs;
}
