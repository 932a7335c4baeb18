import { withErrorScope } from '../gpu/buffers';
import type { Context } from '../gpu/context';
import { encodeDispatches } from '../gpu/dispatch';
import { BusyError, DestroyedError } from '../gpu/errors';
import { checkBindingSize } from '../gpu/scope';
import type { Activation, Dataset, MlpParameters } from '../types';
import type { FitReport } from './fit';
import type { GroupState } from './group-session';
import { selectGradientWeights } from './auto-weight';
import { resolveFit, type GroupFitOptions, type GroupLossOptions } from './fit-plan';
import { fitGroup, lossAndGradientsGroup, type LossAndGradients } from './group-train';
import { GroupWorkspace } from './group-workspace';
import { initialParams, joinParams, paramLayout, splitParams, type ParamLayout } from './layout';

import { checkActivation, checkMatrix, checkPositiveInt, describeValue } from './validate';

/** One model of a group: its hidden widths, activations and initialisation seed. */
export interface ModelSpec {
  /** Width of each hidden layer (may be empty: a linear model through outputActivation). */
  hidden: number[];
  /** Hidden activation, default 'tanh'. */
  activation?: Activation;
  /** Output activation, default 'linear'. */
  outputActivation?: Activation;
  /** Seed of the Glorot-uniform initialisation, default 0. */
  seed?: number;
}

export type ResolvedModelSpec = Required<ModelSpec>;

/** Inference workspaces kept per group: a repeated shape (and the last chunk of a long
 *  input) reuses its buffers and bind groups. */
const INFERENCE_CACHE = 2;

/** The most hidden layers of one model, and models of one group: bounds far past any useful
 *  network that keep every per-layer and per-model list within what a call can spread. */
export const MAX_HIDDEN_LAYERS = 4096;
export const MAX_GROUP_MODELS = 16384;

/** Checks a model spec and fills in its defaults. */
export function resolveModelSpec(spec: ModelSpec, where = ''): ResolvedModelSpec {
  if (!spec || typeof spec !== 'object') throw new TypeError(`${where.replace(/\.$/, '') || 'the model spec'} must be an object { hidden, activation?, outputActivation?, seed? }, got ${describeValue(spec)}`);
  if (!Array.isArray(spec.hidden)) throw new TypeError(`${where}hidden must be an array of layer widths, e.g. [32, 32]`);
  if (spec.hidden.length > MAX_HIDDEN_LAYERS) throw new RangeError(`${where}hidden has ${spec.hidden.length} layers; at most ${MAX_HIDDEN_LAYERS} are supported`);
  spec.hidden.forEach((w, i) => checkPositiveInt(`${where}hidden[${i}]`, w));
  return {
    hidden: [...spec.hidden],
    activation: checkActivation(`${where}activation`, spec.activation ?? 'tanh'),
    outputActivation: checkActivation(`${where}outputActivation`, spec.outputActivation ?? 'linear'),
    seed: spec.seed ?? 0,
  };
}

/**
 * The one engine behind Mlp and MlpGroup: B models with the same inputs and outputs whose
 * parameters share one GPU buffer, trained and evaluated by grouped dispatches. Calls that
 * share buffers (inference, reads) run one after another; one fit at a time.
 */
export class GroupEngine {
  readonly state: GroupState;
  readonly #inference = new Map<string, GroupWorkspace>();
  #queue: Promise<unknown> = Promise.resolve();
  /** A host copy of every parameter, refreshed after each fit and setParameters: it lets
   *  snapshot() (toJSON) answer synchronously. */
  #host: Float32Array<ArrayBuffer>;
  #training = false;
  #destroyed = false;

