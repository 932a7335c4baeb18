import type { Program, Workgroups } from '../../shaders/program';
import type { Context } from './context';
import { compileProgram, type Kernel } from './programs';
import type { Scope } from './scope';
import { UniformArena } from './uniforms';


/** A buffer, or a range of one, bound to a program's binding. */
export type Resource = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** One dispatch as data: a program variant, its dims (the `dims` uniform) and its
 *  resources by binding name. Turned into pipelines and bind groups by `realize`. */
export interface DispatchSpec {
  program: Program<never>;
  variant: unknown;
  dims?: Record<string, number>;
  resources: Record<string, Resource>;
}

/** A typed DispatchSpec. */
export function dispatchOf<V>(program: Program<V>, variant: V, dims: Record<string, number> | undefined, resources: Record<string, Resource>): DispatchSpec {
  return { program: program as Program<never>, variant, dims, resources };
}

/** One prebuilt dispatch: encoding a step only replays these, with at most one dynamic
 *  offset (the step's StepInfo record). */
export interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  workgroups: Workgroups;
}

/**
 * Compiles and binds lists of dispatch specs. Their dims share one uniform buffer owned by
 * `scope`, sized to the number of specs that have dims.
 */
export function realize(ctx: Context, scope: Scope, label: string, lists: DispatchSpec[][]): Dispatch[][] {
  const { device } = ctx;
  const slots = lists.flat().filter((s) => s.program.dims).length;
  const arena = new UniformArena(scope, `${label}:uniforms`, slots);
  const out = lists.map((list) =>
    list.map((spec): Dispatch => {
      const variant = spec.variant as never;
      const kernel = compileProgram(device, spec.program, variant, ctx.debugPrograms);
      const resources = { ...spec.resources };
      if (spec.program.dims) {
        if (!spec.dims) throw new Error(`${kernel.label}: dims are missing`);
        resources.dims = arena.add(spec.program.dims, spec.dims);
      }
      const names = new Set(kernel.bindings.map((b) => b.name));
      for (const name of Object.keys(resources)) if (!names.has(name)) throw new Error(`${kernel.label} has no binding '${name}'`);
      const entries = kernel.bindings.map((b, binding): GPUBindGroupEntry => {
        const r = resources[b.name];
        if (!r) throw new Error(`${kernel.label}: no resource for binding '${b.name}'`);
        return { binding, resource: 'buffer' in r ? r : { buffer: r } };
      });
      const group = device.createBindGroup({ label: kernel.label, layout: kernel.layout, entries });
      const workgroups = spec.program.workgroups(variant, spec.dims ?? {});
      const limit = device.limits.maxComputeWorkgroupsPerDimension;
      if (workgroups.some((w) => w > limit)) throw new RangeError(`${kernel.label}: ${workgroups.join('×')} workgroups exceed this device's dispatch limit; use fewer rows per call.`);
      return { kernel, group, workgroups };
    }),
  );
  arena.flush(device.queue);
  return out;
}

/** Records dispatches into a pass; `stepOffset` is the dynamic offset of per-step programs. */
export function encodeDispatches(pass: GPUComputePassEncoder, list: Dispatch[], stepOffset = 0): void {
  for (const d of list) {
    pass.setPipeline(d.kernel.pipeline);
    if (d.kernel.perStep) pass.setBindGroup(0, d.group, [stepOffset]);
    else pass.setBindGroup(0, d.group);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2] ?? 1);
  }
}
