import { activationId } from '../../shaders/activations';
import { directGemmLayout, GemmDims, gemmShader, type DirectLayout, type GemmVariant } from '../../shaders/gemm';
import { SliceSumDims, sliceSumShader } from '../../shaders/reduce';
import type { Activation } from '../types';
import { linearWorkgroups, type Dispatch } from '../nn/dispatch';
import { bindGroup, getKernel, kernelPreferences } from './pipelines';
import type { UniformArena } from './uniforms';

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

/** How many K slices: enough workgroups to fill the device when the output is small and K
 *  long (the weight gradient: a (fanIn + 1) × fanOut output summed over (1 + k)·n rows). */
function splitCount(tiles: number, K: number, target: number): number {
  if (tiles >= target || K < 512) return 1;
  return Math.max(1, Math.min(Math.ceil(target / tiles), Math.floor(K / 256)));
}

/**
 * Prebuilt dispatches for C = op(A)·op(B) with the structure's epilogue; shapes in uniforms.
 * One dispatch, or two for a split-K product (partial slices, then their sum).
 */
export function gemmDispatches(
  device: GPUDevice,
  uniforms: UniformArena,
  structure: GemmStructure,
  activation: Activation,
  shape: GemmShape,
  buffers: GemmBuffers,
): Dispatch[] {
  const prefs = kernelPreferences(device);
  const layout: DirectLayout = prefs.tiledGemm ? { x: 8, y: 8, microRows: 4, microCols: 4 } : directGemmLayout(shape.M, shape.N);
  const variant: GemmVariant = { ...structure, tiled: prefs.tiledGemm, microRows: layout.microRows, microCols: layout.microCols };
  const tile = prefs.tiledGemm ? { rows: 32, cols: 32 } : { rows: layout.microRows * layout.y, cols: layout.microCols * layout.x };
  // The direct kernel adds the bias row of a weight gradient outside its row tiles.
  const tiledRows = !prefs.tiledGemm && structure.onesRow ? Math.max(1, shape.M - 1) : shape.M;
  const groups = [Math.ceil(shape.N / tile.cols), Math.ceil(tiledRows / tile.rows)];
  if (groups[1] > device.limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`gemm: ${shape.M} rows exceed this device's dispatch limit; use fewer rows per call.`);
  }
  const usesZs = variant.epilogue === 'primal' || variant.epilogue === 'tangent';
  if (usesZs && !buffers.zs) throw new Error('gemm: this epilogue needs the pre-activation buffer');
  const slices = variant.epilogue === 'none' && buffers.scratch ? splitCount(groups[0] * groups[1], shape.K, prefs.splitTarget) : 1;
  const kChunk = Math.ceil(shape.K / slices);

  // A plain product applies no activation: one pipeline serves every activation.
  const act = variant.epilogue === 'none' ? 'linear' : activation;
  const kernel = getKernel(device, {
    label: `gemm:${variant.transA ? 't' : 'n'}${variant.transB ? 't' : 'n'}:${variant.epilogue}${variant.onesRow ? ':ones' : ''}${variant.tiled ? ':tiled' : `:${variant.microRows}x${variant.microCols}`}`,
    variant: { ...variant },
    code: () => gemmShader(variant),
    bindings: ['read', 'read', 'rw', 'uniform', ...(usesZs ? (['rw'] as const) : [])],
    constants: { ACT: activationId(act), ...(variant.tiled ? {} : { TX: layout.x, TY: layout.y }) },
  });
  const target = slices > 1 ? buffers.scratch!(slices * shape.M * shape.N) : buffers.c;
  const dims = uniforms.add(GemmDims, { ...shape, kChunk, offsetC: slices > 1 ? 0 : shape.offsetC });
  const product: Dispatch = {
    kernel,
    group: bindGroup(device, kernel, [buffers.a, buffers.b, target, dims, ...(usesZs ? [buffers.zs!] : [])]),
    workgroups: [groups[0], groups[1], slices],
  };
  if (slices === 1) return [product];
  const sum = getKernel(device, { label: 'gemm:slice-sum', variant: {}, code: () => sliceSumShader, bindings: ['read', 'rw', 'uniform'] });
  const count = shape.M * shape.N;
  const sumDims = uniforms.add(SliceSumDims, { count, slices, offsetOut: shape.offsetC });
  return [product, { kernel: sum, group: bindGroup(device, sum, [target, buffers.c, sumDims]), workgroups: linearWorkgroups(count) }];
}
