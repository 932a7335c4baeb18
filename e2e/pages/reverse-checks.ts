// In-page checks of reverse-mode input derivatives: the reverse step against the float64
// reference (which knows nothing of modes), against the forward step, and grouped against lone.
import { createContext, createMlp, createMlpGroup, type Context, type Dataset, type JacobianMode, type MlpParameters, type ModelSpec as GroupModelSpec } from '../../src/index';
import { refLossAndGradients, refRandomArray } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { context, flatParameters as flat, modelPair, type LossSpec } from './checks';

export interface ReverseSpec extends LossSpec {
  /** Directions: 'given' k random vectors, or k drawn with targets from a tangentTargets callback. */
  source?: 'given' | 'callback';
}

export type Errors = { loss: number; weights: number; biases: number };

/** Relative errors of a loss and its gradients against another's. */
export const errorsOf = (a: { loss: number } & MlpParameters, b: { loss: number; weights: ArrayLike<number>[]; biases: ArrayLike<number>[] }): Errors => ({
  loss: Math.abs(a.loss - b.loss) / Math.max(Math.abs(b.loss), 1e-12),
  weights: Math.max(...a.weights.map((w, l) => relErr(w, b.weights[l]))),
  biases: Math.max(...a.biases.map((v, l) => relErr(v, b.biases[l]))),
});

/**
 * One lossAndGradients step in 'forward' and in 'reverse' on the same model, data and
 * directions: each against the reference, and reverse against forward.
 */
export async function reverseStep(spec: ReverseSpec): Promise<{ forward: Errors; reverse: Errors; agree: Errors; sameDirections: boolean }> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    const { n, sizes } = spec;
    const d = sizes[0];
    const m = sizes[sizes.length - 1];
    const gi = spec.gradientInputs ?? Array.from({ length: d }, (_, i) => i);
    const y = Float32Array.from(refRandomArray(n * m, 11, -1, 1));
    const dydx = Float32Array.from(refRandomArray(n * m * gi.length, 13, -1, 1));
    const k = spec.k;
    // J·v from dydx (only the gradient inputs' components count), as the reference projects.
    const tangentTargets = (_: Float32Array, v: Float32Array, blocks: number) => {
      const t = new Float32Array(blocks * n * m);
      for (let q = 0; q < blocks; q++) {
        for (let i = 0; i < n; i++) {
          for (let o = 0; o < m; o++) {
            let s = 0;
            gi.forEach((c, j) => (s += dydx[(i * m + o) * gi.length + j] * v[(q * n + i) * d + c]));
            t[(q * n + i) * m + o] = s;
          }
        }
      }
      return t;
    };
    const directionVectors = spec.source === 'given' ? Float32Array.from(refRandomArray(k! * n * d, 17, -1, 1)) : undefined;
    const options = {
      gradientWeight: spec.gradientWeight, gradientInputs: spec.gradientInputs, directions: k ?? 'all', seed: 5,
      ...(directionVectors ? { directionVectors } : {}),
      ...(spec.source === 'callback' ? { tangentTargets } : {}),
    } as const;
    const data = spec.source === 'callback' ? { x, y } : { x, y, dydx };
    const forward = await mlp.lossAndGradients(data, { ...options, jacobianMode: 'forward' });
    const reverse = await mlp.lossAndGradients(data, { ...options, jacobianMode: 'reverse' });
    const cpu = refLossAndGradients(ref, { x, y, dydx }, n, { gradientWeight: spec.gradientWeight, gradientInputs: spec.gradientInputs, directions: forward.directionVectors, k });
    const sameDirections = relErr(reverse.directionVectors ?? [], forward.directionVectors ?? []) === 0;
    return { forward: errorsOf(forward, cpu), reverse: errorsOf(reverse, cpu), agree: errorsOf(reverse, forward), sameDirections };
  } finally {
    mlp.destroy();
  }
}

/** A 3-input, 1-output function and its gradient at n seeded points. */
function bowlData(n: number, seed: number): Dataset {
  const x = Float32Array.from(refRandomArray(3 * n, seed, -1.5, 1.5));
  const y = new Float32Array(n);
  const dydx = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
    y[i] = Math.sin(a) * b + 0.5 * c * c;
    dydx.set([Math.cos(a) * b, Math.sin(a), c], 3 * i);
  }
  return { x, y, dydx };
}

const TWINS: GroupModelSpec[] = [
  { hidden: [1], activation: 'tanh', seed: 1 },
  { hidden: [7, 7], activation: 'sin', seed: 2 },
  { hidden: [33], activation: 'gelu', outputActivation: 'tanh', seed: 3 },
  { hidden: [12, 5, 9], activation: 'sigmoid', seed: 5 },
];

