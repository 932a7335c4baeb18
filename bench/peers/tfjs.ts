// TensorFlow.js on its WebGPU backend, in two formulations:
//   'double-backward': TF.js has no forward mode, so the input-derivatives are tf.grad of Σŷ
//       with respect to x (one backward pass gives all k = d of them for a single output), and
//       the parameter gradients differentiate through that (double backward);
//   'tangents': forward mode written out in TF ops (the k tangents Ȧ = σ'(Z)⊙(Ȧ_prev·W) as
//       one extra matMul per layer over the stacked k·n tangent rows, as this library does),
//       so the parameter gradients need one ordinary backward pass.
// TF.js's own tanh gradient reads the saved *output* y; the clone that saves y is recorded on
// the tape before the Tanh node that made y, so in reverse order the gradient reaching y
// through 1 − y² arrives after Tanh was processed and is dropped: the second derivative is
// lost. `tanh` below saves the *input* (made earlier, so its clone is in the right order) and
// recomputes σ' from it.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { Problem } from '../problem';
import type { Gradients, Runner, Trainer } from './types';

const T: any = tf;

/** tanh whose gradient 1 − tanh²(x) is recomputed from x with this same tanh (so every
 *  order of derivative is right). */
const tanh: (x: any) => any = T.customGrad((x: any, save: any) => {
  save([x]);
  return {
    value: T.tanh(x),
    gradFunc: (dy: any, saved: any[]) => T.mul(dy, T.sub(1, T.square(tanh(saved[0])))),
  };
});

export type TfTanh = 'custom' | 'builtin';
export type TfForm = 'double-backward' | 'tangents';

async function useWebgpu(): Promise<void> {
  if (T.getBackend() === 'webgpu') return;
  const ok = await T.setBackend('webgpu');
  if (!ok || T.getBackend() !== 'webgpu') throw new Error(`TF.js could not start its webgpu backend (backend: ${T.getBackend()})`);
  await T.ready();
}

/** ŷ for x; hidden layers σ, output linear. */
function forward(params: any[], x: any, act: (z: any) => any): any {
  const L = params.length / 2;
  let a = x;
  for (let l = 0; l < L; l++) {
    const z = T.add(T.matMul(a, params[2 * l]), params[2 * l + 1]);
    a = l < L - 1 ? act(z) : z;
  }
  return a;
}

/** (1 − w)·mean(ŷ − y)² + w·mean(∂ŷ/∂x − dydx)² (one output: ∂ŷ/∂x is n × d). */
function sobolevLoss(params: any[], x: any, y: any, dydx: any, w: number, act: (z: any) => any): any {
  let yhat: any = null;
  const dx = T.grad((xx: any) => {
    yhat = T.keep(forward(params, xx, act));
    return T.sum(yhat);
  })(x);
  const value = T.mean(T.square(T.sub(yhat, y)));
  const slope = T.mean(T.square(T.sub(dx, dydx)));
  yhat.dispose();
  return T.add(T.mul(1 - w, value), T.mul(w, slope));
}

/** The same loss with ∂ŷ/∂x by hand-written forward mode: ẋ is the k = d unit directions
 *  stacked (k·n × d), dydxT the targets in the same order (k·n × 1). */
function tangentLoss(params: any[], x: any, xdot: any, y: any, dydxT: any, w: number, k: number, act: (z: any) => any): any {
  const L = params.length / 2;
  let a = x;
  let adot = xdot;
  for (let l = 0; l < L; l++) {
    const W = params[2 * l];
    const z = T.add(T.matMul(a, W), params[2 * l + 1]);
    const zdot = T.matMul(adot, W);
    if (l < L - 1) {
      a = act(z);
      // σ'(z) = 1 − tanh²(z), tiled over the k tangent blocks.
      adot = T.mul(zdot, T.tile(T.sub(1, T.square(a)), [k, 1]));
    } else {
      a = z;
      adot = zdot;
    }
  }
  const value = T.mean(T.square(T.sub(a, y)));
  const slope = T.mean(T.square(T.sub(adot, dydxT)));
  return T.add(T.mul(1 - w, value), T.mul(w, slope));
}

