/** GPU {@link SumsBackend}: ΦᵀΦ, Φᵀy, Σ_jΦ'_jᵀΦ'_j and Σ_jΦ'_jᵀy'_j as WGSL reductions.
 *
 *  Data go up as float32 words (centred and power-of-two scaled per column by default, see
 *  gpu-pack.ts): by default two words per value (a 12-bit head and a float32 remainder), or one.
 *  Each GPU invocation sums one 4×4 tile of XᵀX over one block of rows (shaders/linear.ts, no
 *  barriers); the host adds the block partials in float64 and undoes the centring. The small
 *  p×p solves stay on the CPU. */

import { GRAM_PARTIAL, GRAM_WORKGROUP, gramProgram, type GramMode, type GramVariant } from '../../shaders/linear';
import { withErrorScope } from '../gpu/buffers';
import type { Context } from '../gpu/context';
import { dispatchOf, encodeDispatches, realize } from '../gpu/dispatch';
import { checkBindingSize, type Scope } from '../gpu/scope';
import { addPartials, packRows, packedWidth, planColumns, unpackGram, type GramSystem } from './gpu-pack';
import type { GramSums, SumsBackend } from './normal-equations';
import { assertInt, assertLength } from './validate';

export type { GramMode } from '../../shaders/linear';

/** Options of {@link createGpuSums}. */
export interface GpuSumsOptions {
  /** Upload and accumulation (default 'split'): 'split' sends two float32 words per value
   *  (≈ 36 significant bits) with exact head products and TwoSum block sums; 'kahan' sends one
   *  float32 word with Kahan-compensated block sums; 'plain' one word and plain float32 sums. */
  mode?: GramMode;
  /** Centre each column on a sample mean and scale it by a power of two before the float32
   *  upload (default true); undone exactly in float64. Off: the raw values are rounded. */
  centre?: boolean;
  /** Rows each invocation sums serially (default: enough for at most 1024 blocks per chunk,
   *  and at least 256). */
  blockRows?: number;
  /** Largest packed chunk of rows uploaded per dispatch, in bytes (default 32 MiB). */
  chunkBytes?: number;
}

const TARGET_BLOCKS = 1024;
const MIN_BLOCK_ROWS = 256;
const DEFAULT_CHUNK_BYTES = 32 * 2 ** 20;

/** Blocks and rows per block for a chunk: bounded by the dispatch and binding-size limits. */
function blocking(device: GPUDevice, rows: number, tiles: number, blockRows?: number): { blockRows: number; blocks: number } {
  const bindLimit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const maxBlocks = Math.max(
    1,
    Math.min(
      Math.floor((device.limits.maxComputeWorkgroupsPerDimension * GRAM_WORKGROUP) / tiles),
      Math.floor(bindLimit / (tiles * GRAM_PARTIAL * 4)),
    ),
  );
  let b = blockRows ?? Math.max(MIN_BLOCK_ROWS, Math.ceil(rows / TARGET_BLOCKS));
  b = Math.max(b, Math.ceil(rows / maxBlocks));
  return { blockRows: b, blocks: Math.ceil(rows / b) };
}

/** Sums one system on the GPU; returns its MᵀM and Mᵀt (float64). Every buffer belongs to
 *  `scope`; each chunk's are freed as soon as its partials are read. */
