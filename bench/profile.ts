// Where a training step spends its time, without touching the library: record the compute
// dispatches one `fit` step issues (by wrapping GPUComputePassEncoder for the duration), keep
// its buffers alive, then replay each recorded dispatch many times in a pass of its own and
// time it. Per-kernel cost in isolation, the dispatch count, and the whole step replayed.

export interface RecordedDispatch {
  label: string;
  pipeline: GPUComputePipeline;
  groups: { index: number; group: GPUBindGroup; offsets: number[] }[];
  workgroups: [number, number, number];
}

export interface KernelCost {
  /** Position in the step. */
  index: number;
  label: string;
  workgroups: number;
  /** Replayed alone, ms per dispatch (best of 3 runs, the empty-submit time removed: the
   *  best run is the one least disturbed by other work on the machine). */
  ms: number;
  /** What this dispatch computes, when it could be matched to the step's structure. */
  what?: string;
  flops?: number;
  gflops?: number;
}

export interface StepProfile {
  dispatchesPerStep: number;
  kernels: KernelCost[];
  /** Per pipeline label: dispatches per step and their summed isolated time (and FLOPs). */
  byLabel: LabelCost[];
  /** Sum of the isolated kernel times. */
  sumMs: number;
  /** The whole recorded step replayed back to back in one pass (ms per step, best of 3). */
  replayMsPerStep: number;
}

export interface LabelCost {
  label: string;
  count: number;
  ms: number;
  flops?: number;
  gflops?: number;
}

/** Sums the kernels per pipeline label, most expensive first. */
export function summarizeByLabel(kernels: KernelCost[]): LabelCost[] {
  const byLabel = new Map<string, LabelCost>();
  for (const k of kernels) {
    const e = byLabel.get(k.label) ?? { label: k.label, count: 0, ms: 0 };
    e.count++;
    e.ms += k.ms;
    if (k.flops !== undefined) e.flops = (e.flops ?? 0) + k.flops;
    byLabel.set(k.label, e);
  }
  for (const e of byLabel.values()) if (e.flops !== undefined && e.ms > 0) e.gflops = e.flops / (e.ms * 1e6);
  return [...byLabel.values()].sort((a, b) => b.ms - a.ms);
}

type PassProto = {
  setPipeline(p: GPUComputePipeline): void;
  setBindGroup(i: number, g: GPUBindGroup | null, offsets?: Iterable<number> | Uint32Array, start?: number, length?: number): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
};

/**
 * Runs `work` while recording every compute dispatch issued on any device, and defers every
 * GPUBuffer.destroy() until `release()` so the recorded bind groups stay valid for replay.
 */
export async function recordDispatches(work: () => Promise<void>): Promise<{ dispatches: RecordedDispatch[]; release(): void }> {
  const proto = GPUComputePassEncoder.prototype as unknown as PassProto;
  const bufferProto = GPUBuffer.prototype as unknown as { destroy(): void };
  const original = { setPipeline: proto.setPipeline, setBindGroup: proto.setBindGroup, dispatch: proto.dispatchWorkgroups, destroy: bufferProto.destroy };
  const state = new WeakMap<object, { pipeline: GPUComputePipeline | null; groups: Map<number, { group: GPUBindGroup; offsets: number[] }> }>();
  const stateOf = (pass: object) => {
    let s = state.get(pass);
    if (!s) state.set(pass, (s = { pipeline: null, groups: new Map() }));
    return s;
  };
  const dispatches: RecordedDispatch[] = [];
  const deferred: GPUBuffer[] = [];
  proto.setPipeline = function (this: GPUComputePassEncoder, p: GPUComputePipeline) {
    stateOf(this).pipeline = p;
    original.setPipeline.call(this, p);
  };
  proto.setBindGroup = function (this: GPUComputePassEncoder, i, g, offsets, start, length) {
    let list: number[] = [];
    if (offsets) {
      const all = Array.from(offsets as Iterable<number>);
      list = start !== undefined && length !== undefined ? all.slice(start, start + length) : all;
    }
    if (g) stateOf(this).groups.set(i, { group: g, offsets: list });
    if (offsets === undefined) original.setBindGroup.call(this, i, g);
    else if (start === undefined) original.setBindGroup.call(this, i, g, offsets);
    else original.setBindGroup.call(this, i, g, offsets as Uint32Array, start, length);
  };
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y = 1, z = 1) {
    const s = stateOf(this);
    if (s.pipeline) {
      dispatches.push({
        label: s.pipeline.label || '(unlabelled)',
        pipeline: s.pipeline,
        groups: [...s.groups].map(([index, v]) => ({ index, group: v.group, offsets: v.offsets })),
        workgroups: [x, y, z],
      });
    }
    original.dispatch.call(this, x, y, z);
  };
  bufferProto.destroy = function (this: GPUBuffer) {
    deferred.push(this);
  };
  const restore = () => {
    proto.setPipeline = original.setPipeline;
    proto.setBindGroup = original.setBindGroup;
    proto.dispatchWorkgroups = original.dispatch;
  };
  try {
    await work();
  } finally {
    restore();
  }
  return {
    dispatches,
    release() {
      bufferProto.destroy = original.destroy;
      for (const b of deferred) b.destroy();
    },
  };
}

