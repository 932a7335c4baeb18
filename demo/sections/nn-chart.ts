// Test RMSE vs η for the baseline and the GI model (mean ± sd over repeats), with the GI
// complexity bound UB and the best baseline η marked, drawn with chart.js.
import Chart from 'chart.js/auto';
import { chartCanvas } from './chart-canvas';
import type { SweepResult } from '../../src/experiments/index';

const BASELINE = '#3465a4';
const GI = '#cc0000';

/** Draws one sweep into a new canvas inside `host`; returns the chart (destroy it to free it). */
export function drawSweepChart(host: HTMLElement, title: string, result: SweepResult): Chart {
  const canvas = chartCanvas(host);
  const { summary, bound } = result;
  const pts = (pick: (s: SweepResult['summary'][number]) => number) => summary.map((s) => ({ x: s.eta, y: pick(s) }));
  const ys = summary.flatMap((s) => [s.baseline.rmse.mean + s.baseline.rmse.sd, s.gi.rmse.mean + s.gi.rmse.sd, s.baseline.rmse.mean - s.baseline.rmse.sd, s.gi.rmse.mean - s.gi.rmse.sd]);
  const lo = Math.max(0, Math.min(...ys));
  const hi = Math.max(...ys);
  const best = summary.find((s) => s.eta === bound.bestBaselineEta)!;
  const band = (color: string, sign: number, pick: (s: SweepResult['summary'][number]) => { mean: number; sd: number }) => ({
    label: '',
    data: pts((s) => pick(s).mean + sign * pick(s).sd),
    borderColor: 'transparent',
    backgroundColor: `${color}22`,
    pointRadius: 0,
    fill: sign > 0 ? '+1' : false,
  });
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        band(BASELINE, 1, (s) => s.baseline.rmse),
        band(BASELINE, -1, (s) => s.baseline.rmse),
        band(GI, 1, (s) => s.gi.rmse),
        band(GI, -1, (s) => s.gi.rmse),
        { label: 'baseline (w = 0)', data: pts((s) => s.baseline.rmse.mean), borderColor: BASELINE, backgroundColor: BASELINE },
        { label: `GI (w = ${result.config.giWeight ?? 0.5})`, data: pts((s) => s.gi.rmse.mean), borderColor: GI, backgroundColor: GI },
        {
          label: `UB = ${bound.ub}`,
          data: [{ x: bound.ub, y: lo }, { x: bound.ub, y: hi }],
          borderColor: '#2e7d32',
          borderDash: [6, 4],
          pointRadius: 0,
        },
        {
          label: `best baseline η = ${bound.bestBaselineEta}`,
          data: [{ x: best.eta, y: best.baseline.rmse.mean }],
          borderColor: '#000',
          backgroundColor: '#ffd600',
          pointStyle: 'star',
          pointRadius: 10,
          showLine: false,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: title },
        legend: { labels: { filter: (item) => item.text !== '', boxWidth: 12 } },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'η (hidden width 4·η)' } },
        y: { title: { display: true, text: 'test RMSE (mean ± sd)' } },
      },
    },
  });
}
