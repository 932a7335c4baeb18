import { directGemmLayout, GemmDims, gemmProgram, gemmUsesZs, type GemmVariant } from '../../shaders/gemm';
import { sliceSumProgram } from '../../shaders/reduce';
import type { Activation } from '../types';
import { dispatchOf, type DispatchSpec } from './dispatch';

/** Shape of one GEMM call (kChunk is decided here). */
export type GemmShape = Omit<Parameters<typeof GemmDims.pack>[0], 'kChunk'>;

export interface GemmBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  /** Pre-activations, for the 'primal' and 'tangent' epilogues. */
  zs?: GPUBuffer;
  /** Split K: returns a scratch buffer of at least `floats` elements (owned by the caller). */
  scratch?: (floats: number) => GPUBuffer;
}

export type GemmStructure = Pick<GemmVariant, 'transA' | 'transB' | 'epilogue' | 'onesRow'>;

/** Which GEMM variant a device gets (Context holds its own). */
export interface GemmPreferences {
  /** Stage tiles in workgroup memory (right for GPUs; wrong for CPU emulation). */
  tiledGemm: boolean;
  /** Workgroups a GEMM should have before it is worth splitting K across more of them. */
  splitTarget: number;
}

/** How many K slices: enough workgroups to fill the device when the output is small and K
 *  long (the weight gradient: a (fanIn + 1) × fanOut output summed over (1 + k)·n rows). */
function splitCount(tiles: number, K: number, target: number): number {
  if (tiles >= target || K < 512) return 1;
  return Math.max(1, Math.min(Math.ceil(target / tiles), Math.floor(K / 256)));
}

/**
 * Dispatch specs for C = op(A)·op(B) with the structure's epilogue; shapes in uniforms.
 * One dispatch, or two for a split-K product (partial slices, then their sum).
 */
export function gemmSpecs(
  prefs: GemmPreferences,
  structure: GemmStructure,
  activation: Activation,
  shape: GemmShape,
  buffers: GemmBuffers,
): DispatchSpec[] {
  const layout = prefs.tiledGemm ? { x: 8, y: 8, microRows: 4, microCols: 4 } : directGemmLayout(shape.M, shape.N);
  const variant: GemmVariant = {
    ...structure,
    tiled: prefs.tiledGemm,
    microRows: layout.microRows,
    microCols: layout.microCols,
    threadsX: layout.x,
    threadsY: layout.y,
    // A plain product applies no activation: one pipeline serves every activation.
    activation: structure.epilogue === 'none' ? 'linear' : activation,
  };
  if (gemmUsesZs(variant) && !buffers.zs) throw new Error('gemm: this epilogue needs the pre-activation buffer');
  const tiles = gemmProgram.workgroups(variant, { ...shape, kChunk: shape.K });
  const wanted = variant.epilogue === 'none' && buffers.scratch ? splitCount(tiles[0] * tiles[1], shape.K, prefs.splitTarget) : 1;
  const kChunk = Math.ceil(shape.K / wanted);
  const slices = Math.ceil(shape.K / kChunk);
  const target = slices > 1 ? buffers.scratch!(slices * shape.M * shape.N) : buffers.c;
  const product = dispatchOf(gemmProgram, variant, { ...shape, kChunk, offsetC: slices > 1 ? 0 : shape.offsetC }, {
    A: buffers.a,
    B: buffers.b,
    C: target,
    ...(gemmUsesZs(variant) ? { Zs: buffers.zs! } : {}),
  });
  if (slices === 1) return [product];
  const sum = dispatchOf(sliceSumProgram, undefined, { count: shape.M * shape.N, slices, offsetOut: shape.offsetC }, { parts: target, out: buffers.c });
  return [product, sum];
}

/** Most rows one GEMM of this device may cover: its row tiles run along workgroup y. */
export function gemmMaxRows(prefs: GemmPreferences, device: GPUDevice): number {
  // Row tiles of a tall product: 32 rows tiled, 8 threads × 8 rows direct (directGemmLayout).
  const tileRows = prefs.tiledGemm ? 32 : 64;
  return device.limits.maxComputeWorkgroupsPerDimension * tileRows;
}
