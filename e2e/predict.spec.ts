import { sharedPageTest as test, expect } from './fixtures';
import type { ModelSpec } from './pages/checks';
import { ACTIVATIONS } from '../src/types';

// Normwise relative error of GPU float32 predictions against the float64 reference.
const TOL = 1e-5;

test('the harness has a WebGPU adapter, and the test records which', async ({ adapter }, testInfo) => {
  expect(adapter.vendor + adapter.architecture).not.toBe('');
  const recorded = testInfo.annotations.filter((a) => a.type === 'adapter').map((a) => a.description);
  expect(recorded).toEqual([`${adapter.vendor} ${adapter.architecture} ${adapter.description}`.trim()]);
});

for (const activation of ACTIVATIONS) {
  test(`predict matches the reference: ${activation}`, async ({ gpu }) => {
    const specs: ModelSpec[] = [
      { sizes: [1, 1], activation, n: 1 },
      { sizes: [3, 7, 2], activation, n: 1 },
      { sizes: [5, 33, 17, 3], activation, n: 37, outputActivation: activation },
      { sizes: [2, 65, 1], activation, n: 130 },
    ];
    for (const spec of specs) {
      const err = await gpu.evaluate((s) => (globalThis as any).checks.checkPredict(s), spec);
      expect(err, JSON.stringify(spec)).toBeLessThanOrEqual(TOL);
    }
  });
}

test('predict on wide and deep networks (widths up to 300, 10 layers)', async ({ gpu }) => {
  const specs: ModelSpec[] = [
    { sizes: [4, 300, 1], activation: 'tanh', n: 3 },
    { sizes: [11, 299, 301, 2], activation: 'tanh', n: 33 },
    { sizes: [3, 9, 10, 11, 12, 13, 14, 15, 16, 17, 1], activation: 'tanh', n: 5 },
  ];
  for (const spec of specs) {
    const err = await gpu.evaluate((s) => (globalThis as any).checks.checkPredict(s), spec);
    expect(err, JSON.stringify(spec)).toBeLessThanOrEqual(TOL);
  }
});
