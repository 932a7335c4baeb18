// The playground's figures: streaming loss curves (chart.js), the fitted 1-D curves with the
// supervised derivatives drawn as ticks at the training points, and 2-D heat maps of truth,
// baseline, GI and their errors (viridis, one shared scale per row, with axis ticks and numbered
// colour bars). Before a run (result null) they show the data and the true function alone.
import Chart from 'chart.js/auto';
import { chartFigure, num, type ChartFigure } from '../shared/figure';
import { lineStyle, STYLE, viridis, type SeriesStyle } from '../shared/palette';
import type { PairResult, Samples } from './train';

type XY = { x: number; y: number | null };

/** Log-axis labels at 1, 2 and 5 × 10^k only, short. */
export function logTick(v: number): string {
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  if (![1, 2, 5].some((t) => Math.abs(m - t) < 1e-6)) return '';
  return v >= 1e-3 && v < 1e4 ? String(Number(v.toPrecision(1))) : v.toExponential(0);
}

/** Live loss chart: each model's mean training loss per progress event; after the fit, the
 *  value and derivative terms of every epoch from the fit reports. */
export class LossChart {
  readonly fig: ChartFigure;
  readonly chart: Chart<'line', XY[]>;
  constructor(host: HTMLElement, w: number | 'auto') {
    this.fig = chartFigure(host, 'Training loss per epoch', 'Waiting for the first epoch.');
    const series = (label: string, s: SeriesStyle, hidden = false) => ({ label, data: [] as XY[], ...lineStyle(s, 0), hidden });
    this.chart = new Chart(this.fig.canvas, {
      type: 'line',
      data: {
        datasets: [
          series('baseline loss (= value MSE, w = 0)', STYLE.baseline),
          series(`GI loss ((1 − w)·value + w·derivative, w = ${w})`, STYLE.gi),
          series('GI value MSE', STYLE.purple),
          series('GI derivative MSE', STYLE.green),
          series('baseline derivative MSE (not trained on)', STYLE.amber),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        plugins: {
          title: { display: true, text: 'Training loss per epoch' },
          // Series without points (the baseline's derivative MSE when the engine does not compute it) stay out of the legend.
          legend: { labels: { boxWidth: 14, filter: (item, data) => (data.datasets[item.datasetIndex ?? 0]?.data.length ?? 0) > 0 } },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'epoch' }, min: 0 },
          y: { type: 'logarithmic', title: { display: true, text: 'loss (log)' }, ticks: { callback: (v) => logTick(Number(v)) } },
        },
      },
    });
  }

  /** A progress event: epoch and each model's loss (value and derivative parts when given). */
  push(epoch: number, losses: number[], parts?: { value: number[]; gradient: number[] }): void {
    const d = this.chart.data.datasets;
    const add = (i: number, y: number) => Number.isFinite(y) && y > 0 && d[i].data.push({ x: epoch, y });
    add(0, losses[0]);
    add(1, losses[1]);
    if (parts) {
      add(2, parts.value[1]);
      add(3, parts.gradient[1]);
    }
    this.chart.update('none');
    this.fig.describe('Training loss per epoch', `Epoch ${epoch}: baseline loss ${num(losses[0])}, GI loss ${num(losses[1])}.`);
  }

  /** Replaces the streamed points by the fit reports' per-epoch histories. */
  finish(result: PairResult): void {
    const [b, g] = result.models;
    const pts = (h: number[]) => h.map((y, e) => ({ x: e + 1, y: Number.isFinite(y) && y > 0 ? y : null }));
    const d = this.chart.data.datasets;
    d[0].data = pts(b.report.history);
    d[1].data = pts(g.report.history);
    d[2].data = pts(g.report.valueHistory);
    d[3].data = pts(g.report.gradientHistory);
    const baseGrad = b.report.gradientHistory.some((v) => Number.isFinite(v) && v > 0);
    d[4].data = baseGrad ? pts(b.report.gradientHistory) : [];
    this.chart.update('none');
    const last = (h: number[]) => num(h[h.length - 1]);
    this.fig.describe(
      'Training loss per epoch',
      `${g.report.epochs} epochs${result.aborted ? ' (stopped)' : ''}. Final baseline value MSE ${last(b.report.valueHistory)}; ` +
        `GI value MSE ${last(g.report.valueHistory)} and derivative MSE ${last(g.report.gradientHistory)}` +
        (baseGrad ? `; the baseline's derivative MSE, which it does not train on, ${last(b.report.gradientHistory)}.` : '.'),
    );
  }

  destroy(): void {
    this.chart.destroy();
    this.fig.figure.remove();
  }
}

