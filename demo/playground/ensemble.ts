// The playground's uncertainty view: after a run, R baseline and R GI models (the pair's spec
// and options; initial seeds seed … seed + 2R − 1) trained as one ensemble; in 1-D each half's
// mean with a ± 2 sd band, in 2-D maps of the GI mean and of both spreads, with the training
// points. The spread is small at the samples and grows between and beyond them, less with GI.
import Chart from 'chart.js/auto';
import { createEnsemble, type Context, type Dataset, type FitProgress } from '../../src/index';
import { meanAndSpread, type EnsembleFitOptions } from '../../src/nn/ensemble';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE } from '../shared/palette';
import { colourBar, heatMap } from './plots';
import type { PairResult, PlaygroundSettings, Samples } from './train';

/** One half of the ensemble (the baseline or the GI members) on the test grid. */
export interface HalfSummary {
  /** Mean sd at the training points, and its mean and largest value on the test grid. */
  sdAtSamples: number;
  sdMeanOnGrid: number;
  sdMaxOnGrid: number;
  /** Test RMSE of the half's mean. */
  rmse: number;
}

/** What the page exposes for tests and scripts as window.__playgroundEnsemble. */
export interface EnsembleSummary {
  /** R: members of each half. */
  members: number;
  baseline: HalfSummary;
  gi: HalfSummary;
  aborted: boolean;
}

export interface Half {
  mean: Float32Array;
  sd: Float32Array;
  summary: HalfSummary;
}

const MAX_MEMBERS = 16;

/** The "ensemble of R" controls, added to the form as their own fieldset (before the run
 *  bar), and the ensemble's figure host, added to the results after `#fit`. */
export class EnsemblePanel {
  readonly toggle: HTMLInputElement;
  readonly count: HTMLInputElement;
  readonly host: HTMLElement;
  #chart: Chart | null = null;

  constructor(form: HTMLFormElement, results: HTMLElement, query: URLSearchParams) {
    const set = document.createElement('fieldset');
    set.innerHTML = `<legend>Uncertainty</legend>
      <label><input id="ensemble" name="ensemble" type="checkbox" /> ensembles of R baseline and R GI models</label>
      <label>R (members) <input id="members" name="members" type="number" min="2" max="${MAX_MEMBERS}" step="1" value="5" /></label>
      <p class="hint">After the run, R baseline and R GI models that differ only in their initial weights train as one group: each kind's spread (± 2 sd band in 1-D, a map in 2-D) shows where its fit is unsure.</p>`;
    form.querySelector('#adapter')!.before(set);
    this.toggle = set.querySelector<HTMLInputElement>('#ensemble')!;
    this.count = set.querySelector<HTMLInputElement>('#members')!;
    const r = query.get('ensemble');
    if (r !== null) {
      this.toggle.checked = true;
      if (r !== '' && r !== '1') this.count.value = r;
    }
    this.host = document.createElement('div');
    this.host.id = 'ensemble-figure';
    results.querySelector('#fit')!.after(this.host);
  }

  /** URL parameters for the current choice (none when off). */
  query(): [string, string][] {
    return this.toggle.checked ? [['ensemble', this.count.value.trim()]] : [];
  }

  /** R when the ensemble is on and R is valid; null when off; a message when R is not valid. */
  members(): number | null | string {
    this.count.removeAttribute('aria-invalid');
    if (!this.toggle.checked) return null;
    const r = Number(this.count.value);
    if (Number.isInteger(r) && r >= 2 && r <= MAX_MEMBERS) return r;
    this.count.setAttribute('aria-invalid', 'true');
    return `R must be a whole number from 2 to ${MAX_MEMBERS}`;
  }

  clear(): void {
    this.#chart?.destroy();
    this.#chart = null;
    this.host.replaceChildren();
    (globalThis as { __playgroundEnsemble?: EnsembleSummary | null }).__playgroundEnsemble = null;
  }

