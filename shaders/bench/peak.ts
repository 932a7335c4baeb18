import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { defineStruct } from '../struct';

/** Inputs of the peak kernels (uniform, so the compiler cannot fold the loop away). */
export const PeakDims = defineStruct('PeakDims', {
  iterations: 'u32', // trips of the FMA loop
  multiplier: 'f32', // m in a = a·m + c (≈1, keeps the values finite)
  addend: 'f32', // c
  seed: 'f32', // start value
});

/** Independent vec4 accumulators per thread: enough instruction-level parallelism to hide
 *  the FMA latency of a CPU core (SwiftShader runs 4 invocations per SIMD register). */
export const PEAK_CHAINS = 8;
/** Threads per workgroup of the peak kernel. */
export const PEAK_WORKGROUP = 64;

/** FLOPs of one peak dispatch: threads × iterations × chains × 4 lanes × 2 (an FMA is 2). */
export function peakFlops(workgroups: number, iterations: number): number {
  return workgroups * PEAK_WORKGROUP * iterations * PEAK_CHAINS * 4 * 2;
}

/**
 * FMA-throughput kernel: each thread runs PEAK_CHAINS independent chains a ← a·m + c of vec4s.
 * `fused`: WGSL's fma() (what the GEMM uses); otherwise a * m + c (multiply then add, which
 * the driver may or may not contract).
 */
export function peakShader(fused: boolean): string {
  const chains = Array.from({ length: PEAK_CHAINS }, (_, i) => i);
  return wgsl`
${PeakDims.wgsl}

// One vec4 per thread, the sum of its chains (keeps the work observable).
@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(1) var<uniform> dims: PeakDims;

@compute @workgroup_size(${PEAK_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let s = dims.seed + f32(gid.x) * 1e-7;
  let m = vec4f(dims.multiplier);
  let c = vec4f(dims.addend);
${chains.map((i) => `  var a${i} = vec4f(s, s + ${i + 1}.0, s - ${i + 1}.0, s * ${i + 2}.0);`).join('\n')}
  for (var i = 0u; i < dims.iterations; i++) {
#if ${fused}
${chains.map((i) => `    a${i} = fma(a${i}, m, c);`).join('\n')}
#else
${chains.map((i) => `    a${i} = a${i} * m + c;`).join('\n')}
#endif
  }
  out[gid.x] = ${chains.map((i) => `a${i}`).join(' + ')};
}
`;
}

/** A kernel that does (almost) nothing: repeated dispatches of it measure the fixed cost of
 *  one dispatch (pipeline and bind group switch, launch, the barrier after it). */
export const noopShader = /* wgsl */ `
// One counter, bumped by the single thread.
@group(0) @binding(0) var<storage, read_write> counter: array<u32>;

@compute @workgroup_size(1)
fn main() {
  counter[0] = counter[0] + 1u;
}
`;
