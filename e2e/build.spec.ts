import { execSync } from 'node:child_process';
import { test, expect } from './fixtures';

// The published package: `npm run build` → dist/index.js (ESM) + declarations, usable as is.
test('npm run build gives a working ESM bundle and type declarations', async ({ gpu }) => {
  test.setTimeout(240_000);
  execSync('npm run build', { stdio: 'pipe' });
  const pkg = JSON.parse(execSync('node -p "JSON.stringify(require(\'./package.json\').exports)"').toString());
  expect(pkg['.'].import).toBe('./dist/index.js');
  const types = execSync('cat dist/types/src/index.d.ts').toString();
  expect(types).toContain('createContext');
  expect(types).toContain('createMlp');
  const r = await gpu.evaluate(async () => {
    const lib = await import(/* @vite-ignore */ `${location.origin}/dist/index.js`);
    const ctx = await lib.createContext();
    const mlp = lib.createMlp(ctx, { inputs: 2, hidden: [8], outputs: 1, activation: 'tanh', seed: 3 });
    const p = await mlp.getParameters();
    mlp.setParameters(p);
    const y = await mlp.predict(new Float32Array([0.5, -0.25, 1, 2]));
    // tanh MLP by hand from the parameters it reports.
    const expected = [0, 1].map((i) => {
      const x = [[0.5, -0.25], [1, 2]][i];
      let out = p.biases[1][0];
      for (let h = 0; h < 8; h++) {
        const z = x[0] * p.weights[0][h] + x[1] * p.weights[0][8 + h] + p.biases[0][h];
        out += Math.tanh(z) * p.weights[1][h];
      }
      return out;
    });
    mlp.destroy();
    ctx.destroy();
    return { y: [...y], expected, names: Object.keys(lib).sort() };
  });
  expect(r.names).toEqual(expect.arrayContaining(['createContext', 'createMlp', 'Mlp', 'Context']));
  r.y.forEach((v: number, i: number) => expect(v).toBeCloseTo(r.expected[i], 5));
});
