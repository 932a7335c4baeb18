import type { DirectionMode } from '../../shaders/batch';
import { StepInfo } from '../../shaders/step';
import { checkBindingSize, readFloats, storageBuffer, withErrorScope } from '../gpu/buffers';
import type { Context } from '../gpu/context';
import { DestroyedError } from '../gpu/errors';
import { Rng } from '../util/rng';
import type { Activation, Dataset, MlpParameters } from '../types';
import { callTangentTargets, randomDirections, type TangentTargets } from './directions';
import { encodeDispatches } from './dispatch';
import { fitMlp, type FitOptions, type FitReport } from './fit';
import { joinParams, paramLayout, splitParams, type ParamLayout } from './layout';
import { checkActivation, checkGradientInputs, checkMatrix, checkPositiveInt, checkWeight } from './validate';
import { Workspace, type DataBuffers } from './workspace';

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

export interface LossOptions {
  /** w in [0, 1]: L = (1 − w)·MSE(values) + w·MSE(directional derivatives). */
  gradientWeight: number;
  /** 'all' (default): the unit vectors of the gradient inputs; k: k random unit directions per sample. */
  directions?: 'all' | number;
  /** Inputs that carry derivative targets; dydx is n × outputs × gradientInputs.length. */
  gradientInputs?: number[];
  /** Explicit directions, k × n × inputs (overrides `directions`). */
  directionVectors?: Float32Array;
  /** Seed of the random directions. */
  seed?: number;
  /**
   * Directional-derivative targets from a callback instead of dydx: J·v for directions v
   * (k × n × inputs, block j = direction j of every sample), in user units, as k × n × outputs.
   * With `directions: k` the library draws the directions; with `directionVectors` it uses
   * those. The full Jacobian is never needed (e.g. a renderer's or simulator's JVP).
   */
  tangentTargets?: TangentTargets;
}



export interface LossAndGradients extends MlpParameters {
  loss: number;
  /** The directions used (k × n × inputs), when they were random or given. */
  directionVectors?: Float32Array;
}

/** The resolved loss setup shared by lossAndGradients and fit. */
export interface LossSetup {
  n: number;
  k: number;
  mode: DirectionMode;
  gradientWeight: number;
  gradientInputs: number[];
}

/** A multilayer perceptron whose parameters live on the GPU. */
export class Mlp {
  readonly layout: ParamLayout;
  readonly params: GPUBuffer;
  private destroyed = false;

  constructor(readonly ctx: Context, readonly spec: Required<MlpSpec>) {
    const sizes = [spec.inputs, ...spec.hidden, spec.outputs];
    const activations = [...spec.hidden.map(() => spec.activation), spec.outputActivation];
    this.layout = paramLayout(sizes, activations);
    const maxWidth = Math.max(...sizes);
    checkBindingSize(ctx.device, 4 * maxWidth * maxWidth, 'A layer of this width');
    this.params = storageBuffer(ctx.device, 'mlp:params', this.layout.total, this.initialParams(spec.seed));
    ctx.adopt(this);
  }

