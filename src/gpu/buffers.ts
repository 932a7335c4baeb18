import { GpuValidationError } from './errors';


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

/** A labelled f32/u32 storage buffer of `length` elements (at least one), optionally filled. */
export function storageBuffer(
  device: GPUDevice,
  label: string,
  length: number,
  data?: Float32Array | Uint32Array,
): GPUBuffer {
  const size = Math.max(16, Math.ceil((length * 4) / 16) * 16);
  checkBindingSize(device, size, label);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffer = device.createBuffer({ label, size, usage, mappedAtCreation: !!data });
  if (data) {
    const Ctor = data instanceof Uint32Array ? Uint32Array : Float32Array;
    new Ctor(buffer.getMappedRange()).set(data);
    buffer.unmap();
  }
  return buffer;
}

/** A labelled uniform buffer of `size` bytes. */
export function uniformBuffer(device: GPUDevice, label: string, size: number): GPUBuffer {
  return device.createBuffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
}

/** Copies `count` floats starting at element `offset` of `buffer` back to the CPU. */
export async function readFloats(device: GPUDevice, buffer: GPUBuffer, count: number, offset = 0): Promise<Float32Array> {
  const bytes = Math.max(4, count * 4);
  const staging = device.createBuffer({
    label: `${buffer.label}:readback`,
    size: Math.ceil(bytes / 4) * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: `${buffer.label}:readback` });
    encoder.copyBufferToBuffer(buffer, offset * 4, staging, 0, count * 4);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0, count * 4));
  } finally {
    staging.destroy();
  }
}

/** Runs `work` inside validation and out-of-memory error scopes; a captured error is thrown. */
export async function withErrorScope<T>(device: GPUDevice, label: string, work: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await work();
  } finally {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const error = validation ?? oom;
    if (error) throw new GpuValidationError(`${label}: ${error.message}`);
  }
  return result;
}
