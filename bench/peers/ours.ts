// This library: Mlp.fit with the batch = the whole data set, so one fit of S epochs is S
// Adam steps encoded into command buffers of up to 256 steps, the loss read back once per chunk.
import { createMlp, type Context, type JacobianMode, type Mlp } from '../../src/index';
import type { Problem } from '../problem';
import type { Gradients, Runner, Trainer } from './types';

function model(ctx: Context, p: Problem): Mlp {
  const mlp = createMlp(ctx, { inputs: p.sizes[0], hidden: p.sizes.slice(1, -1), outputs: p.sizes[p.sizes.length - 1], activation: 'tanh', outputActivation: 'linear' });
  mlp.setParameters({ weights: p.weights, biases: p.biases });
  return mlp;
}

/** The formulation each jacobianMode runs ('auto' names the one it picks for the problem). */
export function oursFormulation(mode: JacobianMode, sizes: number[]): string {
  const k = sizes[0];
  const m = sizes[sizes.length - 1];
  const ran = mode === 'auto' ? (m < k ? 'reverse' : 'forward') : mode;
  const name = ran === 'reverse' ? 'cotangents (reverse-over-reverse)' : 'stacked tangents (reverse-over-forward)';
  return mode === 'auto' ? `${name}, auto` : name;
}

export function oursRunner(ctx: Context, jacobianMode: JacobianMode = 'auto', sizes = [4, 64, 64, 1]): Runner {
  return {
    library: 'sobolev-webgpu',
    device: 'webgpu',
    formulation: oursFormulation(jacobianMode, sizes),
    method: `Mlp.fit (jacobianMode '${jacobianMode}'): ${oursFormulation(jacobianMode, sizes).startsWith('cotangents') ? 'm cotangent blocks: input-gradient sweep, adjoint sweep, hand-written backward' : 'k stacked JVP tangent blocks, hand-written backward'}, Adam; 256 steps per command buffer`,
    async gradients(p: Problem): Promise<Gradients> {
      const mlp = model(ctx, p);
      try {
        const r = await mlp.lossAndGradients({ x: p.x, y: p.y, dydx: p.dydx }, { gradientWeight: p.w, directions: 'all', jacobianMode });
        return { loss: r.loss, weights: r.weights, biases: r.biases };
      } finally {
        mlp.destroy();
      }
    },
    async trainer(p: Problem): Promise<Trainer> {
      const mlp = model(ctx, p);
      const data = { x: p.x, y: p.y, dydx: p.dydx };
      let last = NaN;
      return {
        async run(steps: number) {
          const report = await mlp.fit(data, {
            epochs: steps,
            batchSize: p.n,
            learningRate: p.learningRate,
            gradientWeight: p.w,
            directions: 'all',
            normalize: false,
            jacobianMode,
          });
          if (jacobianMode !== 'auto' && report.jacobianMode !== jacobianMode) throw new Error(`fit ran ${report.jacobianMode}, asked for ${jacobianMode}`);
          if (report.steps !== steps) throw new Error(`fit ran ${report.steps} steps, expected ${steps} (diverged: ${report.diverged})`);
          last = report.loss;
        },
        lastLoss: async () => last,
        destroy: () => mlp.destroy(),
      };
    },
  };
}
