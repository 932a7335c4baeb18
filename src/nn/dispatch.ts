import type { Kernel } from '../gpu/pipelines';

/** One prebuilt dispatch: encoding a step only replays these, with at most one dynamic
 *  offset (the step's StepInfo record). */
export interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  workgroups: [number, number];
  /** Binds the StepInfo record at the step's dynamic offset. */
  perStep?: boolean;
}

export function encodeDispatches(pass: GPUComputePassEncoder, list: Dispatch[], stepOffset = 0): void {
  for (const d of list) {
    pass.setPipeline(d.kernel.pipeline);
    if (d.perStep) pass.setBindGroup(0, d.group, [stepOffset]);
    else pass.setBindGroup(0, d.group);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
  }
}

/** Workgroups for `threads` threads of `size`, folded into 2-D past the per-dimension limit. */
export function linearWorkgroups(threads: number, size = 64, maxPerDim = 65535): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / size));
  if (groups <= maxPerDim) return [groups, 1];
  throw new RangeError(`A dispatch of ${threads} threads is over the device's workgroup limit; use fewer rows per call.`);
}
