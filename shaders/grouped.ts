import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import type { Activation } from '../src/types';
import { activationId, activationsWgsl } from './activations';
import { flatWorkgroups, GroupDims, groupBinding, tableBinding } from './gemm-grouped';
import { bind, type Binding, type Program } from './program';
import { rngWgsl } from './rng';
import { StepInfo } from './step';
import { defineTable, findRecordWgsl } from './table';

/** Every grouped elementwise kernel: `item(id, lid)` does one workgroup's share (id < total)
 *  of the problem whose `start` is the last one ≤ id. The dispatched workgroups stride over
 *  the ids, so an emulated adapter can run a few long workgroups instead of thousands of
 *  short ones. */
const strided = /* wgsl */ `
${findRecordWgsl('problems', 'dims.count')}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let stride = groups.x * groups.y;
  for (var id = wgId.x + wgId.y * groups.x; id < dims.total; id += stride) { item(id, lid); }
}`;

/** `strided`, with locate: a share's problem and the thread's index there (one per thread). */
export const locate = (table: string) => /* wgsl */ `
${strided}

struct Located { p: ${table}, index: u32 }

fn locate(id: u32, lid: u32) -> Located {
  let p = problems[findRecord(id)];
  return Located(p, (id - p.start) * 64u + lid);
}`;

export const BackProblem = defineTable('BackProblem', [
  'n', 'width', 'k', 'valueScale', 'tangentScale', 'offZ', 'offUp', 'offZbar', 'offY', 'offT', 'offM', 'start',
] as const);

/**
 * Grouped activation backward (shaders/sobolev.ts for one model): one thread per (sample,
 * unit) of each problem; with `seed` the upstream rows are the outputs and the kernel forms
 * the loss seeds. valueScale and tangentScale are f32 bit patterns. The activation is a
 * pipeline constant: problems with different activations go to different dispatches.
 * `reverse` (reverse-mode input derivatives): zs holds [Z; R̂; Ḡ] (k adjoint blocks, then k
 * input-gradient blocks) and the k stacked blocks' upstream is Ḡ there, so the coupling is
 * σ''(z)·r̂·ḡ and the stacked Z̄ rows get Ĝ = σ'(z)·ḡ (the weight gradient's [Z̄; Ĝ]).
 * `masked` (a seed with missing derivative targets): each tangent residual is multiplied by
 * its mask (1 present, 0 missing) at offM, laid out as the tangent targets.
 */
export const groupedBackwardProgram: Program<{ seed: boolean; activation: Activation; reverse?: boolean; masked?: boolean }> = {
  name: 'activation-backward-grouped',
  key: (v) => `${v.seed}|${v.activation}${v.reverse ? '|reverse' : ''}${v.masked ? '|masked' : ''}`,
  constants: (v) => ({ ACT: activationId(v.activation) }),
  dims: GroupDims,
  bindings: (v) => [
    bind('zs', 'read', 'array<f32>', 'Pre-activations [Z; Ż] of this level, each problem at offZ'),
    bind('upstream', 'read', 'array<f32>', 'Gradient w.r.t. the activations (seed: the outputs), at offUp'),
    bind('zbar', 'rw', 'array<f32>', 'Gradient w.r.t. the pre-activations, at offZbar'),
    groupBinding,
    tableBinding(BackProblem.name),
    ...(v.seed ? [bind('targets', 'read', 'array<f32>', 'Minibatch targets: values at offY, tangents at offT (masked: their masks at offM)')] : []),
  ],
  workgroups: flatWorkgroups,
  body: (v) => wgsl`
${BackProblem.wgsl}
${activationsWgsl}
${locate(BackProblem.name)}

fn item(id: u32, lid: u32) {
  let at = locate(id, lid);
  let p = at.p;
  let idx = at.index;
  if (idx >= p.n * p.width) { return; }
  let z = zs[p.offZ + idx];
  let d1 = act_d1(z);
  let d2 = act_d2(z);
#if ${v.seed}
  let valueScale = bitcast<f32>(p.valueScale);
  let tangentScale = bitcast<f32>(p.tangentScale);
  var sum = d1 * valueScale * (upstream[p.offUp + idx] - targets[p.offY + idx]);
#else
  var sum = d1 * upstream[p.offUp + idx];
#endif
  let blockSize = p.n * p.width;
  for (var j = 1u; j <= p.k; j++) {
    let t = j * blockSize + idx;
#if ${!!v.reverse}
    let adot = zs[p.offZ + p.k * blockSize + t];
#elif ${v.seed && !!v.masked}
    let adot = tangentScale * (upstream[p.offUp + t] - targets[p.offT + t - blockSize]) * targets[p.offM + t - blockSize];
#elif ${v.seed}
    let adot = tangentScale * (upstream[p.offUp + t] - targets[p.offT + t - blockSize]);
#else
    let adot = upstream[p.offUp + t];
#endif
    sum += d2 * zs[p.offZ + t] * adot;
    zbar[p.offZbar + t] = d1 * adot;
  }
  zbar[p.offZbar + idx] = sum;
}
`,
};

