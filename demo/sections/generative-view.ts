// Drawing of the generative-image experiment: test RMSE vs N_train (chart.js), what k buys
// (chart.js), image grids (truth / baseline / GI rows, one column per held-out θ) painted with
// putImageData, and the whole section from its JSON (renderGenerative).
import Chart from 'chart.js/auto';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE } from '../shared/palette';
import { GENERATIVE_PRESETS, type CostResult, type GenerativeConfig, type GenerativeResult, type GenerativeSummary, type ImageGrid } from '../../src/experiments/generative/index';
import { generativeVerdicts } from '../../src/experiments/paper';
import { caveatBox, verdictList } from '../report/compare';
import { tableBlock } from '../shared/table';
import { costTable, kTable, rmseTable, type Table } from './generative-report';

const BASELINE = STYLE.baseline.color;
const GI = STYLE.gi.color;

/** Test RMSE vs N for one image size, mean ± sd bands. */
export function drawRmseChart(host: HTMLElement, size: number, summary: GenerativeSummary[], giWeight: number): Chart {
  const rows = summary.filter((s) => s.size === size);
  const { canvas } = chartFigure(
    host,
    `${size}×${size} images: test pixel RMSE vs N_train`,
    rows.map((s) => `N = ${s.nTrain}: baseline ${num(s.baseline.mean)}, GI ${num(s.gi.mean)} (GI / baseline ${num(s.gi.mean / s.baseline.mean)})`).join('; ') + '.',
  );
  const line = (label: string, color: string, pick: (s: GenerativeSummary) => { mean: number; sd: number }) => [
    { label: '', data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean + pick(s).sd })), borderColor: 'transparent', backgroundColor: `${color}22`, pointRadius: 0, fill: '+1' as const },
    { label: '', data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean - pick(s).sd })), borderColor: 'transparent', pointRadius: 0, fill: false as const },
    { label, data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean })), ...lineStyle(color === GI ? STYLE.gi : STYLE.baseline) },
  ];
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [...line('baseline (w = 0)', BASELINE, (s) => s.baseline), ...line(`GI (w = ${giWeight})`, GI, (s) => s.gi)] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: `${size}×${size} images: test pixel RMSE vs N_train` },
        legend: { labels: { filter: (item) => item.text !== '', boxWidth: 12 } },
      },
      scales: {
        x: {
          type: 'logarithmic',
          min: Math.min(...rows.map((s) => s.nTrain)) / 1.15,
          max: Math.max(...rows.map((s) => s.nTrain)) * 1.15,
          title: { display: true, text: 'N_train (log scale)' },
          ticks: { autoSkip: false, callback: (v) => String(v) },
          // Ticks at the N values of the experiment only.
          afterBuildTicks: (axis) => {
            axis.ticks = rows.map((s) => ({ value: s.nTrain }));
          },
        },
        y: { title: { display: true, text: 'test pixel RMSE (mean ± sd)' } },
      },
    },
  });
}

/** Paints an image (size² values, clamped to [0, 1]) into `data` at (x0, y0). */
function paint(data: ImageData, image: Float32Array, size: number, x0: number, y0: number): void {
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, image[i * size + j])));
      const o = ((y0 + i) * data.width + x0 + j) * 4;
      data.data[o] = data.data[o + 1] = data.data[o + 2] = v;
      data.data[o + 3] = 255;
    }
  }
}

