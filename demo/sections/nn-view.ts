// The nn section drawn from its JSON (a run that just finished, or a saved results.json):
// the computed verdicts and caveat, ours beside the paper, a chart per sweep, the tables.
import type { NnExperiment, SweepResult } from '../../src/experiments/index';
import { compareWithPaper, type NnSectionData } from '../../src/experiments/paper';
import { caveatBox, nnComparisonTables, protocolFixes, verdictList } from '../report/compare';
import { drawSweepChart } from './nn-chart';
import { htmlTable, overviewRows, sweepTable } from './nn-report';

/** The nn section's JSON (docs/reproduction.md, reports/results.json). */
interface NnJson extends NnSectionData {
  experiments: (NnSectionData['experiments'][number] & { title?: string; sweeps: (NnSectionData['experiments'][number]['sweeps'][number] & { seconds?: number })[] })[];
}

/** A SweepResult-shaped view of a stored sweep (what the tables and the chart read). */
function asResult(sweep: NnJson['experiments'][number]['sweeps'][number]): SweepResult {
  return { config: { nTrain: sweep.nTrain }, summary: sweep.summary, bound: sweep.bound, runs: sweep.runs ?? [], ms: (sweep.seconds ?? 0) * 1000 } as unknown as SweepResult;
}

export function renderNn(data: unknown, host: HTMLElement): void {
  const d = data as NnJson;
  const comparison = compareWithPaper({ preset: d.preset, nn: d });
  const caveat = caveatBox(comparison.caveat);
  if (caveat) host.append(caveat);
  host.append(verdictList(comparison.verdicts));
  for (const t of nnComparisonTables(comparison)) host.append(t);
  host.append(protocolFixes(comparison));
  const charts = document.createElement('div');
  charts.className = 'charts';
  host.append(charts);
  const done: { exp: NnExperiment; result: SweepResult }[] = [];
  for (const exp of d.experiments) {
    for (const sweep of exp.sweeps) {
      const result = asResult(sweep);
      done.push({ exp: exp as unknown as NnExperiment, result });
      drawSweepChart(charts, `${exp.problem}, N = ${sweep.nTrain}`, result);
    }
  }
  const overview = overviewRows(done);
  host.append(htmlTable('Overview: best test RMSE over η, and the GI complexity bound', overview.header, overview.rows));
  for (const { exp, result } of done) {
    const t = sweepTable(result);
    host.append(htmlTable(`${exp.title ?? exp.problem}, N = ${result.config.nTrain}`, t.header, t.rows));
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = t.note.replace(/\*\*/g, '');
    host.append(note);
  }
}