function encode(pass: GPUComputePassEncoder, d: RecordedDispatch): void {
  pass.setPipeline(d.pipeline);
  for (const g of d.groups) pass.setBindGroup(g.index, g.group, g.offsets);
  pass.dispatchWorkgroups(...d.workgroups);
}

async function timeReplay(device: GPUDevice, list: RecordedDispatch[], reps: number): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'bench:replay' });
  const pass = encoder.beginComputePass({ label: 'bench:replay' });
  for (let r = 0; r < reps; r++) for (const d of list) encode(pass, d);
  pass.end();
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/** Replays each dispatch (and then the whole step) on `device`; about `targetMs` per kernel. */
export async function profileDispatches(device: GPUDevice, dispatches: RecordedDispatch[], emptyMs: number, targetMs = 150): Promise<StepProfile> {
  const kernels: KernelCost[] = [];
  for (let i = 0; i < dispatches.length; i++) {
    const d = dispatches[i];
    const probe = await timeReplay(device, [d], 4);
    const reps = Math.max(4, Math.min(400, Math.round((4 * targetMs) / Math.max(probe, 0.05))));
    const times: number[] = [];
    for (let r = 0; r < 3; r++) times.push(await timeReplay(device, [d], reps));
    kernels.push({ index: i, label: d.label, workgroups: d.workgroups[0] * d.workgroups[1] * d.workgroups[2], ms: Math.max(0, Math.min(...times) - emptyMs) / reps });
  }
  const sumMs = kernels.reduce((s, k) => s + k.ms, 0);
  const steps = Math.max(2, Math.min(100, Math.round(1000 / Math.max(sumMs, 0.1))));
  const stepTimes: number[] = [];
  for (let r = 0; r < 3; r++) stepTimes.push(await timeReplay(device, dispatches, steps));
  return {
    dispatchesPerStep: dispatches.length,
    kernels,
    byLabel: summarizeByLabel(kernels),
    sumMs,
    replayMsPerStep: (Math.min(...stepTimes) - emptyMs) / steps,
  };
}

/**
 * Names the GEMM dispatches of an MLP step and counts their FLOPs, matching the grouped
 * GEMM's pipeline labels ('gemm-grouped|transA|transB|onesRow|epilogue|…') to the step's
 * structure: the forward 'primal' and 'tangent' products for l = 1..L, then the weight
 * gradients (transA) for l = L..1 and the activation gradients (the other 'none' products,
 * op(B) = Wᵀ or W transposed beforehand) for l = L..2. Leaves a kernel unannotated when the
 * counts do not fit that structure.
 */
