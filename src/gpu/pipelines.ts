/** How a kernel binds one resource, in binding order. */
export type BindingKind = 'read' | 'rw' | 'uniform' | 'uniform-dynamic';

/** A GPU program as data: its cache key holds compile-time facts only; shapes go in uniforms. */
export interface KernelSpec {
  /** Label for validation messages, e.g. 'gemm:tn'. */
  label: string;
  /** Compile-time variant facts (flags, override constants). */
  variant: Record<string, string | number | boolean>;
  /** WGSL source for this variant; called only on a cache miss. */
  code: () => string;
  /** Bindings of group 0, in order. */
  bindings: BindingKind[];
  /** WGSL override constants. */
  constants?: Record<string, number>;
}

export interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  label: string;
}

/** Per-device choices between kernel variants that compute the same thing. */
export interface KernelPreferences {
  /** GEMM stages tiles in workgroup memory (right for GPUs; wrong for CPU emulation). */
  tiledGemm: boolean;
  /** Workgroups a GEMM should have before it is worth splitting K across more of them. */
  splitTarget: number;
}

const preferences = new WeakMap<GPUDevice, KernelPreferences>();

export function setKernelPreferences(device: GPUDevice, prefs: KernelPreferences): void {
  preferences.set(device, prefs);
}

export function kernelPreferences(device: GPUDevice): KernelPreferences {
  return preferences.get(device) ?? { tiledGemm: true, splitTarget: 128 };
}

// A WeakMap per device: a destroyed or collected device takes its pipelines with it.
const caches = new WeakMap<GPUDevice, Map<string, Kernel>>();

/** Compiles (once per device and key) and returns the pipeline of a kernel. */
export function getKernel(device: GPUDevice, spec: KernelSpec): Kernel {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const key = `${spec.label}|${JSON.stringify(spec.variant)}|${JSON.stringify(spec.constants ?? {})}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const layout = device.createBindGroupLayout({
    label: `${spec.label}:layout`,
    entries: spec.bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer:
        kind === 'read'
          ? { type: 'read-only-storage' as const }
          : kind === 'rw'
            ? { type: 'storage' as const }
            : { type: 'uniform' as const, hasDynamicOffset: kind === 'uniform-dynamic' },
    })),
  });
  const module = device.createShaderModule({ label: spec.label, code: spec.code() });
  const pipeline = device.createComputePipeline({
    label: spec.label,
    layout: device.createPipelineLayout({ label: `${spec.label}:pipeline-layout`, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main', constants: spec.constants ?? {} },
  });
  const kernel = { pipeline, layout, label: spec.label };
  cache.set(key, kernel);
  return kernel;
}

/** Number of pipelines compiled for a device (tests use it to prove caching). */
export function compiledKernelCount(device: GPUDevice): number {
  return caches.get(device)?.size ?? 0;
}

/** Bind group for a kernel: buffers (or sized ranges) in binding order. */
export function bindGroup(
  device: GPUDevice,
  kernel: Kernel,
  resources: (GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number })[],
  label = kernel.label,
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: kernel.layout,
    entries: resources.map((r, binding) => ({ binding, resource: 'buffer' in r ? r : { buffer: r } })),
  });
}
