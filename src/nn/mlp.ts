import { withErrorScope } from '../gpu/buffers';
import type { Context } from '../gpu/context';
import { DestroyedError } from '../gpu/errors';
import { checkBindingSize } from '../gpu/scope';
import type { Activation, Dataset, MlpParameters } from '../types';
import { Rng } from '../util/rng';
import { callTangentTargets, randomDirections } from './directions';
import { fitModel, type FitOptions, type FitReport } from './fit';
import { joinParams, paramLayout, splitParams } from './layout';
import { resolveLoss, type LossOptions } from './loss';
import { initialParams, type ModelState } from './model';
import { TrainingSession } from './session';
import { checkActivation, checkMatrix, checkPositiveInt } from './validate';
import { Workspace } from './workspace';
import { encodeDispatches } from '../gpu/dispatch';
import { gemmMaxRows } from '../gpu/gemm';

export type { LossOptions } from './loss';

export interface MlpSpec {
  inputs: number;
  /** Width of each hidden layer (may be empty: a linear model through outputActivation). */
  hidden: number[];
  outputs: number;
  /** Hidden activation, default 'tanh'. */
  activation?: Activation;
  /** Output activation, default 'linear'. */
  outputActivation?: Activation;
  /** Seed of the Glorot-uniform initialisation, default 0. */
  seed?: number;
}

export interface LossAndGradients extends MlpParameters {
  loss: number;
  /** The directions used (k × n × inputs), when they were random or given. */
  directionVectors?: Float32Array;
}

/** Inference workspaces kept per model: a repeated shape (and the last chunk of a long
 *  input) reuses its buffers and bind groups. */
const INFERENCE_CACHE = 2;

/** A multilayer perceptron whose parameters live on the GPU. */
export class Mlp {
  readonly spec: Readonly<Required<MlpSpec>>;
  readonly #model: ModelState;
  readonly #inference = new Map<string, Workspace>();
  /** Inference calls run one after another (they share workspaces and the readback buffer). */
  #queue: Promise<unknown> = Promise.resolve();
  #training = false;
  #destroyed = false;

  /** @internal Use createMlp. */
  constructor(ctx: Context, spec: Required<MlpSpec>) {
    this.spec = Object.freeze({ ...spec, hidden: [...spec.hidden] });
    const sizes = [spec.inputs, ...spec.hidden, spec.outputs];
    const layout = paramLayout(sizes, [...spec.hidden.map(() => spec.activation), spec.outputActivation]);
    const maxWidth = Math.max(...sizes);
    checkBindingSize(ctx.device, 4 * maxWidth * maxWidth, 'A layer of this width');
    const scope = ctx.scope('mlp');
    this.#model = {
      ctx,
      scope,
      layout,
      params: scope.storage('mlp:params', layout.total, initialParams(layout, spec.seed)),
      inputs: spec.inputs,
      outputs: spec.outputs,
      outputActivation: spec.outputActivation,
    };
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  /** False once the model, its context or its device is gone. */
  get alive(): boolean {
    const { ctx } = this.#model;
    return !this.#destroyed && !ctx.isDestroyed && !ctx.lostError;
  }

  #check(): void {
    if (this.#destroyed) throw new DestroyedError('This Mlp');
    this.#model.ctx.check();
  }

