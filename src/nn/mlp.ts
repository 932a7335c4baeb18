import type { Context } from '../gpu/context';
import type { Activation, Dataset, MlpParameters } from '../types';
import { GroupEngine, resolveModelSpec } from './engine';
import type { FitOptions, FitReport } from './fit';
import type { LossAndGradients } from './group-train';
import { engineJacobians } from './jacobian';
import type { LossOptions } from './loss';
import { savedToOnnx, type OnnxOptions } from '../onnx/export';
import { checkSaved, readSavedModel, saveModel, savedShape, type MlpJson } from './saved';
import { checkMatrix, checkPositiveInt } from './validate';

export type { LossOptions } from './loss';
export type { LossAndGradients } from './group-train';

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

let construct: (ctx: Context, spec: Required<MlpSpec>) => Mlp;
let engineOf: (mlp: Mlp) => GroupEngine;

/** A multilayer perceptron whose parameters live on the GPU: a group of one model, so it
 *  runs the same grouped kernels as MlpGroup. */
export class Mlp {
  readonly spec: Readonly<Required<MlpSpec>>;
  readonly #engine: GroupEngine;

  static {
    construct = (ctx, spec) => new Mlp(ctx, spec);
    engineOf = (mlp) => mlp.#engine;
  }

  /** Use createMlp. */
  private constructor(ctx: Context, spec: Required<MlpSpec>) {
    this.spec = Object.freeze({ ...spec, hidden: [...spec.hidden] });
    this.#engine = new GroupEngine(ctx, spec.inputs, spec.outputs, [spec]);
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  /** False once the model, its context or its device is gone. */
  get alive(): boolean {
    return this.#engine.alive;
  }

  #check(): void {
    this.#engine.check('This Mlp');
  }

  /** Reads the parameters back: W_l as [fanIn × fanOut] row-major, b_l. */
  getParameters(): Promise<MlpParameters> {
    this.#check();
    return this.#engine.getParameters(0);
  }

  /** Replaces the parameters (shapes as getParameters returns them). Refused during fit. */
  setParameters(p: MlpParameters): void {
    this.#check();
    this.#engine.setParameters(0, p);
  }

  /** Predictions for x (n × inputs) → n × outputs. */
  async predict(x: Float32Array): Promise<Float32Array> {
    this.#check();
    const n = checkMatrix('x', x, this.inputs);
    const m = this.outputs;
    const y = new Float32Array(n * m);
    await this.#engine.forward(x, n, 0, () => new Float32Array(0), (_, start, count, out) => y.set(out.subarray(0, count * m), start * m));
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
    await this.#engine.forward(
      x,
      n,
      1,
      (start, count) => v.slice(start * d, (start + count) * d),
      (_, start, count, out) => {
        y.set(out.subarray(0, count * m), start * m);
        dy.set(out.subarray(count * m, 2 * count * m), start * m);
      },
    );
    return { y, dy };
  }

  /** The input Jacobian at each sample: n × outputs × inputs, by the cheaper mode: m backward
   *  sweeps when there are fewer outputs than inputs, d tangent blocks otherwise. */
  async jacobian(x: Float32Array): Promise<Float32Array> {
    this.#check();
    const n = checkMatrix('x', x, this.inputs);
    const [jac] = await engineJacobians(this.#engine, 1, x, n, this.inputs, this.outputs);
    return jac;
  }

  /** The loss and its parameter gradients on all of `data` (raw units, no normalisation). */
  async lossAndGradients(data: Dataset, opts: LossOptions): Promise<LossAndGradients> {
    this.#check();
    const [result] = await this.#engine.lossAndGradients(data, opts);
    return result;
  }

  /** Trains on values and derivatives; see FitOptions. One fit at a time per model. */
  async fit(data: Dataset, options: FitOptions = {}): Promise<FitReport> {
    this.#check();
    const [report] = await this.#engine.fit(data, options);
    return report;
  }

  /** The model as plain JSON data (spec and parameters; `JSON.stringify(mlp)` calls this):
   *  loadMlp(ctx, json) rebuilds it bit-exactly. Synchronous (from a host copy kept after
   *  every fit and setParameters); refused during a fit. */
  toJSON(): MlpJson {
    this.#check();
    const { parameters, fresh } = this.#engine.snapshot(0);
    const { inputs, outputs, ...model } = this.spec;
    return { format: 'sobolev-webgpu/mlp', version: 1, inputs, outputs, model: saveModel(model, parameters, fresh) };
  }

  /** The model as an ONNX file (a serialised ModelProto): Gemm and activation nodes, input
   *  float32 [N, inputs], output [N, outputs]; see docs/onnx.md. Synchronous, like toJSON. */
  toOnnx(options: OnnxOptions = {}): Uint8Array {
    return savedToOnnx(this.toJSON(), options);
  }

  /** Frees the GPU memory of this model. Later calls throw. */
  destroy(): void {
    this.#engine.destroy();
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
  return construct(ctx, { inputs: spec.inputs, outputs: spec.outputs, ...resolveModelSpec(spec) });
}

/** Rebuilds a model saved with `mlp.toJSON()` (or `JSON.parse(JSON.stringify(mlp))`). */
export function loadMlp(ctx: Context, json: MlpJson): Mlp {
  checkSaved(json, 'sobolev-webgpu/mlp');
  // The whole document is checked before the model is built.
  const { inputs, outputs } = savedShape(json);
  const { spec, parameters, trained } = readSavedModel(json.model, inputs, outputs, 'model');
  const mlp = createMlp(ctx, { inputs, outputs, ...spec });
  try {
    mlp.setParameters(parameters);
  } catch (error) {
    mlp.destroy();
    throw error;
  }
  if (!trained) engineOf(mlp).markFresh(0);
  return mlp;
}
