/** Runs one TrainJob on a context: the job's networks trained together as one MlpGroup per
 *  stage (each on its own data set), then tested with the staged rollout. Used inside the
 *  pool's workers and by sweepWidths on the caller's context; runs on any thread. */
import type { Context } from '../gpu/context';
import { createMlpGroup, type MlpGroup } from '../nn/group';
import type { GroupFitOptions } from '../nn/fit-plan';
import type { Dataset } from '../types';
import { validateJob, type JobProgress, type JobResult, type ModelResult, type StageData, type TrainJob } from './job';
import { rolloutGroup } from './rollout';
import { abortError } from '../util/abort';
import { pearson, rmse } from '../util/stats';

export interface RunJobOptions {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /** Live GPU buffers of the device, for the result's leak check (default: the context's
   *  ctx.stats().liveBuffers). */
  liveBuffers?: () => number;
  /** Extra fit options for a job run on this thread (e.g. tangentTargets, progressIntervalMs);
   *  applied over the job's settings. gradientWeight and seed stay per network. */
  fit?: Partial<Omit<GroupFitOptions, 'gradientWeight' | 'seed' | 'signal' | 'onProgress'>>;
}

/** Outputs of a stage: the columns of its training targets (y is n×outputs). */
function stageShape(stage: StageData, where: string): { n: number; outputs: number } {
  const n = stage.train.x.length / stage.inputs;
  const outputs = stage.train.y.length / n;
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(outputs) && outputs > 0)) {
    throw new RangeError(`${where}: train.x has ${stage.train.x.length} values for ${stage.inputs} inputs and train.y ${stage.train.y.length}; expected n×inputs and n×outputs with n ≥ 1`);
  }
  return { n, outputs };
}

/** Checks that every data set of the job has the same stages, and every network a data set;
 *  returns each stage's shape. */
export function checkJob(job: TrainJob): { inputs: number; outputs: number; n: number; gradientInputs: number[] }[] {
  if (!Array.isArray(job?.models) || job.models.length === 0) throw new RangeError(`job ${job?.id}: models must be a non-empty array of { width, gradientWeight, seed, data? }`);
  if (!Array.isArray(job.data) || job.data.length === 0) throw new RangeError(`job ${job.id}: data must be a non-empty array of data sets (each an array of stages)`);
  const stages = job.data[0].length;
  if (stages === 0) throw new RangeError(`job ${job.id}: a data set needs at least one stage`);
  job.models.forEach((m, i) => {
    const d = m.data ?? 0;
    if (!(Number.isInteger(d) && d >= 0 && d < job.data.length)) throw new RangeError(`job ${job.id}: models[${i}].data = ${d} is not a data set index in [0, ${job.data.length})`);
  });
  return job.data[0].map((first, s) => {
    const shape = { inputs: first.inputs, ...stageShape(first, `job ${job.id} data[0] stage ${s}`), gradientInputs: first.gradientInputs };
    job.data.forEach((set, d) => {
      if (set.length !== stages) throw new RangeError(`job ${job.id}: data set ${d} has ${set.length} stages, data set 0 has ${stages}`);
      const st = set[s];
      const { n, outputs } = stageShape(st, `job ${job.id} data[${d}] stage ${s}`);
      if (st.inputs !== shape.inputs || n !== shape.n || outputs !== shape.outputs || st.gradientInputs.join() !== shape.gradientInputs.join()) {
        throw new RangeError(`job ${job.id} stage ${s}: data set ${d} has ${n} rows × ${st.inputs} inputs → ${outputs} outputs (gradient inputs ${st.gradientInputs.join(',')}); data set 0 has ${shape.n} × ${shape.inputs} → ${shape.outputs} (${shape.gradientInputs.join(',')}); the networks of one group share their shapes`);
      }
    });
    return shape;
  });
}


