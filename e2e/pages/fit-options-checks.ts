// In-page checks of fit's defaults, validation and early stopping.
import { createMlp, createMlpGroup } from '../../src/index';
import { refRandomArray } from '../../src/reference/index';
import { context } from './checks';
import { wave } from './fit-checks';

/** Relative test RMSE of a model's values on fresh points of the same function. */
async function testError(mlp: { predict(x: Float32Array): Promise<Float32Array> }, test: { x: Float32Array; y: Float32Array }): Promise<number> {
  const pred = await mlp.predict(test.x);
  let se = 0;
  let sv = 0;
  for (let i = 0; i < test.y.length; i++) {
    se += (pred[i] - test.y[i]) ** 2;
    sv += test.y[i] ** 2;
  }
  return Math.sqrt(se / sv);
}

/** fit(data) with no options at all, with and without derivative targets, against a long,
 *  careful fit (4000 full-batch steps, lr 1e-2 decayed to 1e-4) of the same model. */
export async function defaults(): Promise<{
  batchSize: number; stopReason: string; steps: number; gradientWeight: number; objectives: number; epochs: number;
  objective: number; longObjective: number; error: number; longError: number; gradientWithout: number; weightWithout: number; lossFell: boolean;
}> {
  const ctx = await context();
  const data = wave(40, 21);
  const test = wave(400, 26);
  const spec = { inputs: 2, hidden: [8], outputs: 1, seed: 2 };
  const mlp = createMlp(ctx, spec);
  const r = await mlp.fit(data);
  const error = await testError(mlp, test);
  const without = await mlp.fit({ x: data.x, y: data.y }, { epochs: 2 });
  mlp.destroy();
  const careful = createMlp(ctx, spec);
  const long = await careful.fit(data, { epochs: 4000, batchSize: 'full', lrDecay: Math.pow(100, 1 / 4000) - 1 });
  const longError = await testError(careful, test);
  careful.destroy();
  return {
    batchSize: r.batchSize, stopReason: r.stopReason, steps: r.steps, gradientWeight: r.gradientWeight, objectives: r.objectiveHistory.length, epochs: r.epochs,
    objective: r.objective, longObjective: long.objective, error, longError,
    gradientWithout: Math.max(...without.gradientHistory.map(Math.abs)), weightWithout: without.gradientWeight,
    lossFell: r.loss < 0.01 * r.history[0],
  };
}

/** gradientWeight 'auto' on a smooth function with derivative targets, and without targets. */
export async function autoWeight(): Promise<{
  chosen: number; reported: number; candidates: number[]; scores: number[]; folds: number; shuffles: number; autoError: number; baselineError: number;
  withoutTargets: { gradientWeight: number; selection: unknown }; leaked: number;
}> {
  const ctx = await context();
  const data = wave(24, 27);
  const test = wave(400, 28);
  const spec = { inputs: 2, hidden: [8, 8], outputs: 1, seed: 5 };
  const buffers = ctx.stats().liveBuffers;
  const auto = createMlp(ctx, spec);
  const r = await auto.fit(data, { gradientWeight: 'auto', maxSteps: 1500 });
  const autoError = await testError(auto, test);
  const plain = await auto.fit({ x: data.x, y: data.y }, { gradientWeight: 'auto', epochs: 3 });
  auto.destroy();
  const base = createMlp(ctx, spec);
  await base.fit(data, { gradientWeight: 0, maxSteps: 1500 });
  const baselineError = await testError(base, test);
  base.destroy();
  return {
    chosen: r.selection!.chosen, reported: r.gradientWeight, candidates: r.selection!.candidates, scores: r.selection!.scores, folds: r.selection!.folds, shuffles: r.selection!.shuffles,
    autoError, baselineError, withoutTargets: { gradientWeight: plain.gradientWeight, selection: plain.selection }, leaked: ctx.stats().liveBuffers - buffers,
  };
}

/** Bad gradientWeight values: each message, and no buffer left behind. */
export async function autoWeightErrors(): Promise<{ messages: string[]; leaked: number }> {
  const ctx = await context();
  const data = wave(12, 29);
  const buffers = ctx.stats().liveBuffers;
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: [{ hidden: [4] }, { hidden: [4] }] });
  const messages: string[] = [];
  const attempts: unknown[] = ['Auto', ['auto', 1.5], [null, 0.5], ['auto'], -0.1];
  for (const gradientWeight of attempts) {
    try {
      await group.fit(data, { gradientWeight: gradientWeight as never, epochs: 1 });
      messages.push('accepted');
    } catch (error) {
      messages.push(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  try {
    await group.fit(data, { gradientWeight: 'auto', epochs: 1, batchSize: 0 });
    messages.push('accepted');
  } catch (error) {
    messages.push(`${(error as Error).name}: ${(error as Error).message}`);
  }
  group.destroy();
  return { messages, leaked: ctx.stats().liveBuffers - buffers };
}

/** A noisy, small training set and a wide network with a high learning rate (it overfits):
 *  validation on a given Dataset and early stopping. The restored model's validation loss,
 *  computed afresh, must be the best epoch's recorded one. */
export async function earlyStopping(): Promise<{ stoppedEarly: boolean; epochs: number; bestEpoch: number; recorded: number; recomputed: number; validationEpochs: number; minRecorded: number }> {
  const ctx = await context();
  const train = wave(16, 22);
  const noise = refRandomArray(16, 23, -0.3, 0.3);
  train.y = train.y.map((v, i) => v + noise[i]);
  const held = wave(64, 24);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [64, 64], outputs: 1, seed: 3 });
  const report = await mlp.fit(train, { epochs: 400, batchSize: 4, learningRate: 2e-2, lrDecay: 0, gradientWeight: 0, validation: held, earlyStopping: { patience: 15 } });
  const recomputed = (await mlp.lossAndGradients(held, { gradientWeight: 0 })).loss;
  mlp.destroy();
  return {
    stoppedEarly: report.stoppedEarly,
    epochs: report.epochs,
    bestEpoch: report.bestEpoch,
    recorded: report.validationHistory[report.bestEpoch - 1],
    recomputed,
    validationEpochs: report.validationHistory.length,
    minRecorded: Math.min(...report.validationHistory),
  };
}

/** validation as a fraction, in a group: the held-out rows are not trained on (steps per
 *  epoch shrink) and every model gets its own validation history. */
export async function validationFraction(): Promise<{ steps: number[]; histories: number[]; finite: boolean }> {
  const ctx = await context();
  const data = wave(40, 25);
  const group = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: [{ hidden: [8] }, { hidden: [4, 4] }] });
  const reports = await group.fit(data, { epochs: 6, batchSize: 10, gradientWeight: [0, 0.5], validation: 0.25 });
  group.destroy();
  return {
    steps: reports.map((r) => r.steps),
    histories: reports.map((r) => r.validationHistory.length),
    finite: reports.every((r) => r.validationHistory.every(Number.isFinite)),
  };
}
