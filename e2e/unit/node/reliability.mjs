// The built Node entry under churn and cancellation (e2e/unit/node-reliability.spec.ts): run as
// a child process, so a crash of Dawn is the spec's failed assertion, not a dead test runner.
// `node reliability.mjs <case>` prints one JSON line.
import { getEventListeners } from 'node:events';
import { createMlp } from '../../../dist/index.js';
import { createNodeContext, createNodePool } from '../../../dist/node.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errorOf = async (promise) => promise.then(() => null, (e) => ({ name: e?.name, message: e?.message }));

/** A job that runs for many seconds on SwiftShader: two networks, 2000 epochs. */
function longJob(id, epochs = 2000) {
  const n = 128;
  const x = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  return {
    id, rollout: false,
    data: [[{ inputs: 1, gradientInputs: [0], train: { x: x.slice(), y: x.map(Math.sin), dydx: x.map(Math.cos) }, test: { x: x.slice(), y: x.map(Math.sin) } }]],
    models: [{ width: 32, gradientWeight: 0.5, seed: 1 }, { width: 32, gradientWeight: 0, seed: 2 }],
    settings: { hiddenLayers: 2, epochs, batchSize: 16, learningRate: 1e-3, lrDecay: 0 },
  };
}

/** Resolves once the job has reported progress: its worker is busy in Dawn. */
function submitBusy(pool, job, signal) {
  let started;
  const running = new Promise((r) => (started = r));
  const result = pool.submit(job, { signal, onProgress: () => started() });
  result.catch(() => started());
  return { result, running };
}

