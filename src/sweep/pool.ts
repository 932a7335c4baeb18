/** A pool of training workers (workers/train.worker.ts), each with its own GPUDevice.
 *
 *  A job is a group of networks (TrainJob.models) that its worker trains together, one
 *  MlpGroup per stage: spread a sweep over the workers as a few whole groups (widthSweepJobs
 *  with `groups`; runSweep packs one per worker), not one network per job.
 *
 *  Jobs wait in one queue and go to the first idle worker; results stream back as they finish.
 *  A worker that crashes (an uncaught error, a failed start, or a lost device) is terminated,
 *  replaced, and its job run again, at most `maxRetries` more times: every job settles exactly
 *  once. An AbortSignal cancels queued jobs at once and running ones at their next check; a
 *  worker that does not stop within `cancelGraceMs` is terminated (its device goes with it). */
import * as Comlink from 'comlink';
import { abortError } from '../util/abort';
import { cloneJob, jobTransferables, validateJob, type JobProgress, type JobResult, type LazyJob, type TrainJob } from './job';
import { checkJob } from './train';
import { describeValue } from '../nn/validate';
import { WorkerCrashError, WorkerSlot, type WorkerSource } from './slot';
import type { JobOutcome, WorkerInfo, WorkerStats } from './worker-api';

export { WorkerCrashError };

export interface PoolOptions {
  /** Number of workers; default min(maxSize, 4). More than `maxSize` is capped to it (see
   *  Pool.capped). */
  size?: number;
  /** The most workers this machine takes: each worker is a thread with its own GPU device,
   *  so more workers than logical cores only contend (default navigator.hardwareConcurrency;
   *  the Node pool uses os.availableParallelism()). */
  maxSize?: number;
  /** Script of the worker, or a function that starts a worker given its name, e.g.
   *  `(name) => new Worker(new URL('./my.worker.ts', import.meta.url), { type: 'module', name })`
   *  (the form bundlers recognise). The worker must serve the WorkerApi (exposeTrainWorker);
   *  the package's own is `sobolev-webgpu/worker` (dist/worker.js, one self-contained file).
   *  Default: that file, named as `new URL('./worker.js', import.meta.url)` next to the
   *  library's code (Vite and webpack bundle it; with esbuild or plain rollup copy it beside
   *  your bundle or pass its URL here). */
  workerUrl?: WorkerSource;
  /** Extra attempts of a job whose worker crashed (default 2). */
  maxRetries?: number;
  /** How long a cancelled job may take to stop before its worker is terminated (default 2000 ms). */
  cancelGraceMs?: number;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

/** Progress of a whole `run`: `fraction` counts finished jobs and the running jobs' parts. */
export interface RunProgress {
  done: number;
  total: number;
  running: number;
  fraction: number;
}

export interface RunOptions extends SubmitOptions {
  /** Each result as soon as its job finishes (in completion order). */
  onResult?: (r: JobResult) => void;
  onRunProgress?: (p: RunProgress) => void;
}

/** Counters of the pool itself (all synchronous). */
export interface PoolStats {
  size: number;
  /** Workers started and not terminated. */
  liveWorkers: number;
  busy: number;
  queued: number;
  started: number;
  /** Workers terminated: crashed, cancelled without stopping in time, or destroyed. */
  terminated: number;
  crashes: number;
  retries: number;
  completed: number;
}

/** A job failed inside a healthy worker (bad data, invalid options, a GPU validation error). */
export class JobError extends Error {
  override name = 'JobError';
}

type JobSource = TrainJob | LazyJob;

/** validateJob (settings, networks, arrays) and checkJob (every data set's stages alike). */
function checkTrainJob(job: TrainJob): void {
  validateJob(job);
  checkJob(job);
}

function isLazy(job: JobSource): job is LazyJob {
  return typeof (job as LazyJob).make === 'function';
}

interface Task {
  source: JobSource;
  id: string;
  attempt: number;
  opts: SubmitOptions;
  resolve(r: JobResult): void;
  reject(e: unknown): void;
  settled: boolean;
  slot: Slot | null;
  /** The listener on opts.signal, removed once the task settles. */
  onAbort: (() => void) | null;
}

type Slot = WorkerSlot<Task>;

/** Workers in a row that may fail to start (crash before they are ready) before the pool
 *  gives up; the restarts between them wait START_BACKOFF_MS, doubled each time. */
const MAX_FAILED_STARTS = 3;
const START_BACKOFF_MS = 100;

/** Logical cores, where the platform says (browsers, workers, Node 21+), else 2. */
function logicalCores(): number {
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency;
  return Number.isInteger(cores) && cores! > 0 ? cores! : 2;
}

/** A pool given more workers than `maxSize`: how many were asked for, and why fewer run. */
export interface PoolCap {
  requested: number;
  size: number;
  reason: string;
}

/** A pool of training workers. Create with createPool; destroy() when done. */
export class Pool {
  readonly size: number;
  private readonly maxRetries: number;
  private readonly cancelGraceMs: number;
  private readonly workerUrl: WorkerSource | null;
  private readonly slots: (Slot | null)[];
  private readonly queue: Task[] = [];
  private readonly counters = { started: 0, crashes: 0, retries: 0, completed: 0, terminated: 0 };
  private readonly idleWaiters: (() => void)[] = [];
  private destroyed = false;
  /** Workers that failed to start since the last one that started; no worker starts before
   *  `restartAt` (the back-off); `failure` once the pool has given up on its worker script. */
  private failedStarts = 0;
  private restartAt = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private failure: Error | null = null;
  /** The adapter of the first worker that started (for reports). */
  adapter: WorkerInfo['adapter'] | null = null;
  /** Set when `size` was capped to `maxSize` (a console warning says so too); null otherwise. */
  readonly capped: PoolCap | null = null;

