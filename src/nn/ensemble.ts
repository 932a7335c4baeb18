import type { Context } from '../gpu/context';
import type { Dataset } from '../types';
import type { FitReport } from './fit';
import type { GroupFitOptions } from './fit-plan';
import { createMlpGroup, type MlpGroup } from './group';
import type { MlpSpec } from './mlp';
import type { OnnxOptions } from '../onnx/export';
import type { MlpGroupJson } from './saved';
import { checkPositiveInt, describeValue } from './validate';

export interface EnsembleOptions {
  /** Number of members R, at least 2. */
  members: number;
  /** Member i is initialised with seed + i; default spec.seed (itself default 0). */
  seed?: number;
}

/** Mean and spread over the members, entry by entry, and each member's own array. */
export interface EnsembleStats {
  mean: Float32Array;
  /** Standard deviation across the R members (divisor R, as numpy's std). */
  sd: Float32Array;
  members: Float32Array[];
}

/** Ensemble fit options: those of a group, with `seed` one number (member i shuffles and draws
 *  directions with seed + i, so members differ in their data order too). */
export type EnsembleFitOptions = Omit<GroupFitOptions, 'seed'> & { seed?: number };

/** Mean (in float64, stored as float32) and standard deviation of equal-length arrays. */
export function meanAndSpread(arrays: Float32Array[]): EnsembleStats {
  const r = arrays.length;
  const len = arrays[0].length;
  const mean = new Float32Array(len);
  const sd = new Float32Array(len);
  for (let k = 0; k < len; k++) {
    let sum = 0;
    for (const a of arrays) sum += a[k];
    const mu = sum / r;
    let sq = 0;
    for (const a of arrays) sq += (a[k] - mu) ** 2;
    mean[k] = mu;
    sd[k] = Math.sqrt(sq / r);
  }
  return { mean, sd, members: arrays };
}

/**
 * R networks of one spec that differ only in their initialisation (and data order), trained
 * together as one MlpGroup: predict and jacobian answer the members' mean and their spread, a
 * cheap estimate of where the model is uncertain (large away from the data).
 */
export class Ensemble {
  readonly spec: Readonly<Required<MlpSpec>>;
  /** The members as a group: for what the ensemble does not wrap (per-member parameters, loss). */
  readonly group: MlpGroup;

  /** Use createEnsemble. */
  constructor(spec: Required<MlpSpec>, group: MlpGroup) {
    this.spec = Object.freeze({ ...spec, hidden: [...spec.hidden] });
    this.group = group;
  }

  get members(): number {
    return this.group.size;
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.spec.outputs;
  }

  get alive(): boolean {
    return this.group.alive;
  }

  /** Trains every member on `data` with the same options (see EnsembleFitOptions). */
  fit(data: Dataset, options: EnsembleFitOptions = {}): Promise<FitReport[]> {
    const seed = options.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${describeValue(seed)}`);
    return this.group.fit(data, { ...options, seed: Array.from({ length: this.members }, (_, i) => seed + i) });
  }

  /** Values at x (n × inputs): mean, sd and members, each n × outputs. */
  async predict(x: Float32Array): Promise<EnsembleStats> {
    return meanAndSpread(await this.group.predict(x));
  }

  /** Input Jacobians at x: mean, sd and members, each n × outputs × inputs. */
  async jacobian(x: Float32Array): Promise<EnsembleStats> {
    return meanAndSpread(await this.group.jacobian(x));
  }

  /** Every member, as MlpGroup.toJSON (loadMlpGroup reads it back as a group). */
  toJSON(): MlpGroupJson {
    return this.group.toJSON();
  }

  /** Member i as an ONNX file (see Mlp.toOnnx). */
  toOnnx(i: number, options: OnnxOptions = {}): Uint8Array {
    return this.group.toOnnx(i, options);
  }

  /** Frees every member's GPU memory. Later calls throw. */
  destroy(): void {
    this.group.destroy();
  }
}

/**
 * An ensemble of `members` MLPs of one spec, initialised with seeds seed, seed + 1, …
 * @example const e = createEnsemble(ctx, { inputs: 1, hidden: [32, 32], outputs: 1 }, { members: 8 });
 *          await e.fit(data); const { mean, sd } = await e.predict(x);
 */
export function createEnsemble(ctx: Context, spec: MlpSpec, options: EnsembleOptions): Ensemble {
  if (!options || typeof options !== 'object') throw new TypeError('createEnsemble needs options { members, seed? }, e.g. { members: 8 }');
  for (const key of Object.keys(options)) if (key !== 'members' && key !== 'seed') throw new TypeError(`unknown ensemble option '${key}' (known: members, seed)`);
  const members = checkPositiveInt('members', options.members);
  if (members < 2) throw new RangeError('members must be at least 2: one member has no spread (use createMlp)');
  const seed = options.seed ?? spec?.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${describeValue(seed)}`);
  const { inputs, outputs, hidden, activation, outputActivation } = spec ?? ({} as MlpSpec);
  const group = createMlpGroup(ctx, { inputs, outputs, models: Array.from({ length: members }, (_, i) => ({ hidden, activation, outputActivation, seed: seed + i })) });
  const model = group.models[0];
  return new Ensemble({ inputs, outputs, hidden: [...model.hidden], activation: model.activation, outputActivation: model.outputActivation, seed }, group);
}