  /** Trains R baseline and R GI members (the GI model's w, its chosen one when w was 'auto')
   *  with the pair's settings and draws them; the ensemble is destroyed before this returns. */
  async run(ctx: Context, members: number, train: Samples, test: Samples, s: PlaygroundSettings, pair: PairResult, hooks: { onProgress?: (p: FitProgress) => void; signal?: AbortSignal }): Promise<EnsembleSummary> {
    this.clear();
    const { baseline, gi, summary } = await trainHalves(ctx, members, { x: train.x, y: train.y, dydx: train.dydx }, test, {
      hidden: Array.from({ length: s.layers }, () => s.width),
      seed: s.seed,
      gradientWeight: pair.models[1].gradientWeight,
      fit: {
        ...(s.epochs !== undefined && { epochs: s.epochs }),
        ...(s.batchSize !== undefined && { batchSize: s.batchSize }),
        ...(s.learningRate !== undefined && { learningRate: s.learningRate }),
        directions: s.directions,
        onProgress: hooks.onProgress,
        signal: hooks.signal,
      },
    });
    if (train.d === 1) this.#chart = drawBands(this.host, train, test, baseline, gi, summary);
    else drawSpreadMaps(this.host, train, test, s.domain, baseline, gi, summary);
    (globalThis as { __playgroundEnsemble?: EnsembleSummary | null }).__playgroundEnsemble = summary;
    return summary;
  }
}

/** The two halves of a trained ensemble and their summary. */
export interface Halves {
  baseline: Half;
  gi: Half;
  summary: EnsembleSummary;
  /** Both halves' mean and sd at the extra points `at`, when given. */
  at?: [Spread, Spread];
}

/**
 * R baseline (w = 0) and R GI (w = `gradientWeight`) members, initial seeds seed … seed + 2R − 1,
 * trained as one ensemble on `train` (one output); each half's mean and sd at the `test` rows
 * and its spread at the training rows. The ensemble is destroyed before this returns.
 */
export async function trainHalves(
  ctx: Context, members: number, train: Dataset, test: { x: Float32Array; y: Float32Array },
  o: { hidden: number[]; seed: number; gradientWeight: number; fit: Omit<EnsembleFitOptions, 'gradientWeight' | 'seed'>; at?: Float32Array },
): Promise<Halves> {
  const inputs = train.x.length / train.y.length;
  const ensemble = createEnsemble(ctx, { inputs, hidden: o.hidden, outputs: 1 }, { members: 2 * members, seed: o.seed });
  try {
    const reports = await ensemble.fit(train, {
      progressIntervalMs: 50,
      ...o.fit,
      gradientWeight: Array.from({ length: 2 * members }, (_, i) => (i < members ? 0 : o.gradientWeight)),
      seed: o.seed,
    });
    const atTest = (await ensemble.predict(test.x)).members;
    const atSamples = (await ensemble.predict(train.x)).members;
    const half = (from: number): Half => {
      const g = meanAndSpread(atTest.slice(from, from + members));
      const t = meanAndSpread(atSamples.slice(from, from + members));
      let sq = 0;
      for (let i = 0; i < test.y.length; i++) sq += (g.mean[i] - test.y[i]) ** 2;
      const summary = {
        sdAtSamples: t.sd.reduce((a, v) => a + v, 0) / train.y.length,
        sdMeanOnGrid: g.sd.reduce((a, v) => a + v, 0) / test.y.length,
        sdMaxOnGrid: Math.max(...g.sd),
        rmse: Math.sqrt(sq / test.y.length),
      };
      return { mean: g.mean, sd: g.sd, summary };
    };
    const [baseline, gi] = [half(0), half(members)];
    const at = o.at && (await ensemble.predict(o.at)).members;
    return { baseline, gi, ...(at && { at: [meanAndSpread(at.slice(0, members)), meanAndSpread(at.slice(members))] }), summary: { members, baseline: baseline.summary, gi: gi.summary, aborted: reports.some((r) => r.aborted) } };
  } finally {
    ensemble.destroy();
  }
}

/** The caption: spreads and RMSE of both halves; `place`: where the test points lie. */
export const describe = (e: EnsembleSummary, place = 'the grid') =>
  `Ensembles of ${e.members} baseline and ${e.members} GI models${e.aborted ? ' (stopped)' : ''}: mean spread (sd) on ${place} baseline ${num(e.baseline.sdMeanOnGrid)}, GI ${num(e.gi.sdMeanOnGrid)} ` +
  `(at the training points ${num(e.baseline.sdAtSamples)} and ${num(e.gi.sdAtSamples)}); test RMSE of the means ${num(e.baseline.rmse)} and ${num(e.gi.rmse)}.`;

type Spread = Pick<Half, 'mean' | 'sd'>;

/** 1-D: each half's mean with its mean ± 2 sd band shaded over the sorted points `curve.x`,
 *  the truth there as a line (`curve.y`) or, from data, the test rows as points (`o.points`),
 *  and the training points; `o.place` names where the caption's spreads were measured. */