  constructor(
    ctx: Context,
    inputs: number,
    outputs: number,
    readonly specs: readonly ResolvedModelSpec[],
  ) {
    ctx.check();
    const device = ctx.device;
    let total = 0;
    const models = specs.map((spec) => {
      const sizes = [inputs, ...spec.hidden, outputs];
      const layout: ParamLayout = paramLayout(sizes, [...spec.hidden.map(() => spec.activation), spec.outputActivation]);
      const maxWidth = Math.max(...sizes);
      checkBindingSize(device, 4 * maxWidth * maxWidth, 'A layer of this width');
      const model = { layout, paramOffset: total, outputActivation: spec.outputActivation, fresh: true, trainedSinceRead: false };
      total += layout.total;
      return model;
    });
    const flat = new Float32Array(total);
    specs.forEach((spec, i) => flat.set(initialParams(models[i].layout, spec.seed), models[i].paramOffset));
    this.#host = flat;
    const scope = ctx.scope(specs.length === 1 ? 'mlp' : `mlp-group(${specs.length})`);
    this.state = { ctx, scope, params: scope.storage('params', total, flat), total, models, inputs, outputs };
  }

  get alive(): boolean {
    const { ctx } = this.state;
    return !this.#destroyed && !ctx.isDestroyed && !ctx.lostError;
  }

  check(what: string): void {
    if (this.#destroyed) throw new DestroyedError(what);
    this.state.ctx.check();
  }

  #model(i: number): GroupState['models'][number] {
    const model = this.state.models[i];
    if (!Number.isInteger(i) || !model) throw new RangeError(`model index ${i} is out of range [0, ${this.state.models.length})`);
    return model;
  }

  /** Runs `work` after every earlier call on this engine (they share buffers). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return this.#guard(() => result);
  }

  /** Model i's parameters: W_l as [fanIn × fanOut] row-major, b_l. */
  getParameters(i: number): Promise<MlpParameters> {
    const { layout, paramOffset } = this.#model(i);
    return this.#serial(async () => splitParams(layout, await this.state.scope.read(this.state.params, layout.total, paramOffset)));
  }

  /** Replaces model i's parameters. Refused during fit. */
  setParameters(i: number, p: MlpParameters): void {
    const model = this.#model(i);
    const { layout, paramOffset } = model;
    this.#refuseDuringFit('setParameters');
    const { sizes } = layout;
    const L = sizes.length - 1;
    if (!p || p.weights?.length !== L || p.biases?.length !== L) throw new RangeError(`setParameters expects ${L} weight and ${L} bias arrays`);
    for (let l = 0; l < L; l++) {
      checkMatrix(`weights[${l}]`, p.weights[l], sizes[l + 1], sizes[l]);
      checkMatrix(`biases[${l}]`, p.biases[l], sizes[l + 1], 1);
    }
    const joined = joinParams(layout, p.weights, p.biases);
    this.state.ctx.device.queue.writeBuffer(this.state.params, paramOffset * 4, joined);
    this.#host.set(joined, paramOffset);
    model.fresh = false;
  }

  /** Model i's parameters from the host copy (synchronous), and whether it is still fresh
   *  (never trained or set). Refused during a fit. */
  snapshot(i: number): { parameters: MlpParameters; fresh: boolean } {
    const model = this.#model(i);
    this.#refuseDuringFit('toJSON');
    const own = this.#host.slice(model.paramOffset, model.paramOffset + model.layout.total);
    return { parameters: splitParams(model.layout, own), fresh: model.fresh };
  }

  /** Marks model i as fresh (loaded from a save of a never-trained model). */
  markFresh(i: number): void {
    this.#model(i).fresh = true;
  }

  /** The rule for calls that change the models: refused (BusyError) while a fit runs. */
  #refuseDuringFit(call: string): void {
    if (this.#training) throw new BusyError(`${call}: a fit is running on these models; await it, or abort it (its signal) and await it, first`);
  }