  /** Reads the parameters back: W_l as [fanIn × fanOut] row-major, b_l. */
  async getParameters(): Promise<MlpParameters> {
    this.#check();
    const { scope, params, layout } = this.#model;
    return splitParams(layout, await this.#guard(() => scope.read(params, layout.total)));
  }

  /** Replaces the parameters (shapes as getParameters returns them). Refused during fit. */
  setParameters(p: MlpParameters): void {
    this.#check();
    if (this.#training) throw new Error('setParameters: this Mlp is being trained by fit; wait for it (or abort it) first');
    const { layout, params, ctx } = this.#model;
    const { sizes } = layout;
    const L = sizes.length - 1;
    if (!p || p.weights?.length !== L || p.biases?.length !== L) throw new RangeError(`setParameters expects ${L} weight and ${L} bias arrays`);
    for (let l = 0; l < L; l++) {
      checkMatrix(`weights[${l}]`, p.weights[l], sizes[l + 1], sizes[l]);
      checkMatrix(`biases[${l}]`, p.biases[l], sizes[l + 1], 1);
    }
    ctx.device.queue.writeBuffer(params, 0, joinParams(layout, p.weights, p.biases));
  }

  /** Largest number of samples one forward call may stack with k tangent blocks. */
  #maxSamples(k: number): number {
    const { device } = this.#model.ctx;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const maxWidth = Math.max(...this.#model.layout.sizes);
    const byMemory = Math.floor(limit / (4 * (1 + k) * maxWidth));
    const byDispatch = Math.floor(gemmMaxRows(this.#model.ctx, device) / (1 + k));
    return Math.max(1, Math.min(byMemory, byDispatch));
  }

  /** The cached inference workspace for n samples and k tangent blocks. */
  #workspace(n: number, k: number): Workspace {
    const key = `${n}|${k}`;
    let ws = this.#inference.get(key);
    if (ws) {
      this.#inference.delete(key); // re-inserted below: the Map's order is the LRU order
    } else {
      if (this.#inference.size >= INFERENCE_CACHE) {
        const [oldest, stale] = this.#inference.entries().next().value!;
        stale.destroy();
        this.#inference.delete(oldest);
      }
      const { ctx, scope, layout, params } = this.#model;
      ws = new Workspace(ctx, scope, layout, params, { n, k });
    }
    this.#inference.set(key, ws);
    return ws;
  }

  /** Forward over [X; tangent blocks] in chunks; returns the stacked outputs of each chunk. */
  #forwardStacked(
    x: ArrayLike<number>,
    n: number,
    k: number,
    tangents: (start: number, count: number) => Float32Array,
    consume: (start: number, count: number, out: Float32Array) => void,
  ): Promise<void> {
    const run = async (): Promise<void> => {
      this.#check();
      const { ctx, scope, layout } = this.#model;
      const { device } = ctx;
      const d = this.inputs;
      const L = layout.sizes.length - 1;
      const chunk = Math.min(n, this.#maxSamples(k));
      await withErrorScope(device, 'Mlp forward', async () => {
        for (let start = 0; start < n; start += chunk) {
          const count = Math.min(chunk, n - start);
          const ws = this.#workspace(count, k);
          const x0 = new Float32Array((1 + k) * count * d);
          for (let i = 0; i < count * d; i++) x0[i] = x[start * d + i];
          if (k > 0) x0.set(tangents(start, count), count * d);
          device.queue.writeBuffer(ws.acts[0], 0, x0);
          const encoder = device.createCommandEncoder({ label: 'mlp:forward' });
          const pass = encoder.beginComputePass({ label: 'mlp:forward' });
          encodeDispatches(pass, ws.forward);
          pass.end();
          device.queue.submit([encoder.finish()]);
          consume(start, count, await scope.read(ws.acts[L], (1 + k) * count * this.outputs));
        }
      });
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return this.#guard(() => result);
  }

  /** Predictions for x (n × inputs) → n × outputs. */
  async predict(x: Float32Array): Promise<Float32Array> {
    this.#check();
    const n = checkMatrix('x', x, this.inputs);
    const m = this.outputs;
    const y = new Float32Array(n * m);
    await this.#forwardStacked(x, n, 0, () => new Float32Array(0), (start, count, out) => y.set(out.subarray(0, count * m), start * m));
    return y;
  }

  /** Values and Jacobian-vector products: v (n × inputs) → dy = J·v (n × outputs). */
  async jvp(x: Float32Array, v: Float32Array): Promise<{ y: Float32Array; dy: Float32Array }> {
    this.#check();
    const n = checkMatrix('x', x, this.inputs);
    checkMatrix('v', v, this.inputs, n);
    const m = this.outputs;
    const d = this.inputs;
    const y = new Float32Array(n * m);
    const dy = new Float32Array(n * m);
    await this.#forwardStacked(
      x,
      n,
      1,
      (start, count) => v.slice(start * d, (start + count) * d),
      (start, count, out) => {
        y.set(out.subarray(0, count * m), start * m);
        dy.set(out.subarray(count * m, 2 * count * m), start * m);
      },
    );
    return { y, dy };
  }

  /** The input Jacobian at each sample: n × outputs × inputs. */
  async jacobian(x: Float32Array): Promise<Float32Array> {
    this.#check();
    const n = checkMatrix('x', x, this.inputs);
    const m = this.outputs;
    const d = this.inputs;
    const jac = new Float32Array(n * m * d);
    await this.#forwardStacked(
      x,
      n,
      d,
      (_, count) => {
        const blocks = new Float32Array(d * count * d);
        for (let j = 0; j < d; j++) for (let i = 0; i < count; i++) blocks[(j * count + i) * d + j] = 1;
        return blocks;
      },
      (start, count, out) => {
        for (let j = 0; j < d; j++) {
          for (let i = 0; i < count; i++) {
            for (let o = 0; o < m; o++) jac[((start + i) * m + o) * d + j] = out[((1 + j) * count + i) * m + o];
          }
        }
      },
    );
    return jac;
  }

  /** The loss and its parameter gradients on all of `data` (raw units, no normalisation). */
  async lossAndGradients(data: Dataset, opts: LossOptions): Promise<LossAndGradients> {
    this.#check();
    const model = this.#model;
    const setup = resolveLoss(model.inputs, model.outputs, data, opts);
    const { n, k, mode } = setup;
    const { device } = model.ctx;
    return this.#guard(() =>
      withErrorScope(device, 'Mlp.lossAndGradients', async () => {
        const session = new TrainingSession(model, setup, data, { batch: n, stepsPerChunk: 1, epochsPerChunk: 1, seed: opts.seed ?? 0 });
        try {
          const ws = session.workspace;
          if (mode === 'given') device.queue.writeBuffer(ws.acts[0], n * this.inputs * 4, Float32Array.from(opts.directionVectors!));
          if (mode === 'perSample') {
            const v = opts.directionVectors ? Float32Array.from(opts.directionVectors) : randomDirections(n, this.inputs, k, setup.gradientInputs, new Rng(opts.seed ?? 0));
            const t = await callTangentTargets(opts.tangentTargets!, Float32Array.from(data.x), v, k, n * this.outputs);
            device.queue.writeBuffer(session.data.directions!, 0, v);
            device.queue.writeBuffer(session.data.dydx, 0, t);
          }
          session.setStep(0, { permBase: 0, batchOffset: 0, rngStep: 0, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 });
          const encoder = device.createCommandEncoder({ label: 'mlp:lossAndGradients' });
          session.encodeSteps(encoder, 1, Uint32Array.from({ length: n }, (_, i) => i), 1);
          device.queue.submit([encoder.finish()]);
          const [loss] = await session.readLoss(1);
          const result: LossAndGradients = { loss, ...splitParams(model.layout, await session.scope.read(ws.grads!, model.layout.total)) };
          if (mode !== 'all' && k > 0) result.directionVectors = await session.scope.read(ws.acts[0], k * n * this.inputs, n * this.inputs);
          return result;
        } finally {
          session.destroy();
        }
      }),
    );
  }

