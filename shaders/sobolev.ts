import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import type { Activation } from '../src/types';
import { activationId, activationsWgsl } from './activations';
import { bind, linearWorkgroups, type Program } from './program';
import { StepInfo } from './step';
import { defineStruct } from './struct';

export const BackDims = defineStruct('BackDims', {
  n: 'u32', // primal rows (samples)
  width: 'u32', // units of this layer
  k: 'u32', // tangent blocks
  valueScale: 'f32', // seed: 2(1 − w)/(n·m)
  tangentScale: 'f32', // seed: 2w/(n·m·k)
});

export interface BackwardVariant {
  activation: Activation;
  /** The output layer: ā and ǡ are the loss seeds, computed here from the targets. */
  seed: boolean;
}

/**
 * Backward through one layer's activation, one thread per (sample, unit):
 *   ż̄ = σ'(z) ⊙ ǡ,   z̄ = σ'(z) ⊙ ā + Σ_k σ''(z) ⊙ ż⁽ᵏ⁾ ⊙ ǡ⁽ᵏ⁾   (the only coupling term).
 * With `seed`, ā and ǡ are the loss seeds of the output layer: valueScale·(ŷ − y) and
 * tangentScale·(ẏ − t).
 */
export const activationBackwardProgram: Program<BackwardVariant> = {
  name: 'activation-backward',
  key: (v) => `${v.activation}|${v.seed}`,
  dims: BackDims,
  bindings: (v) => [
    bind('zs', 'read', 'array<f32>', 'Pre-activations [Z; Ż¹; …; Żᵏ], (1 + k)n × width'),
    bind('upstream', 'read', 'array<f32>', 'Gradient w.r.t. the activations [Ā; Ǡ] (seed: the network outputs [Ŷ; Ẏ])'),
    bind('zbar', 'rw', 'array<f32>', 'Gradient w.r.t. the pre-activations [Z̄; Ż̄]'),
    bind('dims', 'uniform', BackDims, 'Sizes and seed scales'),
    ...(v.seed
      ? [bind('yTarget', 'read', 'array<f32>', 'Value targets, n × width'), bind('tTarget', 'read', 'array<f32>', 'Tangent targets, k·n × width')]
      : []),
  ],
  constants: (v) => ({ ACT: activationId(v.activation) }),
  workgroups: (_, dims) => linearWorkgroups(dims.n * dims.width),
  body: (v) => wgsl`
${activationsWgsl}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let idx = gid.x + gid.y * groups.x * 64u;
  if (idx >= dims.n * dims.width) { return; }
  let z = zs[idx];
  let d1 = act_d1(z);
  let d2 = act_d2(z);
#if ${v.seed}
  var sum = d1 * dims.valueScale * (upstream[idx] - yTarget[idx]);
#else
  var sum = d1 * upstream[idx];
#endif
  let blockSize = dims.n * dims.width;
  for (var j = 1u; j <= dims.k; j++) {
    let t = j * blockSize + idx;
#if ${v.seed}
    let adot = dims.tangentScale * (upstream[t] - tTarget[t - blockSize]);
#else
    let adot = upstream[t];
#endif
    sum += d2 * zs[t] * adot;
    zbar[t] = d1 * adot;
  }
  zbar[idx] = sum;
}
`,
};

export const LossDims = defineStruct('LossDims', {
  n: 'u32',
  m: 'u32',
  k: 'u32',
  valueWeight: 'f32', // (1 − w)/(n·m)
  tangentWeight: 'f32', // w/(n·m·k), 0 when k = 0
});

/** The value-and-gradient loss of one minibatch, reduced by one workgroup and accumulated
 *  into loss[3·slot + {0: total, 1: value MSE, 2: gradient MSE}] with the step's scale. */
export const lossProgram: Program<void> = {
  name: 'loss',
  key: () => '',
  dims: LossDims,
  bindings: () => [
    bind('out', 'read', 'array<f32>', 'Network outputs [Ŷ; Ẏ], (1 + k)n × m'),
    bind('yTarget', 'read', 'array<f32>', 'Value targets, n × m'),
    bind('tTarget', 'read', 'array<f32>', 'Tangent targets, k·n × m'),
    bind('loss', 'rw', 'array<f32>', 'Per-epoch sums: total, value MSE, gradient MSE'),
    bind('dims', 'uniform', LossDims, 'Sizes and weights'),
    bind('step', 'uniform-dynamic', StepInfo, "This step's loss slot and scale"),
  ],
  workgroups: () => [1, 1],
  body: () => /* wgsl */ `
var<workgroup> partialValue: array<f32, 256>;
var<workgroup> partialTangent: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let valueCount = dims.n * dims.m;
  var sv = 0.0;
  for (var i = lid; i < valueCount; i += 256u) {
    let r = out[i] - yTarget[i];
    sv += r * r;
  }
  var st = 0.0;
  for (var i = lid; i < valueCount * dims.k; i += 256u) {
    let r = out[valueCount + i] - tTarget[i];
    st += r * r;
  }
  partialValue[lid] = sv;
  partialTangent[lid] = st;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partialValue[lid] += partialValue[lid + stride];
      partialTangent[lid] += partialTangent[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let valueMse = partialValue[0] / f32(valueCount);
    let tangentMse = partialTangent[0] / f32(max(valueCount * dims.k, 1u));
    let total = dims.valueWeight * partialValue[0] + dims.tangentWeight * partialTangent[0];
    let base = 3u * step.lossSlot;
    loss[base] += step.lossScale * total;
    loss[base + 1u] += step.lossScale * valueMse;
    loss[base + 2u] += step.lossScale * tangentMse;
  }
}
`,
};