/**
 * A group of ragged models fit in `mode` (one with gradientWeight 0), against each model fit
 * alone with the same options: parameter errors (0: bit for bit), the modes the reports name,
 * and how far each model moved.
 */
export async function reverseTwins(tiled: boolean, mode: JacobianMode, directions: 'all' | number): Promise<{ errors: number[]; modes: string[]; loneModes: string[]; moved: number[] }> {
  const ctx = await context(tiled);
  const data = bowlData(24, 100);
  const weights = [0.5, 1, 0.3, 0];
  const options = { epochs: 20, batchSize: 8, directions, jacobianMode: mode, validation: 0.25 } as const;
  const group = createMlpGroup(ctx, { inputs: 3, outputs: 1, models: TWINS });
  try {
    const initial = await Promise.all(TWINS.map((_, i) => group.getParameters(i)));
    const reports = await group.fit(data, { ...options, gradientWeight: weights, seed: [7, 8, 9, 10] });
    const errors: number[] = [];
    const moved: number[] = [];
    const loneModes: string[] = [];
    for (let i = 0; i < TWINS.length; i++) {
      const lone = createMlp(ctx, { inputs: 3, outputs: 1, ...TWINS[i] });
      try {
        const [report] = [await lone.fit(data, { ...options, gradientWeight: weights[i], seed: 7 + i })];
        loneModes.push(report.jacobianMode);
        const got = flat(await group.getParameters(i));
        errors.push(relErr(got, flat(await lone.getParameters())));
        moved.push(relErr(got, flat(initial[i])));
      } finally {
        lone.destroy();
      }
    }
    return { errors, modes: reports.map((r) => r.jacobianMode), loneModes, moved };
  } finally {
    group.destroy();
  }
}

/** What fit reports for a mode request, or the error it throws. */
// The layered step's choice (the fused kernel makes its own: fusedMode, docs/fused.md).
let layered: Promise<Context> | null = null;

export async function reverseModeChoice(inputs: number, outputs: number, options: Record<string, unknown>): Promise<string> {
  const ctx = await (layered ??= createContext({ fusedSmallModels: false }));
  const n = 8;
  const mlp = createMlp(ctx, { inputs, hidden: [4], outputs });
  try {
    const x = Float32Array.from(refRandomArray(n * inputs, 3, -1, 1));
    const y = Float32Array.from(refRandomArray(n * outputs, 4, -1, 1));
    const g = (options.gradientInputs as number[] | undefined)?.length ?? inputs;
    const dydx = Float32Array.from(refRandomArray(n * outputs * g, 5, -1, 1));
    const [report] = [await mlp.fit({ x, y, dydx }, { epochs: 1, ...options })];
    return report.jacobianMode;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    mlp.destroy();
  }
}

/**
 * The same fit (standardised, tangentTargets from a callback, k = 2 drawn directions, early
 * stopping) in 'forward' and in 'reverse' from the same initialisation: the parameters'
 * relative difference and the modes the reports name.
 */
export async function reverseFitAgrees(): Promise<{ difference: number; moved: number; modes: string[] }> {
  const ctx = await context();
  const data = bowlData(16, 200);
  // J·u of the bowl function at each row, for the k directions u (user units).
  const tangentTargets = (x: Float32Array, u: Float32Array, k: number) => {
    const n = x.length / 3;
    const t = new Float32Array(k * n);
    for (let q = 0; q < k; q++) {
      for (let i = 0; i < n; i++) {
        const [a, b, c] = [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
        const v = u.subarray((q * n + i) * 3, (q * n + i + 1) * 3);
        t[q * n + i] = Math.cos(a) * b * v[0] + Math.sin(a) * v[1] + c * v[2];
      }
    }
    return t;
  };
  const params: Float32Array[] = [];
  const modes: string[] = [];
  let initial: Float32Array | null = null;
  for (const jacobianMode of ['forward', 'reverse'] as const) {
    const mlp = createMlp(ctx, { inputs: 3, hidden: [8], outputs: 1, activation: 'softplus', seed: 4 });
    try {
      initial ??= flat(await mlp.getParameters());
      const report = await mlp.fit({ x: data.x, y: data.y }, { epochs: 6, batchSize: 8, directions: 2, tangentTargets, gradientWeight: 0.5, earlyStopping: { patience: 50 }, seed: 3, jacobianMode });
      modes.push(report.jacobianMode);
      params.push(flat(await mlp.getParameters()));
    } finally {
      mlp.destroy();
    }
  }
  return { difference: relErr(params[1], params[0]), moved: relErr(params[0], initial!), modes };
}
