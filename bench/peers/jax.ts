// jax-js (@jax-js/jax), in the two ways JAX code takes input-derivatives inside a loss:
//   'fwd-rev' reverse-over-forward: vmap over the k unit directions of jvp(f, [x], [v]), and
//             valueAndGrad differentiates that (k tangent passes, like our stacked rows);
//   'rev-rev' reverse-over-reverse: grad of Σŷ with respect to x (one backward pass gives all
//             d = k input-derivatives of a single output, ŷ itself as grad's aux), and
//             valueAndGrad differentiates through that (double backward);
//   'rev-manual' the same reverse-mode input gradient written out in jax ops (the MLP's
//             backward for the seed 1, σ' = 1 − tanh² from the stored activations), and
//             valueAndGrad differentiates that: one reverse pass by jax-js. jax-js 0.1.25's
//             wasm device gets 'rev-rev' wrong (the second-order terms of any non-linear
//             activation; its cpu and webgpu devices agree with the float64 reference), and
//             this form is the workaround a user would write.
// Adam is written with jax ops; the whole step is one jit'd function.
// jax-js's typings are strict about its Array type and move semantics: kept loose here.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as jax from '@jax-js/jax';
import type { Problem } from '../problem';
import type { Gradients, Runner, Trainer } from './types';

const np: any = jax.numpy;
const J: any = jax;

type Device = 'webgpu' | 'wasm';
type Params = { W: any[]; b: any[] };

async function useDevice(device: Device): Promise<void> {
  const available: string[] = await J.init(device);
  if (!available.includes(device)) {
    throw new Error(`jax-js could not start its '${device}' device (init returned [${available.join(', ')}])`);
  }
  J.defaultDevice(device);
}

/** Hidden layers tanh, output linear. Consumes p and x. */
function mlp(p: Params, x: any): any {
  const L = p.W.length;
  let a = x;
  for (let l = 0; l < L; l++) {
    const z = np.dot(a, p.W[l]).add(p.b[l]);
    a = l < L - 1 ? np.tanh(z) : z;
  }
  return a;
}

/** How the loss takes ∂ŷ/∂x (see the top of the file). */
export type JaxForm = 'fwd-rev' | 'rev-rev' | 'rev-manual';

/** L = (1 − w)·mean(ŷ − y)² + w·mean(∂ŷ/∂x·v − t)² over the k directions V (k × n × d). */
function sobolevLossFwdRev(w: number) {
  return (p: Params, x: any, y: any, t: any, V: any): any => {
    const f = (xx: any) => mlp(J.tree.ref(p), xx);
    const [ys, dys] = J.vmap((v: any) => J.jvp(f, [x.ref], [v]), [0])(V);
    J.tree.dispose(p);
    x.dispose();
    const rv = ys.slice(0).sub(y); // the primal is the same in every direction block
    const rt = dys.sub(t);
    return rv.ref.mul(rv).mean().mul(1 - w).add(rt.ref.mul(rt).mean().mul(w));
  };
}

/** The same loss with ∂ŷ/∂x = grad(Σŷ)(x) (n × d, one output); t is n × d here; V is unused. */
function sobolevLossRevRev(w: number) {
  return (p: Params, x: any, y: any, t: any, V: any): any => {
    V.dispose();
    const f = (xx: any) => {
      const out = mlp(J.tree.ref(p), xx);
      return [out.ref.sum(), out];
    };
    const [dx, yhat] = J.grad(f, { hasAux: true })(x);
    J.tree.dispose(p);
    const rv = yhat.sub(y);
    const rt = dx.sub(t);
    return rv.ref.mul(rv).mean().mul(1 - w).add(rt.ref.mul(rt).mean().mul(w));
  };
}

/** ŷ and ∂ŷ/∂x (n × d) of a one-output MLP, the input gradient by its backward pass written
 *  in jax ops. Consumes p and x. */
function mlpWithInputGradient(p: Params, x: any): [any, any] {
  const L = p.W.length;
  const n = x.shape[0];
  const slopes: any[] = [];
  let a = x;
  for (let l = 0; l < L; l++) {
    const z = np.dot(a, p.W[l].ref).add(p.b[l]);
    if (l < L - 1) {
      a = np.tanh(z);
      slopes.push(a.ref.mul(a.ref).mul(-1).add(1));
    } else a = z;
  }
  let g = np.ones([n, 1]);
  for (let l = L - 1; l >= 0; l--) {
    g = np.dot(g, p.W[l].transpose());
    if (l > 0) g = g.mul(slopes[l - 1]);
  }
  return [a, g];
}

/** The loss with the hand-written input gradient; t is n × d; V is unused. */
function sobolevLossRevManual(w: number) {
  return (p: Params, x: any, y: any, t: any, V: any): any => {
    V.dispose();
    const [yhat, dx] = mlpWithInputGradient(p, x);
    const rv = yhat.sub(y);
    const rt = dx.sub(t);
    return rv.ref.mul(rv).mean().mul(1 - w).add(rt.ref.mul(rt).mean().mul(w));
  };
}

const sobolevLoss = (form: JaxForm, w: number) => (form === 'rev-rev' ? sobolevLossRevRev(w) : form === 'rev-manual' ? sobolevLossRevManual(w) : sobolevLossFwdRev(w));
const FORM_NAMES: Record<JaxForm, string> = {
  'fwd-rev': 'reverse-over-forward',
  'rev-rev': 'reverse-over-reverse',
  'rev-manual': 'hand-written input gradient + grad',
};

interface Arrays {
  params: Params;
  x: any;
  y: any;
  t: any;
  V: any;
}

/** Uploads the problem: x n×d, y n×1, and the derivative targets as the form reads them:
 *  'fwd-rev' t k×n×1 with directions V k×n×d (unit vectors), 'rev-rev' t n×d (V a dummy). */
