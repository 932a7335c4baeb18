import { GpuValidationError } from './errors';

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
