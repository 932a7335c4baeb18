/** Small dense float64 matrix helpers, row-major. Readable, not fast. */

/** C = A·B, A rows×inner, B inner×cols. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, inner: number, cols: number): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < inner; p++) {
      const arp = a[r * inner + p];
      if (arp === 0) continue;
      for (let q = 0; q < cols; q++) c[r * cols + q] += arp * b[p * cols + q];
    }
  }
  return c;
}

/** C = A·Bᵀ, A rows×cols, B inner×cols → rows×inner. */
export function matmulTransB(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number, inner: number): Float64Array {
  const c = new Float64Array(rows * inner);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < inner; p++) {
      let s = 0;
      for (let q = 0; q < cols; q++) s += a[r * cols + q] * b[p * cols + q];
      c[r * inner + p] = s;
    }
  }
  return c;
}

/** C += Aᵀ·B, A rows×inner, B rows×cols, C inner×cols. */
export function addMatmulTransA(c: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, rows: number, inner: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < inner; p++) {
      const arp = a[r * inner + p];
      if (arp === 0) continue;
      for (let q = 0; q < cols; q++) c[p * cols + q] += arp * b[r * cols + q];
    }
  }
}

/** Elementwise map into a new array. */
export function map(x: ArrayLike<number>, f: (v: number, i: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i], i);
  return out;
}

/** Σ_rows of a rows×cols matrix → cols. */
export function sumRows(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q] += a[r * cols + q];
  return out;
}

/** Σ xᵢ². */
export function sumSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}
