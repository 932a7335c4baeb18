import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import type { Activation } from '../src/types';
import { activationId, activationsWgsl } from './activations';
import { directMain, GemmDims, type GemmVariant } from './gemm';
import { bind, type Program, type Workgroups } from './program';
import { defineStruct } from './struct';
import { defineTable, findRecordWgsl } from './table';

/** One problem of a grouped GEMM: a model's product, its place in the group's buffers and
 *  its first workgroup (`start`, the prefix sum of the problems' tile counts). */
export const GemmProblem = defineTable('GemmProblem', [
  'M', 'N', 'K', 'kChunk', 'rowStart', 'rowsPerBlock', 'lda', 'ldb', 'offsetA', 'offsetB', 'offsetC',
  'start', 'tilesX', 'tilesY', 'offsetZ',
] as const);

export const GroupDims = defineStruct('GroupDims', {
  count: 'u32', // problems in the table
  total: 'u32', // workgroups of all problems
  cap: 'u32', // elementwise kernels: at most this many workgroups, striding over the rest (0: all)
});

/** Workgroups for a table whose records hold `start` = prefix sum of their workgroups:
 *  all of them, or at most `cap` that stride over the rest. */
export const flatWorkgroups = (_: unknown, dims: Record<string, number>): Workgroups => {
  const count = dims.cap > 0 ? Math.min(dims.total, dims.cap) : dims.total;
  const x = Math.min(Math.max(1, count), 65535);
  return [x, Math.ceil(count / x)];
};

export const tableBinding = (name: string) => bind('problems', 'read', `array<${name}>`, 'The problem table, sorted by start');
export const groupBinding = bind('dims', 'uniform', GroupDims, 'Problem count and total workgroups');

/** Compile-time facts of a grouped GEMM: the structure, the epilogue and its activation
 *  (a pipeline constant, so the activation's switch folds away: problems with different
 *  activations go to different dispatches). */
export type GroupedGemmVariant = Pick<GemmVariant, 'transA' | 'transB' | 'onesRow' | 'tiled' | 'microRows' | 'microCols' | 'threadsX' | 'threadsY'> & {
  epilogue: 'none' | 'primal' | 'tangent';
  activation: Activation;
  /** 'tangent' with tanh or sigmoid: σ'(Z) from the primal activation σ(Z) already in C
   *  (1 − a², a(1 − a): the same f32 operations as act_d1 after its σ), so no exp per
   *  tangent element. */
  slopeFromOutput?: boolean;
};

/** Activations whose σ' is a polynomial of σ, written exactly as act_d1 computes it. */
export const SLOPE_FROM_OUTPUT: Partial<Record<Activation, string>> = {
  tanh: '1.0 - a * a',
  sigmoid: 'a * (1.0 - a)',
};

/**
 * Grouped GEMM (CUTLASS gemm_grouped style): one dispatch computes C_i = op(A_i)·op(B_i)
 * for every problem i of a table; workgroup w works on the problem whose `start` is the last
 * one ≤ w, so no problem is padded beyond its own tiles. Each problem may split K into
 * slices (its tiles × slices workgroups, partial sums to scratch). The inner loops are the
 * single GEMM's (shaders/gemm.ts).
 */
