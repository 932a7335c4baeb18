/** Section results as plain JSON (the shapes of reports/results.json, docs/reproduction.md) and markdown
 *  tables, for runners without the demo page (the Node runner). DOM-free. */
import type { GenerativeResult } from './generative/experiment';
import { pairedGain, type LinearExperimentResult, type LinearMethod } from './linear';
import { describeBound, nnOurs } from './paper';
import type { NnExperiment } from './sweep/presets';
import type { SweepResult } from './sweep/sweep';

const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'NaN');
const pm = (m: { mean: number; sd: number }, d = 4) => `${f(m.mean, d)} ± ${f(m.sd, d)}`;
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The nn section's JSON from a run's sweeps (the page's nn section writes the same shape). */
export function nnSectionJson(
  preset: string, workers: number, adapter: unknown, seconds: number, experiments: readonly NnExperiment[],
  done: readonly { experiment: NnExperiment; result: SweepResult }[],
): Record<string, unknown> {
  return {
    preset, workers, adapter, seconds,
    experiments: experiments.map((exp) => ({
      problem: exp.problem, title: exp.title, stages: exp.stages, etas: exp.etas, repeats: exp.repeats, settings: exp.settings,
      sweeps: done.filter((d) => d.experiment.problem === exp.problem).map(({ result }) => ({
        nTrain: result.config.nTrain, seconds: result.ms / 1000, bound: result.bound, summary: result.summary, runs: result.runs,
      })),
    })),
  };
}

/** Markdown of the nn section: an overview and one η table per sweep with its bound. */
export function nnSectionMarkdown(done: readonly { experiment: NnExperiment; result: SweepResult }[]): string {
  const overview = done.map(({ experiment, result }) => {
    const o = nnOurs({ nTrain: result.config.nTrain, bound: result.bound, summary: result.summary, runs: result.runs });
    return [experiment.problem, String(result.config.nTrain), `${f(o.baseline.rmse)} (${o.baseline.eta})`, `${f(o.gi.rmse)} (${o.gi.eta})`,
      `${o.wins}/${o.total}`, String(o.bound.bestEta), String(o.bound.ub), o.bound.bestEta <= o.bound.ub ? 'yes' : 'no', describeBound(o.bound)];
  });
  const parts = ['### Overview (ideas 1 and 2)', '', table(['problem', 'N', 'best RMSE baseline (η)', 'best RMSE GI (η)', 'η where GI wins', 'best baseline η', 'UB', 'best η ≤ UB', 'how UB was set'], overview)];
  for (const { experiment, result } of done) {
    const rows = result.summary.map((s, i) => {
      const d = result.bound.deltas[i];
      return [String(s.eta), String(s.width), pm(s.baseline.rmse), pm(s.gi.rmse), pm(s.baseline.corr), pm(s.gi.corr), f(d.deltaRmse), f(d.deltaCorr)];
    });
    const diverged = result.runs.filter((r) => r.diverged).length;
    parts.push('', `### ${experiment.title}, N = ${result.config.nTrain}`, '',
      table(['η', 'width', 'RMSE baseline', 'RMSE GI', 'corr baseline', 'corr GI', 'ΔRMSE', 'Δcorr'], rows), '',
      `η₁ = ${result.bound.eta1}, η₂ = ${result.bound.eta2}, η₃ = ${result.bound.eta3 ?? '–'}, η₄ = ${result.bound.eta4 ?? '–'}; ${describeBound(result.bound)}; ` +
      `best baseline η = ${result.bound.bestBaselineEta}; ${result.runs.length} networks${diverged ? ` (${diverged} diverged)` : ''}, ${(result.ms / 1000).toFixed(0)} s.`);
  }
  return parts.join('\n');
}

const LABELS: Record<LinearMethod, string> = {
  leastSquares: 'least squares', ridge: 'ridge', giLeastSquares: 'GI least squares', ridgeGradient: 'ridge-gradient (2-D)', ridgeGradient1d: 'ridge-gradient (1-D)',
};

/** The linear section's JSON (the page's linear section writes the same fields, and more). */
export function linearSectionJson(preset: string, backend: string, seconds: number, result: LinearExperimentResult): Record<string, unknown> {
  return {
    preset, backend, seconds, config: result.config, summary: result.summary,
    ridgeMinusRidgeGradient: pairedGain(result, 'ridgeGradient'), ridgeMinusRidgeGradient1d: pairedGain(result, 'ridgeGradient1d'), runs: result.runs,
  };
}

/** Markdown: mean ± SE test RMSE per N and method, and the paired gains of both variants. */
export function linearSectionMarkdown(result: LinearExperimentResult): string {
  const g1 = pairedGain(result, 'ridgeGradient1d');
  const g2 = pairedGain(result, 'ridgeGradient');
  const gain = (g: { mean: number; se: number }) => `${f(g.mean)} ± ${f(g.se)} (${f(g.mean / g.se, 1)} SE)`;
  const rows = result.config.nTrain.map((n, i) => [
    String(n),
    ...result.methods.map((m) => {
      const s = result.summary.find((x) => x.n === n && x.method === m);
      return s ? `${s.mean.toPrecision(4)} ± ${s.se.toPrecision(2)}${s.failures ? ` (${s.failures} singular)` : ''}` : '';
    }),
    gain(g1[i]), gain(g2[i]),
  ]);
  const c = result.config;
  return `${c.repeats} datasets per N; λ grid ${c.lambdaGrid.length} values on [0, 10]; β_grad: ${c.betaGrad === 'leastSquares' ? 'least squares (λ_g = 0)' : 'ridge on the derivative equations, λ_g picked on the validation derivatives'}.\n\n` +
    table(['N', ...result.methods.map((m) => LABELS[m]), 'ridge − RG 1-D (paired)', 'ridge − RG 2-D (paired)'], rows);
}

/** Markdown of the generative section: test pixel RMSE per size and N, what k buys. */
export function generativeSectionMarkdown(result: GenerativeResult): string {
  const rows = result.summary.map((s) => [`${s.size}×${s.size}`, String(s.nTrain), pm(s.baseline), pm(s.gi), f(s.gi.mean / s.baseline.mean, 3), `${s.giWins}/${s.repeats}`]);
  const k = result.kStudy.rows.map((r) => [r.label, f(r.rmse)]);
  return table(['image', 'N_train', 'baseline', 'GI', 'GI / baseline', 'GI wins'], rows) +
    `\n\nWhat k buys (${result.kStudy.size}×${result.kStudy.size}, N = ${result.kStudy.nTrain}):\n\n` + table(['supervision', 'test pixel RMSE'], k);
}
