// In-page checks of misuse, failure paths and standardisation (issue 15): each returns what
// happened, and the spec states what must have happened.
import * as library from '../../src/index';
import { BusyError, createContext, createMlp, DeviceLostError, FitInterruptedError, type Dataset } from '../../src/index';

const lib = () => library;
import { rmse, sd } from '../../src/util/stats';
import { context, flatParameters as flat } from './checks';
import { wave } from './fit-checks';

const settle = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};
const attempt = (f: () => unknown): string => {
  try {
    const r = f();
    if (r instanceof Promise) r.catch(() => undefined);
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};

/** A second fit, setParameters and destroy while a fit runs; the running fit is unharmed. */
export async function concurrentCalls(): Promise<{ second: string; setParameters: string; destroy: string; first: string; rmseTogether: number; rmseAlone: number }> {
  const ctx = await context();
  const train = wave(64, 1);
  const test = wave(200, 2);
  const options = { epochs: 60, batchSize: 8, learningRate: 1e-2, gradientWeight: 0.5, seed: 3 };
  const alone = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1, seed: 5 });
  await alone.fit(train, options);
  const rmseAlone = rmse(await alone.predict(test.x), test.y);
  alone.destroy();

  const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1, seed: 5 });
  const p = await mlp.getParameters();
  const running = mlp.fit(train, options);
  const second = await settle(mlp.fit(train, options));
  const setParameters = attempt(() => mlp.setParameters(p));
  const destroy = attempt(() => mlp.destroy());
  const first = await settle(running);
  const rmseTogether = rmse(await mlp.predict(test.x), test.y);
  mlp.destroy();
  return { second, setParameters, destroy, first, rmseTogether, rmseAlone };
}

/** Rejected calls: each message, and whether the context's live buffers moved. */
export async function rejectedCallsLeakNothing(): Promise<{ messages: string[]; leaked: number[]; busyIsTyped: boolean }> {
  const ctx = await context();
  const data = wave(32, 4);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1 });
  await mlp.predict(data.x); // its inference buffers exist before the count starts
  const base = { epochs: 2, batchSize: 8, learningRate: 1e-3, gradientWeight: 0.5 };
  const calls: (() => Promise<unknown>)[] = [
    () => mlp.fit(data, { ...base, beta1: 2 }),
    () => mlp.fit(data, { ...base, beta2: NaN }),
    () => mlp.fit(data, { ...base, epsilon: -1 }),
    () => mlp.fit(data, { ...base, lrDecay: -0.5 }),
    () => mlp.fit(data, { ...base, progressIntervalMs: -1 }),
    () => mlp.fit(data, { ...base, divergenceFactor: 0.5 }),
    () => mlp.fit(data, { ...base, normalize: 'yes' as unknown as boolean }),
    () => mlp.fit(data, { ...base, directionVectors: new Float32Array(64) } as never),
    () => mlp.fit(data, { ...base, epoch: 3 } as never),
    () => mlp.fit(data, { ...base, onProgress: 5 as never }),
    () => mlp.fit(data, { ...base, seed: NaN }),
    () => mlp.fit({ x: data.x, y: data.y.subarray(1) }, base),
    () => mlp.lossAndGradients(data, { gradientWeight: 0.5, epochs: 3 } as never),
    () => mlp.fit(data, { ...base, directions: 2, tangentTargets: () => new Float32Array(3) }),
  ];
  const messages: string[] = [];
  const leaked: number[] = [];
  for (const call of calls) {
    const before = ctx.stats().liveBuffers;
    messages.push(await settle(Promise.resolve().then(call)));
    leaked.push(ctx.stats().liveBuffers - before);
  }
  const running = mlp.fit(data, { ...base, epochs: 20 });
  let busyIsTyped = false;
  try {
    await mlp.fit(data, base);
  } catch (e) {
    busyIsTyped = e instanceof BusyError;
  }
  await running;
  mlp.destroy();
  return { messages, leaked, busyIsTyped };
}

/** "Train until I abort": 1e8 epochs, aborted after `ms`. */
export async function endlessFitAborted(ms: number): Promise<{ aborted: boolean; epochs: number; leaked: number; returnMs: number; finite: boolean }> {
  const ctx = await context();
  const data = wave(50, 6);
  const before = ctx.stats().liveBuffers;
  const mlp = createMlp(ctx, { inputs: 2, hidden: [16, 16], outputs: 1 });
  const controller = new AbortController();
  let abortedAt = 0;
  // The clock starts with training (the first progress report), not with compiling.
  const onProgress = (): void => {
    if (abortedAt !== 0) return;
    abortedAt = -1;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, ms);
  };
  const report = await mlp.fit(data, { epochs: 1e8, batchSize: 10, learningRate: 1e-3, gradientWeight: 0.5, signal: controller.signal, onProgress, progressIntervalMs: 0 });
  const returnMs = performance.now() - abortedAt;
  const finite = (await mlp.predict(data.x)).every(Number.isFinite);
  mlp.destroy();
  return { aborted: report.aborted, epochs: report.epochs, leaked: ctx.stats().liveBuffers - before, returnMs, finite };
}

