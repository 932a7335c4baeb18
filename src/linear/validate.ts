/** Input checks shared by the linear-model modules. Every failure is a plain `Error` whose
 *  message names the offending argument, so callers see what to fix. */

/** Throws unless `v` is an integer ≥ `min`. */
export function assertInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

/** Throws unless `v` is a finite number ≥ 0. */
export function assertNonNegative(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
}

/** Throws unless `a.length === expected` (`shape` is used in the message, e.g. "n×p = 10×8"). */
export function assertLength(name: string, a: ArrayLike<number>, expected: number, shape: string): void {
  if (a.length !== expected) {
    throw new RangeError(`${name} has length ${a.length}, expected ${shape} = ${expected}`);
  }
}

/** Throws if any entry of `a` is NaN or ±Infinity, naming the first bad index. */
export function assertFinite(name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new RangeError(`${name}[${i}] is ${String(a[i])}; all entries must be finite (no NaN/Infinity)`);
    }
  }
}
