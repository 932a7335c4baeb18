import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { bind, type Program } from './program';
import { defineStruct } from './struct';

/** Shapes of one Gram-sum dispatch (uniform; never baked into the source). */
export const GramDims = defineStruct('GramDims', {
  rows: 'u32', // rows of X covered by this dispatch
  width: 'u32', // vec4s per row of X (row stride, padded with zero columns)
  tiles: 'u32', // upper-triangle 4×4 tiles of XᵀX: width·(width+1)/2
  blockRows: 'u32', // rows each invocation sums serially
  blocks: 'u32', // ceil(rows / blockRows)
});

/** How the Gram kernel reads and accumulates (the pipeline cache key).
 *  - `plain`: X holds one float32 word per value; products and block sums in plain float32.
 *  - `kahan`: one word per value; Kahan-compensated float32 block sums (the compensation terms
 *    are written next to the sums, so the host adds both in float64).
 *  - `split`: two words per value, a head with at most 12 significant bits and the float32
 *    remainder, so head × head products are exact in float32; those are accumulated with
 *    TwoSum (exact rounding errors) and the small cross terms in a second float32 sum. */
export type GramMode = 'plain' | 'kahan' | 'split';

/** Structural variants of the Gram kernel; part of the pipeline cache key. */
export interface GramVariant {
  mode: GramMode;
}

/** Invocations per workgroup of the Gram kernel (1-D). */
export const GRAM_WORKGROUP = 64;

/** Floats written per (block, tile): 16 sums then 16 corrections (the entry is their sum). */
export const GRAM_PARTIAL = 32;

/** Accumulation of one row's contribution to a thread's 4×4 tile: row k of the tile is
 *  a[k]·b; s, c/e are vec4 accumulators, one pair per tile row. */
function accumulate(mode: GramMode, k: number): string {
  const a = `a.${'xyzw'[k]}`;
  if (mode === 'plain') return `s${k} += ${a} * b;`;
  if (mode === 'kahan') {
    return `{ let y = ${a} * b - c${k}; let t = s${k} + y; c${k} = (t - s${k}) - y; s${k} = t; }`;
  }
  const al = `al.${'xyzw'[k]}`;
  // TwoSum of the exact head product into s, its rounding error and the cross terms into c.
  return `{ let x = ${a} * b; let t = s${k} + x; let bp = t - s${k};
      c${k} += ((s${k} - (t - bp)) + (x - bp)) + (${a} * bl + ${al} * b + ${al} * bl); s${k} = t; }`;
}

/** Split-K Gram matrix XᵀX over row blocks, barrier-free: invocation (block, tile) sums the
 *  4×4 tile (tr, tc), tr ≤ tc, of X_blockᵀX_block serially over its block's rows and writes
 *  its partial sums; the host adds the partials of every block in float64. The tile index runs
 *  fastest, so neighbouring invocations read the same rows (one cache line per row on a CPU). */
export const gramProgram: Program<GramVariant> = {
  name: 'linear-gram',
  key: (v) => v.mode,
  dims: GramDims,
  bindings: () => [
    bind('X', 'read', 'array<vec4f>', 'X: rows × (4·width) row-major, as vec4s; zero padding columns. Split mode: each row is the heads (4·width floats) then the remainders'),
    bind('partials', 'rw', 'array<vec4f>', 'Partials: [block][tile][32]: 16 sums (row-major 4×4) then 16 corrections'),
    bind('dims', 'uniform', GramDims, 'Shapes'),
  ],
  workgroups: (_, dims) => [Math.ceil((dims.blocks * dims.tiles) / GRAM_WORKGROUP), 1],
  body: (v) => gramBody(v),
};

function gramBody(v: GramVariant): string {
  const split = v.mode === 'split';
  const rows = [0, 1, 2, 3].map((k) => `    ${accumulate(v.mode, k)}`).join('\n');
  return wgsl`
// Upper-triangle tile t → (tr, tc), tiles ordered row by row.
fn tileOf(t: u32) -> vec2u {
  var r = 0u;
  var rem = t;
  loop {
    let len = dims.width - r;
    if (rem < len) { break; }
    rem -= len;
    r++;
  }
  return vec2u(r, r + rem);
}

@compute @workgroup_size(${GRAM_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let id = gid.x;
  if (id >= dims.blocks * dims.tiles) { return; }
  let block = id / dims.tiles;
  let tile = id % dims.tiles;
  let rc = tileOf(tile);
  let first = block * dims.blockRows;
  let last = min(first + dims.blockRows, dims.rows);
#if ${split}
  let stride = 2u * dims.width;
#else
  let stride = dims.width;
#endif
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  var s2 = vec4f(0.0);
  var s3 = vec4f(0.0);
  var c0 = vec4f(0.0);
  var c1 = vec4f(0.0);
  var c2 = vec4f(0.0);
  var c3 = vec4f(0.0);
  for (var i = first; i < last; i++) {
    let a = X[i * stride + rc.x];
    let b = X[i * stride + rc.y];
#if ${split}
    let al = X[i * stride + dims.width + rc.x];
    let bl = X[i * stride + dims.width + rc.y];
#endif
${rows}
  }
  let o = id * ${GRAM_PARTIAL / 4}u;
  partials[o] = s0;
  partials[o + 1u] = s1;
  partials[o + 2u] = s2;
  partials[o + 3u] = s3;
#if ${v.mode === 'kahan'}
  // Kahan's c is minus the lost low-order part.
  partials[o + 4u] = -c0;
  partials[o + 5u] = -c1;
  partials[o + 6u] = -c2;
  partials[o + 7u] = -c3;
#else
  partials[o + 4u] = c0;
  partials[o + 5u] = c1;
  partials[o + 6u] = c2;
  partials[o + 7u] = c3;
#endif
}
`;
}
