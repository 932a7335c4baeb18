import type { Activation } from '../src/types';
import { activationId, activationsWgsl } from './activations';
import { flatWorkgroups, groupBinding, tableBinding, GroupDims } from './gemm-grouped';
import { locate } from './grouped';
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { bind, type Program } from './program';
import { defineTable } from './table';

// Reverse-mode input derivatives: a model with m outputs stacks m blocks of n rows under its
// primal rows, block j for output j. A level's pre-activation buffer holds [Z; R̂; Ḡ] (the
// adjoint sweep's and the input-gradient sweep's blocks), its activation buffer [A; R; …].

export const ReverseSeedProblem = defineTable('ReverseSeedProblem', ['n', 'm', 'offZ', 'start'] as const);

/**
 * The input-gradient sweep's seeds at the output level: ḡ_L = e_j in block j of the Ḡ rows
 * of zs, and ĝ_L = σ'(z_L)·e_j in the same rows of ghat. One thread per (block, sample,
 * output); the output activation is a pipeline constant.
 */
export const reverseSeedProgram: Program<Activation> = {
  name: 'reverse-seed-grouped',
  key: (activation) => activation,
  constants: (activation) => ({ ACT: activationId(activation) }),
  dims: GroupDims,
  bindings: () => [
    bind('zs', 'rw', 'array<f32>', 'Output pre-activations [Z; R̂; Ḡ], each problem at offZ'),
    bind('ghat', 'rw', 'array<f32>', 'σ\'(Z)·Ḡ, laid out as zs'),
    groupBinding,
    tableBinding(ReverseSeedProblem.name),
  ],
  workgroups: flatWorkgroups,
  body: () => /* wgsl */ `
${ReverseSeedProblem.wgsl}
${activationsWgsl}
${locate(ReverseSeedProblem.name)}

fn item(id: u32, lid: u32) {
  let at = locate(id, lid);
  let p = at.p;
  let idx = at.index;
  if (idx >= p.m * p.n * p.m) { return; }
  let c = idx % p.m;
  let row = idx / p.m;
  let j = row / p.n;
  let i = row % p.n;
  let one = select(0.0, 1.0, c == j);
  let to = p.offZ + ((1u + p.m) * p.n + row) * p.m + c;
  zs[to] = one;
  ghat[to] = one * act_d1(zs[p.offZ + i * p.m + c]);
}
`,
};

export const ReverseProjectProblem = defineTable('ReverseProjectProblem', [
  'n', 'd', 'm', 'k', 'tangentScale', 'offG', 'offX0', 'offOut', 'offT', 'offM', 'offGrad', 'start',
] as const);

/**
 * The derivative loss in reverse mode, one thread per (output j, sample i): from the input
 * gradient ḡ_0⁽ʲ⁾ (the Ḡ rows of gin at offG) and the k directions v_q (x0's rows after the
 * primal and the m adjoint blocks: given, drawn or per-sample), the derivatives ẏ_q = ḡ_0⁽ʲ⁾·v_q
 * (written to out at offOut as the forward mode lays out its tangent outputs: block q, sample
 * i, output j) and the adjoint seed r_0⁽ʲ⁾ = Σ_q tangentScale·(ẏ_q − t_q)·v_q (x0's block j).
 * tangentScale is f32 bits. `unit` ('all' directions): v_q is the unit vector of gradient input
 * q (indices at offGrad), so ẏ_q and r_0's entry are read and written at that input alone.
 * `masked` (unit only): each residual times its mask (1 present, 0 missing) at offM.
 */
export const reverseProjectProgram: Program<{ unit: boolean; masked?: boolean }> = {
  name: 'reverse-project-grouped',
  key: (v) => `${v.unit ? 'unit' : 'projected'}${v.masked ? '|masked' : ''}`,
  dims: GroupDims,
  bindings: (v) => [
    bind('gin', 'read', 'array<f32>', 'Input gradients [·; ·; Ḡ_0] (d columns), at offG'),
    bind('x0', 'rw', 'array<f32>', 'Stacked inputs [X; R_0; V], at offX0'),
    bind('out', 'rw', 'array<f32>', 'Derivative outputs Ẏ (k × n × m), at offOut'),
    bind('targets', 'read', 'array<f32>', 'Their targets, at offT (masked: their masks at offM)'),
    groupBinding,
    tableBinding(ReverseProjectProblem.name),
    ...(v.unit ? [bind('indices', 'read', 'array<u32>', 'At offGrad, the gradient inputs')] : []),
  ],
  workgroups: flatWorkgroups,
  body: (v) => wgsl`
${ReverseProjectProblem.wgsl}
${locate(ReverseProjectProblem.name)}

fn item(id: u32, lid: u32) {
  let at = locate(id, lid);
  let p = at.p;
  let idx = at.index;
  if (idx >= p.m * p.n) { return; }
  let j = idx / p.n;
  let i = idx % p.n;
  let scale = bitcast<f32>(p.tangentScale);
  let g = p.offG + ((1u + p.m + j) * p.n + i) * p.d;
  let r = p.offX0 + ((1u + j) * p.n + i) * p.d;
  for (var c = 0u; c < p.d; c++) { x0[r + c] = 0.0; }
  for (var q = 0u; q < p.k; q++) {
    let t = (q * p.n + i) * p.m + j;
#if ${v.unit}
    let c = indices[p.offGrad + q];
    let y = gin[g + c];
    out[p.offOut + t] = y;
#if ${!!v.masked}
    x0[r + c] += scale * (y - targets[p.offT + t]) * targets[p.offM + t];
#else
    x0[r + c] += scale * (y - targets[p.offT + t]);
#endif
#else
    let v = p.offX0 + ((1u + p.m + q) * p.n + i) * p.d;
    var y = 0.0;
    for (var c = 0u; c < p.d; c++) { y += gin[g + c] * x0[v + c]; }
    out[p.offOut + t] = y;
    let coef = scale * (y - targets[p.offT + t]);
    for (var c = 0u; c < p.d; c++) { x0[r + c] += coef * x0[v + c]; }
#endif
  }
}
`,
};
