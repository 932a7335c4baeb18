// Section "nn": ideas 1 and 2 of the paper for feed-forward networks (docs/experiments.md §A).
// For every problem and N_train of the preset, a width sweep η × {baseline, GI} × repeats
// runs on the worker pool; the page draws test RMSE vs η with UB and the best η marked.
import { createPool } from '../../src/index';
import { NN_EXPERIMENTS, exposedStore, pagePreset, pageShard, runNnExperiments, type NnExperiment, type SweepResult } from '../../src/experiments/index';
import { drawSweepChart } from './nn-chart';
import { htmlTable, nnMarkdown, overviewRows, sweepTable } from './nn-report';
import { renderNn } from './nn-view';
import type { Preset, Section, SectionResult, SectionUi } from './types';

function workersParam(): number | undefined {
  const n = Number(new URLSearchParams(globalThis.location?.search ?? '').get('workers'));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function describeExperiment(exp: NnExperiment): string {
  const s = exp.settings;
  return (
    `${exp.title}: ${s.hiddenLayers} hidden layers (${s.activation ?? 'tanh'}), width 4·η, η ∈ {${exp.etas.join(', ')}}, ` +
    `${exp.repeats} repeats, Adam lr ${s.learningRate} ÷ ${1 + s.lrDecay} per epoch, ${s.epochs} epochs, batch ${s.batchSize}, ` +
    `output ${s.outputActivation}, N_train ∈ {${exp.nTrain.join(', ')}}, test ${exp.testSize}`
  );
}

async function run(shellPreset: Preset, ui: SectionUi, signal: AbortSignal): Promise<SectionResult> {
  const started = performance.now();
  // The URL's preset when it names one the experiments know (full, tiny), else the shell's.
  const preset = pagePreset(shellPreset);
  const experiments = NN_EXPERIMENTS[preset];
  const pool = createPool({ size: workersParam() });
  const charts = document.createElement('div');
  charts.className = 'charts';
  const tables = document.createElement('div');
  ui.element.append(charts, tables);
  const done: { exp: NnExperiment; result: SweepResult }[] = [];
  ui.log(`pool of ${pool.size} workers, preset ${preset}`);
  try {
    for (const exp of experiments) ui.log(describeExperiment(exp));
    // The experiments layer's plan runner: the plan and its estimate are logged first, then
    // progress (networks, steps, ETA); each finished group is stored through the functions
    // scripts/reproduce.mjs exposes (resume), and networks found there are not retrained.
    await runNnExperiments(pool, experiments, {
      signal,
      store: exposedStore(),
      shard: pageShard(), // ?shard=i/n (scripts/reproduce.mjs --shard): train and store only that shard
      calibrate: new URLSearchParams(globalThis.location?.search ?? '').get('estimate') !== '0', // --no-estimate
      log: (line) => ui.log(line),
      onProgress: (p) => ui.progress('network-steps, all sweeps', p.networkStepsDone, p.networkSteps),
      onSweep: (exp, result) => {
        const nTrain = result.config.nTrain;
        done.push({ exp, result });
        drawSweepChart(charts, `${exp.problem}, N = ${nTrain}`, result);
        const t = sweepTable(result);
        tables.append(htmlTable(`${exp.title}, N = ${nTrain}`, t.header, t.rows));
        ui.log(`${exp.problem} N=${nTrain}: ${t.note.replace(/\*\*/g, '')}`);
      },
    });
  } finally {
    await pool.destroy();
  }
  const overview = overviewRows(done);
  tables.prepend(htmlTable('Overview: best test RMSE over η, and the GI complexity bound', overview.header, overview.rows));
  const preamble =
    `Preset **${preset}**; ${pool.size} workers; adapter ${pool.adapter ? [pool.adapter.vendor, pool.adapter.architecture, pool.adapter.description].filter(Boolean).join(' ') : 'unknown'}. ` +
    `Baseline w = 0, GI w = 0.5; metrics on 1000 test points (staged problems: every stage's rollout prediction). ` +
    `garch4d supervises the partial derivative ∂σ_h/∂θ of each stage's own input map; toy2d's partial and total derivatives coincide.\n\n` +
    experiments.map((e) => `- ${describeExperiment(e)}`).join('\n') +
    (preset === 'quick'
      ? '\n\nThe quick preset trains a fraction of the paper\'s epochs on three widths: the networks are far from ' +
        'converged and the test RMSE still falls with width, so its bound is a check of the pipeline, not of the ' +
        'paper\'s claim; `--preset paper` runs the full protocol.'
      : '');
  return {
    id: 'nn',
    title: section.title,
    markdown: nnMarkdown(done, preamble),
    json: {
      preset,
      workers: pool.size,
      adapter: pool.adapter,
      seconds: (performance.now() - started) / 1000,
      experiments: experiments.map((exp) => ({
        problem: exp.problem,
        title: exp.title,
        stages: exp.stages,
        etas: exp.etas,
        repeats: exp.repeats,
        settings: exp.settings,
        sweeps: done.filter((d) => d.exp === exp).map(({ result }) => ({
          nTrain: result.config.nTrain,
          seconds: result.ms / 1000,
          bound: result.bound,
          summary: result.summary,
          runs: result.runs,
        })),
      })),
    },
  };
}

export const section: Section = {
  id: 'nn',
  title: 'Feed-forward networks: GI vs baseline, and the GI complexity bound (ideas 1 and 2)',
  needsGpu: true,
  // One progress task: the network-steps of all sweeps.
  tasks: () => 1,
  run,
  render: renderNn,
};