  get device(): GPUDevice {
    return this.ctx.device;
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  /** False once the model, its context or its device is gone. */
  get alive(): boolean {
    return !this.destroyed && !this.ctx.isDestroyed && !this.ctx.lostError;
  }

  /** Throws if the model or its context is gone. */
  check(): void {
    if (this.destroyed) throw new DestroyedError('This Mlp');
    this.ctx.check();
  }

  private initialParams(seed: number): Float32Array {
    const rng = new Rng(seed);
    const flat = new Float32Array(this.layout.total);
    const { sizes, weightOffsets } = this.layout;
    for (let l = 1; l < sizes.length; l++) {
      const limit = Math.sqrt(6 / (sizes[l - 1] + sizes[l]));
      const count = sizes[l - 1] * sizes[l];
      for (let i = 0; i < count; i++) flat[weightOffsets[l - 1] + i] = rng.uniform(-limit, limit);
    }
    return flat;
  }

  /** Reads the parameters back: W_l as [fanIn × fanOut] row-major, b_l. */
  async getParameters(): Promise<MlpParameters> {
    this.check();
    return splitParams(this.layout, await readFloats(this.device, this.params, this.layout.total));
  }

  /** Replaces the parameters (shapes as getParameters returns them). */
  setParameters(p: MlpParameters): void {
    this.check();
    const { sizes } = this.layout;
    const L = sizes.length - 1;
    if (!p || p.weights?.length !== L || p.biases?.length !== L) throw new RangeError(`setParameters expects ${L} weight and ${L} bias arrays`);
    for (let l = 0; l < L; l++) {
      checkMatrix(`weights[${l}]`, p.weights[l], sizes[l + 1], sizes[l]);
      checkMatrix(`biases[${l}]`, p.biases[l], sizes[l + 1], 1);
    }
    this.writeFlatParams(joinParams(this.layout, p.weights, p.biases));
  }

  /** @internal */
  writeFlatParams(flat: Float32Array<ArrayBuffer>): void {
    this.device.queue.writeBuffer(this.params, 0, flat);
  }

  /** Largest number of samples one forward call may stack with k tangent blocks. */
  private maxSamples(k: number): number {
    const { device } = this;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const maxWidth = Math.max(...this.layout.sizes);
    const byMemory = Math.floor(limit / (4 * (1 + k) * maxWidth));
    const byDispatch = Math.floor((device.limits.maxComputeWorkgroupsPerDimension * 32) / (1 + k));
    return Math.max(1, Math.min(byMemory, byDispatch, 65536));
  }

  /** Forward over [X; tangent blocks] in chunks; returns the stacked outputs of each chunk. */
  private async forwardStacked(
    x: ArrayLike<number>,
    n: number,
    k: number,
    tangents: (start: number, count: number) => Float32Array,
    consume: (start: number, count: number, out: Float32Array) => void,
  ): Promise<void> {
    this.check();
    const d = this.inputs;
    const chunk = Math.min(n, this.maxSamples(k));
    await this.guard(() => withErrorScope(this.device, 'Mlp forward', async () => {
      for (let start = 0; start < n; start += chunk) {
        const count = Math.min(chunk, n - start);
        const ws = new Workspace(this.device, this.layout, this.params, { n: count, k });
        try {
          const x0 = new Float32Array((1 + k) * count * d);
          for (let i = 0; i < count * d; i++) x0[i] = x[start * d + i];
          if (k > 0) x0.set(tangents(start, count), count * d);
          this.device.queue.writeBuffer(ws.acts[0], 0, x0);
          const encoder = this.device.createCommandEncoder({ label: 'mlp:forward' });
          const pass = encoder.beginComputePass({ label: 'mlp:forward' });
          encodeDispatches(pass, ws.forward);
          pass.end();
          this.device.queue.submit([encoder.finish()]);
          const L = this.layout.sizes.length - 1;
          consume(start, count, await readFloats(this.device, ws.acts[L], (1 + k) * count * this.outputs));
        } finally {
          ws.destroy();
        }
      }
    }));
  }

  /** Predictions for x (n × inputs) → n × outputs. */
  async predict(x: Float32Array): Promise<Float32Array> {
    this.check();
    const n = checkMatrix('x', x, this.inputs);
    const y = new Float32Array(n * this.outputs);
    await this.forwardStacked(x, n, 0, () => new Float32Array(0), (start, count, out) => y.set(out.subarray(0, count * this.outputs), start * this.outputs));
    return y;
  }

  /** Values and Jacobian-vector products: v (n × inputs) → dy = J·v (n × outputs). */
  async jvp(x: Float32Array, v: Float32Array): Promise<{ y: Float32Array; dy: Float32Array }> {
    this.check();
    const n = checkMatrix('x', x, this.inputs);
    checkMatrix('v', v, this.inputs, n);
    const m = this.outputs;
    const d = this.inputs;
    const y = new Float32Array(n * m);
    const dy = new Float32Array(n * m);
    await this.forwardStacked(
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
    this.check();
    const n = checkMatrix('x', x, this.inputs);
    const m = this.outputs;
    const d = this.inputs;
    const jac = new Float32Array(n * m * d);
    await this.forwardStacked(
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

  /** Checks data and options against this model; returns the resolved loss setup. */
  resolveLoss(data: Dataset, opts: LossOptions): LossSetup {
    const gradientWeight = checkWeight(opts?.gradientWeight);
    const n = checkMatrix('x', data?.x, this.inputs);
    checkMatrix('y', data.y, this.outputs, n);
    const gradientInputs = checkGradientInputs(opts.gradientInputs, this.inputs);
    const g = gradientInputs.length;
    const directions = opts.directions ?? 'all';
    let k = 0;
    let mode: DirectionMode = 'all';
    if (opts.directionVectors) {
      k = checkMatrix('directionVectors', opts.directionVectors, n * this.inputs);
      mode = 'given';
    } else if (directions === 'all') {
      k = g;
    } else {
      k = checkPositiveInt('directions', directions);
      mode = 'random';
    }
    if (opts.tangentTargets !== undefined) {
      if (typeof opts.tangentTargets !== 'function') throw new TypeError('tangentTargets must be a function (x, v, k) => J·v');
      if (mode === 'all') throw new RangeError("tangentTargets needs directions: k (a number) or directionVectors, not 'all'");
      mode = 'perSample';
    } else if (gradientWeight > 0) {
      if (!data.dydx) throw new RangeError('dydx (n × outputs × gradientInputs) is required when gradientWeight > 0');
      checkMatrix('dydx', data.dydx, this.outputs * g, n);
    }
    if (gradientWeight === 0) {
      k = 0; // values only: no tangent rows, no targets, no callback
      mode = 'all';
    }
    return { n, k, mode, gradientWeight, gradientInputs };
  }

  /** Uploads a dataset for training (dydx zero-filled when absent). @internal */
  uploadData(data: Dataset, setup: LossSetup, epochsInPerm: number): DataBuffers {
    const { n, k, gradientInputs } = setup;
    const g = gradientInputs.length;
    const device = this.device;
    const perSample = setup.mode === 'perSample';
    return {
      x: storageBuffer(device, 'data:x', data.x.length, Float32Array.from(data.x)),
      y: storageBuffer(device, 'data:y', data.y.length, Float32Array.from(data.y)),
      dydx: perSample
        ? storageBuffer(device, 'data:targets', k * n * this.outputs)
        : storageBuffer(device, 'data:dydx', n * this.outputs * g, data.dydx && setup.gradientWeight > 0 ? Float32Array.from(data.dydx) : undefined),
      directions: perSample ? storageBuffer(device, 'data:directions', k * n * this.inputs) : undefined,
      perm: storageBuffer(device, 'data:perm', n * epochsInPerm),
      gradIndex: storageBuffer(device, 'data:gradIndex', g, Uint32Array.from(gradientInputs)),
      total: n,
      g,
    };
  }

  /** The loss and its parameter gradients on all of `data` (raw units, no normalisation). */
  async lossAndGradients(data: Dataset, opts: LossOptions): Promise<LossAndGradients> {
    this.check();
    const setup = this.resolveLoss(data, opts);
    const { n, k, mode } = setup;
    const device = this.device;
    const buffers = this.uploadData(data, setup, 1);
    device.queue.writeBuffer(buffers.perm, 0, Uint32Array.from({ length: n }, (_, i) => i));
    const loss = storageBuffer(device, 'mlp:loss', 3);
    const steps = device.createBuffer({ label: 'mlp:steps', size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(steps, 0, StepInfo.pack({ permBase: 0, batchOffset: 0, rngStep: 0, lossSlot: 0, lossScale: 1, lrT: 0, epsT: 0 }));
    let ws: Workspace | null = null;
    try {
      return await this.guard(() => withErrorScope(device, 'Mlp.lossAndGradients', async () => {
        ws = new Workspace(device, this.layout, this.params, {
          n,
          k,
          train: { data: buffers, mode, gradientWeight: setup.gradientWeight, seed: opts.seed ?? 0, loss, steps },
        });
        if (mode === 'given') device.queue.writeBuffer(ws.acts[0], n * this.inputs * 4, Float32Array.from(opts.directionVectors!));
        if (mode === 'perSample') {
          const v = opts.directionVectors ? Float32Array.from(opts.directionVectors) : randomDirections(n, this.inputs, k, setup.gradientInputs, new Rng(opts.seed ?? 0));
          const t = await callTangentTargets(opts.tangentTargets!, Float32Array.from(data.x), v, k, n * this.outputs);
          device.queue.writeBuffer(buffers.directions!, 0, v);
          device.queue.writeBuffer(buffers.dydx, 0, t);
        }
        const encoder = device.createCommandEncoder({ label: 'mlp:lossAndGradients' });
        const pass = encoder.beginComputePass({ label: 'mlp:lossAndGradients' });
        encodeDispatches(pass, ws.step);
        pass.end();
        device.queue.submit([encoder.finish()]);
        const [lossValue] = await readFloats(device, loss, 1);
        const grads = splitParams(this.layout, await readFloats(device, ws.grads!, this.layout.total));
        const result: LossAndGradients = { loss: lossValue, ...grads };
        if (mode !== 'all' && k > 0) result.directionVectors = await readFloats(device, ws.acts[0], k * n * this.inputs, n * this.inputs);
        return result;
      }));
    } finally {
      (ws as Workspace | null)?.destroy();
      for (const b of [buffers.x, buffers.y, buffers.dydx, buffers.perm, buffers.gradIndex, buffers.directions, loss, steps]) b?.destroy();
    }
  }

  /** Trains on values and derivatives; see FitOptions. */
  fit(data: Dataset, options: FitOptions): Promise<FitReport> {
    return this.guard(() => fitMlp(this, data, options));
  }

  /** Runs GPU work; a failure caused by a lost device is reported as DeviceLostError. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw await this.ctx.explain(error);
    }
  }

  /** Frees the GPU memory of this model. Later calls throw. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.params.destroy();
    this.ctx.release(this);
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
