import type { Context } from '../gpu/context';
import type { Dataset, MlpParameters } from '../types';
import { GroupEngine, MAX_GROUP_MODELS, resolveModelSpec, type ModelSpec, type ResolvedModelSpec } from './engine';
import type { FitReport } from './fit';
import type { GroupFitOptions, GroupLossOptions } from './fit-plan';
import type { LossAndGradients } from './group-train';
import { engineJacobians } from './jacobian';
import { savedToOnnx, type OnnxOptions } from '../onnx/export';
import { checkSaved, readSavedModel, saveModel, savedShape, type MlpGroupJson } from './saved';
import { checkMatrix, checkPositiveInt } from './validate';

export type { ModelSpec } from './engine';

export interface MlpGroupSpec {
  inputs: number;
  outputs: number;
  /** One entry per model: its own hidden widths, activations and seed. */
  models: ModelSpec[];
}

let construct: (ctx: Context, inputs: number, outputs: number, models: ResolvedModelSpec[]) => MlpGroup;
let engineOf: (group: MlpGroup) => GroupEngine;

/**
 * B networks with the same inputs and outputs and their own hidden widths, depths,
 * activations and seeds, trained in lockstep: one sequence of grouped dispatches per step
 * covers every model. Model i ends a fit with the parameters a lone Mlp with its spec and
 * options would have.
 */
export class MlpGroup {
  readonly inputs: number;
  readonly outputs: number;
  readonly models: readonly Readonly<ResolvedModelSpec>[];
  readonly #engine: GroupEngine;

  static {
    construct = (ctx, inputs, outputs, models) => new MlpGroup(ctx, inputs, outputs, models);
    engineOf = (group) => group.#engine;
  }

  /** Use createMlpGroup. */
  private constructor(ctx: Context, inputs: number, outputs: number, models: ResolvedModelSpec[]) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.models = Object.freeze(models.map((m) => Object.freeze({ ...m, hidden: [...m.hidden] })));
    this.#engine = new GroupEngine(ctx, inputs, outputs, models);
  }

  /** Number of models. */
  get size(): number {
    return this.models.length;
  }

  /** False once the group, its context or its device is gone. */
  get alive(): boolean {
    return this.#engine.alive;
  }

  /** Every model's predictions for x (n × inputs), or for one input per model (each
   *  n × inputs, e.g. a staged rollout): one n × outputs array per model. */
  async predict(x: Float32Array | readonly Float32Array[]): Promise<Float32Array[]> {
    this.#engine.check('This MlpGroup');
    let n: number;
    if (Array.isArray(x)) {
      if (x.length !== this.size) throw new RangeError(`predict got ${x.length} inputs for ${this.size} models; give one x or one per model`);
      n = checkMatrix('x[0]', x[0], this.inputs);
      x.forEach((xi, i) => checkMatrix(`x[${i}]`, xi, this.inputs, n));
    } else {
      n = checkMatrix('x', x as Float32Array, this.inputs);
    }
    const m = this.outputs;
    const ys = this.models.map(() => new Float32Array(n * m));
    await this.#engine.forward(x, n, 0, () => new Float32Array(0), (i, start, count, out) => ys[i].set(out.subarray(0, count * m), start * m));
    return ys;
  }

  /** Every model's input Jacobian at each sample of x (n × inputs): one n × outputs × inputs
   *  array per model, laid out as Mlp.jacobian's. */
  async jacobian(x: Float32Array): Promise<Float32Array[]> {
    this.#engine.check('This MlpGroup');
    const n = checkMatrix('x', x, this.inputs);
    return engineJacobians(this.#engine, this.size, x, n, this.inputs, this.outputs);
  }

  /** Model i's parameters (W_l as [fanIn × fanOut] row-major, b_l). */
  getParameters(i: number): Promise<MlpParameters> {
    this.#engine.check('This MlpGroup');
    return this.#engine.getParameters(i);
  }

  /** Replaces model i's parameters. Refused during fit. */
  setParameters(i: number, p: MlpParameters): void {
    this.#engine.check('This MlpGroup');
    this.#engine.setParameters(i, p);
  }

  /** Every model's loss and parameter gradients on all of its data (raw units). */
  lossAndGradients(data: Dataset | readonly Dataset[], opts: GroupLossOptions): Promise<LossAndGradients[]> {
    this.#engine.check('This MlpGroup');
    return this.#engine.lossAndGradients(data, opts);
  }

  /**
   * Trains every model: one Dataset shared by all, or one per model (same n). gradientWeight,
   * learningRate and seed may be one value per model. A model that diverges gets its last
   * finite parameters back and stops; the others go on.
   */
  fit(data: Dataset | readonly Dataset[], options: GroupFitOptions = {}): Promise<FitReport[]> {
    this.#engine.check('This MlpGroup');
    return this.#engine.fit(data, options);
  }

  /** Every model as plain JSON data; loadMlpGroup(ctx, json) rebuilds the group bit-exactly.
   *  Synchronous; refused during a fit. */
  toJSON(): MlpGroupJson {
    this.#engine.check('This MlpGroup');
    const models = this.models.map((spec, i) => {
      const { parameters, fresh } = this.#engine.snapshot(i);
      return saveModel(spec, parameters, fresh);
    });
    return { format: 'sobolev-webgpu/mlp-group', version: 1, inputs: this.inputs, outputs: this.outputs, models };
  }

  /** Model i as an ONNX file (see Mlp.toOnnx and docs/onnx.md). */
  toOnnx(i: number, options: OnnxOptions = {}): Uint8Array {
    this.#engine.check('This MlpGroup');
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`model index ${String(i)} is out of range: the group has ${this.size} models`);
    return savedToOnnx(this.toJSON(), options, i);
  }

  /** Frees the GPU memory of every model. Later calls throw. */
  destroy(): void {
    this.#engine.destroy();
  }
}