async function gramOnGpu(
  ctx: Context,
  scope: Scope,
  variant: GramVariant,
  sys: GramSystem,
  opts: Required<Pick<GpuSumsOptions, 'centre' | 'chunkBytes' | 'mode'>> & Pick<GpuSumsOptions, 'blockRows'>,
): Promise<{ MtM: Float64Array; Mtt: Float64Array }> {
  const { device } = ctx;
  const plan = planColumns(sys, opts.centre);
  const ld = packedWidth(sys.p);
  const split = opts.mode === 'split';
  const rowBytes = (split ? 2 : 1) * ld * 4;
  const width = ld / 4;
  const tiles = (width * (width + 1)) / 2;
  const total = sys.n * sys.mats.length;
  const bindLimit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const chunkRows = Math.max(1, Math.floor(Math.min(opts.chunkBytes, bindLimit) / rowBytes));
  const h = new Float64Array(ld * ld);
  const sums = new Float64Array(sys.p + 1);
  const reads: Promise<void>[] = [];
  for (let start = 0; start < total; start += chunkRows) {
    const rows = Math.min(chunkRows, total - start);
    const { blockRows, blocks } = blocking(device, rows, tiles, opts.blockRows);
    const xBytes = rows * rowBytes;
    const partialBytes = blocks * tiles * GRAM_PARTIAL * 4;
    checkBindingSize(device, xBytes, 'linear:X');
    checkBindingSize(device, partialBytes, 'linear:partials');
    const chunk = scope.child(`chunk[${start}]`);
    const x = chunk.buffer({ label: `linear:X[${start}]`, size: xBytes, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    packRows(sys, plan, start, rows, new Float32Array(x.getMappedRange()), sums, split);
    x.unmap();
    const partials = chunk.buffer({ label: 'linear:partials', size: partialBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const staging = chunk.buffer({ label: 'linear:partials:readback', size: partialBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const [gram] = realize(ctx, chunk, 'linear:gram', [[dispatchOf(gramProgram, variant, { rows, width, tiles, blockRows, blocks }, { X: x, partials })]]);
    const encoder = device.createCommandEncoder({ label: 'linear:gram' });
    const pass = encoder.beginComputePass({ label: 'linear:gram' });
    encodeDispatches(pass, gram);
    pass.end();
    encoder.copyBufferToBuffer(partials, 0, staging, 0, partialBytes);
    device.queue.submit([encoder.finish()]);
    // The next chunk is packed while this one runs; its buffers are freed once read.
    reads.push(
      staging.mapAsync(GPUMapMode.READ).then(() => {
        addPartials(h, ld, new Float32Array(staging.getMappedRange()), blocks);
        chunk.destroy();
      }),
    );
  }
  await Promise.all(reads);
  return unpackGram(h, plan, sums, total);
}

function checkShapes(phi: Float64Array, y: Float64Array, n: number, p: number, dphi?: readonly Float64Array[], dy?: readonly Float64Array[]): void {
  assertInt('n', n, 1);
  assertInt('p', p, 1);
  assertLength('phi', phi, n * p, `n×p = ${n}×${p}`);
  assertLength('y', y, n, 'n');
  if ((dphi === undefined) !== (dy === undefined)) {
    throw new RangeError('dphi and dy must be given together (derivative design matrices and derivative targets)');
  }
  if (dphi === undefined || dy === undefined) return;
  if (dphi.length !== dy.length || dphi.length === 0) {
    throw new RangeError(`dphi has ${dphi.length} blocks but dy has ${dy.length}; need the same positive count`);
  }
  dphi.forEach((d, j) => {
    assertLength(`dphi[${j}]`, d, n * p, `n×p = ${n}×${p}`);
    assertLength(`dy[${j}]`, dy[j], n, 'n');
  });
}

/**
 * A {@link SumsBackend} that computes the Gram sums on `ctx`'s GPU (float32 words up, exact or
 * compensated block sums, float64 host reduction; see the module comment). Same contract as the
 * CPU `gramSums`: validates shapes and finiteness and rejects with a clear error (never NaN);
 * frees every buffer it made, on success and on error. Default mode 'split' agrees with float64
 * to ~1e-12 of each entry's Cauchy–Schwarz bound (e2e/linear-sums.spec.ts).
 * @example
 * const ctx = await createContext();
 * const s = await createGpuSums(ctx)(d.phi, y, n, d.p, d.dphi, [dydx]);
 * const beta = fitRidgeGradient(s, 0.1, 1);
 */
export function createGpuSums(ctx: Context, options: GpuSumsOptions = {}): SumsBackend {
  const centre = options.centre ?? true;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (options.blockRows !== undefined) assertInt('blockRows', options.blockRows, 1);
  assertInt('chunkBytes', chunkBytes, 64);
  const mode = options.mode ?? 'split';
  if (!['plain', 'kahan', 'split'].includes(mode)) throw new RangeError(`mode must be 'plain', 'kahan' or 'split', got '${String(mode)}'`);
  const variant: GramVariant = { mode };
  const opts = { centre, chunkBytes, mode, blockRows: options.blockRows };
  return async (phi, y, n, p, dphi, dy): Promise<GramSums> => {
    checkShapes(phi, y, n, p, dphi, dy);
    ctx.check();
    const scope = ctx.scope('linear:sums');
    try {
      return await withErrorScope(ctx.device, 'linear:gram sums', async () => {
        const values: GramSystem = { n, p, mats: [phi], targets: [y], matNames: ['phi'], targetNames: ['y'] };
        const hv = gramOnGpu(ctx, scope, variant, values, opts);
        const g = dphi?.length ?? 0;
        const derivatives: GramSystem | null =
          dphi && dy
            ? { n, p, mats: dphi, targets: dy, matNames: dphi.map((_, j) => `dphi[${j}]`), targetNames: dy.map((_, j) => `dy[${j}]`) }
            : null;
        const hd = derivatives ? gramOnGpu(ctx, scope, variant, derivatives, opts) : null;
        const [v, d] = await Promise.all([hv, hd]);
        if (!d) return { n, p, AtA: v.MtM, Aty: v.Mtt, g: 0 };
        return { n, p, AtA: v.MtM, Aty: v.Mtt, DtD: d.MtM, Dty: d.Mtt, g };
      });
    } finally {
      scope.destroy();
    }
  };
}
