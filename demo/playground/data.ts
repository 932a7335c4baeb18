// "Your data": a pasted or uploaded CSV (inputs, one output, some derivative columns, blank
// cells allowed there), read by parseSurrogateCsv; a seeded train/test split; a baseline
// (w = 0) and a GI model trained as one group of two, their predictions on the test rows
// against the truth, with ± 2 sd error bars from an ensemble of R of each (ensemble.ts; a
// band over x for one input); the GI model as an ONNX download (export.ts); and the width
// sweep on the same split (sweep.ts).
// For tests the panel exposes window.__playgroundData.
import Chart from 'chart.js/auto';
import Papa from 'papaparse';
import { createMlpGroup, parseSurrogateCsv, type Context, type Dataset, type SurrogateData } from '../../src/index';
import { chartFigure, num } from '../shared/figure';
import { lineStyle, STYLE } from '../shared/palette';
import { tableBlock } from '../shared/table';
import { findDerivative, guessColumns } from './columns';
import { splitRows } from './data-split';
import { describe, drawBands, trainHalves, type EnsembleSummary, type Halves } from './ensemble';
import { OnnxDownload } from './export';
import { runSweep } from './sweep';

interface DataGlobals {
  __playgroundData: {
    running: boolean;
    /** The last training's test RMSE of [baseline, GI] and its rows; the test rows' inputs
     *  (row-major) and the GI model's predictions there; the ensembles' summary (null: R = 0). */
    result: null | {
      rmse: [number, number]; train: number; test: number; gradientWeight: number;
      testX: number[]; gi: number[]; ensemble: EnsembleSummary | null;
    };
    sweep: null | { ub: number; widths: number[] };
    error: string | null;
  };
}

const g = globalThis as unknown as DataGlobals;
g.__playgroundData = { running: false, result: null, sweep: null, error: null };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const rmse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
};

/** 201 points from the smallest to the largest x, for a band over one input. */
function bandGrid(x: Float32Array): Float32Array {
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return Float32Array.from({ length: 201 }, (_, i) => lo + ((hi - lo) * i) / 200);
}

/** The rows `rows` of a parsed dataset (x, y, dydx together). */
function takeRows(d: SurrogateData, rows: Uint32Array): Dataset {
  const nIn = d.inputs.length;
  const m = d.outputs.length;
  const per = m * d.gradientInputs.length;
  const pick = (a: Float32Array, w: number) => {
    const out = new Float32Array(rows.length * w);
    rows.forEach((r, i) => out.set(a.subarray(r * w, (r + 1) * w), i * w));
    return out;
  };
  return { x: pick(d.x, nIn), y: pick(d.y, m), ...(d.dydx ? { dydx: pick(d.dydx, per) } : {}) };
}