/** A grid figure: rows truth / baseline / GI, one column per test θ, pixels scaled up. */
export function drawImageGrid(host: HTMLElement, grid: ImageGrid): void {
  const { size } = grid;
  const rows: [string, Float32Array[]][] = [['truth', grid.truth], ['baseline', grid.baseline], ['GI', grid.gi]];
  const gap = 1;
  const cols = grid.truth.length;
  const canvas = document.createElement('canvas');
  canvas.width = cols * (size + gap) - gap;
  canvas.height = rows.length * (size + gap) - gap;
  const scale = Math.max(2, Math.round(96 / size));
  canvas.style.cssText = `width:${canvas.width * scale}px;height:${canvas.height * scale}px;max-width:none;image-rendering:pixelated;background:#8a93a6`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Image grid, ${size}×${size}, N_train = ${grid.nTrain}: rows truth, baseline, GI; ${cols} held-out θ`);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  rows.forEach(([, images], r) => images.forEach((img, c) => paint(image, img, size, c * (size + gap), r * (size + gap))));
  ctx.putImageData(image, 0, 0);
  const figure = document.createElement('figure');
  figure.style.cssText = 'display:inline-grid;grid-template-columns:auto auto;gap:4px 8px;align-items:center;margin:8px 16px 8px 0';
  const labels = document.createElement('div');
  labels.style.cssText = `display:grid;grid-template-rows:repeat(${rows.length}, ${(size + gap) * scale}px);align-items:center;font-size:12px`;
  for (const [name] of rows) labels.append(Object.assign(document.createElement('span'), { textContent: name }));
  const caption = document.createElement('figcaption');
  caption.style.gridColumn = '1 / 3';
  caption.textContent = `${size}×${size}, N_train = ${grid.nTrain}: held-out θ (pixels clamped to [0, 1])`;
  figure.append(labels, canvas, caption);
  host.append(figure);
}

/** Test RMSE for each kind of derivative supervision at one N (the k study). */
export function drawKChart(host: HTMLElement, k: GenerativeResult['kStudy']): Chart {
  const rows = k.rows;
  const base = rows.find((r) => r.k === 0)?.rmse ?? NaN;
  const { canvas } = chartFigure(
    host,
    `What k buys: test RMSE at N = ${k.nTrain}, ${k.size}×${k.size}`,
    rows.map((r) => `${r.label}: ${num(r.rmse)}${r.k > 0 ? ` (${num(r.rmse / base)} × values only)` : ''}`).join('; ') + '.',
  );
  const colours = rows.map((r) => (r.k === 0 ? BASELINE : GI));
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => (r.k === 0 ? 'values only' : r.label.replace(/^projected,?\s*/i, ''))),
      datasets: [{ label: 'test pixel RMSE', data: rows.map((r) => r.rmse), backgroundColor: colours.map((c) => `${c}cc`), borderColor: colours, borderWidth: 2 }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: `What k buys (N = ${k.nTrain}, ${k.size}×${k.size})` }, legend: { display: false } },
      scales: { x: { title: { display: true, text: 'derivative supervision (k random θ-directions per sample)' } }, y: { beginAtZero: true, title: { display: true, text: 'test pixel RMSE' } } },
    },
  });
}

/** The section's JSON (docs/reproduction.md: results.json). */
interface GenerativeJson {
  preset?: string;
  adapter?: string;
  config: GenerativeConfig;
  summary: GenerativeSummary[];
  kStudy: GenerativeResult['kStudy'];
  cost?: CostResult;
  grids: ImageGrid[];
}

/** Settings of this run that differ from the paper preset, in words. */
function generativeCaveat(d: GenerativeJson): string | null {
  const p = GENERATIVE_PRESETS.paper;
  const c = d.config;
  const diff: string[] = [];
  if (c.sizes.join() !== p.sizes.join()) diff.push(`sizes ${c.sizes.join(', ')} (paper preset: ${p.sizes.join(', ')})`);
  if (c.nTrain.join() !== p.nTrain.join()) diff.push(`N_train ∈ {${c.nTrain.join(', ')}} (paper preset: ${p.nTrain.join(', ')})`);
  if (c.repeats !== p.repeats) diff.push(`${c.repeats} repeat(s) (paper preset: ${p.repeats})`);
  if (c.training.steps !== p.training.steps) diff.push(`${c.training.steps} steps (paper preset: ${p.training.steps})`);
  return diff.length ? `This run is not the full protocol: ${diff.join('; ')}.` : null;
}

export function renderGenerative(data: unknown, host: HTMLElement): void {
  const d = data as GenerativeJson;
  const caveat = caveatBox(generativeCaveat(d));
  if (caveat) host.append(caveat);
  host.append(verdictList(generativeVerdicts(d)));
  const charts = document.createElement('div');
  charts.className = 'charts';
  host.append(charts);
  for (const size of d.config.sizes) drawRmseChart(charts, size, d.summary, d.config.giWeight);
  if (d.kStudy?.rows?.length) drawKChart(charts, d.kStudy);
  const grids = document.createElement('div');
  grids.className = 'image-grids';
  // It scrolls sideways on a narrow screen: a named region that takes the keyboard focus.
  grids.tabIndex = 0;
  grids.setAttribute('role', 'region');
  grids.setAttribute('aria-label', 'Image grids: truth, baseline and GI for held-out θ');
  host.append(grids);
  for (const grid of d.grids) drawImageGrid(grids, grid);
  const result = { summary: d.summary, kStudy: d.kStudy, config: d.config } as GenerativeResult;
  host.append(htmlTable(rmseTable(result)), htmlTable(kTable(result)));
  if (d.cost) host.append(htmlTable(costTable(d.cost, d.adapter ?? 'this adapter')));
}

/** A table with its caption (demo/shared/table.ts). */
export function htmlTable(t: Table): HTMLElement {
  return tableBlock(t.caption, t.header, t.rows);
}