/** An already-aborted signal: no GPU work, an immediate return. */
export async function alreadyAborted(): Promise<{ aborted: boolean; ms: number; buffersCreated: number }> {
  const ctx = await context();
  const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1 });
  const data = wave(400, 6);
  const created = ctx.stats().buffersCreated;
  const t0 = performance.now();
  const report = await mlp.fit(data, { epochs: 100, batchSize: 10, learningRate: 1e-3, gradientWeight: 0.5, signal: AbortSignal.abort() });
  const ms = performance.now() - t0;
  const buffersCreated = ctx.stats().buffersCreated - created;
  mlp.destroy();
  return { aborted: report.aborted, ms, buffersCreated };
}

/** A tangentTargets callback that never resolves, aborted after `ms`. */
export async function hungCallbackAborted(ms: number): Promise<{ aborted: boolean; returnMs: number; leaked: number; unchanged: boolean }> {
  const ctx = await context();
  const data = wave(40, 7);
  const before = ctx.stats().liveBuffers;
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1 });
  const p0 = await mlp.getParameters();
  const controller = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, ms);
  const report = await mlp.fit(
    { x: data.x, y: data.y },
    { epochs: 5, batchSize: 10, learningRate: 1e-3, gradientWeight: 0.5, directions: 1, tangentTargets: () => new Promise<Float32Array>(() => undefined), signal: controller.signal },
  );
  const returnMs = performance.now() - abortedAt;
  const p1 = await mlp.getParameters();
  const unchanged = flat(p0).every((v, i) => v === flat(p1)[i]);
  mlp.destroy();
  return { aborted: report.aborted, returnMs, leaked: ctx.stats().liveBuffers - before, unchanged };
}

/** y = offsetY + sin(x1)cos(x2)/2 with x = offsetX + scaleX·u, u ∈ [−2, 2]²: the last
 *  epoch's value and (rescaled to u) derivative MSE, and the test RMSE relative to sd(y). */
export async function offsetsAndScales(cases: { offsetX: number; scaleX: number; offsetY: number; double?: boolean; gradientWeight?: number }[], epochs: number): Promise<{ value: number; gradient: number; relRmse: number; float32Floor: number }[]> {
  const ctx = await context();
  const base = wave(60, 11);
  const test = wave(300, 12);
  const out: { value: number; gradient: number; relRmse: number; float32Floor: number }[] = [];
  for (const c of cases) {
    // Float64Array data (accepted like Float32Array) keeps an offset of 1e6 exact.
    const arr = (values: ArrayLike<number>, f: (v: number) => number) => (c.double ? Float64Array.from(values, f) : Float32Array.from(values, f));
    const map = (ds: Dataset): Dataset =>
      ({
        x: arr(ds.x, (v) => c.offsetX + c.scaleX * v),
        y: arr(ds.y, (v) => c.offsetY + v / 2),
        dydx: arr(ds.dydx!, (v) => v / 2 / c.scaleX),
      }) as unknown as Dataset;
    const train = map(base);
    const held = map(test);
    const mlp = createMlp(ctx, { inputs: 2, hidden: [24, 24], outputs: 1, seed: 2 });
    const report = await mlp.fit(train, { epochs, batchSize: 10, learningRate: 1e-2, lrDecay: 0.01, gradientWeight: c.gradientWeight ?? 0.5, seed: 1 });
    const yHat = await mlp.predict(Float32Array.from(held.x));
    const truth = Array.from(held.y, (v) => v - c.offsetY);
    // Predictions are float32: near 1e6 they are 0.0625 apart, a floor no model can beat.
    const rounded = Array.from(Float32Array.from(held.y), (v) => v - c.offsetY);
    const last = report.history.length - 1;
    // The report is in user units: the derivative term of x scaled by s is 1/s² as large.
    out.push({ value: report.valueHistory[last], gradient: report.gradientHistory[last] * c.scaleX ** 2, relRmse: rmse(Array.from(yHat, (v) => v - c.offsetY), truth) / sd(truth), float32Floor: rmse(rounded, truth) / sd(truth) });
    mlp.destroy();
  }
  return out;
}