/** Trains and tests every network of `job`; destroys its groups before returning or throwing. */
export async function runTrainJob(ctx: Context, job: TrainJob, opts: RunJobOptions = {}): Promise<JobResult> {
  const started = performance.now();
  validateJob(job); // as the pool does, so sweepWidths on a context is checked alike
  const shapes = checkJob(job);
  const { settings, models } = job;
  const stages = shapes.length;
  const results: ModelResult[] = models.map((m) => ({ rmse: NaN, corr: NaN, stageRmse: [], stageCorr: [], epochs: [], finalLoss: [], diverged: false, meta: m.meta }));
  const result: JobResult = { id: job.id, models: results, trainMs: 0, totalMs: 0, liveBuffers: 0, meta: job.meta };
  const groups = new Set<MlpGroup>();
  const dataOf = models.map((m) => job.data[m.data ?? 0]);
  try {
    // Stage s: train its group, predict its test inputs (with the previous stage's predictions
    // when rolling out), free it before the next stage.
    const tests = dataOf.map((set) => set.map((st) => ({ x: st.test.x, inputs: st.inputs })));
    const preds = await rolloutGroup(
      tests,
      async (s, xs) => {
        if (opts.signal?.aborted) throw abortError();
        const { inputs, outputs, gradientInputs } = shapes[s];
        const group = createMlpGroup(ctx, {
          inputs,
          outputs,
          models: models.map((m) => ({
            hidden: Array.from({ length: settings.hiddenLayers }, () => m.width),
            activation: settings.activation ?? 'tanh',
            outputActivation: settings.outputActivation ?? 'linear',
            seed: m.seed + 7919 * s,
          })),
        });
        groups.add(group);
        // One Dataset object per data set: networks on the same data share its standardised upload.
        const datasets = job.data.map((set): Dataset => {
          const { x, y, dydx } = set[s].train;
          return dydx.length ? { x, y, dydx } : { x, y };
        });
        const fit: GroupFitOptions = {
          epochs: settings.epochs,
          batchSize: settings.batchSize,
          learningRate: settings.learningRate,
          lrDecay: settings.lrDecay,
          directions: settings.directions ?? 'all',
          ...(settings.jacobianMode !== undefined ? { jacobianMode: settings.jacobianMode } : {}),
          ...(settings.normalize !== undefined ? { normalize: settings.normalize } : {}),
          ...(settings.beta1 !== undefined ? { beta1: settings.beta1 } : {}),
          ...(settings.beta2 !== undefined ? { beta2: settings.beta2 } : {}),
          ...(settings.epsilon !== undefined ? { epsilon: settings.epsilon } : {}),
          ...opts.fit,
          gradientInputs,
          gradientWeight: models.map((m) => m.gradientWeight),
          seed: models.map((m) => m.seed + 104729 * s),
          signal: opts.signal,
          onProgress: (p) => {
            const finite = p.losses.filter(Number.isFinite);
            opts.onProgress?.({
              id: job.id, stage: s, stages, epoch: p.epoch, epochs: p.epochs,
              fraction: (s + p.epoch / p.epochs) / stages,
              loss: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
            });
          },
        };
        const reports = await group.fit(models.map((m) => datasets[m.data ?? 0]), fit);
        if (reports.some((r) => r.aborted) || opts.signal?.aborted) throw abortError();
        result.trainMs += Math.max(...reports.map((r) => r.ms));
        reports.forEach((r, i) => {
          results[i].epochs.push(r.epochs);
          results[i].finalLoss.push(r.loss);
          results[i].diverged ||= r.diverged;
          if (models[i].gradientWeight === 'auto') (results[i].chosenWeights ??= []).push(r.gradientWeight);
        });
        const ys = await group.predict(xs);
        group.destroy();
        groups.delete(group);
        return ys;
      },
      job.rollout,
    );
    preds.forEach((own, i) => {
      const truth = dataOf[i].map((st) => st.test.y);
      own.forEach((y, s) => {
        results[i].stageRmse.push(rmse(y, truth[s]));
        results[i].stageCorr.push(pearson(y, truth[s]));
      });
      const all = concat(own);
      const flat = concat(truth);
      results[i].rmse = rmse(all, flat);
      results[i].corr = pearson(all, flat);
    });
  } finally {
    for (const g of groups) g.destroy();
  }
  result.liveBuffers = opts.liveBuffers ? opts.liveBuffers() : ctx.isDestroyed ? 0 : ctx.stats().liveBuffers;
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
