/** Runs one TrainJob on a context: a network per stage, fit, then test (with a recursive
 *  rollout for staged problems). Used inside the pool's workers; runs on any thread. */
import type { Context } from '../gpu/context';
import { createMlp, type Mlp } from '../nn/mlp';
import type { JobProgress, JobResult, StageData, TrainJob } from './job';
import { rolloutStages } from './rollout';
import { abortError } from '../util/abort';
import { pearson, rmse } from '../util/stats';

export interface RunJobOptions {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /** Live GPU buffers of the device, for the result's leak check (default: not counted). */
  liveBuffers?: () => number;
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
        outputs: stageOutputs(stage, s),
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
    const tests = job.stages.map((st) => ({ x: st.test.x, inputs: st.inputs }));
    const preds = await rolloutStages(tests, (s, x) => models[s].predict(x), job.rollout);
    preds.forEach((y, s) => {
      result.stageRmse.push(rmse(y, job.stages[s].test.y));
      result.stageCorr.push(pearson(y, job.stages[s].test.y));
    });
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

/** Outputs of a stage's network: the columns of its training targets (y is n×outputs). */
function stageOutputs(stage: StageData, s: number): number {
  const n = stage.train.x.length / stage.inputs;
  const outputs = stage.train.y.length / n;
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(outputs) && outputs > 0)) {
    throw new RangeError(`stage ${s}: train.x has ${stage.train.x.length} values for ${stage.inputs} inputs and train.y ${stage.train.y.length}; expected n×inputs and n×outputs with n ≥ 1`);
  }
  return outputs;
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