export const groupedGemmProgram: Program<GroupedGemmVariant> = {
  name: 'gemm-grouped',
  key: (v) => [v.transA ? 't' : 'n', v.transB ? 't' : 'n', v.onesRow, v.epilogue, v.activation, v.tiled, v.microRows, v.microCols, v.threadsX, v.threadsY, ...(v.slopeFromOutput ? ['a'] : [])].join('|'),
  dims: GroupDims,
  bindings: (v) => [
    bind('A', 'read', 'array<f32>', 'op(A) of every problem, at its offsetA'),
    bind('B', 'read', 'array<f32>', 'op(B) of every problem, at its offsetB (bias epilogues: the bias is row K)'),
    bind('C', 'rw', 'array<f32>', 'C of every problem, at its offsetC (split K: one M × N slice per K slice)'),
    bind('dims', 'uniform', GroupDims, 'Problem count and total workgroups'),
    bind('problems', 'read', `array<${GemmProblem.name}>`, 'The problem table, sorted by start'),
    ...(v.epilogue !== 'none' ? [bind('Zs', 'rw', 'array<f32>', 'Pre-activations of every problem, at its offsetZ')] : []),
  ],
  constants: (v): Record<string, number> => ({ ACT: activationId(v.activation), ...(v.tiled ? {} : { TX: v.threadsX, TY: v.threadsY }) }),
  workgroups: (_, dims) => {
    const x = Math.min(Math.max(1, dims.total), 65535);
    return [x, Math.ceil(dims.total / x)];
  },
  body: (v) => groupedBody(v),
};

function groupedBody(v: GroupedGemmVariant): string {
  return wgsl`
${GemmDims.wgsl}
${GemmProblem.wgsl}
${activationsWgsl}
${findRecordWgsl('problems', 'dims.count')}

// The problem this invocation works on, and its shape as the single GEMM's helpers read it.
var<private> problem: GemmProblem;
var<private> shape: GemmDims;

fn setProblem(p: GemmProblem) {
  problem = p;
  shape = GemmDims(p.M, p.N, p.K, p.kChunk, p.rowStart, p.rowsPerBlock, p.lda, p.ldb, p.offsetA, p.offsetB, p.offsetC);
}

// (tile column, tile row, K slice) of workgroup id within its problem.
fn tileOf(id: u32, p: GemmProblem) -> vec3u {
  let local = id - p.start;
  let perSlice = p.tilesX * p.tilesY;
  let rem = local % perSlice;
  return vec3u(rem % p.tilesX, rem / p.tilesX, local / perSlice);
}

// Bounds check, epilogue and store of one element of C.
fn finish(m: u32, col: u32, acc: f32, slice: u32) {
  if (m >= shape.M || col >= shape.N) { return; }
  let row = shape.rowStart + m;
  let idx = row * shape.N + col;
  var value = acc;
#if ${v.epilogue === 'primal'}
  value += B[shape.offsetB + shape.K * shape.ldb + col];
  Zs[problem.offsetZ + idx] = value;
  value = act_f(value);
#elif ${v.epilogue === 'tangent' && !!v.slopeFromOutput}
  Zs[problem.offsetZ + idx] = value;
  let a = C[shape.offsetC + (row % shape.rowsPerBlock) * shape.N + col];
  value = (${SLOPE_FROM_OUTPUT[v.activation] ?? '0.0'}) * value;
#elif ${v.epilogue === 'tangent'}
  Zs[problem.offsetZ + idx] = value;
  value = act_d1(Zs[problem.offsetZ + (row % shape.rowsPerBlock) * shape.N + col]) * value;
#endif
  C[shape.offsetC + slice + idx] = value;
}

#if ${v.tiled}
var<workgroup> tileA: array<array<f32, 32>, 16>; // [k][m]
var<workgroup> tileB: array<array<f32, 32>, 16>; // [k][n]
var<workgroup> sharedProblem: GemmProblem;

fn loadA(m: u32, k: u32, kEnd: u32) -> f32 {
  if (m >= shape.M || k >= kEnd) { return 0.0; }
#if ${v.transA}
#if ${v.onesRow}
  if (m == shape.M - 1u) { return select(0.0, 1.0, k < shape.rowsPerBlock); }
#endif
  return A[shape.offsetA + k * shape.lda + m];
#else
  return A[shape.offsetA + (shape.rowStart + m) * shape.lda + k];
#endif
}

fn loadB(k: u32, n: u32, kEnd: u32) -> f32 {
  if (k >= kEnd || n >= shape.N) { return 0.0; }
#if ${v.transB}
  return B[shape.offsetB + n * shape.ldb + k];
#else
  return B[shape.offsetB + k * shape.ldb + n];
#endif
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let id = wgId.x + wgId.y * groups.x;
  if (id >= dims.total) { return; }
  if (lid.x == 0u && lid.y == 0u) { sharedProblem = problems[findRecord(id)]; }
  // Uniform across the workgroup, so the K loop (with its barriers) is uniform control flow.
  let p = workgroupUniformLoad(&sharedProblem);
  setProblem(p);
  let wg = tileOf(id, p);
  let rowBase = wg.y * 32u;
  let colBase = wg.x * 32u;
  let tid = lid.y * 8u + lid.x;
  let kBegin = wg.z * p.kChunk;
  let kEnd = min(p.K, kBegin + p.kChunk);
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
  let slice = wg.z * p.M * p.N;
  for (var j = 0u; j < 4u; j++) {
    let col = colBase + j * 8u + lid.x;
    finish(rowBase + lid.y, col, acc0[j], slice);
    finish(rowBase + 8u + lid.y, col, acc1[j], slice);
    finish(rowBase + 16u + lid.y, col, acc2[j], slice);
    finish(rowBase + 24u + lid.y, col, acc3[j], slice);
  }
}
#else
fn aBase(m: u32) -> u32 {
#if ${v.transA}
#if ${v.onesRow}
  return shape.offsetA + min(m, shape.M - 2u);
#else
  return shape.offsetA + min(m, shape.M - 1u);
#endif
#else
  return shape.offsetA + (shape.rowStart + min(m, shape.M - 1u)) * shape.lda;
#endif
}

fn bBase(n: u32) -> u32 {
#if ${v.transB}
  return shape.offsetB + min(n, shape.N - 1u) * shape.ldb;
#else
  return shape.offsetB + min(n, shape.N - 1u);
#endif
}

override TX: u32 = 8u;
override TY: u32 = 8u;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let id = wgId.x + wgId.y * groups.x;
  if (id >= dims.total) { return; }
  let p = problems[findRecord(id)];
  setProblem(p);
  let wg = tileOf(id, p);
${directMain(v).replaceAll('dims.', 'shape.')}
}
#endif
`;
}

