import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { activationsWgsl } from './activations';
import { defineStruct } from './struct';

/** Shapes and element offsets of one GEMM call (uniform; never baked into the source). */
export const GemmDims = defineStruct('GemmDims', {
  M: 'u32', // rows of C computed by this dispatch
  N: 'u32', // columns of C (and of op(B))
  K: 'u32', // inner dimension
  rowStart: 'u32', // first row of A and C this dispatch covers
  rowsPerBlock: 'u32', // n: rows per stacked block (primal rows are [0, n))
  lda: 'u32', // leading dimension of A as stored
  ldb: 'u32', // leading dimension of B as stored
  offsetA: 'u32', // element offsets into the bound buffers
  offsetB: 'u32',
  offsetC: 'u32',
});

/** Structural variants of the GEMM; part of the pipeline cache key. */
export interface GemmVariant {
  /** op(A) = Aᵀ (A stored K×M). */
  transA: boolean;
  /** op(B) = Bᵀ (B stored N×K). */
  transB: boolean;
  /** Epilogue: 'none' C = AB; 'activate' C = σ(AB + b); 'primal' Z = AB + b, C = σ(Z);
   *  'tangent' Ż = AB, C = σ'(Z_primal) ⊙ Ż (Z and Ż share the Zs buffer). */
  epilogue: 'none' | 'activate' | 'primal' | 'tangent';
  /** transA only: op(A) gets a virtual last row that is 1 on primal rows, 0 on tangent rows,
   *  so C's last row is the bias gradient Σ_primal rows B (the bias row of [W; b]). */
  onesRow: boolean;
}

export const GEMM_TILE = 32;

/** Tiled GEMM: 8×8 threads, each a 4×4 micro-tile of a 32×32 block of C, K in steps of 16. */
export function gemmShader(v: GemmVariant): string {
  const useZs = v.epilogue === 'primal' || v.epilogue === 'tangent';
  const addBias = v.epilogue === 'activate' || v.epilogue === 'primal';
  return wgsl`
${GemmDims.wgsl}
${activationsWgsl}

// op(A) rows [rowStart, rowStart + M) × K
@group(0) @binding(0) var<storage, read> A: array<f32>;
// op(B): K × N; with a bias epilogue the bias is B's row K (the [W; b] layout).
@group(0) @binding(1) var<storage, read> B: array<f32>;
// C: rows × N, row-major
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> dims: GemmDims;
#if ${useZs}
// Pre-activations: primal rows Z, tangent rows Ż.
@group(0) @binding(4) var<storage, read_write> Zs: array<f32>;
#endif

var<workgroup> tileA: array<array<f32, 32>, 16>; // [k][m]
var<workgroup> tileB: array<array<f32, 32>, 16>; // [k][n]

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= dims.M || k >= dims.K) { return 0.0; }
#if ${v.transA}
#if ${v.onesRow}
  if (m == dims.M - 1u) { return select(0.0, 1.0, k < dims.rowsPerBlock); }
#endif
  return A[dims.offsetA + k * dims.lda + m];
#else
  return A[dims.offsetA + (dims.rowStart + m) * dims.lda + k];
#endif
}

fn loadB(k: u32, n: u32) -> f32 {
  if (k >= dims.K || n >= dims.N) { return 0.0; }
#if ${v.transB}
  return B[dims.offsetB + n * dims.ldb + k];
#else
  return B[dims.offsetB + k * dims.ldb + n];
#endif
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rowBase = wg.y * 32u;
  let colBase = wg.x * 32u;
  let tid = lid.y * 8u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < dims.K; k0 += 16u) {
    for (var i = 0u; i < 8u; i++) {
      let e = tid + i * 64u;
#if ${v.transA}
      let am = e % 32u; let ak = e / 32u;
#else
      let ak = e % 16u; let am = e / 16u;
#endif
      tileA[ak][am] = loadA(rowBase + am, k0 + ak);
#if ${v.transB}
      let bk = e % 16u; let bn = e / 16u;
#else
      let bn = e % 32u; let bk = e / 32u;
#endif
      tileB[bk][bn] = loadB(k0 + bk, colBase + bn);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = tileA[kk][i * 8u + lid.y];
        b[i] = tileB[kk][i * 8u + lid.x];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = rowBase + i * 8u + lid.y;
    if (m >= dims.M) { continue; }
    let row = dims.rowStart + m;
    for (var j = 0u; j < 4u; j++) {
      let col = colBase + j * 8u + lid.x;
      if (col >= dims.N) { continue; }
      let idx = row * dims.N + col;
      var value = acc[i][j];
#if ${addBias}
      value += B[dims.offsetB + dims.K * dims.ldb + col];
#endif
#if ${v.epilogue === 'activate'}
      value = act_f(value);
#elif ${v.epilogue === 'primal'}
      Zs[idx] = value;
      value = act_f(value);
#elif ${v.epilogue === 'tangent'}
      Zs[idx] = value;
      value = act_d1(Zs[(row % dims.rowsPerBlock) * dims.N + col]) * value;
#endif
      C[dims.offsetC + idx] = value;
    }
  }
}
`;
}
