import { activationId } from '../../shaders/activations';
import { directGemmThreads, GemmDims, gemmShader, type GemmVariant } from '../../shaders/gemm';
import type { Activation } from '../types';
import { bindGroup, getKernel, kernelPreferences } from './pipelines';
import type { UniformArena } from './uniforms';
import type { Dispatch } from '../nn/dispatch';

export type GemmShape = Parameters<typeof GemmDims.pack>[0];

export interface GemmBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  /** Pre-activations, for the 'primal' and 'tangent' epilogues. */
  zs?: GPUBuffer;
}

/** A prebuilt GEMM dispatch: C = op(A)·op(B) with the variant's epilogue, shapes in a uniform. */
export function gemmDispatch(
  device: GPUDevice,
  uniforms: UniformArena,
  structure: Omit<GemmVariant, 'tiled'>,
  activation: Activation,
  shape: GemmShape,
  buffers: GemmBuffers,
): Dispatch {
  const variant: GemmVariant = { ...structure, tiled: kernelPreferences(device).tiledGemm };
  const threads = variant.tiled ? { x: 8, y: 8 } : directGemmThreads(shape.M, shape.N);
  const usesZs = variant.epilogue === 'primal' || variant.epilogue === 'tangent';
  // A plain product applies no activation: one pipeline serves every activation.
  const act = variant.epilogue === 'none' ? 'linear' : activation;
  const kernel = getKernel(device, {
    label: `gemm:${variant.transA ? 't' : 'n'}${variant.transB ? 't' : 'n'}:${variant.epilogue}${variant.onesRow ? ':ones' : ''}${variant.tiled ? ':tiled' : ''}`,
    variant: { ...variant },
    code: () => gemmShader(variant),
    bindings: ['read', 'read', 'rw', 'uniform', ...(usesZs ? (['rw'] as const) : [])],
    constants: { ACT: activationId(act), ...(variant.tiled ? {} : { TX: threads.x, TY: threads.y }) },
  });
  if (usesZs && !buffers.zs) throw new Error('gemm: this epilogue needs the pre-activation buffer');
  const resources = [buffers.a, buffers.b, buffers.c, uniforms.add(GemmDims, shape), ...(usesZs ? [buffers.zs!] : [])];
  const groups: [number, number] = [Math.ceil(shape.N / (4 * threads.x)), Math.ceil(shape.M / (4 * threads.y))];
  if (groups[1] > device.limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`gemm: ${shape.M} rows exceed this device's dispatch limit; use fewer rows per call.`);
  }
  return { kernel, group: bindGroup(device, kernel, resources), workgroups: groups };
}
