/// <reference lib="webworker" />
/** The body of the sweep pool's training worker (src/sweep/pool.ts): one GPUDevice per worker,
 *  one TrainJob at a time, the job's models destroyed when it ends, plain metrics returned.
 *  Only plain data crosses the boundary: jobs arrive with their Float32Arrays transferred.
 *  workers/train.worker.ts calls `exposeTrainWorker()` with no hooks; a test worker (e.g.
 *  e2e/pages/fault.worker.ts) passes hooks, so testing hooks stay out of the job contract. */
import * as Comlink from 'comlink';
import { createContext, type Context } from '../gpu/context';
import { compiledKernelCount } from '../gpu/programs';
import type { JobProgress, TrainJob } from './job';
import { runTrainJob } from './train';
import type { JobOutcome, WorkerApi, WorkerInfo, WorkerStats } from './worker-api';

/** Extension points of a training worker (none in production). */
export interface TrainWorkerHooks {
  /** Called as each attempt of a job starts, with the worker's context; the function it
   *  returns (if any) is called at each progress report of that attempt. */
  onJob?(ctx: Context, job: TrainJob, attempt: number): ((p: JobProgress) => void) | void;
}

let context: Promise<Context> | null = null;
let lostListener: ((reason: string) => void) | null = null;
const stats: WorkerStats = { liveBuffers: 0, buffersCreated: 0, devicesCreated: 0, liveDevices: 0, jobsRun: 0, running: 0, kernels: 0 };
const running = new Map<string, AbortController>();

/** Counts live buffers (created minus destroyed) and devices, for the pool's leak checks. */
function instrument(device: GPUDevice): void {
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = createBuffer(descriptor);
    stats.liveBuffers++;
    stats.buffersCreated++;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) stats.liveBuffers--;
      destroyed = true;
      destroy();
    };
    return buffer;
  };
  const destroyDevice = device.destroy.bind(device);
  device.destroy = () => {
    if (stats.liveDevices > 0) stats.liveDevices--;
    destroyDevice();
  };
  stats.devicesCreated++;
  stats.liveDevices++;
}

async function getContext(): Promise<Context> {
  context ??= createContext().then((ctx) => {
    instrument(ctx.device);
    ctx.device.lost.then((info) => {
      if (!ctx.isDestroyed) lostListener?.(`${info.reason}: ${info.message}`);
    });
    ctx.device.addEventListener('uncapturederror', (event) => {
      console.warn(`[train.worker] uncaptured WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
    return ctx;
  });
  return context;
}

/** Whether the device is lost or destroyed. A failed GPU call (e.g. mapAsync rejected by a
 *  destroyed device) can come before `device.lost` resolves, so wait for it a little. */
async function deviceGone(ctx: Context): Promise<boolean> {
  if (ctx.lostError || ctx.isDestroyed) return true;
  return Promise.race([ctx.device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
}

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error || error instanceof DOMException) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

let hooks: TrainWorkerHooks = {};

const api: WorkerApi = {
  async init(onLost) {
    lostListener = onLost ?? null;
    const ctx = await getContext();
    const info: WorkerInfo = { adapter: ctx.adapterInfo };
    return info;
  },

  async run(job, attempt, onProgress) {
    const controller = new AbortController();
    running.set(job.id, controller);
    stats.running++;
    let ctx: Context | null = null;
    try {
      ctx = await getContext();
      const onJobProgress = hooks.onJob?.(ctx, job, attempt);
      const result = await runTrainJob(ctx, job, {
        signal: controller.signal,
        onProgress: (p: JobProgress) => {
          onJobProgress?.(p);
          void onProgress?.(p);
        },
        liveBuffers: () => stats.liveBuffers,
      });
      stats.jobsRun++;
      return { ok: true, result } satisfies JobOutcome;
    } catch (error) {
      const fatal = !!ctx && (await deviceGone(ctx));
      return { ok: false, error: describe(error), fatal, aborted: controller.signal.aborted } satisfies JobOutcome;
    } finally {
      running.delete(job.id);
      stats.running--;
      (onProgress as unknown as Partial<Comlink.ProxyMethods> | undefined)?.[Comlink.releaseProxy]?.();
    }
  },

  cancel(id) {
    running.get(id)?.abort();
  },

  async stats() {
    const ctx = await context?.catch(() => null);
    return { ...stats, kernels: ctx && !ctx.isDestroyed ? compiledKernelCount(ctx.device) : 0 };
  },

  async dispose() {
    for (const controller of running.values()) controller.abort();
    const ctx = await context?.catch(() => null);
    const kernels = ctx && !ctx.isDestroyed ? compiledKernelCount(ctx.device) : 0;
    ctx?.destroy();
    context = null;
    return { ...stats, kernels };
  },
};

/** Serves the pool's WorkerApi (worker-api.ts) on this worker's global scope with Comlink.
 *  Call it once, from a module worker script. */
export function exposeTrainWorker(workerHooks: TrainWorkerHooks = {}): void {
  hooks = workerHooks;
  Comlink.expose(api);
}
