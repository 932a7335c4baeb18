import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { bind, linearWorkgroups, type Program } from './program';
import { rngWgsl } from './rng';
import { StepInfo } from './step';
import { defineStruct } from './struct';

export const BatchDims = defineStruct('BatchDims', {
  n: 'u32', // rows in the minibatch
  d: 'u32', // inputs
  m: 'u32', // outputs
  g: 'u32', // gradient inputs
  k: 'u32', // tangent blocks
  total: 'u32', // rows in the dataset
  seed: 'u32', // RNG seed of the run
});

/** 'all': directions are the unit vectors of the gradient inputs (targets = Jacobian columns);
 *  'random': k random unit directions in gradient-input space per sample and step;
 *  'given': directions were written into the tangent rows by the host;
 *  'perSample': directions and their targets are stored per dataset row (k × total × d and
 *  k × total × m, uploaded by the host once per epoch), so no Jacobian is ever needed. */
export type DirectionMode = 'all' | 'random' | 'given' | 'perSample';

/** Gathers a minibatch into the stacked layout [X; V¹; …; Vᵏ] and writes the values Y and
 *  the tangent targets T = (∂y/∂x)·V, one thread per (block, sample). */
export const batchProgram: Program<DirectionMode> = {
  name: 'batch-gather',
  key: (mode) => mode,
  dims: BatchDims,
  bindings: (mode) => [
    bind('xAll', 'read', 'array<f32>', 'Dataset inputs, total × d'),
    bind('yAll', 'read', 'array<f32>', 'Dataset values, total × m'),
    bind('dAll', 'read', 'array<f32>', "Dataset derivatives, total × m × g ('perSample': tangent targets, k × total × m)"),
    bind('perm', 'read', 'array<u32>', 'Concatenated per-epoch permutations of [0, total)'),
    bind('gradIndex', 'read', 'array<u32>', 'Which input each of the g derivative columns belongs to'),
    bind('x0', 'rw', 'array<f32>', 'Stacked network input, (1 + k)n × d'),
    bind('yBatch', 'rw', 'array<f32>', 'Minibatch values, n × m'),
    bind('tBatch', 'rw', 'array<f32>', 'Tangent targets, k·n × m'),
    bind('dims', 'uniform', BatchDims, 'Sizes and the RNG seed'),
    bind('step', 'uniform-dynamic', StepInfo, "This step's permutation window and RNG counter"),
    ...(mode === 'perSample' ? [bind('vAll', 'read', 'array<f32>', 'Directions per dataset row, k × total × d')] : []),
  ],
  workgroups: (_, dims) => linearWorkgroups((1 + dims.k) * dims.n),
  body: (mode) => wgsl`
${rngWgsl}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let thread = gid.x + gid.y * groups.x * 64u;
  let i = thread % dims.n;
  let block = thread / dims.n;
  if (block > dims.k) { return; }
  let sample = perm[step.permBase + (step.batchOffset + i) % dims.total];
  let row = block * dims.n + i;
  if (block == 0u) {
    for (var c = 0u; c < dims.d; c++) { x0[row * dims.d + c] = xAll[sample * dims.d + c]; }
    for (var o = 0u; o < dims.m; o++) { yBatch[i * dims.m + o] = yAll[sample * dims.m + o]; }
    return;
  }
  let j = block - 1u;
  let tRow = j * dims.n + i;
#if ${mode === 'all'}
  for (var c = 0u; c < dims.d; c++) { x0[row * dims.d + c] = select(0.0, 1.0, c == gradIndex[j]); }
  for (var o = 0u; o < dims.m; o++) { tBatch[tRow * dims.m + o] = dAll[(sample * dims.m + o) * dims.g + j]; }
#elif ${mode === 'random'}
  var norm2 = 0.0;
  for (var q = 0u; q < dims.g; q++) {
    let z = rand_normal(dims.seed, step.rngStep, row, q);
    norm2 += z * z;
  }
  let scale = inverseSqrt(max(norm2, 1e-30));
  for (var c = 0u; c < dims.d; c++) { x0[row * dims.d + c] = 0.0; }
  for (var q = 0u; q < dims.g; q++) {
    x0[row * dims.d + gradIndex[q]] = rand_normal(dims.seed, step.rngStep, row, q) * scale;
  }
  for (var o = 0u; o < dims.m; o++) {
    var t = 0.0;
    for (var q = 0u; q < dims.g; q++) {
      t += dAll[(sample * dims.m + o) * dims.g + q] * x0[row * dims.d + gradIndex[q]];
    }
    tBatch[tRow * dims.m + o] = t;
  }
#elif ${mode === 'perSample'}
  let src = j * dims.total + sample;
  for (var c = 0u; c < dims.d; c++) { x0[row * dims.d + c] = vAll[src * dims.d + c]; }
  for (var o = 0u; o < dims.m; o++) { tBatch[tRow * dims.m + o] = dAll[src * dims.m + o]; }
#else
  for (var o = 0u; o < dims.m; o++) {
    var t = 0.0;
    for (var q = 0u; q < dims.g; q++) {
      t += dAll[(sample * dims.m + o) * dims.g + q] * x0[row * dims.d + gradIndex[q]];
    }
    tBatch[tRow * dims.m + o] = t;
  }
#endif
}
`,
};
