/// <reference lib="webworker" />
// A test-only training worker (e2e/sweep-faults.spec.ts): the production worker body with a
// hook that makes an attempt fail the way a real crash would. The fault rides in the job's
// `meta.fault` (JSON of a Fault, see faultMeta in ./sweep.ts), so the job contract has no
// testing fields.
import type { Context } from '../../src/gpu/context';
import type { TrainJob } from '../../src/sweep/job';
import { exposeTrainWorker } from '../../src/sweep/worker-host';

/** On attempts 1..`attempts` the worker crashes ('throw': an uncaught error) or loses its
 *  device ('lose-device') mid-job: `afterMs` after the start, or else at the job's first
 *  progress report. */
export interface Fault {
  kind: 'throw' | 'lose-device';
  attempts: number;
  afterMs?: number;
}

/** Returns the progress hook that fires the job's fault (a no-op when it has none). */
function injectFault(ctx: Context, job: TrainJob, attempt: number): () => void {
  const raw = job.meta?.fault;
  const fault = typeof raw === 'string' ? (JSON.parse(raw) as Fault) : null;
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

exposeTrainWorker({ onJob: injectFault });
