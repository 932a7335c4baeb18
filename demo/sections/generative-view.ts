// Drawing of the generative-image experiment: test RMSE vs N_train (chart.js) and image grids
// (truth / baseline / GI rows, one column per held-out θ) painted with putImageData.
import Chart from 'chart.js/auto';
import { chartCanvas } from './chart-canvas';
import type { GenerativeSummary, ImageGrid } from '../../src/experiments/generative/index';
import type { Table } from './generative-report';

const BASELINE = '#3465a4';
const GI = '#cc0000';

/** Test RMSE vs N for one image size, mean ± sd bands. */
export function drawRmseChart(host: HTMLElement, size: number, summary: GenerativeSummary[], giWeight: number): Chart {
  const canvas = chartCanvas(host);
  const rows = summary.filter((s) => s.size === size);
  const line = (label: string, color: string, pick: (s: GenerativeSummary) => { mean: number; sd: number }) => [
    { label: '', data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean + pick(s).sd })), borderColor: 'transparent', backgroundColor: `${color}22`, pointRadius: 0, fill: '+1' as const },
    { label: '', data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean - pick(s).sd })), borderColor: 'transparent', pointRadius: 0, fill: false as const },
    { label, data: rows.map((s) => ({ x: s.nTrain, y: pick(s).mean })), borderColor: color, backgroundColor: color },
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
  canvas.style.cssText = `width:${canvas.width * scale}px;height:${canvas.height * scale}px;image-rendering:pixelated;background:#8a93a6`;
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

/** An HTML table element (caption, header, rows). */
export function htmlTable(t: Table): HTMLTableElement {
  const table = document.createElement('table');
  table.createCaption().textContent = t.caption;
  const head = table.createTHead().insertRow();
  for (const h of t.header) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  const body = table.createTBody();
  for (const r of t.rows) {
    const tr = body.insertRow();
    for (const c of r) tr.insertCell().textContent = c;
  }
  return table;
}