export const LossProblem = defineTable('LossProblem', ['n', 'm', 'k', 'valueWeight', 'tangentWeight', 'tangentCount', 'offOut', 'offOutT', 'offY', 'offT', 'offM', 'offLoss', 'offW', 'start'] as const);

/** How a grouped loss sums a model's residuals: a 256-thread tree per model (GPUs), or one
 *  thread per model summing serially (CPU emulation, where a barrier is expensive). */
export type LossReduction = 'tree' | 'serial';

/** A grouped loss variant: its reduction, and whether tangent residuals carry masks. */
export interface LossVariant {
  reduction: LossReduction;
  /** Missing derivative targets: each tangent residual times its mask (1 present, 0 missing)
   *  at offM, and the reported gradient MSE divided by tangentCount (f32 bits: the entries
   *  present, n·m·k times the dataset's present fraction) instead of n·m·k. */
  masked: boolean;
}

/** Grouped loss: each problem (a model) accumulates into its own loss slots
 *  loss[offLoss + 4·slot + {0, 1, 2, 3}] (the step's scale applied). Problem i is workgroup i
 *  ('tree') or thread i ('serial'). Slots 0–2 (total, value MSE, gradient MSE) are what fit
 *  reports: each squared residual is weighted (weights at offW: m for the values, then k·m
 *  for the tangent blocks) so a standardised fit reports in the user's units. Slot 3 is the
 *  objective itself, unweighted: the loss the step differentiates. */
