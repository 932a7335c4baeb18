import type { Kernel } from '../gpu/pipelines';

/** One prebuilt dispatch: encoding a step only replays these, with at most one dynamic
 *  offset (the step's StepInfo record). */
export interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  /** Workgroups along x, y and (split-K GEMMs) z. */
  workgroups: [number, number] | [number, number, number];
  /** Binds the StepInfo record at the step's dynamic offset. */
  perStep?: boolean;
}

export function encodeDispatches(pass: GPUComputePassEncoder, list: Dispatch[], stepOffset = 0): void {
  for (const d of list) {
    pass.setPipeline(d.kernel.pipeline);
    if (d.perStep) pass.setBindGroup(0, d.group, [stepOffset]);
    else pass.setBindGroup(0, d.group);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2] ?? 1);
  }
}

/** Workgroups of 64 for `threads` threads, folded into 2-D past the per-dimension limit
 *  (kernels index thread = gid.x + gid.y · groups.x · 64 and skip the overhang). */
export function linearWorkgroups(threads: number, maxPerDim = 65535): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / 64));
  if (groups <= maxPerDim) return [groups, 1];
  const rows = Math.ceil(groups / maxPerDim);
  if (rows > maxPerDim) throw new RangeError(`A dispatch of ${threads} threads is over the device's workgroup limit; use fewer rows per call.`);
  return [Math.ceil(groups / rows), rows];
}
