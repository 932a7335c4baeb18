// Tables of the generative-image experiment: markdown for reports/results.md, rows for the
// page, and the JSON shape for reports/results.json (typed arrays become rounded plain arrays).
import type { CostResult, GenerativeConfig, GenerativeResult, ImageGrid } from '../../src/experiments/generative/index';

const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'NaN');
const pm = (m: { mean: number; sd: number }, repeats: number) => (repeats > 1 ? `${f(m.mean)} ± ${f(m.sd)}` : f(m.mean));

/** A header and rows of strings. */
export interface Table {
  caption: string;
  header: string[];
  rows: string[][];
}

/** Test pixel RMSE per size and N: baseline vs GI. */
export function rmseTable(result: GenerativeResult): Table {
  const header = ['image', 'N_train', 'RMSE baseline', 'RMSE GI', 'GI / baseline', 'GI better (repeats)'];
  const rows = result.summary.map((s) => [
    `${s.size}×${s.size}`,
    String(s.nTrain),
    pm(s.baseline, s.repeats),
    pm(s.gi, s.repeats),
    f(s.gi.mean / s.baseline.mean, 3),
    `${s.giWins}/${s.repeats}`,
  ]);
  const c = result.config;
  return { caption: `Test pixel RMSE on ${c.testSize} held-out θ (mean ± sd over ${c.repeats} repeat${c.repeats > 1 ? 's' : ''}); GI w = ${c.giWeight}, k = ${c.training.directions}`, header, rows };
}

/** Test RMSE for each number of directions at one N. */
export function kTable(result: GenerativeResult): Table {
  const { size, nTrain, rows } = result.kStudy;
  const base = rows.find((r) => r.k === 0)?.rmse ?? NaN;
  return {
    caption: `What k buys: test RMSE at N = ${nTrain}, ${size}×${size} (repeat 0, w = ${result.config.giWeight})`,
    header: ['derivative supervision', 'tangent rows per sample', 'test RMSE', 'vs values only', 'train s (wall; first uses compile)'],
    rows: rows.map((r) => [r.label, String(r.k), f(r.rmse), f(r.rmse / base, 3), f(r.seconds, 1)]),
  };
}

/** Milliseconds per step and the ratio to a value-only step. */
export function costTable(cost: CostResult, adapter: string): Table {
  const mode = (r: CostResult['rows'][number]) => (r.mode === 'values' ? 'values only' : r.mode === 'projected' ? `projected, k = ${r.k}` : `full Jacobian (${r.k} directions)`);
  return {
    caption: `Step cost on ${adapter}: batch ${cost.batchSize}, hidden ${cost.hidden.join('×')}; steady-state ms per step, fastest of ${cost.rounds} round${cost.rounds > 1 ? 's' : ''} (median in brackets)`,
    header: ['image', 'factors', 'loss', 'ms / step', '× value-only step', '1 + k', 'of which JVP targets (CPU) ms'],
    rows: cost.rows.map((r) => [`${r.size}×${r.size}`, String(r.factors), mode(r), `${f(r.msPerStep, 2)} (${f(r.medianMsPerStep, 2)})`, f(r.ratio, 2), String(r.predicted), r.mode === 'projected' ? f(r.targetMsPerStep, 3) : '–']),
  };
}

function markdownTable(t: Table): string {
  return [`**${t.caption}**`, '', `| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** One line of settings for the preamble. */
export function describeConfig(c: GenerativeConfig): string {
  const t = c.training;
  return (
    `sizes ${c.sizes.map((s) => `${s}×${s}`).join(', ')}; N_train ∈ {${c.nTrain.join(', ')}}; ${c.repeats} repeat(s); ` +
    `generator 6 → ${c.model.hidden.join(' → ')} (${c.model.activation ?? 'tanh'}) → pixels (${c.model.outputActivation ?? 'linear'}); ` +
    `Adam lr ${t.learningRate} → ×${t.lrEnd} over ~${t.steps} steps of batch ${t.batchSize}; GI: w = ${c.giWeight}, k = ${t.directions} random θ-directions per sample, redrawn every epoch`
  );
}

/** The whole section as markdown. */
export function generativeMarkdown(result: GenerativeResult, cost: CostResult, adapter: string, preamble: string): string {
  return [preamble, '', markdownTable(rmseTable(result)), '', markdownTable(kTable(result)), '', markdownTable(costTable(cost, adapter))].join('\n');
}

const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);

/** JSON-safe image grid (pixels rounded to 1e-4). */
export function gridJson(g: ImageGrid) {
  return { size: g.size, nTrain: g.nTrain, theta: g.theta.map(round), truth: g.truth.map(round), baseline: g.baseline.map(round), gi: g.gi.map(round) };
}
