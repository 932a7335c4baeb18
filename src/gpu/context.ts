import { DeviceLostError, DestroyedError, MissingFeatureError, NoAdapterError, WebGpuUnsupportedError } from './errors';
import { compiledKernelCount, type ProgramDebug } from './programs';
import { BufferLedger, Scope, type GpuStats } from './scope';

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
  /** Print the final WGSL of these programs (by name, e.g. ['gemm']; true: all) when they
   *  are compiled. */
  debugPrograms?: ProgramDebug;
  /** Train small models with the fused kernel, one dispatch per chunk of steps (default
   *  true; false: always the layered step, for comparison). docs/fused.md. */
  fusedSmallModels?: boolean;
}

/** The options createContext reads. */
export const CONTEXT_OPTION_KEYS = ['device', 'adapter', 'requiredFeatures', 'tiledGemm', 'debugPrograms', 'fusedSmallModels'] as const;

/** Refuses options that are not an object or have a key not in `known` (a misspelt option
 *  would otherwise be ignored). */
export function checkContextOptions(call: string, options: unknown, known: readonly string[]): void {
  if (!options || typeof options !== 'object') throw new TypeError(`${call}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${call}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
  const fused = (options as ContextOptions).fusedSmallModels;
  if (fused !== undefined && typeof fused !== 'boolean') throw new TypeError(`${call}: fusedSmallModels must be true or false, got ${String(fused)}`);
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** One GPU device and what the library keeps for it: the scopes that own every buffer made
 *  on it, the GEMM variant it gets, and whether it was lost. */
export class Context {
  readonly device: GPUDevice;
  readonly adapterInfo: AdapterDescription;
  /** Whether GEMMs stage tiles in workgroup memory on this device. */
  readonly tiledGemm: boolean;
  /** Workgroups a GEMM should have before K is split across more of them. */
  readonly splitTarget: number;
  /** Most workgroups an elementwise grouped kernel dispatches (0: one per 64 items): CPU
   *  emulation runs a few long workgroups faster than thousands of short ones. */
  readonly elementwiseCap: number;
  readonly debugPrograms: ProgramDebug;
  /** A CPU emulation of a GPU (SwiftShader, llvmpipe, WARP): one core per workgroup. */
  readonly emulated: boolean;
  /** Whether fit may train small models with the fused kernel (src/nn/fused.ts). */
  readonly fusedSmallModels: boolean;
  /** Set once the device is lost; every later call throws it. */
  lostError: DeviceLostError | null = null;
  private readonly ownsDevice: boolean;
  private destroyed = false;
  private readonly ledger = new BufferLedger();
  private readonly scopes = new Set<Scope>();

  constructor(device: GPUDevice, ownsDevice: boolean, adapterInfo: AdapterDescription, options: ContextOptions = {}) {
    this.device = device;
    this.ownsDevice = ownsDevice;
    this.adapterInfo = adapterInfo;
    const emulated = /swiftshader|llvmpipe|lavapipe|warp/i.test(`${adapterInfo.architecture} ${adapterInfo.description} ${adapterInfo.device}`);
    this.emulated = emulated;
    this.tiledGemm = options.tiledGemm ?? !emulated;
    // CPU emulation: a few workgroups per core balance the load; GPUs need many more.
    this.splitTarget = emulated ? 8 : 128;
    this.elementwiseCap = emulated ? 16 : 0;
    this.debugPrograms = options.debugPrograms ?? false;
    this.fusedSmallModels = options.fusedSmallModels ?? true;
    device.lost.then((info) => {
      if (!this.destroyed) this.lostError = new DeviceLostError(info.reason, info.message);
    });
  }

  /**
   * Whether the device is lost, decided without a timer: a lost device settles `device.lost`
   * before any other promise (WebGPU's promise ordering), so racing it against the queue's
   * onSubmittedWorkDone answers 'lost' for a lost device and 'alive' once the queue drains.
   */
  async isLost(): Promise<boolean> {
    if (this.lostError) return true;
    if (this.destroyed) return false;
    const lost = await Promise.race([this.device.lost.then(() => true), this.device.queue.onSubmittedWorkDone().then(() => false, () => true)]);
    await Promise.resolve(); // let the `lost` handler above record lostError
    return lost || !!this.lostError;
  }

  /** The error to report for a failed GPU call: DeviceLostError when the device is gone. */
  async explain(error: unknown): Promise<unknown> {
    // Bad input and use after destroy() are never a device's fault.
    if (error instanceof RangeError || error instanceof TypeError || error instanceof DestroyedError) return error;
    return (await this.isLost()) ? (this.lostError ?? error) : error;
  }

  /** Throws when the context was destroyed or its device lost. */
  check(): void {
    if (this.destroyed) throw new DestroyedError('This context');
    if (this.lostError) throw this.lostError;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** A new owner of GPU buffers; the context frees it (and all it owns) on destroy(). */
  scope(label: string): Scope {
    this.check();
    const scope = new Scope(this.device, label, this.ledger, null);
    this.scopes.add(scope);
    return scope;
  }

  /** Live buffers and bytes of every scope, and compiled pipelines. */
  stats(): GpuStats {
    for (const s of this.scopes) if (s.destroyed) this.scopes.delete(s);
    return {
      liveBuffers: this.ledger.live.size,
      liveBytes: this.ledger.liveBytes,
      buffersCreated: this.ledger.created,
      pipelines: compiledKernelCount(this.device),
      scopes: this.ledger.scopes,
    };
  }

  /** Frees every buffer made with this context, and the device if the context created it. */
  destroy(): void {
    if (this.destroyed) return;
    for (const scope of this.scopes) scope.destroy();
    this.scopes.clear();
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
  checkContextOptions('createContext', options, CONTEXT_OPTION_KEYS);
  if (options.device) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return new Context(options.device, false, describeAdapter(info), options);
  }
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new WebGpuUnsupportedError();
  const adapter = await gpu.requestAdapter(options.adapter);
  if (!adapter) throw new NoAdapterError();
  return contextOnAdapter(adapter, options);
}

/** A context that owns a new device of `adapter`, with the adapter's own limits (large
 *  buffers and bindings): how createContext and createNodeContext open a device. */
export async function contextOnAdapter(adapter: GPUAdapter, options: Omit<ContextOptions, 'device' | 'adapter'> = {}): Promise<Context> {
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
  return new Context(device, true, describeAdapter(adapter.info), options);
}
