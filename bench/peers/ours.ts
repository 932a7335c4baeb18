// This library: Mlp.fit with the batch = the whole data set, so one fit of S epochs is S
// Adam steps encoded into command buffers of up to 256 steps, the loss read back once per chunk.
import { createMlp, type Context, type Mlp } from '../../src/index';
import type { Problem } from '../problem';
import type { Gradients, Runner, Trainer } from './types';

function model(ctx: Context, p: Problem): Mlp {
  const mlp = createMlp(ctx, { inputs: p.sizes[0], hidden: p.sizes.slice(1, -1), outputs: 1, activation: 'tanh', outputActivation: 'linear' });
  mlp.setParameters({ weights: p.weights, biases: p.biases });
  return mlp;
}

export function oursRunner(ctx: Context): Runner {
  return {
    library: 'sobolev-webgpu',
    device: 'webgpu',
    formulation: 'stacked tangents (forward-over-reverse)',
    method: 'Mlp.fit: stacked JVP tangents, hand-written backward, Adam; 256 steps per command buffer',
    async gradients(p: Problem): Promise<Gradients> {
      const mlp = model(ctx, p);
      try {
        const r = await mlp.lossAndGradients({ x: p.x, y: p.y, dydx: p.dydx }, { gradientWeight: p.w, directions: 'all' });
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
          });
          if (report.steps !== steps) throw new Error(`fit ran ${report.steps} steps, expected ${steps} (diverged: ${report.diverged})`);
          last = report.loss;
        },
        lastLoss: async () => last,
        destroy: () => mlp.destroy(),
      };
    },
  };
}
