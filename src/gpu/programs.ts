import { programWgsl, type Binding, type Program } from '../../shaders/program';

/** A compiled program variant. */
export interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Cache key: program name and the variant's compile-time facts. */
  label: string;
  bindings: Binding[];
  /** Has a dynamic-offset uniform (the training step's StepInfo record). */
  perStep: boolean;
}

/** Prints the final WGSL of the named programs when they are compiled (true: every program). */
export type ProgramDebug = boolean | string[];

// Every program object by name: two programs with one name would share pipelines.
const programs = new Map<string, Program<never>>();
// A WeakMap per device: a destroyed or collected device takes its pipelines with it.
const caches = new WeakMap<GPUDevice, Map<string, Kernel>>();

function layoutEntry(binding: Binding, index: number): GPUBindGroupLayoutEntry {
  const buffer: GPUBufferBindingLayout =
    binding.kind === 'read'
      ? { type: 'read-only-storage' }
      : binding.kind === 'rw'
        ? { type: 'storage' }
        : { type: 'uniform', hasDynamicOffset: binding.kind === 'uniform-dynamic' };
  return { binding: index, visibility: GPUShaderStage.COMPUTE, buffer };
}

/** Compiles (once per device and key) and returns the pipeline of a program variant. */
export function compileProgram<V>(device: GPUDevice, program: Program<V>, variant: V, debug: ProgramDebug = false): Kernel {
  const known = programs.get(program.name);
  if (known && known !== (program as Program<never>)) throw new Error(`Two different programs are named '${program.name}'`);
  programs.set(program.name, program as Program<never>);
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const label = `${program.name}|${program.key(variant)}`;
  const hit = cache.get(label);
  if (hit) return hit;
  const bindings = program.bindings(variant);
  const code = programWgsl(program, variant);
  if (debug === true || (Array.isArray(debug) && debug.includes(program.name))) {
    console.log(`[sobolev-webgpu] program ${label}\n${code}`);
  }
  const layout = device.createBindGroupLayout({ label: `${label}:layout`, entries: bindings.map(layoutEntry) });
  const module = device.createShaderModule({ label, code });
  const pipeline = device.createComputePipeline({
    label,
    layout: device.createPipelineLayout({ label: `${label}:pipeline-layout`, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main', constants: program.constants?.(variant) ?? {} },
  });
  const kernel: Kernel = { pipeline, layout, label, bindings, perStep: bindings.some((b) => b.kind === 'uniform-dynamic') };
  cache.set(label, kernel);
  return kernel;
}

/** Number of pipelines compiled for a device (tests use it to prove caching). */
export function compiledKernelCount(device: GPUDevice): number {
  return caches.get(device)?.size ?? 0;
}
