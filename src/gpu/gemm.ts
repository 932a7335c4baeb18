import { activationId } from '../../shaders/activations';
import { GEMM_TILE, GemmDims, gemmShader, type GemmVariant } from '../../shaders/gemm';
import type { Activation } from '../types';
import { bindGroup, getKernel } from './pipelines';
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
  variant: GemmVariant,
  activation: Activation,
  shape: GemmShape,
  buffers: GemmBuffers,
): Dispatch {
  const usesZs = variant.epilogue === 'primal' || variant.epilogue === 'tangent';
  // A plain product applies no activation: one pipeline serves every activation.
  const act = variant.epilogue === 'none' ? 'linear' : activation;
  const kernel = getKernel(device, {
    label: `gemm:${variant.transA ? 't' : 'n'}${variant.transB ? 't' : 'n'}:${variant.epilogue}${variant.onesRow ? ':ones' : ''}`,
    variant: { ...variant },
    code: () => gemmShader(variant),
    bindings: ['read', 'read', 'rw', 'uniform', ...(usesZs ? (['rw'] as const) : [])],
    constants: { ACT: activationId(act) },
  });
  if (usesZs && !buffers.zs) throw new Error('gemm: this epilogue needs the pre-activation buffer');
  const resources = [buffers.a, buffers.b, buffers.c, uniforms.add(GemmDims, shape), ...(usesZs ? [buffers.zs!] : [])];
  const groups: [number, number] = [Math.ceil(shape.N / GEMM_TILE), Math.ceil(shape.M / GEMM_TILE)];
  if (groups[1] > device.limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError(`gemm: ${shape.M} rows exceed this device's dispatch limit; use fewer rows per call.`);
  }
  return { kernel, group: bindGroup(device, kernel, resources), workgroups: groups };
}
