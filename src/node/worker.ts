/** The Node pool's worker_threads script (built as dist/node-worker.js): the pool's WorkerApi
 *  (src/sweep/worker-host.ts) served on the thread's parentPort, with a Dawn device from
 *  createNodeContext (the options createNodePool passed in workerData.context). The pool
 *  ends the thread with STOP_MESSAGE, never by terminating it from outside. */
import { parentPort, workerData } from 'node:worker_threads';
import { exposeTrainWorker, stopTrainWorker, type TrainWorkerHost } from '../sweep/worker-host';
import { createNodeContext, type NodeContextOptions } from './context';
import { STOP_MESSAGE } from './stop';

if (!parentPort) throw new Error("sobolev-webgpu's node-worker.js is the Node pool's worker_threads script: start it with createNodePool from 'sobolev-webgpu/node'");
const port = parentPort;
const handlers = new Map<(event: { data: unknown }) => void, (data: unknown) => void>();

const endpoint: NonNullable<TrainWorkerHost['endpoint']> = {
  postMessage: (message, transfer) => port.postMessage(message, transfer as never),
  addEventListener: (_type, listener) => {
    const handler = (data: unknown) => {
      if (data !== STOP_MESSAGE) listener({ data });
    };
    handlers.set(listener, handler);
    port.on('message', handler);
  },
  removeEventListener: (_type, listener) => {
    const handler = handlers.get(listener);
    if (handler) port.off('message', handler);
    handlers.delete(listener);
  },
};

const context = ((workerData as { context?: NodeContextOptions } | null)?.context ?? {}) as NodeContextOptions;
exposeTrainWorker({}, { endpoint, createContext: () => createNodeContext(context) });

// The pool ends this thread by asking: its job and device stopped, every Dawn promise settled,
// then exit (from between two tasks of this thread, never inside a call into Dawn).
port.on('message', (data: unknown) => {
  if (data === STOP_MESSAGE) void stopTrainWorker().finally(() => process.exit(0));
});
