// Mean test RMSE vs training size N for each linear method of the sine protocol, drawn with
// chart.js in the style of nn-chart.ts.
import Chart from 'chart.js/auto';
import { chartCanvas } from './chart-canvas';
import type { LinearExperimentResult, LinearMethod } from '../../src/experiments/index';

/** Display names and colours of the methods. */
export const METHOD_STYLE: Record<LinearMethod, { label: string; color: string }> = {
  leastSquares: { label: 'least squares', color: '#888a85' },
  ridge: { label: 'ridge', color: '#3465a4' },
  giLeastSquares: { label: 'GI least squares', color: '#73d216' },
  ridgeGradient: { label: 'ridge-gradient (2-D λ1, λ2)', color: '#cc0000' },
  ridgeGradient1d: { label: 'ridge-gradient (1-D, λ1 = λ2)', color: '#f57900' },
};

/** Draws RMSE vs N into a new canvas inside `host`; returns the chart (destroy it to free it). */
export function drawLinearChart(host: HTMLElement, title: string, result: LinearExperimentResult): Chart {
  const canvas = chartCanvas(host);
  const datasets = result.methods.map((m) => ({
    label: METHOD_STYLE[m].label,
    data: result.summary.filter((s) => s.method === m && Number.isFinite(s.mean)).map((s) => ({ x: s.n, y: s.mean })),
    borderColor: METHOD_STYLE[m].color,
    backgroundColor: METHOD_STYLE[m].color,
    borderDash: m === 'leastSquares' ? [4, 4] : undefined,
  }));
  return new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: title }, legend: { labels: { boxWidth: 12 } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'N (training points)' } },
        y: { type: 'logarithmic', title: { display: true, text: `mean test RMSE (${result.config.repeats} datasets per N)` } },
      },
    },
  });
}