  /** Largest number of samples one forward call may stack with k tangent blocks. */
  #maxSamples(k: number): number {
    const { device } = this.state.ctx;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    // The largest level buffer holds every model's rows of that level.
    const widest = Math.max(...this.state.models[0].layout.sizes.map((_, l) => this.state.models.reduce((sum, m) => sum + (m.layout.sizes[l] ?? 0), 0)));
    // (Workgroup counts set no bound: grouped kernels fold their tiles over two dimensions.)
    return Math.max(1, Math.floor(limit / (4 * (1 + k) * widest)));
  }

  /** An inference workspace for n samples: forward with k tangent blocks, or (cotangents)
   *  the input gradients by m backward sweeps. */
  #workspace(n: number, k: number, cotangents = false): GroupWorkspace {
    const key = `${n}|${k}|${cotangents}`;
    let ws = this.#inference.get(key);
    if (ws) {
      this.#inference.delete(key); // re-inserted below: the Map's order is the LRU order
    } else {
      if (this.#inference.size >= INFERENCE_CACHE) {
        const [oldest, stale] = this.#inference.entries().next().value!;
        stale.destroy();
        this.#inference.delete(oldest);
      }
      const { ctx, scope, params, total, models } = this.state;
      ws = new GroupWorkspace(ctx, scope, params, total, { n, members: models.map((m) => ({ layout: m.layout, paramOffset: m.paramOffset, k })), cotangents });
    }
    this.#inference.set(key, ws);
    return ws;
  }

  /**
   * Every model's forward over [X; tangent blocks] in chunks of samples: `consume(i, start,
   * count, out)` receives model i's stacked outputs ((1 + k)·count × outputs) of each chunk.
   * `x` is every model's input, or one input per model (all n × inputs).
   */
  forward(
    x: ArrayLike<number> | readonly ArrayLike<number>[],
    n: number,
    k: number,
    tangents: (start: number, count: number) => Float32Array,
    consume: (model: number, start: number, count: number, out: Float32Array) => void,
  ): Promise<void> {
    return this.#serial(async () => {
      this.check('This model');
      const { ctx, scope, models, inputs: d, outputs: m } = this.state;
      const { device } = ctx;
      const chunk = Math.min(n, this.#maxSamples(k));
      await withErrorScope(device, 'forward', async () => {
        for (let start = 0; start < n; start += chunk) {
          const count = Math.min(chunk, n - start);
          const ws = this.#workspace(count, k);
          const tangentRows = k > 0 ? tangents(start, count) : null;
          const stacked = (input: ArrayLike<number>): Float32Array<ArrayBuffer> => {
            const x0 = new Float32Array((1 + k) * count * d);
            for (let i = 0; i < count * d; i++) x0[i] = input[start * d + i];
            if (tangentRows) x0.set(tangentRows, count * d);
            return x0;
          };
          const inputs = Array.isArray(x) ? (x as readonly ArrayLike<number>[]) : null;
          const shared = inputs ? null : stacked(x as ArrayLike<number>);
          models.forEach((_, i) => device.queue.writeBuffer(ws.acts[0], ws.actOffsets[i][0] * 4, shared ?? stacked(inputs![i])));
          const encoder = device.createCommandEncoder({ label: 'forward' });
          const pass = encoder.beginComputePass({ label: 'forward' });
          encodeDispatches(pass, ws.forward);
          pass.end();
          device.queue.submit([encoder.finish()]);
          const outs = await scope.readMany(
            models.map((model, i) => {
              const L = model.layout.sizes.length - 1;
              return { buffer: ws.acts[L], offset: ws.actOffsets[i][L], count: (1 + k) * count * m };
            }),
          );
          outs.forEach((out, i) => consume(i, start, count, out));
        }
      });
    });
  }

  /**
   * Every model's input Jacobian by m backward sweeps (reverse mode), in chunks of samples:
   * `consume(i, start, count, out)` receives model i's ∂ŷ_j/∂x of each chunk as m blocks of
   * count × inputs (block j: output j).
   */
  inputGradients(x: ArrayLike<number>, n: number, consume: (model: number, start: number, count: number, out: Float32Array) => void): Promise<void> {
    return this.#serial(async () => {
      this.check('This model');
      const { ctx, scope, models, inputs: d, outputs: m } = this.state;
      const { device } = ctx;
      // Each level keeps [Z; R̂; Ḡ] rows: about 1 + 2m blocks of the widest level.
      const chunk = Math.min(n, this.#maxSamples(2 * m));
      await withErrorScope(device, 'jacobian', async () => {
        for (let start = 0; start < n; start += chunk) {
          const count = Math.min(chunk, n - start);
          const ws = this.#workspace(count, 0, true);
          const rows = Float32Array.from({ length: count * d }, (_, i) => x[start * d + i]);
          models.forEach((_, i) => device.queue.writeBuffer(ws.acts[0], ws.actOffsets[i][0] * 4, rows));
          const encoder = device.createCommandEncoder({ label: 'jacobian' });
          const pass = encoder.beginComputePass({ label: 'jacobian' });
          encodeDispatches(pass, ws.forward);
          pass.end();
          device.queue.submit([encoder.finish()]);
          const outs = await scope.readMany(models.map((_, i) => ({ ...ws.inputGradients(i), count: m * count * d })));
          outs.forEach((out, i) => consume(i, start, count, out));
        }
      });
    });
  }

  lossAndGradients(data: Dataset | readonly Dataset[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
    return this.#serial(() => lossAndGradientsGroup(this.state, data, opts));
  }

  /** A new engine whose model j copies model sources[j]: its spec, its current parameters and
   *  whether it is fresh. */
  clone(sources: number[]): GroupEngine {
    const { ctx, inputs, outputs, models, params } = this.state;
    const copy = new GroupEngine(ctx, inputs, outputs, sources.map((i) => this.specs[i]));
    const encoder = ctx.device.createCommandEncoder({ label: 'clone' });
    sources.forEach((i, j) => {
      const from = models[i];
      const to = copy.state.models[j];
      encoder.copyBufferToBuffer(params, from.paramOffset * 4, copy.state.params, to.paramOffset * 4, from.layout.total * 4);
      to.fresh = from.fresh;
    });
    ctx.device.queue.submit([encoder.finish()]);
    return copy;
  }

  /** Trains every model; one fit at a time. Reads and inference called during a fit (from
   *  onProgress, say) run after it, so they never see its standardised parameters. */
  async fit(data: Dataset | readonly Dataset[], options: GroupFitOptions): Promise<FitReport[]> {
    this.#refuseDuringFit('fit');
    this.#training = true;
    try {
      return await this.#serial(async () => {
        try {
          if (options && typeof options === 'object' && [options.gradientWeight].flat().includes('auto')) {
            // Every other option is checked before the selection trains anything.
            resolveFit(this.state, data, { ...options, gradientWeight: undefined });
            const { weights, selections } = await selectGradientWeights(this, data, options);
            // (An unset entry stays unset: resolveFit gives it fit's default.)
            const reports = await fitGroup(this.state, data, { ...options, gradientWeight: weights as number[] });
            reports.forEach((r, i) => (r.selection = selections[i]));
            return reports;
          }
          return await fitGroup(this.state, data, options);
        } finally {
          const { models, scope, params, total } = this.state;
          if (models.some((m) => m.trainedSinceRead) && this.alive && !(await this.state.ctx.isLost())) {
            this.#host = await scope.read(params, total);
            models.forEach((m) => (m.trainedSinceRead = false));
          }
        }
      });
    } finally {
      this.#training = false;
    }
  }

  /** A failure caused by a lost device is reported as DeviceLostError. */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.#destroyed) throw new DestroyedError('This model', { cause: error });
      // ctx.destroy() during the call: its pending reads fail (an AbortError from mapAsync).
      if (this.state.ctx.isDestroyed) throw new DestroyedError('This context', { cause: error });
      throw await this.state.ctx.explain(error);
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#refuseDuringFit('destroy');
    this.#destroyed = true;
    this.#inference.clear();
    this.state.scope.destroy();
  }
}
