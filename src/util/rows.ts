/** Row slicing of row-major datasets: x is n×inputs, y n×outputs, dydx n×outputs×g (as
 *  Dataset in src/types.ts). One helper gathers any rows; the others are built on it. */
import type { Dataset } from '../types';

/** Row widths of a dataset: x has `inputs` columns, y `outputs`, dydx `outputs × gradients`. */
export interface RowShape {
  inputs: number;
  outputs: number;
  /** Gradient inputs per output (g); default `inputs`. */
  gradients?: number;
}

/** Rows `rows` (in that order) of a row-major matrix with `width` columns, as a new array. */
export function gatherRows(src: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    out.set(src.subarray(i * width, (i + 1) * width), r * width);
  }
  return out;
}

/** Rows [start, start + count) of a row-major matrix with `width` columns, as a new array. */
export function sliceRows(src: Float32Array, width: number, start: number, count: number): Float32Array {
  return src.slice(start * width, (start + count) * width);
}

/** The rows `rows` of a dataset (x, y and dydx together), in that order. A missing or empty
 *  dydx (a dataset without its Jacobian) stays so. Throws for a row outside [0, n). */
export function takeDatasetRows(data: Dataset, shape: RowShape, rows: ArrayLike<number>): Dataset {
  const n = data.x.length / shape.inputs;
  for (let r = 0; r < rows.length; r++) {
    if (!(rows[r] >= 0 && rows[r] < n)) throw new RangeError(`takeRows: row ${rows[r]} outside [0, ${n})`);
  }
  const out: Dataset = { x: gatherRows(data.x, shape.inputs, rows), y: gatherRows(data.y, shape.outputs, rows) };
  if (data.dydx) {
    out.dydx = data.dydx.length === 0 ? new Float32Array(0) : gatherRows(data.dydx, shape.outputs * (shape.gradients ?? shape.inputs), rows);
  }
  return out;
}

/** The first `count` rows of a dataset (x, y and dydx when it has one; an empty dydx is left out). */
export function headRows(data: Dataset, shape: RowShape, count: number): Dataset {
  const out: Dataset = { x: sliceRows(data.x, shape.inputs, 0, count), y: sliceRows(data.y, shape.outputs, 0, count) };
  if (data.dydx?.length) out.dydx = sliceRows(data.dydx, shape.outputs * (shape.gradients ?? shape.inputs), 0, count);
  return out;
}
