// Section "linear": ideas 1 and 3 of the paper for linear models (docs/experiments.md §B). The sine
// protocol: for each N, fresh noisy datasets with exact derivatives; ridge, GI least squares and
// ridge-gradient (2-D and 1-D grids) with hyper-parameters chosen on a validation set; mean test
// RMSE per N as a table and a plot. The Gram sums run on the GPU when the page has WebGPU, else
// on the CPU. With the GPU, two checks go with the table: the sums against float64 at up to a
// million rows, and the fits of the first datasets redone with the CPU sums.
import { createContext, type Context } from '../../src/index';
import { createGpuSums, gramSums } from '../../src/linear/index';
import type { SumsBackend } from '../../src/linear/index';
import { LINEAR_METHODS, LINEAR_SECTION_SETTINGS, pagePreset, pairedGain, runLinearExperiment, type LinearExperimentOptions } from '../../src/experiments/index';
import { sineData, sineGrid } from '../../src/experiments/problems/sine';
import { compareSums, type SumsComparison, type SumsDataKind } from '../../src/linear/sums-check';
import { renderLinear } from './linear-view';
import { agreementTable, backendAgreement, precisionTable, rmseTable } from './linear-report';
import type { Preset, Section, SectionResult, SectionUi } from './types';

/** Per preset: the experiments layer's LINEAR_SECTION_SETTINGS (quick: 30 datasets per N on a
 *  51-point λ grid; full and paper: §B as is). */
const SETTINGS = LINEAR_SECTION_SETTINGS;

/** Datasets per N that are fitted again with the CPU sums to check the GPU backend. */
const CROSS_CHECK_REPEATS = 5;
/** Rows of the GPU-vs-float64 sums check (p = 8 features, one derivative block). */
const PRECISION_ROWS = [1e3, 1e5, 1e6];
const PRECISION_KINDS: SumsDataKind[] = ['random', 'ill-scaled'];

interface Backend {
  sums: SumsBackend;
  name: string;
  ctx: Context | null;
}

async function chooseBackend(ui: SectionUi): Promise<Backend> {
  try {
    const ctx = await createContext();
    const a = ctx.adapterInfo;
    const adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown adapter';
    const name = `GPU (${adapter}): two float32 words per value, exact head products, TwoSum block sums, float64 host reduction`;
    return { sums: createGpuSums(ctx), name, ctx };
  } catch (e) {
    ui.log(`no WebGPU context (${e instanceof Error ? e.message : String(e)}): sums on the CPU`);
    return { sums: gramSums, name: 'CPU float64 (no WebGPU context in this page)', ctx: null };
  }
}

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

async function measurePrecision(sums: SumsBackend, ui: SectionUi, signal: AbortSignal): Promise<SumsComparison[]> {
  const out: SumsComparison[] = [];
  const total = PRECISION_ROWS.length * PRECISION_KINDS.length;
  ui.progress('GPU sums vs float64', 0, total);
  await compareSums(sums, 'random', 8, 8, 1, 1); // compiles the kernel outside the timings
  for (const n of PRECISION_ROWS) {
    for (const kind of PRECISION_KINDS) {
      checkAbort(signal);
      out.push(await compareSums(sums, kind, n, 8, 1, 7));
      ui.progress('GPU sums vs float64', out.length, total);
    }
  }
  return out;
}

function generate(n: number, seed: number) {
  const d = sineData({ n, seed });
  return { x: Float64Array.from(d.x), y: Float64Array.from(d.y), dydx: Float64Array.from(d.dydx) };
}

async function run(shellPreset: Preset, ui: SectionUi, signal: AbortSignal): Promise<SectionResult> {
  const started = performance.now();
  // The URL's preset when it names one the experiments know (full, tiny), else the shell's.
  const preset = pagePreset(shellPreset);
  const backend = await chooseBackend(ui);
  try {
    const precision = backend.ctx ? await measurePrecision(backend.sums, ui, signal) : [];
    const grid = sineGrid(100);
    const base: LinearExperimentOptions = { ...SETTINGS[preset], methods: LINEAR_METHODS, generate, test: { x: grid.x, y: grid.y } };
    const progress = (task: string) => (done: number, total: number) => {
      checkAbort(signal);
      ui.progress(task, done, total);
    };
    const result = await runLinearExperiment({ ...base, sums: backend.sums, onProgress: progress('sine datasets') });
    const cpu = backend.ctx
      ? await runLinearExperiment({ ...base, repeats: Math.min(CROSS_CHECK_REPEATS, result.config.repeats), sums: gramSums, onProgress: progress('CPU-sums cross-check') })
      : null;
    const agreement = cpu ? backendAgreement(result, cpu) : [];
    const gain = pairedGain(result, 'ridgeGradient');
    const c = result.config;
    const preamble =
      `Preset **${preset}**: y = sin x + N(0, 0.1²), x ~ U(0, 2.5π), exact dy/dx; 7 Gaussian RBFs + constant; ` +
      `N ∈ {${c.nTrain.join(', ')}}, ${c.repeats} datasets per N, validation ${c.nValidation} points, test 100-point grid; ` +
      `λ grid ${c.lambdaGrid.length} values on [0, 10] (2-D ridge-gradient: ${c.lambdaGrid.length}²), γ grid ${c.gammaGrid.length} values.\n\n` +
      `Gram sums computed by: **${backend.name}**.`;
    const checks = cpu
      ? `\n\nThe first ${cpu.config.repeats} datasets per N fitted again with CPU float64 sums:\n\n${agreementTable(agreement)}` +
        `\n\nGPU sums vs CPU float64 sums (p = 8, one derivative block; max over ΦᵀΦ, Φᵀy, Φ'ᵀΦ', Φ'ᵀy'). "Scaled": each entry's ` +
        `error over its Cauchy–Schwarz bound √(G_rr·G_cc), against the one-pass float64 sums. "Centred": error over √(C_rr·C_cc), C the centred ` +
        `sums, against an accurate two-pass float64 reference; the CPU column is the one-pass float64 sums' own error.\n\n${precisionTable(precision)}`
      : '';
    const seconds = (performance.now() - started) / 1000;
    ui.log(`done in ${seconds.toFixed(1)} s`);
    return {
      id: 'linear',
      title: section.title,
      markdown: `${preamble}\n\nMean test RMSE per N:\n\n${rmseTable(result, gain)}${checks}`,
      json: {
        preset,
        backend: backend.name,
        seconds,
        config: result.config,
        summary: result.summary,
        ridgeMinusRidgeGradient: gain,
        backendAgreement: agreement,
        sumsPrecision: precision,
        runs: result.runs,
      },
    };
  } finally {
    backend.ctx?.destroy();
  }
}

export const section: Section = {
  id: 'linear',
  title: 'Linear models: ridge vs ridge-gradient and GI least squares on the sine problem (ideas 1 and 3)',
  // The sums fall back to the CPU (float64) when the page has no WebGPU.
  needsGpu: false,
  tasks: (_preset, gpu) => (gpu ? 3 : 1),
  run,
  render: renderLinear,
};
