// Section "generative": idea 4 of the paper (docs/experiments.md §C). A conditional generator
// θ → image trained on values only (baseline) or also on the renderer's projected JVPs (GI),
// over N_train: test pixel RMSE vs N, image grids, what k buys, and what a step costs.
import { createContext } from '../../src/index';
import { GENERATIVE_PRESETS, measureStepCost, modelCount, runGenerativeExperiment } from '../../src/experiments/generative/index';
import { costTable, describeConfig, generativeMarkdown, gridJson, kTable, rmseTable } from './generative-report';
import { drawImageGrid, drawRmseChart, htmlTable, renderGenerative } from './generative-view';
import type { Preset, Section, SectionResult, SectionUi } from './types';

async function run(preset: Preset, ui: SectionUi, signal: AbortSignal): Promise<SectionResult> {
  const started = performance.now();
  const config = GENERATIVE_PRESETS[preset];
  const ctx = await createContext();
  const info = ctx.adapterInfo;
  const adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const charts = document.createElement('div');
  charts.className = 'charts';
  const grids = document.createElement('div');
  const tables = document.createElement('div');
  ui.element.append(charts, grids, tables);
  try {
    ui.log(`${adapter}; ${describeConfig(config)}`);
    const models = 'train generators';
    ui.progress(models, 0, modelCount(config));
    const result = await runGenerativeExperiment(ctx, config, {
      signal,
      onProgress: (done, total, label) => {
        ui.progress(models, done, total);
        ui.log(label);
      },
    });
    for (const size of config.sizes) drawRmseChart(charts, size, result.summary, config.giWeight);
    for (const grid of result.grids) drawImageGrid(grids, grid);
    tables.append(htmlTable(rmseTable(result)), htmlTable(kTable(result)));

    const task = 'time training steps';
    const cost = await measureStepCost(ctx, { ...config.cost, model: config.model, signal, onProgress: (done, total) => ui.progress(task, done, total) });
    tables.append(htmlTable(costTable(cost, adapter)));

    const seconds = (performance.now() - started) / 1000;
    const preamble =
      `Preset **${preset}**; adapter ${adapter}; ${seconds.toFixed(0)} s. ${describeConfig(config)}. ` +
      `Training never forms ∂image/∂θ: the renderer returns J·v for the directions the engine draws (tangentTargets).`;
    return {
      id: section.id,
      title: section.title,
      markdown: generativeMarkdown(result, cost, adapter, preamble),
      json: {
        preset,
        adapter,
        seconds,
        config,
        summary: result.summary,
        runs: result.runs,
        kStudy: result.kStudy,
        cost,
        grids: result.grids.map(gridJson),
      },
    };
  } finally {
    ctx.destroy();
  }
}

export const section: Section = {
  id: 'generative',
  title: 'Generative image model with gradient information: projected JVP losses (idea 4)',
  needsGpu: true,
  tasks: () => 2,
  run,
  render: renderGenerative,
};