export function annotateMlpStep(kernels: KernelCost[], sizes: number[], n: number, k: number, reverse = false): void {
  if (reverse) return annotateReverseStep(kernels, sizes, n, k);
  const L = sizes.length - 1;
  const rows = (1 + k) * n;
  const fields = (x: KernelCost) => x.label.split('|');
  const gemm = kernels.filter((x) => fields(x)[0] === 'gemm-grouped');
  const primal = gemm.filter((x) => fields(x)[4] === 'primal');
  const tangent = gemm.filter((x) => fields(x)[4] === 'tangent');
  const weight = gemm.filter((x) => fields(x)[4] === 'none' && fields(x)[1] === 't');
  const input = gemm.filter((x) => fields(x)[4] === 'none' && fields(x)[1] === 'n');
  const set = (list: KernelCost[], expected: number, layerOf: (i: number) => number, what: string, flops: (l: number) => number) => {
    if (list.length !== expected) return;
    list.forEach((x, i) => {
      const l = layerOf(i);
      x.what = `${what} l=${l} (${sizes[l - 1]}→${sizes[l]})`;
      x.flops = flops(l);
      x.gflops = x.ms > 0 ? x.flops / (x.ms * 1e6) : undefined;
    });
  };
  set(primal, L, (i) => i + 1, `forward primal, ${n} rows`, (l) => 2 * n * sizes[l - 1] * sizes[l]);
  set(tangent, L, (i) => i + 1, `forward tangents, ${k * n} rows`, (l) => 2 * k * n * sizes[l - 1] * sizes[l]);
  set(weight, L, (i) => L - i, `[W̄; b̄] = [A|1]ᵀ·Z̄, K = ${rows}`, (l) => 2 * rows * (sizes[l - 1] + 1) * sizes[l]);
  set(input, L - 1, (i) => L - i, `Ā = Z̄·Wᵀ, ${rows} rows`, (l) => 2 * rows * sizes[l] * sizes[l - 1]);
  for (const x of kernels) if (x.label.startsWith('transpose-grouped')) x.what = 'Wᵀ for the next Ā = Z̄·Wᵀ';
  for (const x of kernels) if (x.label.startsWith('activation-backward-grouped')) x.what = 'Z̄ = σ\'(Z)⊙Ā (+ σ\'\' coupling)';
}

/** annotateMlpStep for a reverse-mode step with m = `blocks` cotangent blocks: the primal
 *  forward, the input-gradient sweep (Ḡ = Ĝ·Wᵀ), the adjoint sweep (R̂ = R·W), the weight
 *  gradient over (1 + m)·n rows and Ā over the n primal rows. */
function annotateReverseStep(kernels: KernelCost[], sizes: number[], n: number, blocks: number): void {
  const L = sizes.length - 1;
  const rows = (1 + blocks) * n;
  const fields = (x: KernelCost) => x.label.split('|');
  const gemm = kernels.filter((x) => fields(x)[0] === 'gemm-grouped');
  const mark = (x: KernelCost | undefined, what: string, flops: number) => {
    if (!x) return;
    x.what = what;
    x.flops = flops;
    x.gflops = x.ms > 0 ? flops / (x.ms * 1e6) : undefined;
  };
  const primal = gemm.filter((x) => fields(x)[4] === 'primal');
  const adjoint = gemm.filter((x) => fields(x)[4] === 'tangent' && fields(x)[2] === 'n');
  const sweep = gemm.filter((x) => fields(x)[2] === 't' && fields(x)[1] === 'n' && (fields(x)[4] === 'tangent' || fields(x)[4] === 'none'));
  const weight = gemm.filter((x) => fields(x)[4] === 'none' && fields(x)[1] === 't');
  if (primal.length === L) primal.forEach((x, i) => mark(x, `forward primal l=${i + 1}, ${n} rows`, 2 * n * sizes[i] * sizes[i + 1]));
  if (adjoint.length === L) adjoint.forEach((x, i) => mark(x, `adjoint sweep R̂ = R·W l=${i + 1}, ${blocks * n} rows`, 2 * blocks * n * sizes[i] * sizes[i + 1]));
  // The sweep (levels L..1), then Ā = Z̄·Wᵀ (levels L..2, primal rows): both NT products.
  if (sweep.length === 2 * L - 1) {
    sweep.forEach((x, i) => {
      const l = i < L ? L - i : 2 * L - i;
      const m = i < L ? blocks * n : n;
      mark(x, i < L ? `input-gradient sweep Ḡ = Ĝ·Wᵀ l=${l}, ${m} rows` : `Ā = Z̄·Wᵀ l=${l}, ${m} rows`, 2 * m * sizes[l] * sizes[l - 1]);
    });
  }
  if (weight.length === L) weight.forEach((x, i) => mark(x, `[W̄; b̄] = [A; R|1]ᵀ·[Z̄; Ĝ] l=${L - i}, K = ${rows}`, 2 * rows * (sizes[L - i - 1] + 1) * sizes[L - i]));
  for (const x of kernels) if (x.label.startsWith('activation-backward-grouped')) x.what = "Z̄ = σ'(Z)⊙Ā + σ''(Z)⊙R̂⊙Ḡ, Ĝ = σ'(Z)⊙Ḡ";
  for (const x of kernels) if (x.label.startsWith('reverse-seed-grouped')) x.what = "Ḡ_L = e_j, Ĝ_L = σ'(Z_L)⊙e_j";
  for (const x of kernels) if (x.label.startsWith('reverse-project-grouped')) x.what = 'Ẏ = Ḡ_0·v, R_0 = Σ coef·v';
}
