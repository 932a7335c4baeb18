import { StepInfo } from './step';
import { defineStruct } from './struct';

export const AdamDims = defineStruct('AdamDims', {
  count: 'u32', // parameters
  beta1: 'f32',
  beta2: 'f32',
});

/** Adam with bias correction folded into the step's lrT and epsT (exactly equivalent to
 *  p −= lr·m̂/(√v̂ + ε)), over all parameters of a model in one flat buffer. */
export const adamShader = /* wgsl */ `
${AdamDims.wgsl}
${StepInfo.wgsl}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
// First and second moment estimates
@group(0) @binding(2) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment2: array<f32>;
@group(0) @binding(4) var<uniform> dims: AdamDims;
@group(0) @binding(5) var<uniform> step: StepInfo;

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
`;
