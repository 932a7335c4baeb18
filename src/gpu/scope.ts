import { DestroyedError } from './errors';

/** Live GPU memory of a context, as `Context.stats()` reports it. */
export interface GpuStats {
  /** Buffers created through the context's scopes and not yet destroyed. */
  liveBuffers: number;
  liveBytes: number;
  /** Buffers created since the context was made (a steady loop adds none). */
  buffersCreated: number;
  /** Pipelines compiled on the device. */
  pipelines: number;
  /** Scopes alive (models, training sessions, linear sums, …). */
  scopes: number;
}

/** What a context counts across all its scopes. */
export class BufferLedger {
  readonly live = new Map<GPUBuffer, number>();
  created = 0;
  scopes = 0;

  get liveBytes(): number {
    let bytes = 0;
    for (const size of this.live.values()) bytes += size;
    return bytes;
  }
}

/** Throws a clear error when `bytes` exceeds what one storage binding can hold. */
export function checkBindingSize(device: GPUDevice, bytes: number, what: string): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (bytes > limit) {
    throw new RangeError(
      `${what} needs ${(bytes / 2 ** 20).toFixed(1)} MiB in one buffer, over this device's limit of ` +
        `${(limit / 2 ** 20).toFixed(1)} MiB: use fewer rows per call or smaller layers.`,
    );
  }
}

/**
 * The one owner of a set of GPU buffers: every buffer is created through a scope, and
 * `destroy()` frees what the scope and its child scopes own. Scopes come from
 * `Context.scope()`, so the context can free everything and count what is alive.
 */
export class Scope {
  readonly #buffers = new Set<GPUBuffer>();
  readonly #children = new Set<Scope>();
  readonly #ledger: BufferLedger;
  readonly #parent: Scope | null;
  #staging: GPUBuffer | null = null;
  #reads: Promise<unknown> = Promise.resolve();
  #destroyed = false;

  /** @internal Made by Context.scope() and Scope.child(). */
  constructor(readonly device: GPUDevice, readonly label: string, ledger: BufferLedger, parent: Scope | null) {
    this.#ledger = ledger;
    this.#parent = parent;
    ledger.scopes++;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** A scope whose buffers this one frees too. */
  child(label: string): Scope {
    this.#check();
    const child = new Scope(this.device, `${this.label}/${label}`, this.#ledger, this);
    this.#children.add(child);
    return child;
  }

  /** Any buffer, owned by this scope. */
  buffer(descriptor: GPUBufferDescriptor): GPUBuffer {
    this.#check();
    const buffer = this.device.createBuffer(descriptor);
    this.#buffers.add(buffer);
    this.#ledger.live.set(buffer, descriptor.size);
    this.#ledger.created++;
    return buffer;
  }

  /** A labelled f32/u32 storage buffer of `length` elements (at least 16 bytes), optionally filled. */
  storage(label: string, length: number, data?: Float32Array | Uint32Array): GPUBuffer {
    const size = Math.max(16, Math.ceil((length * 4) / 16) * 16);
    checkBindingSize(this.device, size, label);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = this.buffer({ label, size, usage, mappedAtCreation: !!data });
    if (data) {
      const Ctor = data instanceof Uint32Array ? Uint32Array : Float32Array;
      new Ctor(buffer.getMappedRange()).set(data);
      buffer.unmap();
    }
    return buffer;
  }

  /** A labelled uniform buffer of `size` bytes. */
  uniform(label: string, size: number): GPUBuffer {
    return this.buffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  /** Destroys one buffer of this scope before the scope ends. */
  free(buffer: GPUBuffer | null | undefined): void {
    if (!buffer || !this.#buffers.delete(buffer)) return;
    this.#ledger.live.delete(buffer);
    buffer.destroy();
  }

  /** Copies `count` floats from element `offset` of `buffer` back to the CPU (see readMany). */
  async read(buffer: GPUBuffer, count: number, offset = 0): Promise<Float32Array<ArrayBuffer>> {
    const [out] = await this.readMany([{ buffer, count, offset }]);
    return out;
  }

  /**
   * Copies several ranges back to the CPU in one map. Reads of one scope run one after
   * another through one staging buffer, which grows when a read needs more and is otherwise
   * reused (no allocation per call).
   */
  readMany(ranges: { buffer: GPUBuffer; count: number; offset?: number }[]): Promise<Float32Array<ArrayBuffer>[]> {
    this.#check();
    const run = async (): Promise<Float32Array<ArrayBuffer>[]> => {
      const bytes = Math.max(4, ranges.reduce((sum, r) => sum + r.count * 4, 0));
      const staging = this.#stagingFor(bytes);
      const encoder = this.device.createCommandEncoder({ label: `${this.label}:readback` });
      let at = 0;
      for (const r of ranges) {
        if (r.count > 0) encoder.copyBufferToBuffer(r.buffer, (r.offset ?? 0) * 4, staging, at, r.count * 4);
        at += r.count * 4;
      }
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
      try {
        const mapped = staging.getMappedRange(0, bytes);
        let start = 0;
        return ranges.map((r) => new Float32Array(mapped.slice(4 * start, 4 * (start += r.count))));
      } finally {
        staging.unmap();
      }
    };
    const result = this.#reads.then(run, run);
    this.#reads = result.catch(() => undefined);
    return result;
  }

  /** Makes the readback buffer hold at least `bytes` now, so no later read allocates. */
  reserveReadback(bytes: number): void {
    this.#check();
    this.#stagingFor(bytes);
  }

  #stagingFor(bytes: number): GPUBuffer {
    if (!this.#staging || this.#staging.size < bytes) {
      this.free(this.#staging);
      const size = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
      this.#staging = this.buffer({ label: `${this.label}:readback`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    }
    return this.#staging;
  }

  /** Frees every buffer of this scope and of its children. Later use throws. */
  destroy(): void {
    if (this.#destroyed) return;
    for (const child of [...this.#children]) child.destroy();
    for (const buffer of this.#buffers) {
      this.#ledger.live.delete(buffer);
      buffer.destroy();
    }
    this.#buffers.clear();
    this.#staging = null;
    this.#destroyed = true;
    this.#ledger.scopes--;
    if (this.#parent) this.#parent.#children.delete(this);
  }

  #check(): void {
    if (this.#destroyed) throw new DestroyedError(`GPU scope '${this.label}'`);
  }
}
