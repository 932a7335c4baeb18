/** One worker of the pool: its Comlink remote, its start-up, and how it ends. Every pending call
 *  to the worker is rejected when the worker crashes (an uncaught error, a message that cannot
 *  be read, a lost device) or is terminated: a dead worker never leaves a caller waiting. A
 *  finished call leaves nothing behind (its result is the caller's alone). */
import * as Comlink from 'comlink';
import type { WorkerApi, WorkerInfo } from './worker-api';

/** The worker of a job crashed (on every attempt, when the pool reports it). */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
}

/** What the pool needs of a started worker: a DOM `Worker` is one; so is the Node entry's
 *  adapter of a worker_threads Worker (sobolev-webgpu/node). Typed without the DOM library so
 *  the declarations work in Node projects too. */
export interface PoolWorker {
  postMessage(message: unknown, transfer: unknown[]): void;
  /** 'message' (event.data), 'messageerror', and 'error' (event.message: '' when the script
   *  failed to load). */
  addEventListener(type: string, listener: (event: PoolWorkerEvent) => void): void;
  removeEventListener(type: string, listener: (event: PoolWorkerEvent) => void): void;
  /** Ends the worker; a promise, if returned, resolves once it has ended (the Node pool's
   *  threads stop themselves first). */
  terminate(): void | Promise<void>;
}

/** The parts of a worker's events the pool reads. */
export interface PoolWorkerEvent {
  data?: unknown;
  message?: string;
  preventDefault(): void;
}

/** Where a slot's worker comes from: a module script URL, or a function that starts one
 *  (given the worker's name) and returns it. The script must serve the WorkerApi, e.g. by
 *  calling exposeTrainWorker (worker-host.ts): the package's own is `sobolev-webgpu/worker`. */
export type WorkerSource = string | URL | ((name: string) => PoolWorker);

export interface SlotHooks {
  /** Called once if the worker crashes (not when it is terminated on purpose). */
  onCrash(slot: WorkerSlot): void;
  onTerminate(slot: WorkerSlot): void;
}

/** The default worker's path and this module's URL, for messages: kept out of the
 *  `new URL('…', import.meta.url)` form, which bundlers would take for one more asset (a
 *  literal) or a whole folder of them (webpack, given a variable). */
const DEFAULT_WORKER = '../../workers/train.worker.ts';
const MODULE_URL: string = import.meta.url;

/** A started worker in pool position `index`; `task` is whatever the pool runs there. */
export class WorkerSlot<T = unknown> {
  readonly worker: PoolWorker;
  /** The worker script, for messages ('' when a function started the worker). */
  readonly url: string;
  readonly remote: Comlink.Remote<WorkerApi>;
  readonly ready: Promise<WorkerInfo>;
  task: T | null = null;
  dead = false;
  /** The rejections of the calls still pending, and why the worker died once it has. */
  private readonly pending = new Set<(error: Error) => void>();
  private death: Error | null = null;
  /** Why the worker crashed ('' while it has not). */
  crashReason = '';
  /** Resolves once the terminated worker has ended (at once for a browser worker). */
  ended: Promise<void> = Promise.resolve();

  constructor(readonly index: number, source: WorkerSource | null, private readonly hooks: SlotHooks) {
    const name = `sobolev-train-${index}`;
    if (typeof source === 'function') {
      this.url = '';
      this.worker = source(name);
    } else if (source) {
      this.url = String(source);
      this.worker = new Worker(source, { type: 'module', name });
    } else {
      // The library build (vite.config.ts) points both at the stable dist/worker.js.
      this.url = new URL(DEFAULT_WORKER, MODULE_URL).href;
      this.worker = new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name });
    }
    this.remote = Comlink.wrap<WorkerApi>(this.worker as unknown as Comlink.Endpoint);
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      // A module worker whose script cannot be fetched or parsed gets a bare 'error' event.
      const script = this.url ? `the worker script ${this.url}` : 'the worker script (started by the workerUrl function)';
      this.crash(
        event.message
          ? `uncaught error: ${event.message}`
          : `${script} failed to load (not found, not served as JavaScript, or a syntax error). A bundler that does not follow ` +
              "new URL('./worker.js', import.meta.url) needs sobolev-webgpu/worker copied next to the bundle, or createPool({ workerUrl }) pointing at it",
      );
    });
    this.worker.addEventListener('messageerror', () => this.crash('a message could not be deserialised'));
    const onLost = Comlink.proxy((reason: string) => this.crash(`GPU device lost (${reason})`));
    this.ready = this.call(this.remote.init(onLost));
    this.ready.catch(() => {});
  }

  /** `promise` (a call to the worker), or a rejection if the worker dies first. */
  call<R>(promise: Promise<R>): Promise<R> {
    if (this.death) return Promise.reject(this.death);
    return new Promise<R>((resolve, reject) => {
      this.pending.add(reject);
      promise.then(resolve, reject).finally(() => this.pending.delete(reject));
    });
  }

  /** Marks the worker crashed and terminates it. */
  crash(reason: string): void {
    if (this.dead) return;
    this.crashReason = reason;
    this.hooks.onCrash(this);
    this.terminate(new WorkerCrashError(`worker ${this.index}: ${reason}`));
  }

  /** Terminates the worker (its device goes with it); pending calls reject with `reason`. */
  terminate(reason: Error = new Error(`worker ${this.index} was terminated`)): void {
    if (this.dead) return;
    this.dead = true;
    this.death = reason;
    for (const reject of this.pending) reject(reason);
    this.pending.clear();
    this.ended = Promise.resolve(this.worker.terminate());
    this.hooks.onTerminate(this);
  }
}
