/// <reference lib="webworker" />
/** The body of the sweep pool's training worker (src/sweep/pool.ts): one GPUDevice per worker,
 *  one TrainJob (a group of networks, one MlpGroup per stage) at a time, the job's groups
 *  destroyed when it ends, plain metrics per network returned. Buffers and pipelines are
 *  counted by the context (ctx.stats()), device loss decided by ctx.isLost().
 *  Only plain data crosses the boundary: jobs arrive with their Float32Arrays transferred.
 *  workers/train.worker.ts calls `exposeTrainWorker()` with no hooks; a test worker (e.g.
 *  e2e/pages/fault.worker.ts) passes hooks, so testing hooks stay out of the job contract. */
import * as Comlink from 'comlink';
import { createContext, type Context } from '../gpu/context';
import { validateJob, type JobProgress, type TrainJob } from './job';
import { runTrainJob } from './train';
import type { JobOutcome, WorkerApi, WorkerInfo, WorkerStats } from './worker-api';

/** Where a training worker runs, when it is not a browser worker on navigator.gpu: the Node
 *  entry's worker_threads script passes its parentPort (adapted) and createNodeContext. */
export interface TrainWorkerHost {
  /** The message port to serve the WorkerApi on (default: the worker's global scope). */
  endpoint?: {
    postMessage(message: unknown, transfer?: unknown[]): void;
    addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
    removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  };
  /** Makes the worker's context (default: createContext() on navigator.gpu). */
  createContext?: () => Promise<Context>;
}

/** Extension points of a training worker (none in production). */
export interface TrainWorkerHooks {
  /** Called as each attempt of a job starts, with the worker's context; the function it
   *  returns (if any) is called at each progress report of that attempt. */
  onJob?(ctx: Context, job: TrainJob, attempt: number): ((p: JobProgress) => void) | void;
}

let context: Promise<Context> | null = null;
let lostListener: ((reason: string) => void) | null = null;
/** Counters kept here; buffers and pipelines come from the context (ctx.stats()). */
const counts = { devicesCreated: 0, liveDevices: 0, jobsRun: 0, running: 0 };
/** The last context's buffer counters, kept once it is gone. */
let lastGpu = { liveBuffers: 0, buffersCreated: 0, kernels: 0 };
const running = new Map<string, AbortController>();
/** Calls of `run` not finished yet (their GPU work may still be pending). */
const inflight = new Set<Promise<JobOutcome>>();
/** Stops counting the current device as live (once). */
let releaseDevice: () => void = () => {};

/** Buffers and pipelines of the worker's context (scopes own every buffer the engine makes). */
function gpuStats(ctx: Context | null): { liveBuffers: number; buffersCreated: number; kernels: number } {
  if (!ctx) return lastGpu;
  const s = ctx.stats();
  lastGpu = { liveBuffers: s.liveBuffers, buffersCreated: s.buffersCreated, kernels: s.pipelines };
  return lastGpu;
}

let makeContext: () => Promise<Context> = () => createContext();

async function getContext(): Promise<Context> {
  context ??= makeContext().then((ctx) => {
    counts.devicesCreated++;
    counts.liveDevices++;
    let counted = true;
    // A device is no longer live once it is lost (or destroyed, e.g. by a test worker) or
    // the worker disposes of it, whichever comes first.
    const release = () => {
      if (counted) counts.liveDevices--;
      counted = false;
    };
    releaseDevice = release;
    ctx.device.lost.then((info) => {
      release();
      if (!ctx.isDestroyed) lostListener?.(`${info.reason}: ${info.message}`);
    });
    ctx.device.addEventListener('uncapturederror', (event) => {
      console.warn(`[train.worker] uncaptured WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
    return ctx;
  });
  return context;
}

/** Whether the worker's device is gone (lost or destroyed): decided by ctx.isLost(), which
 *  WebGPU's promise ordering answers without a timer. */
async function deviceGone(ctx: Context): Promise<boolean> {
  return ctx.isDestroyed || (await ctx.isLost());
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

  run(job, attempt, onProgress) {
    const outcome = runJob(job, attempt, onProgress);
    inflight.add(outcome);
    void outcome.finally(() => inflight.delete(outcome));
    return outcome;
  },

  cancel(id) {
    running.get(id)?.abort();
  },

  async stats() {
    const ctx = await context?.catch(() => null);
    return { ...counts, ...gpuStats(ctx ?? null) } satisfies WorkerStats;
  },

  async dispose() {
    for (const controller of running.values()) controller.abort();
    const ctx = await context?.catch(() => null);
    gpuStats(ctx ?? null);
    ctx?.destroy();
    if (ctx) releaseDevice();
    const after = gpuStats(ctx ?? null); // every scope freed with the context
    context = null;
    return { ...counts, ...after } satisfies WorkerStats;
  },
};

/** One attempt of a job on this worker's device; never throws (an outcome says how it ended). */
async function runJob(job: TrainJob, attempt: number, onProgress?: (p: JobProgress) => void): Promise<JobOutcome> {
  const controller = new AbortController();
  running.set(job.id, controller);
  counts.running++;
  let ctx: Context | null = null;
  try {
    validateJob(job); // before the device: a bad job never costs GPU work
    ctx = await getContext();
    const onJobProgress = hooks.onJob?.(ctx, job, attempt);
    const result = await runTrainJob(ctx, job, {
      signal: controller.signal,
      onProgress: (p: JobProgress) => {
        onJobProgress?.(p);
        void onProgress?.(p);
      },
      liveBuffers: () => gpuStats(ctx).liveBuffers,
    });
    counts.jobsRun++;
    return { ok: true, result } satisfies JobOutcome;
  } catch (error) {
    const fatal = !!ctx && (await deviceGone(ctx));
    return { ok: false, error: describe(error), fatal, aborted: controller.signal.aborted } satisfies JobOutcome;
  } finally {
    running.delete(job.id);
    counts.running--;
    (onProgress as unknown as Partial<Comlink.ProxyMethods> | undefined)?.[Comlink.releaseProxy]?.();
  }
}

/**
 * Ends the worker's work so that its thread can go without Dawn aborting the process: a
 * thread terminated while a call into Dawn runs, or with a Dawn promise pending, brings the
 * whole process down (`napi_throw`, "Promise not resolved or rejected"). Aborts the running
 * job, destroys the device (its pending mapAsync and error scopes then settle), and resolves
 * once every `run` has returned. The Node pool's worker script calls it before it exits.
 */
export async function stopTrainWorker(): Promise<void> {
  for (const controller of running.values()) controller.abort();
  const ctx = await context?.catch(() => null);
  if (ctx) {
    ctx.destroy();
    releaseDevice();
    await ctx.device.lost;
  }
  context = null;
  await Promise.allSettled([...inflight]);
}

/** Serves the pool's WorkerApi (worker-api.ts) on this worker's global scope (or
 *  `host.endpoint`) with Comlink. Call it once, from a module worker script. */
export function exposeTrainWorker(workerHooks: TrainWorkerHooks = {}, host: TrainWorkerHost = {}): void {
  hooks = workerHooks;
  if (host.createContext) makeContext = host.createContext;
  Comlink.expose(api, host.endpoint as Comlink.Endpoint | undefined);
}
