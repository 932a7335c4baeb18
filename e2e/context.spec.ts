import { test, expect } from './fixtures';

test('a context never destroys a device it was handed; lost devices give DeviceLostError', async ({ gpu }) => {
  const r = await gpu.evaluate(() => (globalThis as any).checks.ownership());
  expect(r.modelAfterContextDestroy).toBe('DestroyedError');
  expect(r.createAfterDestroy).toMatch(/This context has been destroyed/);
  expect(r.handedDeviceStillWorks).toBe(true);
  expect(r.afterLoss).toMatch(/^DeviceLostError: The GPU device was lost \(destroyed\)/);
  // A context that created its device destroys it with itself: device.lost resolves, with
  // reason 'destroyed' (not 'unknown'). The 10 s race only turns a never-lost device into a
  // clear failure instead of a test timeout.
  const ownedLost: string = await gpu.evaluate(async () => {
    const owned = await (globalThis as any).lib.createContext();
    owned.destroy();
    const never = new Promise<string>((resolve) => setTimeout(() => resolve('device not lost 10 s after destroy()'), 10_000));
    return Promise.race([owned.device.lost.then((info: GPUDeviceLostInfo) => `lost: ${info.reason}`), never]);
  });
  expect(ownedLost).toBe('lost: destroyed');
});

test('no WebGPU, no adapter or a missing feature give typed errors that say what to do', async ({ gpu }) => {
  const messages: string[] = await gpu.evaluate(() => (globalThis as any).checks.missingWebGpu());
  expect(messages).toHaveLength(3);
  expect(messages[0]).toMatch(/^WebGpuUnsupportedError: WebGPU is not supported here .*--enable-unsafe-webgpu/);
  expect(messages[1]).toMatch(/^NoAdapterError: Could not find a compatible GPU adapter/);
  expect(messages[2]).toMatch(/^MissingFeatureError: Requested WebGPU feature 'no-such-feature'/);
});

test('a device lost during fit is reported as DeviceLostError', async ({ gpu }) => {
  const message: string = await gpu.evaluate(() => (globalThis as any).checks.lossDuringFit());
  expect(message).toMatch(/^DeviceLostError: The GPU device was lost/);
});
