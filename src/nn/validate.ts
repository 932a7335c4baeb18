import { isActivation, type Activation } from '../types';

/** A value for a message: a string quoted and named as one (`'2' (a string)`, not `2`). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}' (a string)`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/** Throws unless `value` is a positive integer. */
export function checkPositiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export function checkActivation(name: string, value: unknown): Activation {
  if (!isActivation(value)) {
    throw new TypeError(`${name} '${String(value)}' is not a known activation (tanh, sigmoid, softplus, sin, gelu, relu, linear)`);
  }
  return value;
}

/** Throws unless `data` is a Float32Array (or number[]) whose length is a multiple of `cols`
 *  (or exactly `cols·rows` when rows is given) and every value is a number finite as float32.
 *  Returns the rows; with `allowNaN` (derivative targets, NaN = missing) it returns the
 *  count of NaN entries instead. */
export function checkMatrix(name: string, data: unknown, cols: number, rows?: number, allowNaN = false): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data))) {
    throw new TypeError(`${name} must be a Float32Array (row-major), got ${data === null ? 'null' : typeof data}`);
  }
  const length = data.length;
  if (rows === undefined ? length === 0 || length % cols !== 0 : length !== rows * cols) {
    const expected = rows === undefined ? `a non-zero multiple of ${cols}` : `${rows} × ${cols} = ${rows * cols}`;
    throw new RangeError(`${name} has length ${length}; expected ${expected}`);
  }
  // Finite as float32: the GPU gets Math.fround of each number (1e39 would be Infinity there).
  let nan = 0;
  for (let i = 0; i < length; i++) {
    const v = data[i] as unknown;
    if (typeof v !== 'number') throw new TypeError(`${name}[${i}] must be a number, got ${v === null ? 'null' : typeof v}`);
    if (allowNaN && Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (!Number.isFinite(Math.fround(v))) {
      throw new RangeError(`${name}[${i}] is ${v}: values must be finite float32 numbers (no NaN or Infinity, |v| ≤ 3.4028234663852886e38)`);
    }
  }
  return allowNaN ? nan : length / cols;
}

export function checkWeight(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`gradientWeight must be in [0, 1], got ${String(value)}`);
  }
  return value;
}

/** Validates a subset of input indices: distinct integers in [0, inputs). */
export function checkGradientInputs(value: unknown, inputs: number): number[] {
  if (value === undefined) return Array.from({ length: inputs }, (_, i) => i);
  if (!Array.isArray(value) || value.length === 0) throw new TypeError('gradientInputs must be a non-empty array of input indices');
  const seen = new Set<number>();
  for (const i of value) {
    if (!Number.isInteger(i) || i < 0 || i >= inputs) throw new RangeError(`gradientInputs has ${String(i)}, not an input index in [0, ${inputs})`);
    if (seen.has(i)) throw new RangeError(`gradientInputs lists input ${i} twice`);
    seen.add(i);
  }
  return value as number[];
}

/** Throws a TypeError naming any key of `options` not in `known`; `misplaced` explains the
 *  keys that belong to another call (with `onlyMisplaced`, only those are refused). */
export function checkOptionKeys(call: string, options: object, known: readonly string[], misplaced: Readonly<Record<string, string>> = {}, onlyMisplaced = false): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key) || (onlyMisplaced && !(key in misplaced))) continue;
    if (key in misplaced) throw new TypeError(`${call}: '${key}' is not an option here; ${misplaced[key]}`);
    throw new TypeError(`${call}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

/** Throws unless `value` is a finite number in [min, max) (or [min, max] when `closed`). */
export function checkRange(name: string, value: unknown, min: number, max: number, closed = false): number {
  const ok = typeof value === 'number' && value >= min && (closed ? value <= max : value < max);
  if (!ok) throw new RangeError(`${name} must be a number in [${min}, ${max}${closed ? ']' : ')'}, got ${String(value)}`);
  return value;
}
