import { bind, linearWorkgroups, type Program } from './program';
import { StepInfo } from './step';
import { defineStruct } from './struct';

export const AdamDims = defineStruct('AdamDims', {
  count: 'u32', // parameters
  beta1: 'f32',
  beta2: 'f32',
});

/** Adam with bias correction folded into the step's lrT and epsT (exactly equivalent to
 *  p −= lr·m̂/(√v̂ + ε)), over all parameters of a model in one flat buffer. */
export const adamProgram: Program<void> = {
  name: 'adam',
  key: () => '',
  dims: AdamDims,
  bindings: () => [
    bind('params', 'rw', 'array<f32>', 'Every parameter of the model, flat'),
    bind('grads', 'read', 'array<f32>', 'Their gradients'),
    bind('moment1', 'rw', 'array<f32>', 'First moment estimates'),
    bind('moment2', 'rw', 'array<f32>', 'Second moment estimates'),
    bind('dims', 'uniform', AdamDims, 'Sizes and betas'),
    bind('step', 'uniform-dynamic', StepInfo, "This step's scalars (lrT, epsT)"),
  ],
  workgroups: (_, dims) => linearWorkgroups(dims.count),
  body: () => /* wgsl */ `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 64u;
  if (i >= dims.count) { return; }
  let g = grads[i];
  let m = dims.beta1 * moment1[i] + (1.0 - dims.beta1) * g;
  let v = dims.beta2 * moment2[i] + (1.0 - dims.beta2) * g * g;
  moment1[i] = m;
  moment2[i] = v;
  params[i] -= step.lrT * m / (sqrt(v) + step.epsT);
}
`,
};
