import type { BenchResult, ModeRow, SweepRow } from './results';

const f = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const e = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(1));
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function sweepTable(rows: SweepRow[], key: 'width' | 'n'): string[] {
  const head = key === 'width' ? 'width' : 'N';
  const out = [
    `| ${head} | stacked rows | MFLOP/step | ms/step (median) | GFLOP/s | % of peak | dispatch floor ms |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.error) out.push(`| ${r[key]} | ${r.rows} | ${f(r.mflopsPerStep)} | ${cell(r.error)} | | | ${f(r.dispatchFloorMs, 2)} |`);
    else out.push(`| ${r[key]} | ${r.rows} | ${f(r.mflopsPerStep)} | ${f(r.msPerStep, 2)} | ${f(r.gflops, 2)} | ${f(r.pctPeak)} | ${f(r.dispatchFloorMs, 2)} |`);
  }
  return out;
}

/** Each jacobianMode's cost against d (one output) and against m, with the ratios the
 *  goals read: auto vs forward at each point, and each mode's step over its d = 1 step. */
function modesTable(rows: ModeRow[]): string[] {
  const at = (d: number, m: number, mode: string) => rows.find((r) => r.d === d && r.m === m && r.mode === mode);
  const out = [
    '| d | m | least MFLOP/step | forward ms/step | reverse ms/step | auto ms/step (runs) | auto ÷ forward speed-up | auto vs its d = 1 step | auto GFLOP/s (least) | auto % of peak |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const points = [...new Set(rows.map((r) => `${r.d}|${r.m}`))].map((key) => key.split('|').map(Number));
  for (const [d, m] of points) {
    const fw = at(d, m, 'forward');
    const rv = at(d, m, 'reverse');
    const au = at(d, m, 'auto');
    const base = at(1, m, 'auto');
    const ms = (r?: ModeRow) => (r?.error ? cell(r.error) : f(r?.msPerStep, 2));
    out.push(
      `| ${d} | ${m} | ${f(au?.mflopsLeast)} | ${ms(fw)} | ${ms(rv)} | ${ms(au)} (${au?.ran ?? '–'}) | ${f((fw?.msPerStep ?? NaN) / (au?.msPerStep ?? NaN), 2)}× | ` +
        `${m === 1 ? `${f((au?.msPerStep ?? NaN) / (base?.msPerStep ?? NaN), 2)}×` : ''} | ${f(au?.gflops, 2)} | ${f(au?.pctPeak)} |`,
    );
  }
  return out;
}

/** The issue's goals (≥ 1.0× jax-js wasm, ≥ 10× jax-js webgpu, ≥ 30× TF.js webgpu, ≥ 50 % of
 *  the FMA peak), each judged from this run's medians. */
export function goalLines(r: BenchResult): string[] {
  const out: string[] = [];
  const best = (library: string, device: string) => r.best?.find((b) => b.library === library && b.device === device);
  const goal = (label: string, b: ReturnType<typeof best>, target: number) => {
    if (!b) return;
    if (b.ratio === undefined) out.push(`- ${label}: no formulation passed its check, not judged`);
    else out.push(`- ${label} (≥ ${target}×): ${f(b.ratio, 2)}× against ${b.formulation} — **${b.ratio >= target ? 'met' : 'not met'}**`);
  };
  goal('vs jax-js wasm at its best', best('jax-js', 'wasm (jit)'), 1);
  goal('vs jax-js webgpu at its best', best('jax-js', 'webgpu (jit)'), 10);
  goal('vs TF.js webgpu at its best', best('TF.js', 'webgpu'), 30);
  const ours = r.main.find((m) => m.id === 'ours' || m.library === 'sobolev-webgpu');
  if (ours?.pctPeak !== undefined && Number.isFinite(ours.pctPeak)) out.push(`- share of the in-page FMA peak (≥ 50 %): ${f(ours.pctPeak)} % — **${ours.pctPeak >= 50 ? 'met' : 'not met'}**`);
  return out;
}

/** The markdown report (bench/results/latest.md and bench/RESULTS.md). */
export function toMarkdown(r: BenchResult): string {
  const a = r.adapter;
  const p = r.problem;
  const lines: string[] = [];
  lines.push('# Benchmark: one Sobolev training step', '');
  lines.push(`- Date: ${r.date}`);
  lines.push(`- Adapter: vendor \`${a.vendor || '?'}\`, architecture \`${a.architecture || '?'}\`${a.description ? `, ${a.description}` : ''}${a.device ? ` (${a.device})` : ''}`);
  lines.push(`- Browser: ${r.userAgent}`);
  lines.push(`- CPU threads: ${r.hardwareConcurrency}; cross-origin isolated: ${r.crossOriginIsolated ? 'yes (jax-js wasm may use threads)' : 'no (jax-js wasm single-threaded)'}`);
  lines.push(
    `- Step: ${p.sizes.join('→')} MLP (${p.activation}), N = ${p.n} full batch, ${p.loss}, k = ${p.k} tangent directions, w = ${p.w}, Adam (lr ${p.learningRate}); ` +
      `${f(p.mflopsPerStep)} MFLOP per step counted analytically: the least arithmetic that gives the gradient, 3 GEMMs per layer over (1 + min(k, m))·N = ${(1 + Math.min(p.k, p.sizes[p.sizes.length - 1])) * p.n} stacked rows (forward + weight and activation gradients; an FMA is 2 FLOPs)`,
  );
  if (r.peak) {
    const k = r.peak;
    lines.push(
      `- Peak (WGSL FMA-chain kernel in the same page): fma() ${f(k.fmaGflops, 2)} GFLOP/s, a·m+c ${f(k.mulAddGflops, 2)} GFLOP/s → peak ${f(k.peakGflops, 2)} GFLOP/s; ` +
        `${f(k.dispatchUs)} µs per dispatch; empty submit ${f(k.submitMs, 2)} ms; 4-byte readback ${f(k.readbackMs, 2)} ms`,
    );
  }
  if (r.quick) lines.push('- **Quick run** (`--quick`): fewer repeats and sizes; numbers are indicative only.');
  lines.push(`- Whole run: ${f(r.totalSeconds, 0)} s. Rerun: \`npm run bench\` (headless Chromium; writes bench/results/latest.{json,md} and this file).`);
  lines.push('');

  lines.push('## Libraries (same page, same data and initial parameters)', '');
  lines.push(
    'ms/step: median over timed blocks (blocks interleaved across libraries, so a change in the machine\'s load hits all of them), each block a run of steps that ends with the results read back; ' +
      'best: the fastest block. Ratio: ms/step ÷ sobolev-webgpu\'s (> 1: sobolev-webgpu is faster). GFLOP/s and % of peak from the median and the analytic FLOP count.',
    '',
  );
  if (r.best?.length) {
    const ours = r.main.find((m) => m.id === 'ours' || m.library === 'sobolev-webgpu');
    lines.push('### Each peer at its best', '');
    lines.push(
      'Per library and device, the fastest formulation (median ms/step) among those that ran and passed the gradient check below; ' +
        `our ratio = its ms/step ÷ ours (${f(ours?.msPerStep, 2)} ms; > 1: sobolev-webgpu is faster). Every formulation timed is listed.`,
      '',
    );
    lines.push('| library | device | fastest correct formulation | ms/step (median) | sobolev-webgpu is … × faster | best block ratio | formulations timed |');
    lines.push('|---|---|---|---:|---:|---:|---|');
    for (const b of r.best) {
      lines.push(`| ${b.library} | ${b.device} | ${b.formulation ?? 'none passed'} | ${f(b.msPerStep, 2)} | ${f(b.ratio, 2)}× | ${f(b.bestRatio, 2)}× | ${cell(b.formulations.join('; '))} |`);
    }
    lines.push('');
    const goals = goalLines(r);
    if (goals.length) lines.push('Goals of issue 14 for this step, from the rows above:', '', ...goals, '');
    lines.push('### Every formulation', '');
  }
  lines.push('| library | device | formulation | ms/step (median) | ratio | best ms/step | best ratio | GFLOP/s | % of peak | gradient check | steps × blocks | how the step is written |');
  lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---|---|---|');
  for (const m of r.main) {
    if (m.status === 'failed') {
      lines.push(`| ${m.library} | ${m.device} | ${m.formulation ?? ''} | failed | | | | | | ${m.gradientCheck ?? '–'} | | ${cell(m.error ?? '')} |`);
      continue;
    }
    lines.push(
      `| ${m.library} | ${m.device} | ${m.formulation ?? ''} | ${f(m.msPerStep, 2)} | ${f(m.ratio, 2)}× | ${f(m.bestMsPerStep, 2)} | ${f(m.bestRatio, 2)}× | ${f(m.gflops, 2)} | ${f(m.pctPeak)} | ${m.gradientCheck ?? '–'} | ${m.stepsPerBlock} × ${m.blocks?.length ?? 0} | ${cell(m.method)} |`,
    );
  }
  lines.push('GFLOP/s counts the least arithmetic that gives the gradient (the count above: min(k, m) stacked blocks) for every row, whatever a formulation executes, so a formulation that does more arithmetic (k tangent blocks where m cotangent blocks would do) shows as fewer GFLOP/s.', '');

  lines.push('## Gradient check (before timing)', '');
  lines.push('Loss and parameter gradients at the initial parameters of a small instance (same architecture, N = 64) against the float64 reference (`refLossAndGradients`): max over tensors of ‖g − g_ref‖∞ / ‖g_ref‖∞.', '');
  lines.push('| library | device | formulation | status | loss | reference loss | gradient rel. error | vs sobolev-webgpu | note |');
  lines.push('|---|---|---|---|---:|---:|---:|---:|---|');
  for (const c of r.checks) {
    lines.push(`| ${c.library} | ${c.device} | ${c.formulation ?? ''} | ${c.status} | ${f(c.loss, 6)} | ${f(c.refLoss, 6)} | ${e(c.gradRelErr)} | ${e(c.vsOursRelErr)} | ${cell(c.error ?? c.note ?? '')} |`);
  }
  lines.push('');

  if (r.profile) {
    const pr = r.profile;
    lines.push(`## Where a sobolev-webgpu step spends its time${r.profileFormulation ? ` (${r.profileFormulation})` : ''}`, '');
    lines.push(
      `${pr.dispatchesPerStep} dispatches per step; × ${f(r.peak?.dispatchUs)} µs per dispatch = ${f(pr.dispatchFloorMs, 2)} ms floor. ` +
        `The dispatches of one fit() step were recorded and each replayed alone many times (best of 3): ${f(pr.sumMs, 2)} ms summed; the recorded step replayed back to back: ${f(pr.replayMsPerStep, 2)} ms` +
        (pr.fitMsPerStep ? `; fit(): ${f(pr.fitMsPerStep, 2)} ms per step.` : '.'),
      '',
    );
    lines.push('| kernel | dispatches/step | ms/step (isolated) | share | GFLOP/s | % of peak |', '|---|---:|---:|---:|---:|---:|');
    for (const k of pr.byLabel) {
      const pct = k.gflops !== undefined && r.peak ? (100 * k.gflops) / r.peak.peakGflops : undefined;
      lines.push(`| ${k.label} | ${k.count} | ${f(k.ms, 3)} | ${f((100 * k.ms) / pr.sumMs)}% | ${f(k.gflops, 2)} | ${f(pct)} |`);
    }
    lines.push('');
    lines.push('Every dispatch of one step, in order (GEMM FLOPs as in the step count above):', '');
    lines.push('| # | kernel | what | workgroups | ms (isolated) | MFLOP | GFLOP/s | % of peak |', '|---:|---|---|---:|---:|---:|---:|---:|');
    for (const k of pr.kernels) {
      const pct = k.gflops !== undefined && r.peak ? (100 * k.gflops) / r.peak.peakGflops : undefined;
      lines.push(`| ${k.index} | ${k.label} | ${k.what ?? ''} | ${k.workgroups} | ${f(k.ms, 3)} | ${k.flops ? f(k.flops / 1e6, 2) : ''} | ${f(k.gflops, 2)} | ${f(pct)} |`);
    }
    lines.push('');
  }

  if (r.kernels?.length) {
    lines.push('## Direct-GEMM changes, each against the path without it', '');
    lines.push('bench/kernels.ts: the step\'s own shapes, the two settings of one GemmPreferences switch interleaved in this page (median ms per run of the dispatches), outputs compared bit for bit.', '');
    lines.push('| what | change | without (ms) | with (ms) | speed-up | dispatches | outputs |', '|---|---|---:|---:|---:|---|---|');
    for (const k of r.kernels) {
      lines.push(`| ${cell(k.what)} | ${cell(k.change)} | ${f(k.withoutMs, 3)} | ${f(k.withMs, 3)} | ${f(k.speedup, 2)}× | ${k.dispatchesWithout} → ${k.dispatchesWith} | ${k.identical ? 'bitwise identical' : 'differ'} |`);
    }
    lines.push('');
  }
  if (r.width.length) {
    lines.push(`## sobolev-webgpu vs width (two hidden layers of the width, N = ${r.width[0].n})`, '');
    lines.push(...sweepTable(r.width, 'width'), '');
  }
  if (r.n.length) {
    lines.push(`## sobolev-webgpu vs N (width ${r.n[0].width}, full batch)`, '');
    lines.push(...sweepTable(r.n, 'n'), '');
  }
  if (r.modes?.length) {
    lines.push('## jacobianMode: forward, reverse and auto against the inputs d and the outputs m', '');
    lines.push(
      "d → 64 → 64 → m tanh MLP (linear output), N = 1024 full batch, 'all' directions (k = d), w = 0.5, Adam; Mlp.fit with each jacobianMode (the same page and run). " +
        'Least MFLOP counts the arithmetic of min(k, m) stacked blocks, what GFLOP/s and % of peak are computed from.',
      '',
    );
    lines.push(...modesTable(r.modes), '');
  }
  if (r.warnings.length) {
    lines.push('## Warnings', '');
    for (const w of r.warnings) lines.push(`- ${cell(w)}`);
    lines.push('');
  }
  return lines.join('\n');
}
