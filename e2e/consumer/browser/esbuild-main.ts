// esbuild leaves `new URL('./worker.js', import.meta.url)` alone, so the default worker is not
// beside this bundle (the pool says which URL failed); the build copies sobolev-webgpu/worker
// to sobolev-worker.js, and workerUrl points there.
import { missingWorker, runApp, type AppResult } from './app';

(globalThis as { app?: Promise<(AppResult & { missing: string }) | { error: string }> }).app = (async () => {
  const missing = await missingWorker({});
  const result = await runApp({ workerUrl: new URL('./sobolev-worker.js', import.meta.url) });
  return { ...result, missing };
})().catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