export const groupedLossProgram: Program<LossVariant> = {
  name: 'loss-grouped',
  key: (v) => `${v.reduction}${v.masked ? '|masked' : ''}`,
  dims: GroupDims,
  bindings: () => [
    bind('out', 'read', 'array<f32>', 'Network outputs Ŷ at offOut, their derivatives Ẏ at offOutT'),
    bind('targets', 'read', 'array<f32>', 'Minibatch targets: values at offY, tangents at offT'),
    bind('loss', 'rw', 'array<f32>', 'Per-model, per-epoch sums: total, value MSE, gradient MSE (reported units), objective'),
    bind('weights', 'read', 'array<f32>', 'Per-model residual weights: per output, then per tangent block and output'),
    groupBinding,
    tableBinding(LossProblem.name),
    bind('step', 'uniform-dynamic', StepInfo, "This step's loss slot and scale"),
  ],
  workgroups: (v, dims) => (v.reduction === 'tree' ? flatWorkgroups(v, dims) : [Math.ceil(dims.count / 64), 1]),
  body: (v) => wgsl`
${LossProblem.wgsl}

// sv, st: the weighted (reported) sums of squared value and tangent residuals; ov, ot: unweighted.
fn accumulate(p: LossProblem, sv: f32, st: f32, ov: f32, ot: f32) {
  let valueCount = p.n * p.m;
  let valueMse = sv / f32(valueCount);
#if ${v.masked}
  let tangentMse = st / max(bitcast<f32>(p.tangentCount), 1.0);
#else
  let tangentMse = st / f32(max(valueCount * p.k, 1u));
#endif
  let total = bitcast<f32>(p.valueWeight) * sv + bitcast<f32>(p.tangentWeight) * st;
  let objective = bitcast<f32>(p.valueWeight) * ov + bitcast<f32>(p.tangentWeight) * ot;
  let base = p.offLoss + 4u * step.lossSlot;
  loss[base] += step.lossScale * total;
  loss[base + 1u] += step.lossScale * valueMse;
  loss[base + 2u] += step.lossScale * tangentMse;
  loss[base + 3u] += step.lossScale * objective;
}

#if ${v.reduction === 'tree'}
var<workgroup> partialValue: array<f32, 256>;
var<workgroup> partialTangent: array<f32, 256>;
var<workgroup> plainValue: array<f32, 256>;
var<workgroup> plainTangent: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let id = wgId.x + wgId.y * groups.x;
  if (id >= dims.count) { return; }
  let p = problems[id];
  let valueCount = p.n * p.m;
  var sv = 0.0;
  var ov = 0.0;
  for (var i = lid; i < valueCount; i += 256u) {
    let r = out[p.offOut + i] - targets[p.offY + i];
    sv += weights[p.offW + i % p.m] * r * r;
    ov += r * r;
  }
  var st = 0.0;
  var ot = 0.0;
  for (var i = lid; i < valueCount * p.k; i += 256u) {
#if ${v.masked}
    let r = (out[p.offOutT + i] - targets[p.offT + i]) * targets[p.offM + i];
#else
    let r = out[p.offOutT + i] - targets[p.offT + i];
#endif
    st += weights[p.offW + p.m + (i / valueCount) * p.m + i % p.m] * r * r;
    ot += r * r;
  }
  partialValue[lid] = sv;
  partialTangent[lid] = st;
  plainValue[lid] = ov;
  plainTangent[lid] = ot;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partialValue[lid] += partialValue[lid + stride];
      partialTangent[lid] += partialTangent[lid + stride];
      plainValue[lid] += plainValue[lid + stride];
      plainTangent[lid] += plainTangent[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { accumulate(p, partialValue[0], partialTangent[0], plainValue[0], plainTangent[0]); }
}
#else
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= dims.count) { return; }
  let p = problems[gid.x];
  let valueCount = p.n * p.m;
  var sv = 0.0;
  var ov = 0.0;
  for (var i = 0u; i < valueCount; i++) {
    let r = out[p.offOut + i] - targets[p.offY + i];
    sv += weights[p.offW + i % p.m] * r * r;
    ov += r * r;
  }
  var st = 0.0;
  var ot = 0.0;
  for (var j = 0u; j < p.k; j++) {
    let base = p.offW + p.m + j * p.m;
    for (var i = 0u; i < valueCount; i++) {
#if ${v.masked}
      let r = (out[p.offOutT + valueCount * j + i] - targets[p.offT + valueCount * j + i]) * targets[p.offM + valueCount * j + i];
#else
      let r = out[p.offOutT + valueCount * j + i] - targets[p.offT + valueCount * j + i];
#endif
      st += weights[base + i % p.m] * r * r;
      ot += r * r;
    }
  }
  accumulate(p, sv, st, ov, ot);
}
#endif
`,
};

export const AdamProblem = defineTable('AdamProblem', ['count', 'offset', 'lr', 'beta1', 'beta2', 'decay', 'start'] as const);

/** Parameters each Adam thread updates (a problem's `start` counts shares of 64 × this). */
export const ADAM_PER_THREAD = 16;

/** Grouped Adam: each problem is one model's parameters (or, with weight decay, one block
 *  of them), with its own learning rate (f32 bits; 0 freezes a model that stopped) and L2
 *  decay λ (the gradient of ½λ‖p‖² is added to its gradient); step.lrT and step.epsT carry
 *  the shared schedule and bias correction for lr = 1. */
export const groupedAdamProgram: Program<void> = {
  name: 'adam-grouped',
  key: () => '',
  dims: GroupDims,
  bindings: () => [
    bind('params', 'rw', 'array<f32>', 'Every parameter of every model'),
    bind('grads', 'read', 'array<f32>', 'Their gradients'),
    bind('moment1', 'rw', 'array<f32>', 'First moment estimates'),
    bind('moment2', 'rw', 'array<f32>', 'Second moment estimates'),
    groupBinding,
    tableBinding(AdamProblem.name),
    bind('step', 'uniform-dynamic', StepInfo, "This step's schedule and bias correction"),
  ],
  workgroups: flatWorkgroups,
  body: () => /* wgsl */ `
${AdamProblem.wgsl}
${strided}

// Each workgroup share covers ${ADAM_PER_THREAD} × 64 parameters: one problem lookup per ${ADAM_PER_THREAD} updates.
fn item(id: u32, lid: u32) {
  let p = problems[findRecord(id)];
  // lr 0: a model that stopped (its moments may hold NaN; its parameters stay as restored).
  if (p.lr == 0u) { return; }
  let lr = bitcast<f32>(p.lr);
  let beta1 = bitcast<f32>(p.beta1);
  let beta2 = bitcast<f32>(p.beta2);
  let decay = bitcast<f32>(p.decay);
  let first = (id - p.start) * ${ADAM_PER_THREAD * 64}u + lid;
  for (var j = 0u; j < ${ADAM_PER_THREAD}u; j++) {
    let index = first + j * 64u;
    if (index >= p.count) { return; }
    let i = p.offset + index;
    let g = grads[i] + decay * params[i];
    let m = beta1 * moment1[i] + (1.0 - beta1) * g;
    let v = beta2 * moment2[i] + (1.0 - beta2) * g * g;
    moment1[i] = m;
    moment2[i] = v;
    params[i] -= lr * step.lrT * m / (sqrt(v) + step.epsT);
  }
}
`,
};

