import { bind, linearWorkgroups, type Program } from './program';
import { defineStruct } from './struct';

export const SliceSumDims = defineStruct('SliceSumDims', {
  count: 'u32', // elements per slice
  slices: 'u32',
  offsetOut: 'u32', // element offset of the result in `out`
});

/** out[offsetOut + i] = Σ_s parts[s·count + i]: the second pass of a split-K GEMM. */
export const sliceSumProgram: Program<void> = {
  name: 'gemm-slice-sum',
  key: () => '',
  dims: SliceSumDims,
  bindings: () => [
    bind('parts', 'read', 'array<f32>', 'Partial results, slices × count'),
    bind('out', 'rw', 'array<f32>', 'The sum, at offsetOut'),
    bind('dims', 'uniform', SliceSumDims, 'Sizes'),
  ],
  workgroups: (_, dims) => linearWorkgroups(dims.count),
  body: () => /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 64u;
  if (i >= dims.count) { return; }
  var sum = 0.0;
  for (var s = 0u; s < dims.slices; s++) { sum += parts[s * dims.count + i]; }
  out[dims.offsetOut + i] = sum;
}
`,
};
