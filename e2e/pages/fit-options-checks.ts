// In-page checks of fit's defaults, validation and early stopping.
import { createMlp, createMlpGroup } from '../../src/index';
import { refRandomArray } from '../../src/reference/index';
import { context } from './checks';
import { wave } from './fit-checks';

/** fit(data) with no options at all, with and without derivative targets. */
export async function defaults(): Promise<{ epochs: number; batchSize: number; gradientWithTargets: number; gradientWithout: number; lossFell: boolean }> {
  const ctx = await context();
  const data = wave(40, 21);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1 });
  const withTargets = await mlp.fit(data);
  const without = await mlp.fit({ x: data.x, y: data.y }, { epochs: 2 });
  mlp.destroy();
  return {
    epochs: withTargets.epochs,
    batchSize: withTargets.batchSize,
    gradientWithTargets: withTargets.gradientHistory[0],
    gradientWithout: Math.max(...without.gradientHistory.map(Math.abs)),
    lossFell: withTargets.loss < 0.2 * withTargets.history[0],
  };
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
