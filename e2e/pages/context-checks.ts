// In-page checks of the context's ownership and error rules.
import { createContext, createMlp } from '../../src/index';

/** A handed device survives ctx.destroy(); an owned one does not; models die with the context. */
export async function ownership(): Promise<Record<string, string | boolean>> {
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const handed = await createContext({ device });
  const mlp = createMlp(handed, { inputs: 1, hidden: [3], outputs: 1 });
  handed.destroy();
  const out: Record<string, string | boolean> = {};
  try {
    await mlp.predict(new Float32Array([1]));
    out.modelAfterContextDestroy = 'no error';
  } catch (e) {
    out.modelAfterContextDestroy = (e as Error).name;
  }
  try {
    createMlp(handed, { inputs: 1, hidden: [3], outputs: 1 });
    out.createAfterDestroy = 'no error';
  } catch (e) {
    out.createAfterDestroy = (e as Error).message;
  }
  // The handed device still works: a fresh context on it predicts.
  const again = await createContext({ device });
  const m2 = createMlp(again, { inputs: 1, hidden: [3], outputs: 1 });
  out.handedDeviceStillWorks = (await m2.predict(new Float32Array([0.5]))).every(Number.isFinite);
  // Losing the device turns every later call into a DeviceLostError.
  device.destroy();
  await device.lost;
  await new Promise((r) => setTimeout(r, 0));
  try {
    await m2.predict(new Float32Array([0.5]));
    out.afterLoss = 'no error';
  } catch (e) {
    out.afterLoss = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const owned = await createContext();
  owned.destroy();
  await owned.device.lost;
  out.ownedDeviceDestroyed = true;
  return out;
}

/** createContext without WebGPU or without an adapter throws typed, actionable errors. */
export async function missingWebGpu(): Promise<string[]> {
  const nav = navigator as unknown as { gpu: GPU | undefined };
  const gpu = nav.gpu!;
  const messages: string[] = [];
  Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  try {
    await createContext();
  } catch (e) {
    messages.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
  Object.defineProperty(navigator, 'gpu', { value: { requestAdapter: async () => null }, configurable: true });
  try {
    await createContext();
  } catch (e) {
    messages.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
  Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  try {
    await createContext({ requiredFeatures: ['no-such-feature' as GPUFeatureName] });
  } catch (e) {
    messages.push(`${(e as Error).name}: ${(e as Error).message}`);
  }
  return messages;
}

/** The device is lost in the middle of a fit: the fit rejects with DeviceLostError. */
export async function lossDuringFit(): Promise<string> {
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const ctx = await createContext({ device });
  const mlp = createMlp(ctx, { inputs: 2, hidden: [32], outputs: 1 });
  const n = 256;
  const data = { x: new Float32Array(2 * n).map((_, i) => Math.sin(i)), y: new Float32Array(n).map((_, i) => Math.cos(i)) };
  const training = mlp.fit(data, { epochs: 2000, batchSize: 4, learningRate: 1e-3, gradientWeight: 0, onProgress: () => device.destroy(), progressIntervalMs: 0 });
  try {
    await training;
    return 'no error';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}
