// Markdown and HTML tables of the NN sweeps (reports/results.md and the demo page).
import type { NnExperiment, SweepResult } from '../../src/experiments/index';
import { tableBlock } from '../shared/table';

const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'NaN');
const pm = (m: { mean: number; sd: number }, d = 4) => `${f(m.mean, d)} ± ${f(m.sd, d)}`;

/** Rows of one sweep: per η, baseline and GI metrics and the deltas. */
export function sweepTable(result: SweepResult): { header: string[]; rows: string[][]; note: string } {
  const header = ['η', 'width', 'RMSE baseline', 'RMSE GI', 'corr baseline', 'corr GI', 'ΔRMSE', 'Δcorr'];
  const rows = result.summary.map((s, i) => {
    const d = result.bound.deltas[i];
    return [String(s.eta), String(s.width), pm(s.baseline.rmse), pm(s.gi.rmse), pm(s.baseline.corr), pm(s.gi.corr), f(d.deltaRmse), f(d.deltaCorr)];
  });
  const b = result.bound;
  const note =
    `η₁ = ${b.eta1}, η₂ = ${b.eta2}, η₃ = ${b.eta3 ?? '–'}, η₄ = ${b.eta4 ?? '–'} → **UB = ${b.ub}**; ` +
    `best baseline η = ${b.bestBaselineEta} (${b.bestWithinBound ? 'within' : 'above'} the bound); ` +
    `${result.runs.length} runs in ${(result.ms / 1000).toFixed(1)} s.`;
  return { header, rows, note };
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The comparison of idea 1 and the bound of idea 2, one row per (problem, N). */
export function overviewRows(done: { exp: NnExperiment; result: SweepResult }[]): { header: string[]; rows: string[][] } {
  const header = ['problem', 'N', 'best RMSE baseline', 'best RMSE GI', 'GI better', 'best baseline η', 'UB', 'best η ≤ UB'];
  const rows = done.map(({ exp, result }) => {
    const bestB = Math.min(...result.summary.map((s) => s.baseline.rmse.mean));
    const bestG = Math.min(...result.summary.map((s) => s.gi.rmse.mean));
    const b = result.bound;
    return [exp.problem, String(result.config.nTrain), f(bestB), f(bestG), bestG < bestB ? 'yes' : 'no', String(b.bestBaselineEta), String(b.ub), b.bestWithinBound ? 'yes' : 'no'];
  });
  return { header, rows };
}

/** The whole section as markdown. */
export function nnMarkdown(done: { exp: NnExperiment; result: SweepResult }[], preamble: string): string {
  const parts = [preamble, '', '### Overview (ideas 1 and 2)', '', markdownTable(...Object.values(overviewRows(done)) as [string[], string[][]])];
  for (const { exp, result } of done) {
    const t = sweepTable(result);
    parts.push('', `### ${exp.title}, N = ${result.config.nTrain}`, '', markdownTable(t.header, t.rows), '', t.note);
  }
  return parts.join('\n');
}

/** A table with its caption (demo/shared/table.ts: it scrolls sideways on a narrow screen). */
export function htmlTable(caption: string, header: string[], rows: string[][]): HTMLElement {
  return tableBlock(caption, header, rows);
}
