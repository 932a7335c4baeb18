/** The message by which the Node pool asks a worker thread to end itself (src/node/worker.ts):
 *  the thread stops its work and its device, lets Dawn settle, then exits. Terminating a thread
 *  from outside while it is busy in Dawn aborts the whole process. */
export const STOP_MESSAGE = 'sobolev-webgpu:stop-worker';

/** How long a thread asked to stop has before it is terminated after all (one stuck in
 *  synchronous code never reads the message). */
export const STOP_DEADLINE_MS = 10_000;
