// The playground's uncertainty view: after a run, an ensemble of R GI models (the GI model's
// spec and options, seeds seed … seed + R − 1) trained as one group; in 1-D its mean with a
// ± 2 sd band, in 2-D maps of its mean and its spread, with the training points. The spread is
// small at the samples and grows between and beyond them.
import Chart from 'chart.js/auto';
import { createEnsemble, type Context, type FitProgress } from '../../src/index';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE } from '../shared/palette';
import { colourBar, heatMap } from './plots';
import type { PairResult, PlaygroundSettings, Samples } from './train';

/** What the page exposes for tests and scripts as window.__playgroundEnsemble. */
export interface EnsembleSummary {
  members: number;
  /** Mean sd at the training points, and its largest value on the test grid. */
  sdAtSamples: number;
  sdMaxOnGrid: number;
  rmse: number;
  aborted: boolean;
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
      <label><input id="ensemble" name="ensemble" type="checkbox" /> ensemble of R GI models</label>
      <label>R (members) <input id="members" name="members" type="number" min="2" max="${MAX_MEMBERS}" step="1" value="5" /></label>
      <p class="hint">After the run, R GI models that differ only in their initial weights train as one group: their spread (± 2 sd band in 1-D, a map in 2-D) shows where the fit is unsure.</p>`;
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

  /** Trains the ensemble with the GI model's settings (its chosen w when w was 'auto') and
   *  draws it; the ensemble is destroyed before this returns. */
  async run(ctx: Context, members: number, train: Samples, test: Samples, s: PlaygroundSettings, pair: PairResult, hooks: { onProgress?: (p: FitProgress) => void; signal?: AbortSignal }): Promise<EnsembleSummary> {
    this.clear();
    const hidden = Array.from({ length: s.layers }, () => s.width);
    const ensemble = createEnsemble(ctx, { inputs: train.d, hidden, outputs: 1 }, { members, seed: s.seed });
    try {
      const reports = await ensemble.fit(
        { x: train.x, y: train.y, dydx: train.dydx },
        {
          ...(s.epochs !== undefined && { epochs: s.epochs }),
          ...(s.batchSize !== undefined && { batchSize: s.batchSize }),
          ...(s.learningRate !== undefined && { learningRate: s.learningRate }),
          gradientWeight: pair.models[1].gradientWeight,
          directions: s.directions,
          seed: s.seed,
          onProgress: hooks.onProgress,
          progressIntervalMs: 50,
          signal: hooks.signal,
        },
      );
      const grid = await ensemble.predict(test.x);
      const atSamples = await ensemble.predict(train.x);
      let sq = 0;
      for (let i = 0; i < test.n; i++) sq += (grid.mean[i] - test.y[i]) ** 2;
      const summary: EnsembleSummary = {
        members,
        sdAtSamples: atSamples.sd.reduce((a, v) => a + v, 0) / train.n,
        sdMaxOnGrid: Math.max(...grid.sd),
        rmse: Math.sqrt(sq / test.n),
        aborted: reports.some((r) => r.aborted),
      };
      if (train.d === 1) this.#chart = drawBand(this.host, train, test, grid.mean, grid.sd, summary);
      else drawSpreadMaps(this.host, train, test, s.domain, grid.mean, grid.sd, summary);
      (globalThis as { __playgroundEnsemble?: EnsembleSummary | null }).__playgroundEnsemble = summary;
      return summary;
    } finally {
      ensemble.destroy();
    }
  }
}

const describe = (e: EnsembleSummary) =>
  `Ensemble of ${e.members} GI models${e.aborted ? ' (stopped)' : ''}: test RMSE of the mean ${num(e.rmse)}; spread (sd) ${num(e.sdAtSamples)} at the training points on average, up to ${num(e.sdMaxOnGrid)} on the grid.`;

/** 1-D: truth, the ensemble mean, mean ± 2 sd as a shaded band, the training points. */
function drawBand(host: HTMLElement, train: Samples, test: Samples, mean: Float32Array, sd: Float32Array, e: EnsembleSummary): Chart {
  const fig = chartFigure(host, 'Ensemble mean and ± 2 sd band', describe(e));
  fig.figure.classList.add('wide');
  const xs = Array.from(test.x);
  const line = (f: (i: number) => number) => xs.map((x, i) => ({ x, y: f(i) }));
  const band = { color: 'rgba(213, 94, 0, 0.18)', edge: 'rgba(213, 94, 0, 0.5)' };
  return new Chart(fig.canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'mean ± 2 sd band', data: line((i) => mean[i] + 2 * sd[i]), borderColor: band.edge, borderWidth: 1, pointRadius: 0, backgroundColor: band.color, fill: '+1' },
        { label: 'mean − 2 sd', data: line((i) => mean[i] - 2 * sd[i]), borderColor: band.edge, borderWidth: 1, pointRadius: 0, fill: false },
        { label: 'truth f(x)', data: line((i) => test.y[i]), ...lineStyle(STYLE.truth, 0), borderWidth: 1.5 },
        { label: `ensemble mean (${e.members} GI models)`, data: line((i) => mean[i]), ...lineStyle(STYLE.gi, 0) },
        { label: 'training points', data: Array.from(train.x, (x, i) => ({ x, y: train.y[i] })), ...lineStyle(STYLE.truth, 4), showLine: false, pointStyle: 'circle', backgroundColor: '#fff', order: -1 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: 'Uncertainty: ensemble mean ± 2 sd' },
        legend: { labels: { boxWidth: 14, filter: (item) => item.text !== 'mean − 2 sd' } },
      },
      scales: { x: { type: 'linear', min: xs[0], max: xs[xs.length - 1], title: { display: true, text: 'x' } }, y: { title: { display: true, text: 'f(x)' } } },
    },
  });
}

/** 2-D: the ensemble mean (values scale) and its spread (own scale), training points marked. */
function drawSpreadMaps(host: HTMLElement, train: Samples, test: Samples, domain: [number, number], mean: Float32Array, sd: Float32Array, e: EnsembleSummary): void {
  const side = Math.round(Math.sqrt(test.n));
  const grid = document.createElement('div');
  grid.className = 'heat-grid';
  const values = [...test.y, ...mean];
  const range: [number, number] = [Math.min(...values), Math.max(...values)];
  const spread: [number, number] = [0, Math.max(...sd)];
  heatMap(grid, `ensemble mean (${e.members} GI models)`, mean, side, range, `test RMSE ${num(e.rmse)}`, domain);
  heatMap(grid, 'spread (sd across members) with the training points', sd, side, spread, describe(e), domain, train);
  const bar = document.createElement('figure');
  bar.className = 'heat heat-bar';
  bar.append(colourBar('mean', range), colourBar('sd', spread));
  grid.append(bar);
  const note = document.createElement('p');
  note.className = 'chart-summary';
  note.textContent = describe(e);
  host.append(grid, note);
}
