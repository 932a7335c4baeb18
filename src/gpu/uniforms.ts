import type { StructDef } from '../../shaders/struct';
import type { Scope } from './scope';

export interface UniformSlot {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/** `capacity` small uniform structs in one buffer, each in its own aligned slot. Values are
 *  staged on the CPU and uploaded together by flush(). The dispatch planner sizes it to the
 *  plan, so no caller counts slots. */
export class UniformArena {
  readonly buffer: GPUBuffer;
  private readonly stride: number;
  private readonly staging: ArrayBuffer;
  private used = 0;

  constructor(scope: Scope, label: string, capacity: number, private readonly slotBytes = 256) {
    const align = scope.device.limits.minUniformBufferOffsetAlignment;
    this.stride = Math.ceil(slotBytes / align) * align;
    this.staging = new ArrayBuffer(Math.max(1, capacity) * this.stride);
    this.buffer = scope.uniform(label, this.staging.byteLength);
  }

  /** Stages `values` in the next free slot and returns the binding range for it. */
  add<K extends string>(def: StructDef<K>, values: Record<K, number>): UniformSlot {
    const offset = this.used * this.stride;
    if (offset + def.size > this.staging.byteLength || def.size > this.slotBytes) {
      throw new Error(`${this.buffer.label}: uniform arena is full`);
    }
    this.used++;
    def.write(this.staging, offset, values);
    return { buffer: this.buffer, offset, size: def.size };
  }

  /** Uploads every staged slot. */
  flush(queue: GPUQueue): void {
    queue.writeBuffer(this.buffer, 0, this.staging, 0, Math.max(this.used, 1) * this.stride);
  }
}