/**
 * Creates a group of MLPs with Glorot-uniform weights (each from its own seed) and zero biases.
 * @example const g = createMlpGroup(ctx, { inputs: 2, outputs: 1, models: [8, 16, 32].map((w) => ({ hidden: [w, w] })) });
 */
export function createMlpGroup(ctx: Context, spec: MlpGroupSpec): MlpGroup {
  ctx.check();
  checkPositiveInt('inputs', spec?.inputs);
  checkPositiveInt('outputs', spec.outputs);
  if (!Array.isArray(spec.models) || spec.models.length === 0) throw new TypeError('models must be a non-empty array of { hidden, activation?, outputActivation?, seed? }');
  if (spec.models.length > MAX_GROUP_MODELS) throw new RangeError(`models has ${spec.models.length} models; at most ${MAX_GROUP_MODELS} train in one group: split them into several groups`);
  return construct(ctx, spec.inputs, spec.outputs, spec.models.map((m, i) => resolveModelSpec(m, `models[${i}].`)));
}

/** Rebuilds a group saved with `group.toJSON()`. */
export function loadMlpGroup(ctx: Context, json: MlpGroupJson): MlpGroup {
  checkSaved(json, 'sobolev-webgpu/mlp-group');
  if (!Array.isArray(json.models) || json.models.length === 0) throw new TypeError('a saved group needs a non-empty models array');
  if (json.models.length > MAX_GROUP_MODELS) throw new RangeError(`models has ${json.models.length} models; at most ${MAX_GROUP_MODELS} train in one group`);
  // The whole document is checked before the group is built.
  const { inputs, outputs } = savedShape(json);
  const saved = json.models.map((m, i) => readSavedModel(m, inputs, outputs, `models[${i}]`));
  const group = createMlpGroup(ctx, { inputs, outputs, models: saved.map((m) => m.spec) });
  try {
    saved.forEach((m, i) => {
      group.setParameters(i, m.parameters);
      if (!m.trained) engineOf(group).markFresh(i);
    });
  } catch (error) {
    group.destroy();
    throw error;
  }
  return group;
}