function upload(p: Problem): { params: any[]; x: any; y: any; dydx: any; xdot: any; dydxT: any } {
  const d = p.sizes[0];
  const params: any[] = [];
  p.weights.forEach((w, l) => {
    params.push(T.tensor2d(w, [p.sizes[l], p.sizes[l + 1]]));
    params.push(T.tensor1d(p.biases[l]));
  });
  // Tangent block j: direction e_j for every sample, target ∂y/∂x_j.
  const xdot = new Float32Array(d * p.n * d);
  const dydxT = new Float32Array(d * p.n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < p.n; i++) {
      xdot[(j * p.n + i) * d + j] = 1;
      dydxT[j * p.n + i] = p.dydx[i * d + j];
    }
  }
  return {
    params,
    x: T.tensor2d(p.x, [p.n, d]),
    y: T.tensor2d(p.y, [p.n, 1]),
    dydx: T.tensor2d(p.dydx, [p.n, d]),
    xdot: T.tensor2d(xdot, [d * p.n, d]),
    dydxT: T.tensor2d(dydxT, [d * p.n, 1]),
  };
}

export function tfjsRunner(act: TfTanh = 'custom', form: TfForm = 'double-backward'): Runner {
  const sigma = act === 'custom' ? tanh : (z: any) => T.tanh(z);
  const k = (p: Problem) => p.sizes[0];
  const loss = (ps: any[], a: ReturnType<typeof upload>, p: Problem) =>
    form === 'tangents' ? tangentLoss(ps, a.x, a.xdot, a.y, a.dydxT, p.w, k(p), sigma) : sobolevLoss(ps, a.x, a.y, a.dydx, p.w, sigma);
  const inputs = (a: ReturnType<typeof upload>) => [a.x, a.y, a.dydx, a.xdot, a.dydxT];
  return {
    library: act === 'custom' || form === 'tangents' ? 'TF.js' : 'TF.js (built-in tanh)',
    device: 'webgpu',
    formulation: form === 'tangents' ? 'hand-written tangents' : 'double backward',
    method:
      form === 'tangents'
        ? `optimizer.minimize; ∂ŷ/∂x by forward mode written in TF ops (k tangent blocks stacked, one extra matMul per layer), one backward; tanh ${act === 'custom' ? 'via tf.customGrad' : 'built in'}`
        : `optimizer.minimize over tf.grad(Σŷ, x) (double backward), tanh ${act === 'custom' ? 'via tf.customGrad' : 'built in'}`,
    async gradients(p: Problem): Promise<Gradients> {
      await useWebgpu();
      const a = upload(p);
      try {
        const { value, grads } = T.valueAndGrads((...ps: any[]) => loss(ps, a, p))(a.params);
        const out: Gradients = { loss: (await value.data())[0], weights: [], biases: [] };
        for (let i = 0; i < grads.length; i++) {
          const g = Float32Array.from(await grads[i].data());
          (i % 2 === 0 ? out.weights : out.biases).push(g);
        }
        T.dispose([value, ...grads]);
        return out;
      } finally {
        T.dispose([...a.params, ...inputs(a)]);
      }
    },
    async trainer(p: Problem): Promise<Trainer> {
      await useWebgpu();
      const a = upload(p);
      const vars = a.params.map((t: any) => T.variable(t, true));
      T.dispose(a.params);
      const optimizer = T.train.adam(p.learningRate, 0.9, 0.999, 1e-8);
      let lastValue = NaN;
      return {
        async run(steps: number) {
          await useWebgpu();
          let cost: any = null;
          for (let s = 0; s < steps; s++) {
            cost?.dispose();
            cost = optimizer.minimize(() => loss(vars, a, p), true, vars);
          }
          lastValue = (await cost.data())[0];
          cost.dispose();
          // Reading a parameter back makes sure the last Adam update ran, too.
          await vars[vars.length - 1].data();
        },
        lastLoss: async () => lastValue,
        destroy() {
          optimizer.dispose();
          T.dispose([...vars, ...inputs(a)]);
        },
      };
    },
  };
}
