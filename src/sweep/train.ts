/** Runs one TrainJob on a context: a network per stage, fit, then test (with a recursive
 *  rollout for staged problems). Used inside the pool's workers; runs on any thread. */
import type { Context } from '../gpu/context';
import { createMlp, type Mlp } from '../nn/mlp';
import type { JobProgress, JobResult, TrainJob } from './job';
import { pearson, rmse } from './metrics';

export interface RunJobOptions {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /** Live GPU buffers of the device, for the result's leak check (default: not counted). */
  liveBuffers?: () => number;
}

function abortError(): Error {
  return new DOMException('The job was cancelled', 'AbortError');
}

/** Trains and tests every stage of `job`; destroys its models before returning or throwing. */
export async function runTrainJob(ctx: Context, job: TrainJob, opts: RunJobOptions = {}): Promise<JobResult> {
  const started = performance.now();
  const { settings } = job;
  const models: Mlp[] = [];
  const result: JobResult = {
    id: job.id, rmse: NaN, corr: NaN, stageRmse: [], stageCorr: [], epochs: [], finalLoss: [],
    diverged: false, trainMs: 0, totalMs: 0, liveBuffers: 0, meta: job.meta,
  };
  try {
    for (let s = 0; s < job.stages.length; s++) {
      if (opts.signal?.aborted) throw abortError();
      const stage = job.stages[s];
      const mlp = createMlp(ctx, {
        inputs: stage.inputs,
        hidden: Array.from({ length: settings.hiddenLayers }, () => job.width),
        outputs: 1,
        activation: settings.activation ?? 'tanh',
        outputActivation: settings.outputActivation,
        seed: job.seed + 7919 * s,
      });
      models.push(mlp);
      const report = await mlp.fit(
        { x: stage.train.x, y: stage.train.y, dydx: stage.train.dydx },
        {
          epochs: settings.epochs,
          batchSize: settings.batchSize,
          learningRate: settings.learningRate,
          lrDecay: settings.lrDecay,
          gradientWeight: job.gradientWeight,
          gradientInputs: stage.gradientInputs,
          directions: settings.directions ?? 'all',
          seed: job.seed + 104729 * s,
          signal: opts.signal,
          onProgress: (p) =>
            opts.onProgress?.({
              id: job.id, stage: s, stages: job.stages.length, epoch: p.epoch, epochs: p.epochs,
              fraction: (s + p.epoch / p.epochs) / job.stages.length, loss: p.loss,
            }),
        },
      );
      if (report.aborted) throw abortError();
      result.trainMs += report.ms;
      result.epochs.push(report.epochs);
      result.finalLoss.push(report.loss);
      result.diverged ||= report.diverged;
    }
    // Test: stage s > 0 sees the previous stage's prediction (rollout) or the true value.
    const preds: Float32Array[] = [];
    for (let s = 0; s < job.stages.length; s++) {
      const { test, inputs } = job.stages[s];
      let x = test.x;
      if (job.rollout && s > 0) {
        x = test.x.slice();
        const prev = preds[s - 1];
        for (let i = 0; i < prev.length; i++) x[i * inputs + inputs - 1] = prev[i];
      }
      const y = await models[s].predict(x);
      preds.push(y);
      result.stageRmse.push(rmse(y, test.y));
      result.stageCorr.push(pearson(y, test.y));
    }
    const all = concat(preds);
    const truth = concat(job.stages.map((s) => s.test.y));
    result.rmse = rmse(all, truth);
    result.corr = pearson(all, truth);
  } finally {
    for (const m of models) m.destroy();
  }
  result.liveBuffers = opts.liveBuffers?.() ?? 0;
  result.totalMs = performance.now() - started;
  return result;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