export const SumProblem = defineTable('SumProblem', ['count', 'slices', 'offParts', 'offOut', 'start'] as const);

/** Grouped slice sum, the second pass of the split-K problems of a grouped GEMM. */
export const groupedSliceSumProgram: Program<void> = {
  name: 'gemm-slice-sum-grouped',
  key: () => '',
  dims: GroupDims,
  bindings: () => [
    bind('parts', 'read', 'array<f32>', 'Partial results, slices × count, at offParts'),
    bind('out', 'rw', 'array<f32>', 'The sums, at offOut'),
    groupBinding,
    tableBinding(SumProblem.name),
  ],
  workgroups: flatWorkgroups,
  body: () => /* wgsl */ `
${SumProblem.wgsl}
${locate(SumProblem.name)}

fn item(id: u32, lid: u32) {
  let at = locate(id, lid);
  let p = at.p;
  if (at.index >= p.count) { return; }
  var sum = 0.0;
  for (var s = 0u; s < p.slices; s++) { sum += parts[p.offParts + s * p.count + at.index]; }
  out[p.offOut + at.index] = sum;
}
`,
};

/** 'all': directions are the unit vectors of the gradient inputs (targets = Jacobian columns);
 *  'random': k random unit directions in gradient-input space per sample and step;
 *  'given': directions were written into the tangent rows by the host;
 *  'perSample': directions and their targets are stored per dataset row (k × total × d and
 *  k × total × m, uploaded by the host once per epoch), so no Jacobian is ever needed. */
export type DirectionMode = 'all' | 'random' | 'given' | 'perSample';

export const GatherProblem = defineTable('GatherProblem', [
  'n', 'd', 'm', 'g', 'k', 'skip', 'unitRows', 'total', 'seed', 'offX', 'offY', 'offD', 'offMask', 'offPerm', 'offGrad', 'offX0', 'offYb', 'offTb', 'offMb', 'offV', 'start',
] as const);

/** The dataset bindings gatherRow reads (the grouped gather's and the fused step's). */
export const gatherDataBindings: readonly Binding[] = [
  bind('xAll', 'read', 'array<f32>', 'Dataset inputs (total × d each), at offX'),
  bind('yAll', 'read', 'array<f32>', 'Dataset values, at offY'),
  bind('dAll', 'read', 'array<f32>', "Dataset derivatives ('perSample': tangent targets), at offD; masked: their masks at offMask"),
  bind('indices', 'read', 'array<u32>', 'Per-model, per-epoch permutations at offPerm; at offGrad, which input each derivative column belongs to'),
];

/**
 * WGSL: `gatherRow(p, thread, st)` writes row `thread` ((block, sample), block-major) of one
 * model's minibatch for the step `st`: its inputs or direction into `x0`, its value or
 * tangent targets into `targets` (both named by the caller: the fused kernel keeps them in
 * one buffer). Shared by the grouped gather and the fused step, so both draw the same rows
 * and random directions. `masked`: the derivative masks too (see groupedGatherProgram).
 */
