import { kernelPreferences, setKernelPreferences } from './pipelines';
import { DeviceLostError, DestroyedError, MissingFeatureError, NoAdapterError, WebGpuUnsupportedError } from './errors';

export interface ContextOptions {
  /** Use this device; the context will never destroy it. */
  device?: GPUDevice;
  /** Options for requestAdapter when no device is given. */
  adapter?: GPURequestAdapterOptions;
  /** Features the device must have. */
  requiredFeatures?: GPUFeatureName[];
  /** Force the workgroup-tiled GEMM on or off (default: off on CPU emulation such as
   *  SwiftShader, where barriers are expensive and caches do the tiling; on elsewhere). */
  tiledGemm?: boolean;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** One GPU device and what the library keeps for it. */
export class Context {
  readonly device: GPUDevice;
  readonly adapterInfo: AdapterDescription;
  /** Whether GEMMs stage tiles in workgroup memory on this device. */
  get tiledGemm(): boolean {
    return kernelPreferences(this.device).tiledGemm;
  }

  /** Set once the device is lost; every later call throws it. */
  lostError: DeviceLostError | null = null;
  private readonly ownsDevice: boolean;
  private destroyed = false;
  private readonly owned = new Set<{ destroy(): void }>();

  constructor(device: GPUDevice, ownsDevice: boolean, adapterInfo: AdapterDescription, tiledGemm?: boolean) {
    this.device = device;
    this.ownsDevice = ownsDevice;
    this.adapterInfo = adapterInfo;
    const emulated = /swiftshader|llvmpipe|lavapipe|warp/i.test(`${adapterInfo.architecture} ${adapterInfo.description} ${adapterInfo.device}`);
    // CPU emulation: a few workgroups per core balance the load; GPUs need many more.
    setKernelPreferences(device, { tiledGemm: tiledGemm ?? !emulated, splitTarget: emulated ? 8 : 128 });
    device.lost.then((info) => {
      if (!this.destroyed) this.lostError = new DeviceLostError(info.reason, info.message);
    });
  }

  /** The error to report for a failed GPU call: a device lost while it ran shows up first as
   *  a rejected map or a validation error, so wait briefly for `device.lost` to say so. */
  async explain(error: unknown): Promise<unknown> {
    if (!this.lostError && !this.destroyed) {
      await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 200))]);
      await Promise.resolve();
    }
    return this.lostError ?? error;
  }

  /** Throws when the context was destroyed or its device lost. */
  check(): void {
    if (this.destroyed) throw new DestroyedError('This context');
    if (this.lostError) throw this.lostError;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Registers an object (a model) to destroy with the context. */
  adopt(resource: { destroy(): void }): void {
    this.owned.add(resource);
  }

  release(resource: { destroy(): void }): void {
    this.owned.delete(resource);
  }

  /** Destroys every model made with this context, and the device if the context created it. */
  destroy(): void {
    if (this.destroyed) return;
    for (const resource of [...this.owned]) resource.destroy();
    this.owned.clear();
    this.destroyed = true;
    if (this.ownsDevice) this.device.destroy();
  }
}

function describeAdapter(info: GPUAdapterInfo | undefined): AdapterDescription {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

/**
 * Creates a context on a new device (requesting the adapter's own limits) or wraps a given one.
 * @example const ctx = await createContext(); // ... ctx.destroy();
 */
export async function createContext(options: ContextOptions = {}): Promise<Context> {
  if (options.device) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return new Context(options.device, false, describeAdapter(info), options.tiledGemm);
  }
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new WebGpuUnsupportedError();
  const adapter = await gpu.requestAdapter(options.adapter);
  if (!adapter) throw new NoAdapterError();
  for (const feature of options.requiredFeatures ?? []) {
    if (!adapter.features.has(feature)) throw new MissingFeatureError(feature);
  }
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'sobolev-webgpu',
    requiredFeatures: options.requiredFeatures ?? [],
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    },
  });
  return new Context(device, true, describeAdapter(adapter.info), options.tiledGemm);
}