/** lr 1e6: the fit must say it diverged, why, and leave finite, restored parameters. */
export async function explodingLearningRate(activation: 'tanh' | 'relu' | 'linear'): Promise<{ diverged: boolean; reason: string; finite: boolean; relRmse: number; lossRecorded: number }> {
  const ctx = await context();
  const data = wave(50, 13);
  const mlp = createMlp(ctx, { inputs: 2, hidden: activation === 'linear' ? [] : [16, 16], outputs: 1, activation: activation === 'linear' ? 'tanh' : activation });
  const report = await mlp.fit(data, { epochs: 30, batchSize: 10, learningRate: activation === 'linear' ? 1e4 : 1e6, gradientWeight: 0.5 });
  const yHat = await mlp.predict(data.x);
  mlp.destroy();
  return {
    diverged: report.diverged,
    reason: report.divergence?.reason ?? '',
    finite: yHat.every(Number.isFinite),
    relRmse: rmse(yHat, data.y) / sd(data.y),
    lossRecorded: report.loss,
  };
}

/** onProgress throws after the first report: the fit rejects with FitInterruptedError and
 *  the model is left in user units (y has mean 100 here). */
export async function throwingProgress(): Promise<{ error: string; state: string; cause: string; meanPrediction: number; relRmse: number; reportEpochs: number }> {
  const ctx = await context();
  const train = wave(60, 14);
  train.y = train.y.map((v) => 100 + v);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1 });
  let error = '';
  let state = '';
  let cause = '';
  let reportEpochs = -1;
  try {
    await mlp.fit(train, {
      epochs: 200, batchSize: 10, learningRate: 1e-2, gradientWeight: 0.5, progressIntervalMs: 0,
      onProgress: ({ epoch }) => {
        if (epoch >= 5) throw new Error('my callback broke');
      },
    });
  } catch (e) {
    error = (e as Error).name;
    if (e instanceof FitInterruptedError) {
      state = e.state;
      cause = (e.cause as Error).message;
      reportEpochs = e.reports[0].epochs;
    }
  }
  const yHat = await mlp.predict(train.x);
  mlp.destroy();
  const mean = yHat.reduce((a, b) => a + b, 0) / yHat.length;
  return { error, state, cause, meanPrediction: mean, relRmse: rmse(yHat, train.y) / sd(Array.from(train.y)), reportEpochs };
}

/** A tangentTargets callback that throws at once: the model is exactly unchanged. */
export async function throwingTargets(): Promise<{ error: string; state: string; unchanged: boolean; leaked: number }> {
  const ctx = await context();
  const data = wave(40, 15);
  const before = ctx.stats().liveBuffers;
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1 });
  const p0 = await mlp.getParameters();
  let error = '';
  let state = '';
  try {
    await mlp.fit({ x: data.x, y: data.y }, {
      epochs: 3, batchSize: 10, learningRate: 1e-2, gradientWeight: 0.5, directions: 1,
      tangentTargets: () => {
        throw new Error('simulator crashed');
      },
    });
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
    if (e instanceof FitInterruptedError) state = e.state;
  }
  const p1 = await mlp.getParameters();
  const unchanged = flat(p0).every((v, i) => v === flat(p1)[i]);
  mlp.destroy();
  return { error, state, unchanged, leaked: ctx.stats().liveBuffers - before };
}

/** A large model with 512 steps per epoch, aborted after `ms`: how long abort takes. */
export async function abortLongEpoch(ms: number): Promise<{ returnMs: number; steps: number; epochs: number; aborted: boolean }> {
  const ctx = await context();
  const n = 512;
  const data = wave(n, 16);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [128, 128, 128], outputs: 1 });
  const controller = new AbortController();
  let abortedAt = 0;
  const report = await mlp.fit(data, {
    epochs: 10, batchSize: 1, learningRate: 1e-3, gradientWeight: 0.5, signal: controller.signal, progressIntervalMs: 0,
    onProgress: () => {
      if (abortedAt === 0) {
        abortedAt = -1;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, ms);
      }
    },
  });
  const returnMs = performance.now() - abortedAt;
  mlp.destroy();
  return { returnMs, steps: report.steps, epochs: report.epochs, aborted: report.aborted };
}

/** batch 1 over `n` rows (one step per row: an epoch far longer than a chunk), aborted after `ms`. */
export async function hugeEpoch(n: number, ms: number): Promise<{ aborted: boolean; steps: number; finiteLoss: boolean; leaked: number }> {
  const ctx = await context();
  const before = ctx.stats().liveBuffers;
  const x = new Float32Array(n).map((_, i) => (i / n) * 4 - 2);
  const y = x.map(Math.sin);
  const dydx = x.map(Math.cos);
  const mlp = createMlp(ctx, { inputs: 1, hidden: [4], outputs: 1 });
  const controller = new AbortController();
  let started = false;
  const onProgress = (): void => {
    if (!started) setTimeout(() => controller.abort(), ms);
    started = true;
  };
  const report = await mlp.fit({ x, y, dydx }, { epochs: 1, batchSize: 1, learningRate: 1e-3, gradientWeight: 0.5, signal: controller.signal, onProgress, progressIntervalMs: 0 });
  mlp.destroy();
  return { aborted: report.aborted, steps: report.steps, finiteLoss: Number.isFinite(report.loss), leaked: ctx.stats().liveBuffers - before };
}