/** One matrix of a grouped transpose: `rows` × `cols` at offIn (leading dimension ld) to
 *  cols × rows (dense) at offOut; `start` is the prefix sum of the records' workgroups. */
export const TransposeProblem = defineTable('TransposeProblem', ['rows', 'cols', 'ld', 'offIn', 'offOut', 'start'] as const);

/**
 * Grouped transpose: dst[offOut + c·rows + r] = src[offIn + r·ld + c] for every record, one
 * thread per output element (consecutive threads, consecutive stores). The direct GEMM uses it
 * to turn op(B) = Bᵀ into a plain B (src/gpu/gemm.ts): on a CPU-emulated adapter a load whose
 * lanes read consecutive floats is one vector load, and Bᵀ's column reads are gathers.
 */
export const groupedTransposeProgram: Program<void> = {
  name: 'transpose-grouped',
  key: () => '',
  dims: GroupDims,
  bindings: () => [
    bind('src', 'read', 'array<f32>', 'Every record\'s matrix, at its offIn'),
    bind('dst', 'rw', 'array<f32>', 'Their transposes, at offOut'),
    groupBinding,
    tableBinding(TransposeProblem.name),
  ],
  workgroups: flatWorkgroups,
  body: () => /* wgsl */ `
${TransposeProblem.wgsl}
${findRecordWgsl('problems', 'dims.count')}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let stride = groups.x * groups.y;
  for (var id = wgId.x + wgId.y * groups.x; id < dims.total; id += stride) {
    let p = problems[findRecord(id)];
    let idx = (id - p.start) * 64u + lid;
    if (idx < p.rows * p.cols) {
      let c = idx / p.rows;
      let r = idx % p.rows;
      dst[p.offOut + idx] = src[p.offIn + r * p.ld + c];
    }
  }
}
`,
};
