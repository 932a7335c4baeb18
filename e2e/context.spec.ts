import { test, expect } from './fixtures';

test('a context never destroys a device it was handed; lost devices give DeviceLostError', async ({ gpu }) => {
  const r = await gpu.evaluate(() => (globalThis as any).checks.ownership());
  expect(r.modelAfterContextDestroy).toBe('DestroyedError');
  expect(r.createAfterDestroy).toMatch(/This context has been destroyed/);
  expect(r.handedDeviceStillWorks).toBe(true);
  expect(r.afterLoss).toMatch(/^DeviceLostError: The GPU device was lost \(destroyed\)/);
  expect(r.ownedDeviceDestroyed).toBe(true);
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