/** Bytes an inference call keeps (its workspace) for a shallow and a deep model of one width. */
export async function inferenceMemory(): Promise<{ shallow: number; deep: number }> {
  const ctx = await context();
  const x = new Float32Array(2 * 2000).map((_, i) => Math.sin(i));
  const kept = async (depth: number): Promise<number> => {
    const mlp = createMlp(ctx, { inputs: 2, hidden: new Array(depth).fill(64), outputs: 1 });
    const before = ctx.stats().liveBytes;
    await mlp.predict(x);
    const bytes = ctx.stats().liveBytes - before;
    mlp.destroy();
    return bytes;
  };
  return { shallow: await kept(2), deep: await kept(8) };
}

/** The device is lost during getParameters: DeviceLostError. */
export async function lossDuringRead(): Promise<string> {
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const ctx = await createContext({ device });
  const mlp = createMlp(ctx, { inputs: 2, hidden: [32], outputs: 1 });
  const reading = mlp.getParameters();
  device.destroy();
  try {
    await reading;
    return 'no error';
  } catch (e) {
    return e instanceof DeviceLostError ? `DeviceLostError: ${(e as Error).message}` : `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** A warm model on shifted, scaled data: fit's first full-batch epoch reports the loss that
 *  lossAndGradients computes at the starting parameters (both in user units). */
export async function reportInUserUnits(): Promise<{ reported: number; direct: number; value: number; directValue: number }> {
  const ctx = await context();
  const data = wave(40, 17);
  data.x = data.x.map((v) => 10 * v + 3);
  data.y = data.y.map((v) => 100 + 2 * v);
  data.dydx = data.dydx!.map((v) => v / 5);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1, seed: 4 });
  mlp.setParameters(await mlp.getParameters()); // a warm start: mapped into standardised units
  const direct = await mlp.lossAndGradients(data, { gradientWeight: 0.5 });
  const valueOnly = await mlp.lossAndGradients(data, { gradientWeight: 0 });
  const report = await mlp.fit(data, { epochs: 1, batchSize: 40, learningRate: 1e-3, gradientWeight: 0.5 });
  mlp.destroy();
  return { reported: report.history[0], direct: direct.loss, value: report.valueHistory[0], directValue: valueOnly.loss };
}

/** toJSON → JSON text → loadMlp: parameters and predictions bit-identical; a trained model
 *  stays trained (a warm start on the next fit), an untrained one fresh. */
export async function saveAndLoad(): Promise<{ sameParameters: boolean; samePredictions: boolean; trained: boolean[]; group: boolean; busy: string; badFormat: string }> {
  const ctx = await context();
  const data = wave(40, 18);
  const mlp = createMlp(ctx, { inputs: 2, hidden: [8, 4], outputs: 1, activation: 'gelu', seed: 9 });
  const untrained = JSON.parse(JSON.stringify(mlp));
  await mlp.fit(data, { epochs: 5, batchSize: 10, learningRate: 1e-2, gradientWeight: 0.5 });
  const text = JSON.stringify(mlp);
  const copy = lib().loadMlp(ctx, JSON.parse(text));
  const [a, b] = [flat(await mlp.getParameters()), flat(await copy.getParameters())];
  const [ya, yb] = [await mlp.predict(data.x), await copy.predict(data.x)];
  const group = lib().createMlpGroup(ctx, { inputs: 2, outputs: 1, models: [{ hidden: [3] }, { hidden: [5, 2], activation: 'sin' }] });
  await group.fit(data, { epochs: 2, batchSize: 10, learningRate: 1e-2, gradientWeight: [0, 0.5] });
  const groupCopy = lib().loadMlpGroup(ctx, JSON.parse(JSON.stringify(group)));
  let gSame = true;
  for (const i of [0, 1]) {
    const [p, q] = [flat(await group.getParameters(i)), flat(await groupCopy.getParameters(i))];
    gSame &&= p.every((v, j) => Object.is(v, q[j]));
  }
  const running = mlp.fit(data, { epochs: 20, batchSize: 10, learningRate: 1e-3, gradientWeight: 0.5 });
  const busy = attempt(() => mlp.toJSON());
  await running;
  const badFormat = attempt(() => lib().loadMlp(ctx, text as never));
  const result = {
    sameParameters: a.length > 0 && a.every((v, i) => Object.is(v, b[i])),
    samePredictions: ya.every((v, i) => Object.is(v, yb[i])),
    trained: [untrained.model.trained, JSON.parse(text).model.trained],
    group: gSame,
    busy,
    badFormat,
  };
  [mlp, copy, group, groupCopy].forEach((m) => m.destroy());
  return result;
}