export function mountDataPanel(getContext: () => Context | null): void {
  const text = $<HTMLTextAreaElement>('csv-text');
  const file = $<HTMLInputElement>('csv-file');
  const info = $<HTMLElement>('csv-info');
  const columnsBox = $<HTMLElement>('csv-columns');
  const status = $<HTMLElement>('csv-status');
  const progress = $<HTMLProgressElement>('csv-progress');
  const trainButton = $<HTMLButtonElement>('csv-train');
  const sweepButton = $<HTMLButtonElement>('csv-sweep-run');
  const stopButton = $<HTMLButtonElement>('csv-stop');
  const fields = {
    testFraction: $<HTMLInputElement>('csv-test'), width: $<HTMLInputElement>('csv-width'), layers: $<HTMLInputElement>('csv-layers'),
    w: $<HTMLInputElement>('csv-w'), epochs: $<HTMLInputElement>('csv-epochs'), seed: $<HTMLInputElement>('csv-seed'),
    widths: $<HTMLInputElement>('csv-widths'), repeats: $<HTMLInputElement>('csv-repeats'), members: $<HTMLInputElement>('csv-members'),
  };
  const onnx = new OnnxDownload($('csv-fit'), {
    label: 'Download ONNX: GI model on your data',
    title: 'The single GI model whose test RMSE is shown (not the ensemble mean), as an ONNX file',
    note: 'After training: the single GI model scored above (not an ensemble member or mean) as an ONNX file, input x [N, inputs], output y [N, 1].',
    stem: 'sobolev-gi-data',
    barClass: 'csv-export-bar',
  });
  let header: string[] = [];
  let controller: AbortController | null = null;
  let charts: Chart[] = [];

  const setStatus = (message: string, error = false) => {
    status.textContent = message;
    status.className = error ? 'error' : '';
  };
  const setRunning = (running: boolean) => {
    g.__playgroundData.running = running;
    const ready = !!getContext() && header.length > 0;
    trainButton.disabled = running || !ready;
    sweepButton.disabled = running || !ready;
    stopButton.disabled = !running;
  };

  /** The header row (the first non-blank line), as parseSurrogateCsv reads it. */
  const readHeader = (csv: string): string[] => {
    const first = Papa.parse<string[]>(csv.trimStart(), { preview: 1 }).data[0] ?? [];
    return first.map((h) => h.trim()).filter((h) => h !== '');
  };

  // ---- column pickers ----------------------------------------------------------------

  const inputBoxes = (): HTMLInputElement[] => [...columnsBox.querySelectorAll<HTMLInputElement>('input[data-role="input"]')];
  const outputSelect = (): HTMLSelectElement | null => columnsBox.querySelector('#csv-output');

  function renderDerivatives(): void {
    const host = $<HTMLElement>('csv-derivatives');
    const output = outputSelect()?.value ?? '';
    const previous = new Map([...host.querySelectorAll<HTMLSelectElement>('select')].map((s) => [s.dataset.input!, s.value]));
    host.replaceChildren();
    for (const box of inputBoxes().filter((b) => b.checked && b.value !== output)) {
      const input = box.value;
      const label = document.createElement('label');
      label.textContent = `∂${output}/∂${input} column `;
      const select = document.createElement('select');
      select.dataset.input = input;
      select.append(new Option('(none)', ''));
      for (const h of header) if (h !== input && h !== output) select.append(new Option(h, h));
      select.value = previous.get(input) ?? findDerivative(header, output, input) ?? '';
      label.append(select);
      host.append(label);
    }
  }

  function renderColumns(): void {
    const guess = guessColumns(header);
    columnsBox.replaceChildren();
    const legend = document.createElement('legend');
    legend.textContent = 'Columns';
    const inputs = document.createElement('div');
    inputs.className = 'checks';
    inputs.setAttribute('role', 'group');
    inputs.setAttribute('aria-label', 'Input columns');
    const title = document.createElement('p');
    title.className = 'hint';
    title.textContent = 'Inputs:';
    for (const h of header) {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: h, checked: guess.inputs.includes(h) });
      box.dataset.role = 'input';
      label.append(box, ` ${h}`);
      inputs.append(label);
    }
    const outLabel = Object.assign(document.createElement('label'), { htmlFor: 'csv-output', textContent: 'Output' });
    const output = Object.assign(document.createElement('select'), { id: 'csv-output' });
    for (const h of header) output.append(new Option(h, h));
    output.value = guess.outputs[0] ?? header[header.length - 1];
    const derivatives = Object.assign(document.createElement('div'), { id: 'csv-derivatives', className: 'pair' });
    columnsBox.append(legend, title, inputs, outLabel, output, derivatives);
    renderDerivatives();
  }

  columnsBox.addEventListener('change', () => {
    renderDerivatives();
    preview();
  });

  /** The chosen columns, as parseSurrogateCsv takes them. */
  function chosenColumns() {
    const output = outputSelect()?.value ?? '';
    const inputs = inputBoxes().filter((b) => b.checked && b.value !== output).map((b) => b.value);
    const byInput: Record<string, string> = {};
    for (const s of $<HTMLElement>('csv-derivatives').querySelectorAll<HTMLSelectElement>('select')) if (s.value) byInput[s.dataset.input!] = s.value;
    return { inputs, outputs: [output], derivatives: Object.keys(byInput).length ? { [output]: byInput } : {} };
  }

  // ---- the data ----------------------------------------------------------------------

  /** Parses with the chosen columns and shows the first rows; null (and why) on an error. */
  function preview(): SurrogateData | null {
    const tableHost = $<HTMLElement>('csv-table');
    tableHost.replaceChildren();
    if (!header.length) return null;
    try {
      const cols = chosenColumns();
      if (!cols.inputs.length) throw new RangeError('choose at least one input column');
      const d = parseSurrogateCsv(text.value, cols);
      const dCols = d.gradientInputs.map((i) => cols.derivatives[cols.outputs[0]]?.[d.inputs[i]] ?? '');
      const shown = Math.min(d.n, 8);
      const rows = Array.from({ length: shown }, (_, i) => [
        ...d.inputs.map((_, j) => num(d.x[i * d.inputs.length + j])),
        num(d.y[i]),
        ...dCols.map((_, j) => {
          const v = d.dydx![i * d.gradientInputs.length + j];
          return Number.isNaN(v) ? '–' : num(v);
        }),
      ]);
      const missing = d.missing ? `, ${d.missing} of ${d.n * d.gradientInputs.length} derivative cells blank (left out of the loss)` : '';
      tableHost.append(tableBlock(`Your data: ${d.n} rows, ${d.inputs.length} inputs, output ${d.outputs[0]}, ${d.gradientInputs.length} derivative columns${missing}. First ${shown} rows:`, [...d.inputs, d.outputs[0], ...dCols], rows));
      info.className = 'hint';
      info.textContent = `${d.n} rows read.`;
      return d;
    } catch (e) {
      info.className = 'hint error';
      info.textContent = e instanceof Error ? e.message : String(e);
      return null;
    }
  }

  function load(csv: string): void {
    header = csv.trim() ? readHeader(csv) : [];
    if (header.length) {
      renderColumns();
      preview();
    } else {
      columnsBox.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'Columns' }));
      $<HTMLElement>('csv-table').replaceChildren();
      if (!csv.trim()) info.textContent = '';
    }
    setRunning(false);
  }

  let timer = 0;
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => load(text.value), 250);
  });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    text.value = await f.text();
    load(text.value);
  });

  // ---- training ----------------------------------------------------------------------

  /** Settings, or null with the field in error named in the status. */
  function settings() {
    const int = (el: HTMLInputElement, lo: number, hi: number, optional = false) => {
      if (optional && el.value.trim() === '') return undefined;
      const v = Number(el.value);
      if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${el.labels?.[0]?.textContent?.trim() ?? el.id}: a whole number from ${lo} to ${hi}`);
      return v;
    };
    const testFraction = Number(fields.testFraction.value);
    if (!(testFraction >= 0.05 && testFraction <= 0.8)) throw new RangeError('test fraction: a number from 0.05 to 0.8');
    const wText = fields.w.value.trim().toLowerCase();
    const w = wText === 'auto' ? ('auto' as const) : Number(wText);
    if (w !== 'auto' && !(w >= 0.01 && w <= 1)) throw new RangeError('GI weight w: a number from 0.01 to 1, or auto');
    const widths = fields.widths.value.split(/[\s,]+/).filter(Boolean).map(Number);
    if (!widths.length || widths.some((v) => !Number.isInteger(v) || v < 1 || v > 256) || new Set(widths).size !== widths.length) {
      throw new RangeError('sweep widths: distinct whole numbers from 1 to 256, separated by commas');
    }
    const members = int(fields.members, 0, 16)!;
    if (members === 1) throw new RangeError('ensemble R: 0 (no ensembles) or 2 to 16 (one model has no spread)');
    return {
      members, testFraction, w, width: int(fields.width, 1, 256)!, layers: int(fields.layers, 1, 6)!, epochs: int(fields.epochs, 1, 100000, true),
      seed: int(fields.seed, -1e9, 1e9)!, widths: widths.sort((a, b) => a - b), repeats: int(fields.repeats, 1, 5)!,
    };
  }

  function clearCharts(host: HTMLElement): void {
    for (const c of charts.filter((c) => host.contains(c.canvas))) c.destroy();
    charts = charts.filter((c) => !host.contains(c.canvas));
    host.replaceChildren();
  }

  /** Split, settings and context for a run; null (status says why) when something is missing. */
  function prepare() {
    const ctx = getContext();
    const d = preview();
    if (!ctx || !d) {
      setStatus(ctx ? 'Cannot run: fix the data first (see the note under the CSV).' : 'No WebGPU.', true);
      return null;
    }
    if (!d.dydx || d.gradientInputs.length === 0) {
      setStatus('Cannot run: GI needs at least one derivative column (pick one under Columns).', true);
      return null;
    }
    let s;
    try {
      s = settings();
    } catch (e) {
      setStatus(`Cannot run: ${e instanceof Error ? e.message : String(e)}`, true);
      return null;
    }
    if (d.n < 4) {
      setStatus('Cannot run: at least 4 rows are needed for a train/test split.', true);
      return null;
    }
    const split = splitRows(d.n, s.testFraction, s.seed);
    return { ctx, d, s, train: takeRows(d, split.train), test: takeRows(d, split.test), nTrain: split.train.length, nTest: split.test.length };
  }

  type Run = NonNullable<ReturnType<typeof prepare>>;

  /** One run (training or sweep): the buttons, progress and status around `work`; a failure
   *  is shown as `what` failed. */
  async function task(what: string, work: (run: Run, signal: AbortSignal) => Promise<void>): Promise<void> {
    const run = prepare();
    if (!run) return;
    g.__playgroundData.error = null;
    controller = new AbortController();
    setRunning(true);
    progress.removeAttribute('value');
    try {
      await work(run, controller.signal);
      progress.value = 1;
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      g.__playgroundData.error = message;
      progress.value = 0;
      setStatus(`${what} failed: ${message}`, true);
    } finally {
      controller = null;
      setRunning(false);
    }
  }

  const train = () => task('Training', async ({ ctx, d, s, train, test, nTrain, nTest }, signal) => {
    g.__playgroundData.result = null;
    onnx.clear();
    clearCharts($('csv-fit'));
    setStatus(`Training baseline and GI (w = ${s.w}) on ${nTrain} rows…`);
    const hidden = Array.from({ length: s.layers }, () => s.width);
    const group = createMlpGroup(ctx, { inputs: d.inputs.length, outputs: 1, models: [{ hidden, seed: s.seed }, { hidden, seed: s.seed }] });
    try {
      const reports = await group.fit(train, {
        gradientWeight: [0, s.w],
        gradientInputs: d.gradientInputs,
        seed: s.seed,
        ...(s.epochs !== undefined && { epochs: s.epochs }),
        signal,
        progressIntervalMs: 100,
        onProgress: (p) => {
          progress.value = p.epoch / p.epochs;
          setStatus(`Epoch ${p.epoch} of ${p.epochs} · loss baseline ${num(p.losses[0])}, GI ${num(p.losses[1])}`);
        },
      });
      const [pb, pg] = await group.predict(test.x);
      const errors: [number, number] = [rmse(pb, test.y), rmse(pg, test.y)];
      const w = reports[1].gradientWeight;
      onnx.offer(group.toJSON());
      group.destroy();
      drawPredictions(test.y, [pb, pg], errors, w, d.outputs[0]);
      let halves: Halves | null = null;
      if (s.members >= 2 && !signal.aborted) {
        setStatus(`Training the ensembles of ${s.members} baseline and ${s.members} GI (w = ${num(w)}) models…`);
        const grid = d.inputs.length === 1 ? bandGrid(d.x) : undefined;
        halves = await trainHalves(ctx, s.members, train, test, {
          hidden, seed: s.seed, gradientWeight: w, at: grid,
          fit: {
            gradientInputs: d.gradientInputs, ...(s.epochs !== undefined && { epochs: s.epochs }), signal,
            onProgress: (p) => {
              progress.value = p.epoch / p.epochs;
              setStatus(`Ensembles of ${s.members} + ${s.members}: epoch ${p.epoch} of ${p.epochs}`);
            },
          },
        });
        drawPredictions(test.y, [pb, pg], errors, w, d.outputs[0], halves);
        if (grid) drawBandOverX(train, test, grid, halves, { x: d.inputs[0], y: d.outputs[0] });
      }
      g.__playgroundData.result = { rmse: errors, train: nTrain, test: nTest, gradientWeight: w, testX: [...test.x], gi: [...pg], ensemble: halves?.summary ?? null };
      const stopped = reports.some((r) => r.aborted) || !!halves?.summary.aborted;
      const spread = halves ? `; ensembles of ${s.members}: mean spread (sd) baseline ${num(halves.summary.baseline.sdMeanOnGrid)}, GI ${num(halves.summary.gi.sdMeanOnGrid)}` : '';
      setStatus(`${stopped ? 'Stopped' : 'Done'}: test RMSE on ${nTest} rows, baseline ${num(errors[0])}, GI (w = ${num(w)}) ${num(errors[1])}${spread}.`);
    } finally {
      if (group.alive) group.destroy();
    }
  });

  /** One input: the ensembles' bands over x (at `grid`), the training and test rows. */
  function drawBandOverX(train: Dataset, test: Dataset, grid: Float32Array, h: Halves, names: { x: string; y: string }): void {
    charts.push(drawBands($('csv-fit'), train, { x: grid }, h.at![0], h.at![1], h.summary, { place: 'the test rows', points: test, xLabel: names.x, yLabel: names.y }));
  }

  /** Predicted against true values of the test rows, one series per model, and y = x; with
   *  ensembles, the GI ensemble's mean ± 2 sd as an error bar per row. */
  function drawPredictions(truth: Float32Array, predictions: Float32Array[], errors: number[], w: number, output: string, h: Halves | null = null): void {
    const host = $<HTMLElement>('csv-fit');
    clearCharts(host);
    const all = [...truth, ...predictions.flatMap((p) => [...p])];
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const better = errors[1] < errors[0] ? 'GI' : 'the baseline';
    const fig = chartFigure(host, `Predicted against true ${output} on the ${truth.length} test rows`,
      `Test RMSE: baseline ${num(errors[0])}, GI (w = ${num(w)}) ${num(errors[1])}; ${better} is lower. Points on the diagonal are exact.` +
      (h ? ` Bars: the GI ensemble's mean ± 2 sd. ${describe(h.summary, 'the test rows')}` : ''));
    fig.figure.dataset.plot = 'predicted-vs-true';
    if (h) fig.figure.dataset.errorBars = String(truth.length);
    const points = (p: Float32Array) => Array.from(truth, (t, i) => ({ x: t, y: p[i] }));
    const gi = h?.gi;
    // One line dataset for all bars: each bar's two ends, then a NaN that breaks the line.
    const bars = gi ? [
      { label: `GI ensemble of ${h.summary.members}: mean ± 2 sd`, data: points(gi.mean), ...lineStyle(STYLE.gi, 5), pointStyle: 'dash' as const, showLine: false },
      { label: 'bars', data: Array.from(truth, (t, i) => [{ x: t, y: gi.mean[i] - 2 * gi.sd[i] }, { x: t, y: gi.mean[i] + 2 * gi.sd[i] }, { x: t, y: NaN }]).flat(),
        borderColor: 'rgba(213, 94, 0, 0.6)', borderWidth: 1.5, pointRadius: 0, showLine: true, spanGaps: false },
    ] : [];
    charts.push(new Chart(fig.canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { label: `baseline (w = 0): RMSE ${num(errors[0])}`, data: points(predictions[0]), ...lineStyle(STYLE.baseline, 4), showLine: false },
          { label: `GI (w = ${num(w)}): RMSE ${num(errors[1])}`, data: points(predictions[1]), ...lineStyle(STYLE.gi, 4), showLine: false },
          { label: 'exact (y = x)', data: [{ x: lo, y: lo }, { x: hi, y: hi }], ...lineStyle(STYLE.truth, 0), showLine: true },
          ...bars,
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: `Test rows: predicted vs true ${output}` }, legend: { labels: { boxWidth: 14, filter: (item) => item.text !== 'bars' } } },
        scales: { x: { title: { display: true, text: `true ${output}` } }, y: { title: { display: true, text: `predicted ${output}` } } },
      },
    }));
  }

  const sweep = () => task('Sweep', async ({ ctx, d, s, train, test }, signal) => {
    g.__playgroundData.sweep = null;
    const host = $<HTMLElement>('csv-sweep');
    clearCharts(host);
    const { result, draw } = await runSweep(ctx, { train, test }, {
      widths: s.widths, hiddenLayers: s.layers, repeats: s.repeats, gradientWeight: s.w, seed: s.seed,
      inputs: d.inputs.length, gradientInputs: d.gradientInputs, epochs: s.epochs, signal,
      onProgress: (fraction, message) => {
        progress.value = fraction;
        setStatus(message);
      },
    });
    charts.push(draw(host));
    g.__playgroundData.sweep = { ub: result.bound.ub, widths: s.widths };
    setStatus(`Width sweep done in ${(result.ms / 1000).toFixed(1)} s: GI bound UB = ${result.bound.ub}, best baseline width ${result.bound.bestBaselineEta}.`);
  });

  trainButton.addEventListener('click', () => void train());
  sweepButton.addEventListener('click', () => void sweep());
  stopButton.addEventListener('click', () => {
    controller?.abort(new Error('stopped by the user'));
    setStatus('Stopping after the current chunk of steps…');
  });
  addEventListener('pagehide', () => controller?.abort());
  load(text.value);
}
