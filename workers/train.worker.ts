/// <reference lib="webworker" />
// The training worker of the sweep pool (src/sweep/pool.ts). It owns one GPUDevice, runs one
// TrainJob at a time, destroys the job's models when it ends, and returns plain metrics.
// Only plain data crosses the boundary: jobs arrive with their Float32Arrays transferred.
import * as Comlink from 'comlink';
import { createContext, type Context } from '../src/gpu/context';
import { compiledKernelCount } from '../src/gpu/pipelines';
import type { JobProgress, TrainJob } from '../src/sweep/job';
import { runTrainJob } from '../src/sweep/train';
import type { JobOutcome, WorkerApi, WorkerInfo, WorkerStats } from '../src/sweep/worker-api';

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

/** Testing hook: make this attempt fail the way a real crash would, once training is under
 *  way: `afterMs` after the start, or else at the job's first progress report. Returns the
 *  progress hook that fires it. */
function injectFault(ctx: Context, job: TrainJob, attempt: number): () => void {
  const fault = job.fault;
  if (!fault || attempt > fault.attempts) return () => {};
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    setTimeout(() => {
      if (fault.kind === 'lose-device') ctx.device.destroy();
      else throw new Error(`simulated worker crash in job ${job.id} (attempt ${attempt})`);
    }, 0);
  };
  if (fault.afterMs !== undefined) setTimeout(fire, fault.afterMs);
  return fire;
}

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
      const fault = injectFault(ctx, job, attempt);
      const result = await runTrainJob(ctx, job, {
        signal: controller.signal,
        onProgress: (p: JobProgress) => {
          fault();
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

Comlink.expose(api);