export const gatherRowWgsl = (mode: DirectionMode, x0: string, targets: string, masked = false): string => wgsl`
fn gatherRow(p: GatherProblem, thread: u32, st: StepInfo) {
  if (thread >= (1u + p.k) * p.n) { return; }
  let i = thread % p.n;
  let block = thread / p.n;
  let sample = indices[p.offPerm + st.permBase + (st.batchOffset + i) % p.total];
  let row = select(block + p.skip, 0u, block == 0u) * p.n + i;
  if (block == 0u) {
    for (var c = 0u; c < p.d; c++) { X0[p.offX0 + row * p.d + c] = xAll[p.offX + sample * p.d + c]; }
    for (var o = 0u; o < p.m; o++) { TARGETS[p.offYb + i * p.m + o] = yAll[p.offY + sample * p.m + o]; }
    return;
  }
  let j = block - 1u;
  let tRow = j * p.n + i;
#if ${mode === 'all'}
  if (p.unitRows != 0u) {
    for (var c = 0u; c < p.d; c++) { X0[p.offX0 + row * p.d + c] = select(0.0, 1.0, c == indices[p.offGrad + j]); }
  }
  for (var o = 0u; o < p.m; o++) { TARGETS[p.offTb + tRow * p.m + o] = dAll[p.offD + (sample * p.m + o) * p.g + j]; }
#if ${masked}
  for (var o = 0u; o < p.m; o++) { TARGETS[p.offMb + tRow * p.m + o] = dAll[p.offMask + (sample * p.m + o) * p.g + j]; }
#endif
#elif ${mode === 'random'}
  var norm2 = 0.0;
  for (var q = 0u; q < p.g; q++) {
    let z = rand_normal(p.seed, st.rngStep, thread, q);
    norm2 += z * z;
  }
  let scale = inverseSqrt(max(norm2, 1e-30));
  for (var c = 0u; c < p.d; c++) { X0[p.offX0 + row * p.d + c] = 0.0; }
  for (var q = 0u; q < p.g; q++) {
    X0[p.offX0 + row * p.d + indices[p.offGrad + q]] = rand_normal(p.seed, st.rngStep, thread, q) * scale;
  }
  for (var o = 0u; o < p.m; o++) {
    var t = 0.0;
    for (var q = 0u; q < p.g; q++) {
      t += dAll[p.offD + (sample * p.m + o) * p.g + q] * X0[p.offX0 + row * p.d + indices[p.offGrad + q]];
    }
    TARGETS[p.offTb + tRow * p.m + o] = t;
  }
#elif ${mode === 'perSample'}
  let src = j * p.total + sample;
  for (var c = 0u; c < p.d; c++) { X0[p.offX0 + row * p.d + c] = vAll[p.offV + src * p.d + c]; }
  for (var o = 0u; o < p.m; o++) { TARGETS[p.offTb + tRow * p.m + o] = dAll[p.offD + src * p.m + o]; }
#else
  for (var o = 0u; o < p.m; o++) {
    var t = 0.0;
    for (var q = 0u; q < p.g; q++) {
      t += dAll[p.offD + (sample * p.m + o) * p.g + q] * X0[p.offX0 + row * p.d + indices[p.offGrad + q]];
    }
    TARGETS[p.offTb + tRow * p.m + o] = t;
  }
#endif
}
`.replaceAll('X0[', `${x0}[`).replaceAll('TARGETS[', `${targets}[`);

/**
 * Grouped minibatch gather (shaders/batch.ts for one model): each problem is a model, with
 * its own dataset offsets, permutation, tangent blocks k and RNG seed; one thread per
 * (block, sample). The directions go `skip` blocks below the primal rows (reverse mode keeps
 * its adjoint blocks there); the random stream is indexed by the unskipped row. 'all' writes
 * its unit vectors only when unitRows is 1 (reverse mode reads the gradient inputs instead).
 * `masked` ('all' only): the dataset's derivative masks (1 present, 0 missing; laid out as
 * its derivatives, at offMask) are gathered with the targets, to offMb.
 */
export const groupedGatherProgram: Program<{ mode: DirectionMode; masked: boolean }> = {
  name: 'batch-gather-grouped',
  key: (v) => `${v.mode}${v.masked ? '|masked' : ''}`,
  dims: GroupDims,
  bindings: ({ mode }) => [
    ...gatherDataBindings,
    bind('x0', 'rw', 'array<f32>', 'Stacked network inputs, at offX0'),
    bind('targets', 'rw', 'array<f32>', 'Minibatch targets: values at offYb, tangents at offTb (masked: masks at offMb)'),
    groupBinding,
    tableBinding(GatherProblem.name),
    bind('step', 'uniform-dynamic', StepInfo, "This step's permutation window and RNG counter"),
    ...(mode === 'perSample' ? [bind('vAll', 'read', 'array<f32>', 'Directions per dataset row, at offV')] : []),
  ],
  workgroups: flatWorkgroups,
  body: ({ mode, masked }) => /* wgsl */ `
${GatherProblem.wgsl}
${rngWgsl}
${gatherRowWgsl(mode, 'x0', 'targets', masked)}
${locate(GatherProblem.name)}

fn item(id: u32, lid: u32) {
  let at = locate(id, lid);
  gatherRow(at.p, at.index, step);
}
`,
};;