/** The 1-D fit: truth, training points and their derivative targets as ticks, and both models
 *  once there is a result. */
export function drawFit1d(host: HTMLElement, train: Samples, test: Samples, result: PairResult | null): Chart {
  const xs = Array.from(test.x);
  const line = (ys: ArrayLike<number>) => xs.map((x, i) => ({ x, y: ys[i] }));
  const span = xs[xs.length - 1] - xs[0];
  const lo = Math.min(...test.y, ...train.y);
  const hi = Math.max(...test.y, ...train.y);
  // Tick half-length in x such that a tick is about the same length on screen whatever its slope.
  const ticks: XY[] = [];
  const aspect = (hi - lo || 1) / span;
  for (let i = 0; i < train.n; i++) {
    const x = train.x[i];
    const y = train.y[i];
    const s = train.dydx[i];
    const h = (0.05 * span) / Math.sqrt(1 + (s / aspect) ** 2);
    ticks.push({ x: x - h, y: y - h * s }, { x: x + h, y: y + h * s }, { x, y: null });
  }
  const points = `${train.n} training points, each with a tick of the slope the GI model is trained on.`;
  const fig = result
    ? chartFigure(
        host,
        'Fitted functions',
        `Test RMSE of the values: baseline ${num(result.models[0].rmse)}, GI ${num(result.models[1].rmse)}; of the derivatives: baseline ${num(result.models[0].gradientRmse)}, GI ${num(result.models[1].gradientRmse)}. ${points}`,
      )
    : chartFigure(host, 'The data', `The true function on the domain and ${points}`);
  fig.figure.classList.add('wide');
  const pts = train.n <= 60 ? 4 : 2;
  const models = result
    ? [
        { label: `baseline (w = 0), RMSE ${num(result.models[0].rmse)}`, data: line(result.models[0].prediction), ...lineStyle(STYLE.baseline, 0) },
        { label: `GI (w = ${result.models[1].gradientWeight}), RMSE ${num(result.models[1].rmse)}`, data: line(result.models[1].prediction), ...lineStyle(STYLE.gi, 0) },
      ]
    : [];
  return new Chart(fig.canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'truth f(x)', data: line(test.y), ...lineStyle(STYLE.truth, 0), borderWidth: 1.5 },
        ...models,
        { label: 'training points', data: Array.from(train.x, (x, i) => ({ x, y: train.y[i] })), ...lineStyle(STYLE.truth, pts), showLine: false, pointStyle: 'circle', backgroundColor: '#fff', order: -1 },
        { label: 'supervised slopes ∂f/∂x', data: ticks, ...lineStyle(STYLE.green, 0), borderDash: [], borderWidth: 3.5, spanGaps: false, order: -2 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: result ? 'Fit on the test grid' : 'The data and the true function' }, legend: { labels: { boxWidth: 14, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } } },
      scales: { x: { type: 'linear', min: xs[0], max: xs[xs.length - 1], title: { display: true, text: 'x' } }, y: { title: { display: true, text: 'f(x)' } } },
    },
  });
}

/** Three tick values over [lo, hi]: the ends and the middle, short. */
const ticks3 = (lo: number, hi: number) => [lo, (lo + hi) / 2, hi].map((v) => num(v));

