import { sharedPageTest as test, expect } from './fixtures';

// Missing derivative targets (NaN in dydx): the GPU's masked loss and gradients against the
// float64 reference (itself checked against central differences in e2e/unit/reference.spec.ts).
const TOL = 1e-5;

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

type Errors = { loss: number; weights: number; biases: number };
const expectErrors = (e: Errors, label: string) => {
  expect(e.loss, `loss ${label}`).toBeLessThanOrEqual(TOL);
  expect(e.weights, `weights ${label}`).toBeLessThanOrEqual(TOL);
  expect(e.biases, `biases ${label}`).toBeLessThanOrEqual(TOL);
};

test('masked loss and gradients match the reference in forward and reverse mode', async ({ gpu, adapter }) => {
  expect(adapter.vendor.length + adapter.description.length).toBeGreaterThan(0);
  const specs = [
    { sizes: [3, 7, 1], activation: 'tanh', n: 6, gradientWeight: 0.5, every: 3 },
    { sizes: [4, 9, 6, 2], activation: 'gelu', n: 5, gradientWeight: 1, every: 2, outputActivation: 'sin' },
    { sizes: [5, 8, 3], activation: 'softplus', n: 7, gradientWeight: 0.3, every: 4, gradientInputs: [4, 1] },
  ];
  for (const spec of specs) {
    const r = await run(gpu, 'maskedStep', spec);
    expect(r.missing, 'some targets are missing').toBeGreaterThan(0);
    expectErrors(r.forward, `forward ${JSON.stringify(spec)}`);
    expectErrors(r.reverse, `reverse ${JSON.stringify(spec)}`);
  }
});

for (const mode of ['forward', 'reverse'] as const) {
  test(`a group mixing masked and complete data (${mode}): each model matches the reference; a complete model is unchanged bit for bit`, async ({ gpu }) => {
    const r = await run(gpu, 'maskedGroup', mode);
    r.errors.forEach((e: Errors, i: number) => expectErrors(e, `model ${i}`));
    expect(r.sameAsUnmasked).toBe(true);
  });
}

test('a fit on a CSV with blank derivative cells trains; its derivative error on present entries falls', async ({ gpu }) => {
  for (const mode of ['forward', 'reverse'] as const) {
    const r = await run(gpu, 'maskedFit', mode);
    expect(r.missing, 'the CSV has missing derivative cells').toBeGreaterThan(10);
    for (const key of ['history', 'gradientHistory', 'validationHistory'] as const) {
      expect(r.report[key].length, `${mode} ${key}`).toBeGreaterThan(0);
      expect(r.report[key].every(Number.isFinite), `${mode} ${key} finite`).toBe(true);
    }
    expect(r.report.gradientHistory.at(-1), `${mode}: the masked derivative loss falls`).toBeLessThan(0.5 * r.report.gradientHistory[0]);
    expect(r.after, `${mode}: derivative RMS error on present entries ${r.before} → ${r.after}`).toBeLessThan(0.5 * r.before);
  }
});