  constructor(options: PoolOptions = {}) {
    const maxSize = options.maxSize ?? logicalCores();
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`pool maxSize must be a positive integer, got ${describeValue(maxSize)}`);
    const requested = options.size ?? Math.min(maxSize, 4);
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
      throw new RangeError(`pool size must be a positive integer (a number of workers), got ${describeValue(requested)}`);
    }
    if (typeof options.workerUrl !== 'function' && typeof (globalThis as { Worker?: unknown }).Worker !== 'function') {
      throw new TypeError(
        "createPool needs Web Workers (the Worker global), which this runtime lacks; in Node use createNodePool from 'sobolev-webgpu/node' (worker_threads)",
      );
    }
    const size = Math.min(requested, maxSize);
    if (size < requested) {
      const reason = `${requested} workers requested, capped at ${maxSize}: each worker is a thread with its own GPU device, and this machine has ${maxSize} logical cores (pass maxSize to change the cap)`;
      this.capped = { requested, size, reason };
      console.warn(`[sobolev-webgpu] createPool: ${reason}`);
    }
    this.size = size;
    this.maxRetries = options.maxRetries ?? 2;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new RangeError(`pool maxRetries must be a non-negative integer (extra attempts of a crashed job), got ${describeValue(this.maxRetries)}`);
    this.cancelGraceMs = options.cancelGraceMs ?? 2000;
    if (typeof this.cancelGraceMs !== 'number' || !(this.cancelGraceMs >= 0) || !Number.isFinite(this.cancelGraceMs)) {
      throw new RangeError(`pool cancelGraceMs must be a finite number of milliseconds ≥ 0, got ${describeValue(this.cancelGraceMs)}`);
    }
    this.workerUrl = options.workerUrl ?? null;
    this.slots = Array.from({ length: size }, () => null);
  }

  /** Queues one job; resolves with its metrics. A job with bad settings, networks or data is
   *  refused at once (RangeError/TypeError naming the field, validateJob), before any worker
   *  starts; a LazyJob is checked when it is made. */
  submit(job: JobSource, opts: SubmitOptions = {}): Promise<JobResult> {
    if (this.destroyed) return Promise.reject(new Error('This pool has been destroyed; create a new one.'));
    if (this.failure) return Promise.reject(this.failure);
    try {
      if (!isLazy(job)) checkTrainJob(job);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = job.id;
    return new Promise<JobResult>((resolve, reject) => {
      const task: Task = { source: job, id, attempt: 0, opts, resolve, reject, settled: false, slot: null, onAbort: null };
      if (opts.signal?.aborted) return reject(abortError());
      task.onAbort = () => this.cancelTask(task);
      opts.signal?.addEventListener('abort', task.onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  /** Runs every job; results arrive through onResult as they finish and, at the end, in job order.
   *  The first job that fails for good cancels the rest and rejects the run. */
  async run(jobs: JobSource[], opts: RunOptions = {}): Promise<JobResult[]> {
    // Every job is checked before the first one starts a worker.
    for (const job of jobs) if (!isLazy(job)) checkTrainJob(job);
    const inner = new AbortController();
    const forward = () => inner.abort();
    opts.signal?.addEventListener('abort', forward, { once: true });
    if (opts.signal?.aborted) inner.abort();
    const fractions = new Map<string, number>();
    let done = 0;
    const report = () => {
      if (!opts.onRunProgress) return;
      let partial = 0;
      for (const f of fractions.values()) partial += f;
      opts.onRunProgress({ done, total: jobs.length, running: fractions.size, fraction: (done + partial) / Math.max(1, jobs.length) });
    };
    try {
      return await Promise.all(
        jobs.map((job) =>
          this.submit(job, {
            signal: inner.signal,
            onProgress: (p) => {
              fractions.set(p.id, p.fraction);
              opts.onProgress?.(p);
              report();
            },
          }).then(
            (result) => {
              fractions.delete(result.id);
              done++;
              opts.onResult?.(result);
              report();
              return result;
            },
            (error) => {
              inner.abort();
              throw error;
            },
          ),
        ),
      );
    } finally {
      opts.signal?.removeEventListener('abort', forward);
    }
  }

  /** Synchronous counters (workers alive, busy, queued, crashes, retries). */
  stats(): PoolStats {
    const live = this.slots.filter((s) => s && !s.dead);
    return {
      size: this.size,
      liveWorkers: live.length,
      busy: live.filter((s) => s!.task).length,
      queued: this.queue.length,
      started: this.counters.started,
      terminated: this.counters.terminated,
      crashes: this.counters.crashes,
      retries: this.counters.retries,
      completed: this.counters.completed,
    };
  }

  /** Resource counters of every live worker (GPU buffers and devices). */
  async workerStats(): Promise<WorkerStats[]> {
    const live = this.slots.filter((s): s is Slot => !!s && !s.dead);
    return Promise.all(live.map((s) => s.call(s.remote.stats())));
  }

  /** Resolves once no job is queued or running (cancelled jobs included). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels everything, destroys every worker's device, terminates the workers and resolves
   *  once they have ended. Returns the counters each worker reported after destroying its
   *  device (workers that answered). */
  async destroy(): Promise<WorkerStats[]> {
    if (this.destroyed) return [];
    this.destroyed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const task of this.queue.splice(0)) this.settle(task, () => task.reject(abortError()));
    const disposed = await Promise.all(
      this.slots.map(async (slot) => {
        if (!slot) return null;
        if (slot.task) this.settle(slot.task, () => slot.task!.reject(abortError()));
        let stats: WorkerStats | null = null;
        if (!slot.dead) {
          const dispose = slot.call(slot.remote.dispose()).catch(() => null);
          stats = await Promise.race([dispose, new Promise<null>((r) => setTimeout(() => r(null), this.cancelGraceMs))]);
        }
        slot.terminate();
        await slot.ended;
        return stats;
      }),
    );
    this.notifyIdle();
    return disposed.filter((s): s is WorkerStats => s !== null);
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.slots.every((s) => !s || !s.task);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private settle(task: Task, action: () => void): void {
    if (task.settled) return;
    task.settled = true;
    // Nothing keeps a settled task: not the caller's signal (shared by many jobs), not the job.
    if (task.onAbort) task.opts.signal?.removeEventListener('abort', task.onAbort);
    task.onAbort = null;
    action();
  }

  private startWorker(index: number): Slot {
    this.counters.started++;
    let started = false;
    const slot: Slot = new WorkerSlot<Task>(index, this.workerUrl, {
      onCrash: () => this.counters.crashes++,
      onTerminate: (dead) => {
        this.counters.terminated++;
        if (this.slots[dead.index] !== dead) return;
        this.slots[dead.index] = null;
        if (!started && !this.destroyed) this.failedStart(dead);
        // A worker that died (a crash, a lost device, a cancel past its grace) is replaced at
        // once, so the pool keeps its size whatever the timing of the jobs left; one that
        // failed to start, after the back-off.
        if (!this.destroyed && !this.failure && Date.now() >= this.restartAt) this.slots[dead.index] = this.startWorker(dead.index);
        else this.scheduleRestart();
      },
    });
    slot.ready.then(
      (info) => {
        started = true;
        this.failedStarts = 0;
        this.adapter ??= info.adapter;
      },
      () => {},
    );
    return slot;
  }

  /** Counts a worker that crashed before it was ready: the next start waits (doubling), and
   *  after MAX_FAILED_STARTS in a row the pool fails every job, queued or submitted later. */
  private failedStart(dead: WorkerSlot): void {
    this.failedStarts++;
    this.restartAt = Date.now() + START_BACKOFF_MS * 2 ** (this.failedStarts - 1);
    if (this.failedStarts < MAX_FAILED_STARTS) return;
    const script = dead.url ? `the worker script ${dead.url}` : 'the workerUrl function\'s worker';
    this.failure = new WorkerCrashError(
      `This pool has stopped: ${MAX_FAILED_STARTS} workers in a row failed to start (${script}; last: ${dead.crashReason}). ` +
        'Check workerUrl (it must serve the WorkerApi) and the GPU, then create a new pool.',
    );
    for (const task of this.queue.splice(0)) this.settle(task, () => task.reject(this.failure));
    this.notifyIdle();
  }

  private scheduleRestart(): void {
    if (this.restartTimer || this.destroyed || this.failure) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.pump();
    }, Math.max(0, this.restartAt - Date.now()));
  }

  private pump(): void {
    if (this.destroyed) return;
    if (this.failure) {
      for (const task of this.queue.splice(0)) this.settle(task, () => task.reject(this.failure));
      return;
    }
    while (this.queue.length > 0) {
      let index = this.slots.findIndex((s) => s && !s.dead && !s.task);
      if (index < 0) index = this.slots.findIndex((s) => !s || s.dead);
      if (index < 0) return;
      if (!this.slots[index] && Date.now() < this.restartAt) return this.scheduleRestart();
      if (!this.slots[index] || this.slots[index]!.dead) this.slots[index] = this.startWorker(index);
      const task = this.queue.shift()!;
      void this.execute(this.slots[index]!, task);
    }
  }

  private async execute(slot: Slot, task: Task): Promise<void> {
    slot.task = task;
    task.slot = slot;
    task.attempt++;
    let outcome: JobOutcome | null = null;
    let crash: unknown = null;
    let job: TrainJob;
    try {
      job = isLazy(task.source) ? task.source.make() : cloneJob(task.source);
      if (isLazy(task.source)) {
        // The id is how a cancel and the result find their job: make() cannot change it.
        if (job?.id !== task.id) throw new RangeError(`LazyJob '${task.id}': make() returned a job with id ${describeValue(job?.id)}; it must return a job with the LazyJob's own id`);
        checkTrainJob(job);
      }
    } catch (error) {
      // A job that cannot be made or is invalid fails by itself: not the worker's fault.
      if (slot.task === task) slot.task = null;
      task.slot = null;
      this.settle(task, () => task.reject(error));
      this.pump();
      this.notifyIdle();
      return;
    }
    try {
      await slot.ready;
      if (task.settled) throw abortError(); // cancelled while the worker was starting
      const progress = task.opts.onProgress ? Comlink.proxy(task.opts.onProgress) : undefined;
      outcome = await slot.call<JobOutcome>(slot.remote.run(Comlink.transfer(job, jobTransferables(job)), task.attempt, progress));
      if (!outcome.ok && outcome.fatal) slot.crash(`GPU device lost: ${outcome.error.message}`);
    } catch (error) {
      if (!task.settled) {
        crash = error;
        slot.crash(error instanceof Error ? error.message : String(error));
      }
    }
    if (slot.task === task) slot.task = null;
    task.slot = null;
    if (outcome?.ok) {
      this.counters.completed++;
      this.settle(task, () => task.resolve({ ...outcome.result, worker: slot.index, attempts: task.attempt }));
    } else if (task.settled || task.opts.signal?.aborted) {
      this.settle(task, () => task.reject(abortError()));
    } else if (outcome && !outcome.fatal) {
      this.settle(task, () => task.reject(new JobError(`job ${task.id}: ${outcome.error.name}: ${outcome.error.message}`)));
    } else if (task.attempt <= this.maxRetries) {
      this.counters.retries++;
      this.queue.unshift(task);
    } else {
      const reason = crash instanceof Error ? crash.message : outcome && !outcome.ok ? outcome.error.message : 'unknown';
      this.settle(task, () => task.reject(new WorkerCrashError(`job ${task.id} failed on all ${task.attempt} attempts: ${reason}`)));
    }
    this.pump();
    this.notifyIdle();
  }

  private cancelTask(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, () => task.reject(abortError()));
      this.notifyIdle();
      return;
    }
    const slot = task.slot;
    this.settle(task, () => task.reject(abortError()));
    if (!slot || slot.dead) return;
    // Ask the worker to stop; terminate it if it does not within the grace period.
    void slot.call(slot.remote.cancel(task.id)).catch(() => {});
    setTimeout(() => {
      if (slot.task === task && !slot.dead) slot.terminate(); // execute() then frees the slot
    }, this.cancelGraceMs);
  }
}

/**
 * Creates a pool of training workers, each with its own GPUDevice.
 * @example
 * const pool = createPool({ size: 2 });
 * const results = await pool.run(jobs, { onResult: (r) => console.log(r.id, r.rmse) });
 * await pool.destroy();
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new Pool(options);
}
