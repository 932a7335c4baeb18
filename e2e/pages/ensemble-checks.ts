// In-page checks of ensembles (mean and spread over members) and of the ONNX export of
// trained models (the bytes go back to Node, where onnxruntime runs them).
import { ACTIVATIONS, createContext, createEnsemble, createMlp, createMlpGroup, loadMlp, type Dataset } from '../../src/index';

/** f(x) = sin(3x) + x/2 and its derivative at n evenly spaced points of [−1, 1]. */
function waveData(n: number): Dataset {
  const x = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  return { x, y: x.map((v) => Math.sin(3 * v) + v / 2), dydx: x.map((v) => 3 * Math.cos(3 * v) + 0.5) };
}

const meanOf = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;

/**
 * An ensemble of 6 trained on 8 samples of a 1-D function: its spread at the samples and far
 * from them (|x| ∈ [2.5, 4]), its mean and sd against the members loaded alone (values and
 * Jacobians), and the buffers left after destroy.
 */
export async function ensembleSpread(): Promise<Record<string, number | boolean | string | number[]>> {
  const ctx = await createContext();
  try {
    const before = ctx.stats().liveBuffers;
    const data = waveData(8);
    const ensemble = createEnsemble(ctx, { inputs: 1, hidden: [16, 16], outputs: 1 }, { members: 6, seed: 3 });
    const reports = await ensemble.fit(data, { epochs: 600, batchSize: 8, learningRate: 1e-2, gradientWeight: 0.5 });
    const far = Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? -4 + (1.5 * i) / 7 : 2.5 + (1.5 * (i - 8)) / 7));
    const atSamples = await ensemble.predict(data.x);
    const away = await ensemble.predict(far);
    const grid = Float32Array.from({ length: 41 }, (_, i) => -4 + (8 * i) / 40);
    const values = await ensemble.predict(grid);
    const jac = await ensemble.jacobian(grid);
    // Each member loaded alone from the saved group: its own predictions and Jacobian.
    const json = ensemble.toJSON();
    let meanErr = 0;
    let sdErr = 0;
    let jacMeanErr = 0;
    let jacSdErr = 0;
    const lone = [];
    for (const model of json.models) {
      const mlp = loadMlp(ctx, { format: 'sobolev-webgpu/mlp', version: 1, inputs: 1, outputs: 1, model });
      lone.push({ y: await mlp.predict(grid), j: await mlp.jacobian(grid) });
      mlp.destroy();
    }
    for (let k = 0; k < grid.length; k++) {
      for (const [key, mean, sd] of [['y', values.mean, values.sd], ['j', jac.mean, jac.sd]] as const) {
        const own = lone.map((m) => m[key][k]);
        const mu = own.reduce((s, v) => s + v, 0) / own.length;
        const sigma = Math.sqrt(own.reduce((s, v) => s + (v - mu) ** 2, 0) / own.length);
        const scale = Math.max(1, Math.abs(mu));
        if (key === 'y') {
          meanErr = Math.max(meanErr, Math.abs(mean[k] - mu) / scale);
          sdErr = Math.max(sdErr, Math.abs(sd[k] - sigma) / scale);
        } else {
          jacMeanErr = Math.max(jacMeanErr, Math.abs(mean[k] - mu) / scale);
          jacSdErr = Math.max(jacSdErr, Math.abs(sd[k] - sigma) / scale);
        }
      }
    }
    const fitErr = Math.max(...Array.from(data.y, (v, i) => Math.abs(atSamples.mean[i] - v)));
    const shapes = `${values.members.length} ${values.mean.length} ${jac.mean.length}`;
    const members = ensemble.members;
    // Member 2 as ONNX, with its own predictions on the grid (onnxruntime runs it in Node).
    const onnx = Array.from(ensemble.toOnnx(2));
    const member2 = Array.from(values.members[2]);
    ensemble.destroy();
    let afterDestroy = 'accepted';
    await ensemble.predict(grid).catch((e: Error) => (afterDestroy = e.name));
    return {
      sdAtSamples: meanOf(atSamples.sd),
      sdFar: meanOf(away.sd),
      fitErr,
      meanErr,
      sdErr,
      jacMeanErr,
      jacSdErr,
      jacSdFar: meanOf(jac.sd.subarray(0, 5)) + meanOf(jac.sd.subarray(36)),
      steps: Math.min(...reports.map((r) => r.steps)),
      members,
      shapes,
      alive: ensemble.alive,
      afterDestroy,
      leaked: ctx.stats().liveBuffers - before,
      onnx,
      member2,
      grid: Array.from(grid),
    };
  } finally {
    ctx.destroy();
  }
}