/** One heat map (side × side values) into a canvas, with a title and x and y ticks over the domain. */
export function heatMap(host: HTMLElement, title: string, values: ArrayLike<number>, side: number, range: [number, number], summary: string, domain: [number, number], points?: Samples): void {
  const figure = document.createElement('figure');
  figure.className = 'heat';
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}: ${summary}`);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(side, side);
  const [lo, hi] = range;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      // Row 0 of the grid is the lowest y: draw it at the bottom.
      const [R, G, B] = viridis((values[r * side + c] - lo) / (hi - lo || 1));
      const o = ((side - 1 - r) * side + c) * 4;
      img.data.set([R, G, B, 255], o);
    }
  }
  ctx.putImageData(img, 0, 0);
  const wrap = document.createElement('div');
  wrap.className = 'heat-canvas';
  wrap.append(canvas);
  const axes = document.createElement('div');
  axes.className = 'heat-axes';
  axes.setAttribute('aria-hidden', 'true');
  const [x0, x1, x2] = ticks3(domain[0], domain[1]);
  axes.innerHTML = '<span class="y-ticks"><span></span><span></span><span></span></span><span class="x-ticks"><span></span><span></span><span></span></span>';
  axes.querySelectorAll('.y-ticks span').forEach((el, i) => (el.textContent = [x2, x1, x0][i]));
  axes.querySelectorAll('.x-ticks span').forEach((el, i) => (el.textContent = [x0, x1, x2][i]));
  axes.prepend(wrap);
  if (points) {
    const [a, b] = domain;
    for (let i = 0; i < points.n; i++) {
      const dot = document.createElement('span');
      dot.className = 'train-dot';
      dot.style.left = `${(100 * (points.x[2 * i] - a)) / (b - a)}%`;
      dot.style.top = `${100 - (100 * (points.x[2 * i + 1] - a)) / (b - a)}%`;
      wrap.append(dot);
    }
  }
  const cap = document.createElement('figcaption');
  cap.innerHTML = `<strong></strong><br><span class="scale"></span>`;
  cap.querySelector('strong')!.textContent = title;
  cap.querySelector('.scale')!.textContent = `${num(lo)} … ${num(hi)}`;
  figure.append(axes, cap);
  host.append(figure);
}

/** A colour bar with five numbered ticks over `range`. */
export function colourBar(label: string, range: [number, number]): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'colour-bar';
  const ramp = Array.from({ length: 11 }, (_, i) => `rgb(${viridis(i / 10).join(',')}) ${i * 10}%`).join(', ');
  bar.innerHTML = `<span class="bar-label"></span><div class="ramp"></div><div class="bar-ticks"></div>`;
  bar.querySelector('.bar-label')!.textContent = label;
  (bar.querySelector('.ramp') as HTMLElement).style.background = `linear-gradient(to right, ${ramp})`;
  const ticks = bar.querySelector('.bar-ticks')!;
  const span = range[1] - range[0];
  for (let i = 0; i <= 4; i++) {
    const v = range[0] + (span * i) / 4;
    const t = document.createElement('span');
    t.textContent = Math.abs(v) < 1e-6 * span ? '0' : String(Number(v.toPrecision(2)));
    ticks.append(t);
  }
  return bar;
}

/** The 2-D results: truth, baseline, GI on one colour scale; |errors| on another. Before a run
 *  (result null): the truth with the training points and its colour bar. */
export function drawHeatMaps(host: HTMLElement, train: Samples, test: Samples, side: number, domain: [number, number], result: PairResult | null): void {
  const grid = document.createElement('div');
  grid.className = 'heat-grid';
  const all = [...test.y, ...(result ? [...result.models[0].prediction, ...result.models[1].prediction] : [])];
  const range: [number, number] = [Math.min(...all), Math.max(...all)];
  const truth = () => heatMap(grid, 'truth f(x, y) with the training points', test.y, side, range, `values from ${num(range[0])} to ${num(range[1])}; ${train.n} training points marked`, domain, train);
  if (!result) {
    truth();
    const bar = document.createElement('figure');
    bar.className = 'heat heat-bar';
    bar.append(colourBar('f', range));
    grid.append(bar);
    const note = document.createElement('p');
    note.className = 'chart-summary';
    note.textContent = `Colour map viridis (dark = low, yellow = high); x to the right, y up, over [${domain.join(', ')}]². Run to train both models.`;
    host.append(grid, note);
    return;
  }
  const [b, g] = result.models;
  const err = (p: Float32Array) => Float32Array.from(p, (v, i) => Math.abs(v - test.y[i]));
  const eb = err(b.prediction);
  const eg = err(g.prediction);
  const erange: [number, number] = [0, Math.max(...eb, ...eg)];
  truth();
  heatMap(grid, `baseline (w = 0), RMSE ${num(b.rmse)}`, b.prediction, side, range, `test RMSE ${num(b.rmse)}`, domain);
  heatMap(grid, `GI (w = ${g.gradientWeight}), RMSE ${num(g.rmse)}`, g.prediction, side, range, `test RMSE ${num(g.rmse)}`, domain);
  const bar = document.createElement('figure');
  bar.className = 'heat heat-bar';
  bar.append(colourBar('f, top row', range), colourBar('|error|, bottom row', erange));
  grid.append(bar);
  heatMap(grid, '|baseline − truth|', eb, side, erange, `largest error ${num(erange[1])} on this shared scale`, domain);
  heatMap(grid, '|GI − truth|', eg, side, erange, `largest error ${num(Math.max(...eg))}`, domain);
  const note = document.createElement('p');
  note.className = 'chart-summary';
  note.textContent = `Colour map viridis (dark = low, yellow = high). Values share one scale (${num(range[0])} … ${num(range[1])}), errors another (0 … ${num(erange[1])}); x to the right, y up, over [${domain.join(', ')}]².`;
  host.append(grid, note);
}
