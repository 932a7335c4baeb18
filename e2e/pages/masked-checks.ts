// In-page checks of missing derivative targets (NaN in dydx): the masked step in both
// Jacobian modes against the float64 reference, a group mixing masked and complete data, and
// a fit on a CSV with blank derivative cells.
import { createMlp, createMlpGroup, parseSurrogateCsv, type Activation, type JacobianMode, type MlpParameters } from '../../src/index';
import { refLossAndGradients, refRandomArray, refRandomMlp } from '../../src/reference/index';
import { relErr } from '../../src/util/stats';
import { context, modelPair, type LossSpec } from './checks';
import { errorsOf, type Errors } from './reverse-checks';

/** Random targets with every `every`-th derivative entry (from `offset`) missing. */
function maskedData(n: number, m: number, g: number, every: number, offset: number) {
  const y = Float32Array.from(refRandomArray(n * m, 11, -1, 1));
  const dydx = Float32Array.from(refRandomArray(n * m * g, 13, -1, 1));
  for (let i = offset; i < dydx.length; i += every) dydx[i] = NaN;
  return { y, dydx };
}

/** One masked lossAndGradients step per Jacobian mode against the reference. */
export async function maskedStep(spec: LossSpec & { every: number }): Promise<Record<'forward' | 'reverse', Errors> & { missing: number }> {
  const { mlp, ref, x } = await modelPair(spec);
  try {
    const { n, sizes } = spec;
    const m = sizes[sizes.length - 1];
    const g = (spec.gradientInputs ?? Array.from({ length: sizes[0] }, (_, i) => i)).length;
    const { y, dydx } = maskedData(n, m, g, spec.every, 1);
    const cpu = refLossAndGradients(ref, { x, y, dydx }, n, { gradientWeight: spec.gradientWeight, gradientInputs: spec.gradientInputs });
    const out = {} as Record<'forward' | 'reverse', Errors>;
    for (const jacobianMode of ['forward', 'reverse'] as JacobianMode[]) {
      const gpu = await mlp.lossAndGradients({ x, y, dydx }, { gradientWeight: spec.gradientWeight, gradientInputs: spec.gradientInputs, jacobianMode });
      out[jacobianMode as 'forward' | 'reverse'] = errorsOf(gpu, cpu);
    }
    return { ...out, missing: dydx.filter(Number.isNaN).length };
  } finally {
    mlp.destroy();
  }
}

/**
 * A group of three models on three datasets, one with missing targets: every model against
 * the reference, and the complete models' results bit for bit those of the same group on
 * complete data only (no masks).
 */
export async function maskedGroup(jacobianMode: JacobianMode): Promise<{ errors: Errors[]; sameAsUnmasked: boolean }> {
  const ctx = await context();
  const sizes = [3, 6, 2];
  const n = 5;
  const acts: Activation[] = ['tanh', 'linear'];
  const refs = [1, 2, 3].map((seed) => {
    const r = refRandomMlp(sizes, acts, seed);
    r.weights = r.weights.map((w) => Float64Array.from(Float32Array.from(w)));
    r.biases = r.biases.map((b) => Float64Array.from(Float32Array.from(b)));
    return r;
  });
  const x = Float32Array.from(refRandomArray(n * 3, 31, -1.5, 1.5));
  const datasets = [4, 0, 5].map((every) => {
    const { y, dydx } = maskedData(n, 2, 3, every || n * 6 + 1, every ? 2 : n * 6);
    return { x, y, dydx };
  });
  const run = async (data: typeof datasets) => {
    const group = createMlpGroup(ctx, { inputs: 3, outputs: 2, models: refs.map((_, i) => ({ hidden: [6], activation: 'tanh', seed: i })) });
    try {
      refs.forEach((r, i) => group.setParameters(i, { weights: r.weights.map((w) => Float32Array.from(w)), biases: r.biases.map((b) => Float32Array.from(b)) }));
      return await group.lossAndGradients(data, { gradientWeight: 0.6, jacobianMode });
    } finally {
      group.destroy();
    }
  };
  const masked = await run(datasets);
  const complete = await run([datasets[1], datasets[1], datasets[1]]);
  const errors = masked.map((r, i) => errorsOf(r, refLossAndGradients(refs[i], datasets[i], n, { gradientWeight: 0.6 })));
  const same = (a: MlpParameters & { loss: number }, b: MlpParameters & { loss: number }) =>
    a.loss === b.loss && a.weights.every((w, l) => relErr(w, b.weights[l]) === 0) && a.biases.every((v, l) => relErr(v, b.biases[l]) === 0);
  return { errors, sameAsUnmasked: same(masked[1], complete[1]) };
}

/** The damped oscillator x(t) = e^{−ζt}·cos(ωt) and its derivatives in ζ and ω, as a CSV
 *  with about a third of the derivative cells blank. */
function oscillatorCsv(rows: number, seed: number): string {
  const r = refRandomArray(3 * rows, seed, 0, 1);
  const lines = ['t,zeta,omega,x,dx/dzeta,dx/domega'];
  for (let i = 0; i < rows; i++) {
    const t = 3 * r[3 * i];
    const zeta = 0.1 + 0.5 * r[3 * i + 1];
    const omega = 1 + r[3 * i + 2];
    const e = Math.exp(-zeta * t);
    const v = e * Math.cos(omega * t);
    const dz = -t * v;
    const dw = -t * e * Math.sin(omega * t);
    lines.push([t, zeta, omega, v, i % 3 === 0 ? '' : dz, i % 3 === 1 ? 'NaN' : dw].join(','));
  }
  return lines.join('\n');
}

/** Fits a model on the oscillator CSV (validation and early stopping on): its derivative RMS
 *  error on the present entries before and after, and the report's losses. */
export async function maskedFit(jacobianMode: JacobianMode): Promise<{ missing: number; before: number; after: number; report: { history: number[]; gradientHistory: number[]; validationHistory: number[]; loss: number } }> {
  const ctx = await context();
  const data = parseSurrogateCsv(oscillatorCsv(48, 3), { inputs: ['t', 'zeta', 'omega'], outputs: ['x'], derivatives: { x: { zeta: 'dx/dzeta', omega: 'dx/domega' } } });
  const mlp = createMlp(ctx, { inputs: 3, hidden: [16], outputs: 1, activation: 'tanh', seed: 4 });
  const error = async (): Promise<number> => {
    const jac = await mlp.jacobian(data.x);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < data.n; i++) {
      data.gradientInputs.forEach((c, j) => {
        const t = data.dydx![i * data.gradientInputs.length + j];
        if (Number.isNaN(t)) return;
        sum += (jac[i * 3 + c] - t) ** 2;
        count++;
      });
    }
    return Math.sqrt(sum / count);
  };
  try {
    const before = await error();
    const report = await mlp.fit(data, { gradientWeight: 0.5, gradientInputs: data.gradientInputs, jacobianMode, epochs: 150, batchSize: 12, learningRate: 0.01, validation: 0.25, earlyStopping: { patience: 150 } });
    const after = await error();
    return { missing: data.missing, before, after, report: { history: report.history, gradientHistory: report.gradientHistory, validationHistory: report.validationHistory, loss: report.loss } };
  } finally {
    mlp.destroy();
  }
}