export function drawBands(
  host: HTMLElement, train: Dataset, curve: { x: Float32Array; y?: Float32Array }, baseline: Spread, gi: Spread, e: EnsembleSummary,
  o: { place?: string; points?: { x: Float32Array; y: Float32Array }; xLabel?: string; yLabel?: string } = {},
): Chart {
  const fig = chartFigure(host, 'Ensemble means and ± 2 sd bands', describe(e, o.place));
  fig.figure.dataset.plot = 'band';
  fig.figure.classList.add('wide');
  const xs = Array.from(curve.x);
  const truth = curve.y;
  const line = (f: (i: number) => number) => xs.map((x, i) => ({ x, y: f(i) }));
  const band = (h: Spread, label: string, fill: string, edge: string) => [
    { label: `${label} mean ± 2 sd`, data: line((i) => h.mean[i] + 2 * h.sd[i]), borderColor: edge, borderWidth: 1, pointRadius: 0, backgroundColor: fill, fill: '+1' },
    { label: `${label} lower edge`, data: line((i) => h.mean[i] - 2 * h.sd[i]), borderColor: edge, borderWidth: 1, pointRadius: 0, fill: false },
  ];
  return new Chart(fig.canvas, {
    type: 'line',
    data: {
      datasets: [
        ...band(baseline, 'baseline', 'rgba(0, 114, 178, 0.16)', 'rgba(0, 114, 178, 0.5)'),
        ...band(gi, 'GI', 'rgba(213, 94, 0, 0.22)', 'rgba(213, 94, 0, 0.6)'),
        ...(truth ? [{ label: 'truth f(x)', data: line((i) => truth[i]), ...lineStyle(STYLE.truth, 0), borderWidth: 1.5 }] : []),
        ...(o.points ? [{ label: 'test rows', data: Array.from(o.points.x, (x, i) => ({ x, y: o.points!.y[i] })), ...lineStyle(STYLE.truth, 4), showLine: false, order: -1 }] : []),
        { label: `baseline mean (${e.members} models)`, data: line((i) => baseline.mean[i]), ...lineStyle(STYLE.baseline, 0) },
        { label: `GI mean (${e.members} models)`, data: line((i) => gi.mean[i]), ...lineStyle(STYLE.gi, 0) },
        { label: 'training points', data: Array.from(train.x, (x, i) => ({ x, y: train.y[i] })), ...lineStyle(STYLE.truth, 4), showLine: false, pointStyle: 'circle', backgroundColor: '#fff', order: -1 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: 'Uncertainty: ensemble means ± 2 sd' },
        legend: { labels: { boxWidth: 14, filter: (item) => !item.text.endsWith('lower edge') } },
      },
      scales: { x: { type: 'linear', min: xs[0], max: xs[xs.length - 1], title: { display: true, text: o.xLabel ?? 'x' } }, y: { title: { display: true, text: o.yLabel ?? 'f(x)' } } },
    },
  });
}

/** 2-D: the GI mean (values scale) and both spreads (one shared sd scale), training points marked. */
function drawSpreadMaps(host: HTMLElement, train: Samples, test: Samples, domain: [number, number], baseline: Half, gi: Half, e: EnsembleSummary): void {
  const side = Math.round(Math.sqrt(test.n));
  const grid = document.createElement('div');
  grid.className = 'heat-grid';
  const values = [...test.y, ...gi.mean];
  const range: [number, number] = [Math.min(...values), Math.max(...values)];
  const spread: [number, number] = [0, Math.max(...baseline.sd, ...gi.sd)];
  heatMap(grid, `GI ensemble mean (${e.members} models)`, gi.mean, side, range, `test RMSE ${num(e.gi.rmse)}`, domain);
  heatMap(grid, 'baseline spread (sd across members)', baseline.sd, side, spread, `mean ${num(e.baseline.sdMeanOnGrid)}, largest ${num(e.baseline.sdMaxOnGrid)}`, domain, train);
  heatMap(grid, 'GI spread (sd across members)', gi.sd, side, spread, `mean ${num(e.gi.sdMeanOnGrid)}, largest ${num(e.gi.sdMaxOnGrid)}`, domain, train);
  const bar = document.createElement('figure');
  bar.className = 'heat heat-bar';
  bar.append(colourBar('GI mean', range), colourBar('sd, both spreads', spread));
  grid.append(bar);
  const note = document.createElement('p');
  note.className = 'chart-summary';
  note.textContent = describe(e);
  host.append(grid, note);
}
