/** Seeded pseudo-random numbers for the problem generators: xoshiro128** seeded through
 *  splitmix32. Pure TS, deterministic for a given seed on every platform (32-bit integer
 *  arithmetic only; floats are built from two 32-bit draws, 53 bits of mantissa). */

/** Anything indexable and writable: plain arrays and typed arrays. */
export interface MutableArrayLike<T> {
  length: number;
  [index: number]: T;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One splitmix32 step: returns the next state and an output word. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a hash of a string, folded with a 32-bit key. */
function hashLabel(key: number, label: string): number {
  let h = (0x811c9dc5 ^ key) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return splitmix32(h)[1];
}

/** Folds any finite number (integer or not, up to 2^53) into a 32-bit key. */
function seedKey(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const frac = Math.floor((seed - Math.floor(seed)) * 4294967296) >>> 0;
  return hashLabel(lo, `${hi}:${frac}`);
}

/**
 * Seeded PRNG (xoshiro128**). Same seed → same stream.
 * @example
 * const rng = new Rng(42);
 * const theta = rng.uniform(0, 15);
 * const noise = rng.fork('noise').normal(0, 0.1);
 */
export class Rng {
  /** 32-bit key this stream was derived from; `fork` hashes labels against it. */
  readonly key: number;
  private readonly s = new Uint32Array(4);
  private spare: number | null = null;

  /** @param seed any finite number; non-integers and large integers are folded in too. */
  constructor(seed: number) {
    this.key = seedKey(seed);
    let st = this.key;
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      this.s[i] = out;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** An independent stream named by `label`. It depends only on this stream's seed (key)
   *  and the label, not on how many numbers were drawn before. */
  fork(label: string | number): Rng {
    return new Rng(hashLabel(this.key, String(label)));
  }

  /** Next raw 32-bit unsigned integer. */
  uint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [lo, hi) (53 random bits). */
  uniform(lo = 0, hi = 1): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    const u = (a * TWO_POW_26 + b) / TWO_POW_53;
    return lo + (hi - lo) * u;
  }

  /** Normal draw by Box–Muller (the second value of each pair is cached). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + sd * r * Math.cos(2 * Math.PI * u2);
  }

  /** Gamma(shape, scale) draw (mean shape·scale) by Marsaglia–Tsang; for shape < 1 it
   *  draws Gamma(shape + 1) and multiplies by U^(1/shape). */
  gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) {
      throw new RangeError(`Rng.gamma: shape and scale must be > 0, got ${shape}, ${scale}`);
    }
    if (shape < 1) {
      const u = 1 - this.uniform();
      return this.gamma(shape + 1, scale) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = 1 - this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** `count` distinct indices from [0, n), in random order (partial Fisher–Yates). */
  sampleIndices(n: number, count: number): Uint32Array {
    if (!Number.isInteger(count) || count < 0 || count > n) {
      throw new RangeError(`Rng.sampleIndices: cannot draw ${count} distinct indices from ${n}`);
    }
    const pool = new Uint32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + this.int(n - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return pool.slice(0, count);
  }
}
