// The linear section's figures: mean test RMSE vs N per method (the axis clipped to the
// regularised methods, so a least-squares outlier cannot flatten the rest; clipped points are
// named in the summary) and a second panel with the paired difference ridge − ridge-gradient
// per N with ±1 standard-error bars (above 0: ridge-gradient is better).
import Chart from 'chart.js/auto';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE, type SeriesStyle } from '../shared/palette';
import type { LinearMethod, LinearSummary } from '../../src/experiments/index';

/** Display names and styles of the methods. */
export const METHOD_STYLE: Record<LinearMethod, { label: string; style: SeriesStyle }> = {
  leastSquares: { label: 'least squares', style: STYLE.grey },
  ridge: { label: 'ridge', style: STYLE.baseline },
  giLeastSquares: { label: 'GI least squares', style: STYLE.green },
  ridgeGradient: { label: 'ridge-gradient (2-D λ1, λ2)', style: STYLE.gi },
  ridgeGradient1d: { label: 'ridge-gradient (1-D, λ1 = λ2)', style: STYLE.purple },
};

/** What the charts read: the methods, the per-N summary, the paired gains. */
export interface LinearLike {
  methods: LinearMethod[];
  summary: LinearSummary[];
  repeats: number;
  nTrain: number[];
  gains: { label: string; style: SeriesStyle; rows: { n: number; mean: number; se: number; count: number }[] }[];
}

/** RMSE vs N, clipped at 2.5 × the largest regularised mean. */
export function drawLinearChart(host: HTMLElement, title: string, r: LinearLike): Chart {
  const regularised = r.summary.filter((s) => s.method !== 'leastSquares' && s.method !== 'giLeastSquares' && Number.isFinite(s.mean));
  const top = 2.5 * Math.max(...regularised.map((s) => s.mean));
  const bottom = 0.8 * Math.min(...r.summary.filter((s) => Number.isFinite(s.mean) && s.mean > 0).map((s) => s.mean));
  const clipped = r.summary.filter((s) => Number.isFinite(s.mean) && s.mean > top);
  const datasets = r.methods.map((m) => ({
    label: METHOD_STYLE[m].label,
    data: r.summary.filter((s) => s.method === m && Number.isFinite(s.mean)).map((s) => ({ x: s.n, y: Math.min(s.mean, top) })),
    ...lineStyle(METHOD_STYLE[m].style),
    // A clipped point is drawn at the top edge as an open marker.
    pointBackgroundColor: r.summary.filter((s) => s.method === m && Number.isFinite(s.mean)).map((s) => (s.mean > top ? '#fff' : METHOD_STYLE[m].style.color)),
  }));
  const at = (m: LinearMethod, n: number) => r.summary.find((s) => s.method === m && s.n === n)?.mean ?? NaN;
  const n0 = r.nTrain[0];
  const n1 = r.nTrain[r.nTrain.length - 1];
  const fig = chartFigure(
    host,
    title,
    r.methods.map((m) => `${METHOD_STYLE[m].label}: ${num(at(m, n0))} at N = ${n0}, ${num(at(m, n1))} at N = ${n1}`).join('; ') +
      (clipped.length ? `. Off the chart (above ${num(top)}, drawn as open markers at the top edge): ${clipped.map((s) => `${METHOD_STYLE[s.method].label} at N = ${s.n} (${num(s.mean)})`).join(', ')}.` : '.'),
  );
  return new Chart(fig.canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 14 } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'N (training points)' }, afterBuildTicks: (axis) => { axis.ticks = r.nTrain.filter((_n, i) => r.nTrain.length <= 8 || i % 2 === 0).map((value) => ({ value })); } },
        y: { type: 'logarithmic', min: bottom, max: top, title: { display: true, text: 'mean test RMSE (log)' } },
      },
    },
  });
}

/** The paired gain ridge − ridge-gradient per N with ±1 SE bars; 0 is marked. */
export function drawGainChart(host: HTMLElement, title: string, r: LinearLike): Chart {
  const datasets: object[] = [];
  r.gains.forEach((g, j) => {
    const dx = (j - (r.gains.length - 1) / 2) * 0.3; // side by side at each N
    datasets.push({ label: g.label, data: g.rows.map((x) => ({ x: x.n + dx, y: x.mean })), ...lineStyle(g.style) });
    const bars = g.rows.flatMap((x) => [{ x: x.n + dx, y: x.mean - x.se }, { x: x.n + dx, y: x.mean + x.se }, { x: x.n + dx, y: null }]);
    datasets.push({ label: '', data: bars, borderColor: g.style.color, borderWidth: 1.5, pointRadius: 0, spanGaps: false });
  });
  const ns = r.nTrain;
  datasets.push({ label: '', data: [{ x: ns[0] - 1, y: 0 }, { x: ns[ns.length - 1] + 1, y: 0 }], borderColor: '#555', borderWidth: 1, pointRadius: 0 });
  const sig = (g: LinearLike['gains'][number]) => g.rows.filter((x) => x.mean > 2 * x.se).length;
  const fig = chartFigure(
    host,
    title,
    r.gains.map((g) => `${g.label}: above 0 at ${g.rows.filter((x) => x.mean > 0).length} of ${g.rows.length} sizes, by more than 2 standard errors at ${sig(g)}; ` +
      `at N = ${g.rows[0]?.n} ${num(g.rows[0]?.mean)} ± ${num(g.rows[0]?.se)}`).join('. ') + '. Above 0 means ridge-gradient has the lower test RMSE.',
  );
  return new Chart(fig.canvas, {
    type: 'line',
    data: { datasets: datasets as never },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: title }, legend: { labels: { filter: (item) => item.text !== '', boxWidth: 14 } } },
      scales: {
        x: { type: 'linear', min: ns[0] - 1, max: ns[ns.length - 1] + 1, title: { display: true, text: 'N (training points)' }, afterBuildTicks: (axis) => { axis.ticks = ns.filter((_n, i) => ns.length <= 8 || i % 2 === 0).map((value) => ({ value })); } },
        y: { title: { display: true, text: 'ridge − RG test RMSE (± SE)' } },
      },
    },
  });
}
