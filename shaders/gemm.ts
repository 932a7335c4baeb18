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
  /** Stage tiles of A and B in workgroup memory (GPUs). Without it each thread reads its
   *  operands straight from the (CPU-cached) buffers and the kernel has no barrier: on
   *  SwiftShader a barrier turns every SIMD group into a coroutine, ~10× slower. */
  tiled: boolean;
  /** transA only: op(A) gets a virtual last row that is 1 on primal rows, 0 on tangent rows,
   *  so C's last row is the bias gradient Σ_primal rows B (the bias row of [W; b]). */
  onesRow: boolean;
}

/** Threads per workgroup along columns (x) and rows (y) of the direct GEMM for a shape:
 *  narrow outputs and short batches get narrow workgroups instead of idle threads. */
export function directGemmThreads(M: number, N: number): { x: number; y: number } {
  return { x: N <= 4 ? 1 : N <= 16 ? 4 : 16, y: M <= 16 ? 4 : 16 };
}

/** GEMM. Tiled: 8×8 threads, each a 4×4 micro-tile of a 32×32 block of C, K in steps of 16
 *  through workgroup memory. Direct: 16×16 threads, each 4×4 of a 64×64 block, no barriers. */
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

#if ${v.tiled}
var<workgroup> tileA: array<array<f32, 32>, 16>; // [k][m]
var<workgroup> tileB: array<array<f32, 32>, 16>; // [k][n]
#endif

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

// Writes one row of a thread's 4×4 micro-tile (columns colBase + j·stride + lx).
fn storeRow(m: u32, colBase: u32, lx: u32, stride: u32, acc: vec4f) {
  if (m >= dims.M) { return; }
  let row = dims.rowStart + m;
  for (var j = 0u; j < 4u; j++) {
    let col = colBase + j * stride + lx;
    if (col >= dims.N) { continue; }
    let idx = row * dims.N + col;
    var value = acc[j];
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

#if ${v.tiled}
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rowBase = wg.y * 32u;
  let colBase = wg.x * 32u;
  let tid = lid.y * 8u + lid.x;
  // The micro-tile lives in four vec4 registers: no dynamically indexed private arrays,
  // which software rasterisers (SwiftShader) spill to memory.
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
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
      let b = vec4f(tileB[kk][lid.x], tileB[kk][8u + lid.x], tileB[kk][16u + lid.x], tileB[kk][24u + lid.x]);
      acc0 = fma(vec4f(tileA[kk][lid.y]), b, acc0);
      acc1 = fma(vec4f(tileA[kk][8u + lid.y]), b, acc1);
      acc2 = fma(vec4f(tileA[kk][16u + lid.y]), b, acc2);
      acc3 = fma(vec4f(tileA[kk][24u + lid.y]), b, acc3);
    }
    workgroupBarrier();
  }
  storeRow(rowBase + lid.y, colBase, lid.x, 8u, acc0);
  storeRow(rowBase + 8u + lid.y, colBase, lid.x, 8u, acc1);
  storeRow(rowBase + 16u + lid.y, colBase, lid.x, 8u, acc2);
  storeRow(rowBase + 24u + lid.y, colBase, lid.x, 8u, acc3);
}
#else
// Operand addressing without branches: op(A)[m][k] = A[aBase(m) + k·aStep] and
// op(B)[k][n] = B[bBase(n) + k·bStep]; out-of-range rows/columns are clamped (read twice,
// never stored), so the inner loop is loads and FMAs only.
fn aBase(m: u32) -> u32 {
#if ${v.transA}
#if ${v.onesRow}
  return dims.offsetA + min(m, dims.M - 2u);
#else
  return dims.offsetA + min(m, dims.M - 1u);
#endif
#else
  return dims.offsetA + (dims.rowStart + min(m, dims.M - 1u)) * dims.lda;
#endif
}

fn bBase(n: u32) -> u32 {
#if ${v.transB}
  return dims.offsetB + min(n, dims.N - 1u) * dims.ldb;
#else
  return dims.offsetB + min(n, dims.N - 1u);
#endif
}

// Threads per workgroup along columns (TX) and rows (TY); each covers 4 × 4 outputs, so a
// workgroup computes a (4·TY) × (4·TX) block. Chosen per call from the shape class.
override TX: u32 = 16u;
override TY: u32 = 16u;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rowBase = wg.y * 4u * TY;
  let colBase = wg.x * 4u * TX;
  let r = rowBase + lid.y;
  let c = colBase + lid.x;
#if ${v.transA}
  let aStep = dims.lda;
#else
  let aStep = 1u;
#endif
#if ${v.transB}
  let bStep = 1u;
#else
  let bStep = dims.ldb;
#endif
  let a0 = aBase(r);
  let a1 = aBase(r + TY);
  let a2 = aBase(r + 2u * TY);
  let a3 = aBase(r + 3u * TY);
  let b0 = bBase(c);
  let b1 = bBase(c + TX);
  let b2 = bBase(c + 2u * TX);
  let b3 = bBase(c + 3u * TX);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < dims.K; k++) {
    let ka = k * aStep;
    let kb = k * bStep;
    let b = vec4f(B[b0 + kb], B[b1 + kb], B[b2 + kb], B[b3 + kb]);
    acc0 = fma(vec4f(A[a0 + ka]), b, acc0);
    acc1 = fma(vec4f(A[a1 + ka]), b, acc1);
    acc2 = fma(vec4f(A[a2 + ka]), b, acc2);
    acc3 = fma(vec4f(A[a3 + ka]), b, acc3);
  }
#if ${v.onesRow}
  // The virtual last row of op(A): 1 on primal rows (k < n), 0 on tangent rows.
  let onesTotal = onesRowSums(b0, b1, b2, b3);
  if (r == dims.M - 1u) { acc0 = onesTotal; }
  if (r + TY == dims.M - 1u) { acc1 = onesTotal; }
  if (r + 2u * TY == dims.M - 1u) { acc2 = onesTotal; }
  if (r + 3u * TY == dims.M - 1u) { acc3 = onesTotal; }
#endif
  storeRow(r, colBase, lid.x, TX, acc0);
  storeRow(r + TY, colBase, lid.x, TX, acc1);
  storeRow(r + 2u * TY, colBase, lid.x, TX, acc2);
  storeRow(r + 3u * TY, colBase, lid.x, TX, acc3);
}

#if ${v.onesRow}
// Σ_{k < n} op(B)[k][·] at the thread's four columns, for the bias gradient (B not transposed).
fn onesRowSums(b0: u32, b1: u32, b2: u32, b3: u32) -> vec4f {
  var s = vec4f(0.0);
  for (var k = 0u; k < dims.rowsPerBlock; k++) {
    let kb = k * dims.ldb;
    s += vec4f(B[b0 + kb], B[b1 + kb], B[b2 + kb], B[b3 + kb]);
  }
  return s;
}
#endif
#endif
`;
}
