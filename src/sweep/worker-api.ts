/** The contract between the pool (src/sweep/pool.ts) and workers/train.worker.ts. */
import type { AdapterDescription } from '../gpu/context';
import type { JobProgress, JobResult, TrainJob } from './job';

export interface WorkerInfo {
  adapter: AdapterDescription;
}

/** Resource counters of one worker (its own device). */
export interface WorkerStats {
  /** GPU buffers of the worker's context alive now, and created since it started
   *  (ctx.stats(): every buffer the engine makes belongs to one of the context's scopes). */
  liveBuffers: number;
  buffersCreated: number;
  devicesCreated: number;
  /** Devices created and neither lost nor destroyed. */
  liveDevices: number;
  jobsRun: number;
  /** Jobs in progress (0 or 1). */
  running: number;
  /** Compute pipelines compiled on the worker's device (shared by every width). */
  kernels: number;
}

/** What `run` answers: a result, or an error; `fatal` when the worker's device is gone. */
export type JobOutcome =
  | { ok: true; result: JobResult }
  | { ok: false; error: { name: string; message: string }; fatal: boolean; aborted: boolean };

export interface WorkerApi {
  /** Creates the worker's device; `onLost` is called if it is lost later. */
  init(onLost?: (reason: string) => void): Promise<WorkerInfo>;
  /** Runs one job, a group of networks (its arrays transferred); `attempt` counts from 1. */
  run(job: TrainJob, attempt: number, onProgress?: (p: JobProgress) => void): Promise<JobOutcome>;
  /** Aborts the job `id` at its next check (between chunks of training steps). */
  cancel(id: string): void;
  stats(): Promise<WorkerStats>;
  /** Aborts any job and destroys the device; returns the counters after that. */
  dispose(): Promise<WorkerStats>;
}
