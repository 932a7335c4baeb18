import type { GroupEngine } from './engine';

/** Every model's input Jacobian at each of the n samples of x: one n × m × d array per model,
 *  by the cheaper mode: m backward sweeps when there are fewer outputs than inputs, d tangent
 *  blocks otherwise. */
export async function engineJacobians(engine: GroupEngine, models: number, x: Float32Array, n: number, d: number, m: number): Promise<Float32Array[]> {
  const jacs = Array.from({ length: models }, () => new Float32Array(n * m * d));
  if (m < d) {
    await engine.inputGradients(x, n, (model, start, count, out) => {
      const jac = jacs[model];
      for (let o = 0; o < m; o++) {
        for (let i = 0; i < count; i++) jac.set(out.subarray((o * count + i) * d, (o * count + i + 1) * d), ((start + i) * m + o) * d);
      }
    });
    return jacs;
  }
  await engine.forward(
    x,
    n,
    d,
    (_, count) => {
      const blocks = new Float32Array(d * count * d);
      for (let j = 0; j < d; j++) for (let i = 0; i < count; i++) blocks[(j * count + i) * d + j] = 1;
      return blocks;
    },
    (model, start, count, out) => {
      const jac = jacs[model];
      for (let j = 0; j < d; j++) {
        for (let i = 0; i < count; i++) {
          for (let o = 0; o < m; o++) jac[((start + i) * m + o) * d + j] = out[((1 + j) * count + i) * m + o];
        }
      }
    },
  );
  return jacs;
}
