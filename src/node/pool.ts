/** The sweep pool on Node's worker_threads: the same Pool (queue, retries, cancellation), each
 *  worker a thread running dist/node-worker.js with its own Dawn device (createNodeContext). */
import { availableParallelism } from 'node:os';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { createPool, type Pool, type PoolOptions } from '../sweep/pool';
import type { PoolWorker, PoolWorkerEvent } from '../sweep/slot';
import { prepareVulkan, type NodeContextOptions } from './context';
import { STOP_DEADLINE_MS, STOP_MESSAGE } from './stop';

/** The worker_threads script, built next to this entry (dist/node.js → dist/node-worker.js). A
 *  variable, so that no bundler mistakes it for an asset of the library build. */
const NODE_WORKER = './node-worker.js';

export interface NodePoolOptions extends Omit<PoolOptions, 'workerUrl'> {
  /** The worker_threads script (a file URL or path); default: the package's dist/node-worker.js.
   *  Another script must serve the WorkerApi (exposeTrainWorker with a parentPort endpoint). */
  workerUrl?: string | URL;
  /** Options of every worker's createNodeContext, e.g. `{ swiftshader: true }` (plain data:
   *  they are copied to the threads). */
  context?: NodeContextOptions;
}

type Listener = (event: PoolWorkerEvent) => void;

/** A worker_threads Worker seen as the pool's PoolWorker (DOM-style events). */
class ThreadWorker implements PoolWorker {
  private readonly thread: Worker | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private ended = false;
  /** Resolves when the thread has exited (at once when none started). */
  private readonly exited: Promise<void> = Promise.resolve();

  constructor(url: URL, name: string, context: NodeContextOptions) {
    try {
      // SHARE_ENV: the thread's process.env is the process's, which the Vulkan loader reads.
      this.thread = new Worker(url, { name, workerData: { context }, env: SHARE_ENV });
    } catch (error) {
      setImmediate(() => this.fail(`the worker script ${url.href} could not be started: ${String(error)}`));
      return;
    }
    this.thread.on('message', (data: unknown) => this.emit('message', { data, preventDefault() {} }));
    this.thread.on('messageerror', () => this.emit('messageerror', { preventDefault() {} }));
    this.thread.on('error', (error: Error) => this.fail(`worker thread ${url.href}: ${error.name}: ${error.message}`));
    const thread = this.thread;
    this.exited = new Promise((resolve) => thread.once('exit', () => resolve()));
    thread.on('exit', (code: number) => {
      if (!this.ended) this.fail(`the worker thread ${url.href} exited (code ${code})`);
    });
  }

  postMessage(message: unknown, transfer: unknown[]): void {
    this.thread?.postMessage(message, transfer as never);
  }

  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  /** Asks the thread to end itself (its job aborted, its device destroyed, Dawn settled) and
   *  resolves when it has exited. Only a thread that has not exited STOP_DEADLINE_MS later
   *  (stuck in synchronous code) is terminated from outside. */
  terminate(): Promise<void> {
    if (this.ended || !this.thread) return this.exited;
    this.ended = true;
    const thread = this.thread;
    const deadline = setTimeout(() => void thread.terminate(), STOP_DEADLINE_MS);
    void this.exited.then(() => clearTimeout(deadline));
    thread.postMessage(STOP_MESSAGE);
    return this.exited;
  }

  private emit(type: string, event: PoolWorkerEvent): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  private fail(message: string): void {
    if (this.ended) return;
    this.emit('error', { message, preventDefault() {} });
  }
}

/**
 * A pool of training workers on worker_threads, each with its own Dawn device: createPool's
 * Pool for Node (runSweep, runWidthJobs and pool.run work on it as in a browser). The Vulkan
 * loader and SwiftShader (`context.swiftshader`) are set up on this thread first, so a missing
 * driver is reported here, before any worker starts. `size` is capped at the machine's logical
 * cores (os.availableParallelism()) unless `maxSize` says otherwise.
 * @example
 * const pool = createNodePool({ size: 2, context: { swiftshader: true } });
 * const results = await pool.run(jobs);
 * await pool.destroy();
 */
export function createNodePool(options: NodePoolOptions = {}): Pool {
  const { workerUrl, context = {}, ...rest } = options;
  const swiftshader = prepareVulkan(context.swiftshader);
  // Every thread gets the driver this thread settled on (the environment is shared).
  const threadContext: NodeContextOptions = { ...context, swiftshader: swiftshader.mode === 'off' ? false : swiftshader.mode === 'on' ? swiftshader.manifest ?? true : 'fallback' };
  const url = workerUrl === undefined ? new URL(NODE_WORKER, import.meta.url) : workerUrl instanceof URL ? workerUrl : toUrl(workerUrl);
  return createPool({ ...rest, maxSize: rest.maxSize ?? availableParallelism(), workerUrl: (name) => new ThreadWorker(url, name, threadContext) });
}

function toUrl(path: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return new URL(path);
  return new URL(`file://${path.startsWith('/') ? '' : `${process.cwd()}/`}${path}`);
}