  /** Trains on values and derivatives; see FitOptions. One fit at a time per model. */
  async fit(data: Dataset, options: FitOptions): Promise<FitReport> {
    this.#check();
    if (this.#training) throw new Error('fit: this Mlp is already being trained; wait for that fit (or abort it) first');
    this.#training = true;
    try {
      return await this.#guard(() => fitModel(this.#model, data, options));
    } finally {
      this.#training = false;
    }
  }

  /** Runs GPU work; a failure caused by a lost device is reported as DeviceLostError. */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.#destroyed) throw new DestroyedError('This Mlp');
      throw await this.#model.ctx.explain(error);
    }
  }

  /** Frees the GPU memory of this model. Later calls throw. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#inference.clear();
    this.#model.scope.destroy();
  }
}

/**
 * Creates an MLP with Glorot-uniform weights and zero biases.
 * @example const mlp = createMlp(ctx, { inputs: 2, hidden: [32, 32], outputs: 1 });
 */
export function createMlp(ctx: Context, spec: MlpSpec): Mlp {
  ctx.check();
  checkPositiveInt('inputs', spec?.inputs);
  checkPositiveInt('outputs', spec.outputs);
  if (!Array.isArray(spec.hidden)) throw new TypeError('hidden must be an array of layer widths, e.g. [32, 32]');
  spec.hidden.forEach((w, i) => checkPositiveInt(`hidden[${i}]`, w));
  return new Mlp(ctx, {
    inputs: spec.inputs,
    hidden: [...spec.hidden],
    outputs: spec.outputs,
    activation: checkActivation('activation', spec.activation ?? 'tanh'),
    outputActivation: checkActivation('outputActivation', spec.outputActivation ?? 'linear'),
    seed: spec.seed ?? 0,
  });
}
