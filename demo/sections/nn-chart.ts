// Test RMSE vs η for the baseline and the GI model (mean ± sd over repeats), with the GI
// complexity bound UB, the best baseline η and the best GI η marked and ticks at the η values
// that were run, drawn with chart.js; the figure carries a text summary for screen readers.
import Chart from 'chart.js/auto';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE } from '../shared/palette';
import type { SweepResult } from '../../src/experiments/index';

/** What the chart reads of a sweep (a SweepResult, or a sweep of results.json). */
export interface SweepLike {
  summary: SweepResult['summary'];
  bound: Pick<SweepResult['bound'], 'ub' | 'bestBaselineEta'>;
  config?: { giWeight?: number | 'auto' };
}

type Row = SweepLike['summary'][number];

/** Draws one sweep into a new figure inside `host`; returns the chart (destroy it to free it).
 *  `xTitle` names the η axis (sweepWidths: η is the hidden width itself). */
export function drawSweepChart(host: HTMLElement, title: string, result: SweepLike, xTitle = 'η (hidden width 4·η)'): Chart {
  const { summary, bound } = result;
  const pts = (pick: (s: Row) => number) => summary.map((s) => ({ x: s.eta, y: pick(s) }));
  const ys = summary.flatMap((s) => [s.baseline.rmse.mean + s.baseline.rmse.sd, s.gi.rmse.mean + s.gi.rmse.sd, s.baseline.rmse.mean - s.baseline.rmse.sd, s.gi.rmse.mean - s.gi.rmse.sd]).filter(Number.isFinite);
  const lo = Math.max(0, Math.min(...ys));
  const hi = Math.max(...ys);
  const bestB = summary.find((s) => s.eta === bound.bestBaselineEta) ?? summary[0];
  const bestG = summary.reduce((a, s) => (s.gi.rmse.mean < a.gi.rmse.mean ? s : a), summary[0]);
  const wins = summary.filter((s) => s.gi.rmse.mean < s.baseline.rmse.mean).length;
  const w = result.config?.giWeight ?? 0.5;
  const band = (color: string, sign: number, pick: (s: Row) => { mean: number; sd: number }) => ({
    label: '',
    data: pts((s) => pick(s).mean + sign * pick(s).sd),
    borderColor: 'transparent',
    backgroundColor: `${color}22`,
    pointRadius: 0,
    fill: sign > 0 ? '+1' : false,
  });
  const etas = summary.map((s) => s.eta);
  const range = (sel: (s: Row) => number) => `${num(Math.min(...summary.map(sel)))} to ${num(Math.max(...summary.map(sel)))}`;
  const fig = chartFigure(
    host,
    `${title}: test RMSE against width η`,
    `η ∈ {${etas.join(', ')}}. Baseline RMSE ${range((s) => s.baseline.rmse.mean)}, GI ${range((s) => s.gi.rmse.mean)}; GI lower at ${wins} of ${summary.length} widths. ` +
      `Best baseline η = ${bestB.eta} (${num(bestB.baseline.rmse.mean)}), best GI η = ${bestG.eta} (${num(bestG.gi.rmse.mean)}); UB = ${bound.ub}.`,
  );
  return new Chart(fig.canvas, {
    type: 'line',
    data: {
      datasets: [
        band(STYLE.baseline.color, 1, (s) => s.baseline.rmse),
        band(STYLE.baseline.color, -1, (s) => s.baseline.rmse),
        band(STYLE.gi.color, 1, (s) => s.gi.rmse),
        band(STYLE.gi.color, -1, (s) => s.gi.rmse),
        { label: 'baseline (w = 0)', data: pts((s) => s.baseline.rmse.mean), ...lineStyle(STYLE.baseline) },
        { label: `GI (w = ${w})`, data: pts((s) => s.gi.rmse.mean), ...lineStyle(STYLE.gi) },
        { label: `UB = ${bound.ub}`, data: [{ x: bound.ub, y: lo }, { x: bound.ub, y: hi }], ...lineStyle(STYLE.green, 0) },
        {
          label: `best baseline η = ${bestB.eta}`,
          data: [{ x: bestB.eta, y: bestB.baseline.rmse.mean }],
          borderColor: '#000', backgroundColor: STYLE.baseline.color, pointStyle: 'star', pointRadius: 11, borderWidth: 2, showLine: false,
        },
        {
          label: `best GI η = ${bestG.eta}`,
          data: [{ x: bestG.eta, y: bestG.gi.rmse.mean }],
          borderColor: '#000', backgroundColor: STYLE.gi.color, pointStyle: 'rectRot', pointRadius: 9, borderWidth: 2, showLine: false,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: title },
        legend: { labels: { filter: (item) => item.text !== '', boxWidth: 14 } },
      },
      scales: {
        x: {
          type: 'linear',
          min: Math.min(...etas, bound.ub) - 1,
          max: Math.max(...etas, bound.ub) + 1,
          title: { display: true, text: xTitle },
          ticks: { autoSkip: true, maxRotation: 0 },
          // Ticks at the η values of the sweep only.
          afterBuildTicks: (axis) => {
            axis.ticks = etas.map((value) => ({ value }));
          },
        },
        y: { title: { display: true, text: 'test RMSE (mean ± sd)' } },
      },
    },
  });
}