function upload(p: Problem, form: JaxForm): Arrays {
  const { n } = p;
  const d = p.sizes[0];
  const k = d;
  const t = new Float32Array(k * n);
  const V = new Float32Array(k * n * d);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      t[j * n + i] = p.dydx[i * d + j];
      V[(j * n + i) * d + j] = 1;
    }
  }
  const sizes = p.sizes;
  return {
    params: {
      W: p.weights.map((w, l) => np.array(Float32Array.from(w)).reshape([sizes[l], sizes[l + 1]])),
      b: p.biases.map((b) => np.array(Float32Array.from(b))),
    },
    x: np.array(Float32Array.from(p.x)).reshape([n, d]),
    y: np.array(Float32Array.from(p.y)).reshape([n, 1]),
    t: form !== 'fwd-rev' ? np.array(Float32Array.from(p.dydx)).reshape([n, d]) : np.array(t).reshape([k, n, 1]),
    V: form !== 'fwd-rev' ? np.zeros([1]) : np.array(V).reshape([k, n, d]),
  };
}

function disposeAll(a: Arrays): void {
  J.tree.dispose(a.params);
  for (const v of [a.x, a.y, a.t, a.V]) v.dispose();
}

/** When to wait for the device: after every step (jax-js's advice for long loops: it keeps
 *  the queue of pending operations short) or only at the end of a block of steps. */
export type JaxSync = 'step' | 'block';

export function jaxRunner(device: Device, form: JaxForm = 'fwd-rev', sync: JaxSync = 'block'): Runner {
  return {
    library: 'jax-js',
    device: device === 'webgpu' ? 'webgpu (jit)' : 'wasm (jit)',
    formulation: FORM_NAMES[form],
    maxStepsPerBlock: 40,
    method:
      form === 'rev-rev'
        ? `jit(valueAndGrad(loss)) + Adam in jax ops; ∂ŷ/∂x = grad(Σŷ)(x) inside the loss (ŷ as aux); waits per ${sync}`
        : form === 'rev-manual'
          ? `jit(valueAndGrad(loss)) + Adam in jax ops; ∂ŷ/∂x by the MLP's backward written in jax ops inside the loss; waits per ${sync}`
          : `jit(valueAndGrad(loss)) + Adam in jax ops; tangents by vmap(jvp) over the k directions; waits per ${sync}`,
    async gradients(p: Problem): Promise<Gradients> {
      await useDevice(device);
      const a = upload(p, form);
      const vg = J.jit(J.valueAndGrad(sobolevLoss(form, p.w)));
      try {
        const [loss, g] = vg(J.tree.ref(a.params), a.x.ref, a.y.ref, a.t.ref, a.V.ref);
        const weights: Float32Array[] = [];
        const biases: Float32Array[] = [];
        for (const W of g.W) weights.push(Float32Array.from(await W.data()));
        for (const b of g.b) biases.push(Float32Array.from(await b.data()));
        return { loss: (await loss.data())[0], weights, biases };
      } finally {
        vg.dispose();
        disposeAll(a);
      }
    },
    async trainer(p: Problem): Promise<Trainer> {
      await useDevice(device);
      const a = upload(p, form);
      const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, p.learningRate];
      const vg = J.valueAndGrad(sobolevLoss(form, p.w));
      const step = J.jit((state: any, x: any, y: any, t: any, V: any) => {
        const { p: params, m, v, c } = state;
        const [loss, g] = vg(J.tree.ref(params), x, y, t, V);
        const c1 = c.add(1);
        const m1 = J.tree.map((mi: any, gi: any) => mi.mul(b1).add(gi.mul(1 - b1)), m, J.tree.ref(g));
        const v1 = J.tree.map((vi: any, gi: any) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), v, g);
        // Bias correction folded into the step size: lr·√(1 − β2ᵗ)/(1 − β1ᵗ), ε·√(1 − β2ᵗ).
        const corr2 = np.sqrt(np.exp(c1.ref.mul(Math.log(b2))).mul(-1).add(1));
        const corr1 = np.exp(c1.ref.mul(Math.log(b1))).mul(-1).add(1);
        const lrT = corr2.ref.mul(lr).div(corr1);
        const epsT = corr2.mul(eps);
        const p1 = J.tree.map(
          (pi: any, mi: any, vi: any) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(epsT.ref))),
          params,
          J.tree.ref(m1),
          J.tree.ref(v1),
        );
        lrT.dispose();
        epsT.dispose();
        return [loss, { p: p1, m: m1, v: v1, c: c1 }];
      });
      let state: any = {
        p: a.params,
        m: J.tree.map((q: any) => np.zerosLike(q), J.tree.ref(a.params)),
        v: J.tree.map((q: any) => np.zerosLike(q), J.tree.ref(a.params)),
        c: np.zeros([]),
      };
      let last: any = null;
      let lastValue = NaN;
      return {
        async run(steps: number) {
          await useDevice(device);
          for (let s = 0; s < steps; s++) {
            const [loss, next] = step(state, a.x.ref, a.y.ref, a.t.ref, a.V.ref);
            last?.dispose();
            last = loss;
            state = next;
            if (sync === 'step') await J.blockUntilReady(state);
          }
          await J.blockUntilReady(state);
          lastValue = (await last.ref.data())[0];
          // Reading a parameter back makes sure the last Adam update ran, too.
          await state.p.b[state.p.b.length - 1].ref.data();
        },
        lastLoss: async () => lastValue,
        destroy() {
          last?.dispose();
          J.tree.dispose(state);
          for (const v of [a.x, a.y, a.t, a.V]) v.dispose();
          step.dispose();
        },
      };
    },
  };
}
