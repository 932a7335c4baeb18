import { defineStruct } from './struct';

/** Shapes and element offsets of one GEMM problem (read from the problem table). */
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

/** Structural variants of the GEMM (shaders/gemm-grouped.ts); part of the pipeline cache key. */
export interface GemmVariant {
  /** op(A) = Aᵀ (A stored K×M). */
  transA: boolean;
  /** op(B) = Bᵀ (B stored N×K). */
  transB: boolean;
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
}

/** Epilogues: 'none' C = AB; 'activate' C = σ(AB + b); 'primal' Z = AB + b, C = σ(Z);
 *  'tangent' Ż = AB, C = σ'(Z_primal) ⊙ Ż (Z and Ż share the Zs buffer). */
export type GemmEpilogue = 'none' | 'activate' | 'primal' | 'tangent';

/** Column and row tiles of an M × N product (the direct kernel adds the bias row of a
 *  weight gradient outside its row tiles). */
export function gemmTiles(v: GemmVariant, M: number, N: number): { x: number; y: number } {
  const tile = v.tiled ? { rows: 32, cols: 32 } : { rows: v.microRows * v.threadsY, cols: v.microCols * v.threadsX };
  const rows = !v.tiled && v.onesRow ? Math.max(1, M - 1) : M;
  return { x: Math.ceil(N / tile.cols), y: Math.ceil(rows / tile.rows) };
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
  // Rows: a batch-10 model's primal (10), tangent (20) and stacked (30) rows fit 16- and 32-row tiles.
  const rows = M <= 16 ? { y: 4, microRows: 4 } : M <= 32 ? { y: 4, microRows: 8 } : { y: 8, microRows: 8 };
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
