// Tables of the linear section: mean test RMSE per N and method with the paired ridge vs
// ridge-gradient difference, the GPU-vs-float64 sums precision table, and the check that the
// GPU sums give the same fits as the CPU sums on the same datasets.
import type { LinearExperimentResult, LinearMethod, pairedGain } from '../../src/experiments/index';
import type { SumsComparison } from '../../src/linear/sums-check';
import { METHOD_STYLE } from './linear-chart';

/** Markdown: mean test RMSE per N (rows) and method (columns), failures noted, and the paired gain. */
export function rmseTable(result: LinearExperimentResult, gain: ReturnType<typeof pairedGain>): string {
  const ms = result.methods;
  const head = `| N | ${ms.map((m) => METHOD_STYLE[m].label).join(' | ')} | ridge − ridge-gradient (paired mean ± SE) |`;
  const rule = `|---|${ms.map(() => '---:').join('|')}|---:|`;
  const rows = result.config.nTrain.map((n, i) => {
    const cells = ms.map((m) => {
      const s = result.summary.find((x) => x.n === n && x.method === m);
      return s ? `${s.mean.toPrecision(4)}${s.failures ? ` (${s.failures} singular)` : ''}` : '';
    });
    return `| ${n} | ${cells.join(' | ')} | ${gain[i].mean.toFixed(4)} ± ${gain[i].se.toFixed(4)} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** Markdown: GPU sums vs the CPU float64 sums per size and data kind, with timings. */
export function precisionTable(rows: SumsComparison[]): string {
  const head =
    '| rows n | data | max scaled error | max centred error (GPU) | max centred error (CPU one-pass float64) | GPU ms | CPU ms |\n' +
    '|---:|---|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (c) =>
      `| ${c.n.toExponential(0)} | ${c.kind} | ${c.error.scaled.toExponential(1)} | ${c.error.centred.toExponential(1)} | ` +
      `${c.fields.cpuCentred.toExponential(1)} | ${c.ms.backend.toFixed(0)} | ${c.ms.cpu.toFixed(0)} |`,
  );
  return [head, ...body].join('\n');
}

/** Per method: the largest |Δ test RMSE| and the number of runs whose chosen hyper-parameters
 *  differ, between two results over the (N, dataset) pairs they share. */
export function backendAgreement(a: LinearExperimentResult, b: LinearExperimentResult): { method: LinearMethod; runs: number; maxAbsDiff: number; paramsDiffer: number }[] {
  const other = new Map(b.runs.map((x) => [`${x.n}:${x.repeat}:${x.method}`, x]));
  return a.methods.map((method) => {
    let runs = 0;
    let maxAbsDiff = 0;
    let paramsDiffer = 0;
    for (const x of a.runs) {
      const y = x.method === method ? other.get(`${x.n}:${x.repeat}:${x.method}`) : undefined;
      if (!y) continue;
      runs++;
      const both = Number.isFinite(x.testRmse) && Number.isFinite(y.testRmse);
      maxAbsDiff = Math.max(maxAbsDiff, both ? Math.abs(x.testRmse - y.testRmse) : Number.isFinite(x.testRmse) === Number.isFinite(y.testRmse) ? 0 : Infinity);
      if (JSON.stringify(x.params) !== JSON.stringify(y.params)) paramsDiffer++;
    }
    return { method, runs, maxAbsDiff, paramsDiffer };
  });
}

/** Markdown for {@link backendAgreement}. */
export function agreementTable(rows: ReturnType<typeof backendAgreement>): string {
  const head = '| method | fits compared | max abs. diff. of test RMSE | fits with different chosen λ/γ |\n|---|---:|---:|---:|';
  return [head, ...rows.map((r) => `| ${METHOD_STYLE[r.method].label} | ${r.runs} | ${r.maxAbsDiff.toExponential(1)} | ${r.paramsDiffer} |`)].join('\n');
}