/** createEnsemble's refusals, and that none of them allocates. */
export async function ensembleRefusals(): Promise<{ messages: string[]; leaked: number }> {
  const ctx = await createContext();
  try {
    const before = ctx.stats().liveBuffers;
    const spec = { inputs: 1, hidden: [4], outputs: 1 };
    const messages = [{ members: 1 }, { members: 2.5 }, { members: 3, seeds: 1 }, { members: 2, seed: Number.NaN }, undefined].map((options) => {
      try {
        createEnsemble(ctx, spec, options as never).destroy();
        return 'accepted';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    return { messages, leaked: ctx.stats().liveBuffers - before };
  } finally {
    ctx.destroy();
  }
}

/** A small 2 → 2 model of every activation trained briefly, exported with toOnnx; the bytes,
 *  the inputs and mlp.predict's answers go back to Node. */
export async function trainedOnnx(opset?: number): Promise<{ activation: string; bytes: number[]; x: number[]; y: number[] }[]> {
  const ctx = await createContext();
  const n = 24;
  const x = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(1.7 * i + 0.3) * 1.8);
  const y = Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? x[i - 1] * x[i] : Math.cos(x[i] + x[i + 1])));
  try {
    const out = [];
    for (const [k, activation] of ACTIVATIONS.entries()) {
      const mlp = createMlp(ctx, { inputs: 2, hidden: [8, 6], outputs: 2, activation, seed: k });
      await mlp.fit({ x, y }, { epochs: 30, batchSize: 8, learningRate: 1e-2 });
      const bytes = mlp.toOnnx(opset === undefined ? {} : { opset });
      out.push({ activation, bytes: Array.from(bytes), x: Array.from(x), y: Array.from(await mlp.predict(x)) });
      mlp.destroy();
    }
    return out;
  } finally {
    ctx.destroy();
  }
}

/** MlpGroup.jacobian against each model loaded alone, in both of its modes: backward sweeps
 *  (3 inputs, 1 output) and tangent blocks (1 input, 2 outputs). Largest |difference|. */
export async function groupJacobian(): Promise<number[]> {
  const ctx = await createContext();
  try {
    const errors = [];
    for (const [inputs, outputs] of [[3, 1], [1, 2]]) {
      const group = createMlpGroup(ctx, { inputs, outputs, models: [{ hidden: [5], activation: 'sin', seed: 1 }, { hidden: [4, 3], activation: 'gelu', seed: 2 }] });
      const x = Float32Array.from({ length: 7 * inputs }, (_, i) => Math.sin(2.3 * i + 1));
      const jacs = await group.jacobian(x);
      const json = group.toJSON();
      let worst = 0;
      for (const [i, model] of json.models.entries()) {
        const mlp = loadMlp(ctx, { format: 'sobolev-webgpu/mlp', version: 1, inputs, outputs, model });
        const own = await mlp.jacobian(x);
        mlp.destroy();
        if (own.length !== jacs[i].length) return [Infinity];
        own.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - jacs[i][k]))));
      }
      group.destroy();
      errors.push(worst);
    }
    return errors;
  } finally {
    ctx.destroy();
  }
}
