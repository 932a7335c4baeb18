import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import type { Activation } from '../src/types';
import { activationId, activationsWgsl } from './activations';
import { bind, type Program } from './program';
import { defineStruct } from './struct';

/** Shapes and element offsets of one GEMM call (uniform; never baked into the source). */
export const GemmDims = defineStruct('GemmDims', {
  M: 'u32', // rows of C computed by this dispatch
  N: 'u32', // columns of C (and of op(B))
  K: 'u32', // inner dimension
  kChunk: 'u32', // split-K: workgroup z sums k in [z·kChunk, (z + 1)·kChunk) into its own slice of C
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
  /** Stage tiles of A and B in workgroup memory (GPUs). Without it ("direct") each thread
   *  reads its operands straight from the (CPU-cached) buffers and the kernel has no barrier:
   *  on SwiftShader a barrier turns every SIMD group into a coroutine, ~10× slower. */
  tiled: boolean;
  /** Direct variant: rows and columns of C per thread (its register tile; columns in vec4s). */
  microRows: number;
  microCols: number;
  /** Direct variant: threads per workgroup along columns and rows. */
  threadsX: number;
  threadsY: number;
  /** The epilogue's activation ('linear' for a plain product). */
  activation: Activation;
}

/** Rows and columns of C one workgroup covers. */
export function gemmTile(v: GemmVariant): { rows: number; cols: number } {
  return v.tiled ? { rows: 32, cols: 32 } : { rows: v.microRows * v.threadsY, cols: v.microCols * v.threadsX };
}

/** Threads per workgroup along columns (x) and rows (y), and each thread's register tile. */
export interface DirectLayout {
  x: number;
  y: number;
  microRows: number;
  microCols: number;
}

/** The direct GEMM's layout for a shape class: threads per workgroup along columns (x) and
 *  rows (y), and each thread's register tile. Narrow outputs and short batches get narrow
 *  workgroups instead of idle threads; big ones 8×8 tiles (4 FMAs per load). */
export function directGemmLayout(M: number, N: number): DirectLayout {
  const cols = N <= 4 ? { x: 1, microCols: 4 } : N <= 16 ? { x: 4, microCols: 4 } : { x: 8, microCols: 8 };
  const rows = M <= 16 ? { y: 4, microRows: 4 } : { y: 8, microRows: 8 };
  return { ...cols, ...rows };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The direct kernel's body, unrolled over its register tile (no private arrays: software
 *  rasterisers spill dynamically indexed ones to memory). */
export function directMain(v: Pick<GemmVariant, 'microRows' | 'microCols' | 'transA' | 'transB' | 'onesRow'>): string {
  const R = range(v.microRows);
  const G = range(v.microCols / 4);
  const C = range(v.microCols);
  const lines = [
    `  let rowBase = wg.y * ${v.microRows}u * TY;`,
    `  let colBase = wg.x * ${v.microCols}u * TX;`,
    '  let r = rowBase + lid.y;',
    '  let c = colBase + lid.x;',
    '  let kBegin = wg.z * dims.kChunk;',
    '  let kEnd = min(dims.K, kBegin + dims.kChunk);',
    `  let aStep = ${v.transA ? 'dims.lda' : '1u'};`,
    `  let bStep = ${v.transB ? '1u' : 'dims.ldb'};`,
    ...R.map((i) => `  let a${i} = aBase(r + ${i}u * TY);`),
    ...C.map((j) => `  let b${j} = bBase(c + ${j}u * TX);`),
    ...R.flatMap((i) => G.map((g) => `  var acc${i}_${g} = vec4f(0.0);`)),
    '  for (var k = kBegin; k < kEnd; k++) {',
    '    let ka = k * aStep;',
    '    let kb = k * bStep;',
    ...G.map((g) => `    let bv${g} = vec4f(${range(4).map((q) => `B[b${4 * g + q} + kb]`).join(', ')});`),
    ...R.flatMap((i) => [`    let av${i} = vec4f(A[a${i} + ka]);`, ...G.map((g) => `    acc${i}_${g} = fma(av${i}, bv${g}, acc${i}_${g});`)]),
    '  }',
  ];
  lines.push('  let slice = wg.z * dims.M * dims.N;');
  if (v.onesRow) {
    // The virtual last row of op(A) is 1 on primal rows (k < n) and 0 on tangent rows, so
    // C's last row is a column sum of B; the first row of threads adds it (the dispatch's
    // row tiles cover only the M − 1 real rows).
    lines.push(
      '  if (wg.y == 0u && lid.y == 0u) {',
      ...G.map((g) => `    var ones${g} = vec4f(0.0);`),
      '    for (var k = kBegin; k < min(kEnd, dims.rowsPerBlock); k++) {',
      '      let kb = k * dims.ldb;',
      ...G.map((g) => `      ones${g} += vec4f(${range(4).map((q) => `B[b${4 * g + q} + kb]`).join(', ')});`),
      '    }',
      ...C.map((j) => `    finish(dims.M - 1u, c + ${j}u * TX, ones${Math.floor(j / 4)}[${j % 4}], slice);`),
      '  }',
    );
  }
  for (const i of R) {
    const calls = C.map((j) => `finish(r + ${i}u * TY, c + ${j}u * TX, acc${i}_${Math.floor(j / 4)}[${j % 4}], slice);`);
    if (v.onesRow) lines.push(`  if (r + ${i}u * TY < dims.M - 1u) { ${calls.join(' ')} }`);
    else lines.push(...calls.map((call) => `  ${call}`));
  }
  return lines.join('\n');
}

/** GEMM with fused epilogues. Tiled: 8×8 threads, each 4×4 of a 32×32 block of C, K in steps
 *  of 16 through workgroup memory. Direct: TX×TY threads, each microRows×microCols, no
 *  barriers. Both split K over workgroup z when asked (epilogue 'none' only): slice z sums
 *  k in [z·kChunk, (z + 1)·kChunk). */
export const gemmProgram: Program<GemmVariant> = {
  name: 'gemm',
  key: (v) => [v.transA ? 't' : 'n', v.transB ? 't' : 'n', v.epilogue, v.onesRow, v.tiled, v.microRows, v.microCols, v.threadsX, v.threadsY, v.activation].join('|'),
  dims: GemmDims,
  bindings: (v) => [
    bind('A', 'read', 'array<f32>', 'op(A) rows [rowStart, rowStart + M) × K'),
    bind('B', 'read', 'array<f32>', "op(B): K × N; with a bias epilogue the bias is B's row K (the [W; b] layout)"),
    bind('C', 'rw', 'array<f32>', 'C: rows × N, row-major (split K: one M × N slice per workgroup z)'),
    bind('dims', 'uniform', GemmDims, 'Shapes and offsets'),
    ...(gemmUsesZs(v) ? [bind('Zs', 'rw', 'array<f32>', 'Pre-activations: primal rows Z, tangent rows Ż')] : []),
  ],
  constants: (v) => ({ ACT: activationId(v.activation), ...(v.tiled ? {} : { TX: v.threadsX, TY: v.threadsY }) }),
  workgroups: (v, dims) => {
    const tile = gemmTile(v);
    // The direct kernel adds the bias row of a weight gradient outside its row tiles.
    const rows = !v.tiled && v.onesRow ? Math.max(1, dims.M - 1) : dims.M;
    return [Math.ceil(dims.N / tile.cols), Math.ceil(rows / tile.rows), Math.ceil(dims.K / dims.kChunk)];
  },
  body: (v) => gemmBody(v),
};

/** The 'primal' and 'tangent' epilogues store pre-activations. */
export function gemmUsesZs(v: Pick<GemmVariant, 'epilogue'>): boolean {
  return v.epilogue === 'primal' || v.epilogue === 'tangent';
}

function gemmBody(v: GemmVariant): string {
  const addBias = v.epilogue === 'activate' || v.epilogue === 'primal';
  return wgsl`
${activationsWgsl}

// Bounds check, epilogue and store of one element of C.
fn finish(m: u32, col: u32, acc: f32, slice: u32) {
  if (m >= dims.M || col >= dims.N) { return; }
  let row = dims.rowStart + m;
  let idx = row * dims.N + col;
  var value = acc;
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
  C[dims.offsetC + slice + idx] = value;
}

#if ${v.tiled}
var<workgroup> tileA: array<array<f32, 32>, 16>; // [k][m]
var<workgroup> tileB: array<array<f32, 32>, 16>; // [k][n]

fn loadA(m: u32, k: u32, kEnd: u32) -> f32 {
  if (m >= dims.M || k >= kEnd) { return 0.0; }
#if ${v.transA}
#if ${v.onesRow}
  if (m == dims.M - 1u) { return select(0.0, 1.0, k < dims.rowsPerBlock); }
#endif
  return A[dims.offsetA + k * dims.lda + m];
#else
  return A[dims.offsetA + (dims.rowStart + m) * dims.lda + k];
#endif
}

fn loadB(k: u32, n: u32, kEnd: u32) -> f32 {
  if (k >= kEnd || n >= dims.N) { return 0.0; }
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
  let kBegin = wg.z * dims.kChunk;
  let kEnd = min(dims.K, kBegin + dims.kChunk);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += 16u) {
    for (var i = 0u; i < 8u; i++) {
      let e = tid + i * 64u;
#if ${v.transA}
      let am = e % 32u; let ak = e / 32u;
#else
      let ak = e % 16u; let am = e / 16u;
#endif
      tileA[ak][am] = loadA(rowBase + am, k0 + ak, kEnd);
#if ${v.transB}
      let bk = e % 16u; let bn = e / 16u;
#else
      let bn = e % 32u; let bk = e / 32u;
#endif
      tileB[bk][bn] = loadB(k0 + bk, colBase + bn, kEnd);
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
  let slice = wg.z * dims.M * dims.N;
  for (var j = 0u; j < 4u; j++) {
    let col = colBase + j * 8u + lid.x;
    finish(rowBase + lid.y, col, acc0[j], slice);
    finish(rowBase + 8u + lid.y, col, acc1[j], slice);
    finish(rowBase + 16u + lid.y, col, acc2[j], slice);
    finish(rowBase + 24u + lid.y, col, acc3[j], slice);
  }
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

// Threads per workgroup along columns (TX) and rows (TY), chosen per shape class.
override TX: u32 = 8u;
override TY: u32 = 8u;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
${directMain(v)}
}
#endif
`;
}