const cases = {
  // Contexts created and destroyed back to back, the next one made before the last one's
  // device is gone, each used for a fit and a predict.
  async churn() {
    const n = 32;
    const x = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i));
    const data = { x, y: Float32Array.from({ length: n }, (_, i) => Math.cos(i)), dydx: x.map((v) => Math.cos(3 * v)) };
    const losses = [];
    // Destroyed contexts the caller still references (a variable, a closure).
    const destroyed = [await createNodeContext({ swiftshader: true })];
    destroyed[0].destroy(); // unused: its device goes at once
    for (let round = 0; round < 3; round++) {
      const ctx = await createNodeContext({ swiftshader: true });
      const mlp = createMlp(ctx, { inputs: 2, hidden: [16], outputs: 1, seed: 3 });
      losses.push((await mlp.fit(data, { epochs: 30, batchSize: 8, learningRate: 1e-2, gradientWeight: 0.5 })).loss);
      globalThis.gc?.(); // collect whatever the last context released
      ctx.destroy();
      destroyed.push(ctx);
    }
    return { rounds: losses.length, destroyed: destroyed.filter((c) => c.isDestroyed).length, same: losses.every((v) => v === losses[0]) };
  },
  // A busy job cancelled with a grace too short for it to stop by itself: its worker must go.
  async cancel() {
    const pool = createNodePool({ size: 1, cancelGraceMs: 1, context: { swiftshader: true } });
    const controller = new AbortController();
    const busy = submitBusy(pool, longJob('long'), controller.signal);
    await busy.running;
    controller.abort();
    const error = await errorOf(busy.result);
    await sleep(1500); // the worker past its grace is stopped in the meantime
    const after = pool.stats();
    const next = await pool.submit(longJob('next', 2)); // a fresh worker serves the next job
    const [stats] = await pool.workerStats();
    await pool.destroy();
    return { error, after, next: next.id, stats: { liveBuffers: stats.liveBuffers, jobsRun: stats.jobsRun }, end: pool.stats() };
  },
  // pool.destroy() while both workers are busy in Dawn.
  async destroy() {
    const pool = createNodePool({ size: 2, cancelGraceMs: 1, context: { swiftshader: true } });
    const busy = [submitBusy(pool, longJob('a')), submitBusy(pool, longJob('b'))];
    await Promise.all(busy.map((b) => b.running));
    await pool.destroy();
    const errors = await Promise.all(busy.map((b) => errorOf(b.result)));
    return { errors, stats: pool.stats() };
  },
  // A worker script that cannot load: a few starts with back-off, then the pool fails clearly.
  async missing() {
    const pool = createNodePool({ size: 2, workerUrl: new URL('./no-such-worker.js', import.meta.url) });
    const first = await errorOf(pool.submit(longJob('w', 2)));
    const startedAfterJob = pool.stats().started;
    await sleep(1500);
    const later = await errorOf(pool.submit(longJob('later', 2)));
    const stats = pool.stats();
    await pool.destroy();
    return { first, later, startedAfterJob, stats };
  },
  // Data in extreme but finite float32 units trains as its standardised twin does: inputs
  // spread over 1e-12, targets of 1e-12 and of 3e19.
  async units() {
    const ctx = await createNodeContext({ swiftshader: true });
    const n = 32;
    const t = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
    const run = async (xUnit, yUnit) => {
      const mlp = createMlp(ctx, { inputs: 1, hidden: [16], outputs: 1, seed: 5 });
      const x = t.map((v) => v * xUnit);
      const y = t.map((v) => Math.sin(2 * v) * yUnit);
      const report = await mlp.fit({ x, y }, { epochs: 300, batchSize: 8, learningRate: 1e-2 });
      const yHat = await mlp.predict(x);
      mlp.destroy();
      const rmse = Math.sqrt(yHat.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / n) / yUnit; // in units of the signal
      return { rmse, diverged: report.diverged, epochs: report.epochs, first: report.history[0], last: report.loss };
    };
    const out = { tinyX: await run(5e-13, 1), tinyY: await run(1, 1e-12), hugeY: await run(1, 3e19) };
    ctx.destroy();
    return out;
  },
  // ctx.destroy() while a fit or a predict waits on the GPU: both reject with DestroyedError.
  async destroyed() {
    const x = Float32Array.from({ length: 64 }, (_, i) => i / 32 - 1);
    const ctx = await createNodeContext({ swiftshader: true });
    const mlp = createMlp(ctx, { inputs: 1, hidden: [32, 32], outputs: 1, seed: 1 });
    let progressed;
    const started = new Promise((r) => (progressed = r));
    const fit = mlp.fit({ x, y: x.map(Math.sin) }, { epochs: 1e6, batchSize: 8, learningRate: 1e-3, onProgress: () => progressed() });
    await Promise.race([started, fit]);
    ctx.destroy();
    const fitError = await errorOf(fit);
    const other = await createNodeContext({ swiftshader: true });
    const model = createMlp(other, { inputs: 1, hidden: [256, 256], outputs: 1, seed: 1 });
    const predict = model.predict(new Float32Array(1 << 16));
    await sleep(0);
    other.destroy();
    const predictError = await errorOf(predict);
    return { fitError, predictError };
  },
  // A LazyJob must make the job it names: its id is how a cancel reaches the worker.
  async lazy() {
    const pool = createNodePool({ size: 1, context: { swiftshader: true } });
    const other = await errorOf(pool.submit({ id: 'a', make: () => longJob('b', 1) }));
    const same = await pool.submit({ id: 'c', make: () => longJob('c', 1) });
    await pool.destroy();
    return { other, same: same.id };
  },
  // Many jobs of 1 MiB each (a string in their meta, echoed in their results) on one shared
  // signal: once their results are dropped, the pool holds none of them, nor a listener.
  async heap() {
    const pool = createNodePool({ size: 1, context: { swiftshader: true } });
    const controller = new AbortController();
    await pool.submit(longJob('warm-up', 1), { signal: controller.signal });
    const heap = () => {
      globalThis.gc();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    const before = heap();
    const jobs = 40;
    let echoed = 0;
    for (let i = 0; i < jobs; i++) {
      const job = longJob(`big${i}`, 1);
      job.meta = { pad: String(i).padEnd(2 ** 20, '.') };
      const result = await pool.submit(job, { signal: controller.signal });
      if (result.meta.pad.length === 2 ** 20) echoed++;
    }
    const grownMiB = heap() - before;
    const listeners = getEventListeners(controller.signal, 'abort').length;
    await pool.destroy();
    return { jobs, echoed, grownMiB, listeners };
  },
};

const name = process.argv[2];
console.log(JSON.stringify({ case: name, ...(await cases[name]()) }));
