import type { Rng } from '../util/rng';
import { checkMatrix } from './validate';

/** J·v for directions v (k × n × inputs) at x (n × inputs), in user units: k × n × outputs. */
export type TangentTargets = (x: Float32Array, v: Float32Array, k: number) => Float32Array | Promise<Float32Array>;

/** k unit directions per sample (k × n × inputs), uniform on the sphere of the gradient inputs. */
export function randomDirections(n: number, inputs: number, k: number, gradientInputs: number[], rng: Rng): Float32Array<ArrayBuffer> {
  const v = new Float32Array(k * n * inputs);
  const z = new Float64Array(gradientInputs.length);
  for (let row = 0; row < k * n; row++) {
    let norm2 = 0;
    for (let q = 0; q < z.length; q++) norm2 += (z[q] = rng.normal()) ** 2;
    const scale = 1 / Math.sqrt(norm2);
    gradientInputs.forEach((input, q) => (v[row * inputs + input] = z[q] * scale));
  }
  return v;
}

/** Calls a tangentTargets callback and checks what it returns. */
export async function callTangentTargets(
  targets: TangentTargets,
  x: Float32Array,
  v: Float32Array,
  k: number,
  perBlock: number,
): Promise<Float32Array<ArrayBuffer>> {
  const t = await targets(x, v, k);
  checkMatrix('tangentTargets(x, v, k)', t, perBlock, k);
  return Float32Array.from(t);
}

