// The linear section drawn from its JSON: verdicts and caveat, ours beside the paper, the
// RMSE chart (clipped) and the paired-gain panel with error bars, and the tables.
import { LINEAR_METHODS, type LinearMethod, type LinearSummary } from '../../src/experiments/index';
import { compareWithPaper, pairedGainOf, type LinearSectionData } from '../../src/experiments/paper';
import { caveatBox, linearComparisonTable, protocolFixes, verdictList } from '../report/compare';
import { drawGainChart, drawLinearChart, METHOD_STYLE, type LinearLike } from './linear-chart';
import { htmlTable } from './nn-report';

interface LinearJson extends LinearSectionData {
  backend?: string;
  summary: LinearSummary[];
  backendAgreement?: { method: LinearMethod; runs: number; maxAbsDiff: number; paramsDiffer: number }[];
  sumsPrecision?: { n: number; kind: string; error: { scaled: number; centred: number }; fields: { cpuCentred: number }; ms: { backend: number; cpu: number } }[];
}

const p4 = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : 'NaN');
const e1 = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : 'NaN');

export function renderLinear(data: unknown, host: HTMLElement): void {
  const d = data as LinearJson;
  const comparison = compareWithPaper({ preset: d.preset, linear: d });
  const caveat = caveatBox(comparison.caveat);
  if (caveat) host.append(caveat);
  host.append(verdictList(comparison.verdicts));
  const t = linearComparisonTable(comparison);
  if (t) host.append(t);
  host.append(protocolFixes(comparison));

  const present = new Set(d.summary.map((s) => s.method));
  const methods = LINEAR_METHODS.filter((m) => present.has(m));
  const nTrain = d.config.nTrain;
  const gains = (['ridgeGradient', 'ridgeGradient1d'] as const)
    .filter((m) => present.has(m) && present.has('ridge'))
    .map((m) => ({ label: `ridge − ${METHOD_STYLE[m].label}`, style: METHOD_STYLE[m].style, rows: nTrain.map((n) => ({ n, ...pairedGainOf(d, n, m) })) }));
  const like: LinearLike = { methods, summary: d.summary, repeats: d.config.repeats, nTrain, gains };
  const charts = document.createElement('div');
  charts.className = 'charts';
  host.append(charts);
  drawLinearChart(charts, `Sine: mean test RMSE vs N (${d.config.repeats} datasets per N)`, like);
  if (gains.length) drawGainChart(charts, 'Ridge − ridge-gradient, paired per dataset (± 1 SE)', like);

  host.append(htmlTable(
    'Mean test RMSE per N (± standard error; singular systems are counted as failures)',
    ['N', ...methods.map((m) => METHOD_STYLE[m].label)],
    nTrain.map((n) => [String(n), ...methods.map((m) => {
      const s = d.summary.find((x) => x.n === n && x.method === m);
      return s ? `${p4(s.mean)} ± ${p4(s.se)}${s.failures ? ` (${s.failures} singular)` : ''}` : '';
    })]),
  ));
  if (d.backend) host.append(Object.assign(document.createElement('p'), { className: 'hint', textContent: `Gram sums computed by: ${d.backend}.` }));
  if (d.backendAgreement?.length) {
    host.append(htmlTable('The first datasets per N fitted again with CPU float64 sums', ['method', 'fits compared', 'max abs. diff. of test RMSE', 'fits with different chosen λ/γ'],
      d.backendAgreement.map((r) => [METHOD_STYLE[r.method]?.label ?? r.method, String(r.runs), e1(r.maxAbsDiff), String(r.paramsDiffer)])));
  }
  if (d.sumsPrecision?.length) {
    host.append(htmlTable('GPU sums vs float64 (p = 8, one derivative block)', ['rows n', 'data', 'max scaled error', 'max centred error (GPU)', 'centred error (CPU one-pass)', 'GPU ms', 'CPU ms'],
      d.sumsPrecision.map((c) => [c.n.toExponential(0), c.kind, e1(c.error.scaled), e1(c.error.centred), e1(c.fields.cpuCentred), c.ms.backend.toFixed(0), c.ms.cpu.toFixed(0)])));
  }
}
