import { sharedPageTest as test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

// Group model i vs a lone Mlp with its spec and options (≤ 1e-5 normwise).
const TOL_EQUIVALENCE = 1e-5;

for (const tiled of [false, true]) {
  for (const [directions, perModelData] of [['all', false], [2, true]] as const) {
    test(`a group of ragged models trains each exactly as alone (tiled: ${tiled}, directions: ${directions}, ${perModelData ? 'a dataset per model' : 'one dataset'})`, async ({ gpu }) => {
      const r = await run(gpu, 'groupEquivalence', tiled, directions, perModelData, 64);
      console.log(`equivalence tiled=${tiled} directions=${directions}: steps ${r.steps}, errors ${r.errors.map((e: number) => e.toExponential(1)).join(' ')}, moved ${r.moved.map((e: number) => e.toFixed(2)).join(' ')}`);
      expect(r.steps).toBeGreaterThanOrEqual(150);
      for (let i = 0; i < r.errors.length; i++) {
        expect(r.errors[i], `model ${i}`).toBeLessThanOrEqual(TOL_EQUIVALENCE);
        expect(r.moved[i], `model ${i} trained`).toBeGreaterThan(1e-3);
      }
    });
  }
  test(`every model's loss and gradients from one grouped step match the reference (tiled: ${tiled})`, async ({ gpu }) => {
    const rows = await run(gpu, 'groupLossAndGradients', tiled);
    rows.forEach((r: { loss: number; weights: number; biases: number }, i: number) => {
      expect(r.loss, `model ${i} loss`).toBeLessThanOrEqual(1e-5);
      expect(r.weights, `model ${i} weights`).toBeLessThanOrEqual(1e-4);
      expect(r.biases, `model ${i} biases`).toBeLessThanOrEqual(1e-4);
    });
  });
}

test('a model that diverges restores itself and stops alone; the others end as in a group without it', async ({ gpu }) => {
  const r = await run(gpu, 'groupDivergence');
  expect(r.diverged).toEqual([false, true, false]);
  expect(r.epochs[0]).toBe(30);
  expect(r.epochs[2]).toBe(30);
  expect(r.epochs[1]).toBeLessThan(30);
  expect(r.first).toBe(0);
  expect(r.third).toBe(0);
  expect(r.historySame).toBe(true);
  expect(r.restoredFinite).toBe(true);
});

test('an epoch taken in several chunks sums its loss as one chunk would: a frozen model reports the same loss every epoch', async ({ gpu }) => {
  const r = await run(gpu, 'frozenHistory');
  for (const [path, histories] of Object.entries(r as Record<string, number[][]>)) {
    for (const history of histories) {
      expect(history.length, path).toBe(6);
      // The first epoch (a one-step chunk, then the rest) against the others; float32 sums of the same terms in another order.
      for (const h of history) expect(Math.abs(h - history[0]), `${path}: ${history}`).toBeLessThanOrEqual(1e-5 * Math.abs(history[0]));
    }
  }
});

test('groups of other widths compile no pipeline; destroy frees every buffer', async ({ gpu }) => {
  const r = await run(gpu, 'groupCaching');
  expect(r.pipelinesSecond).toBe(r.pipelinesFirst);
  expect(r.live).toBe(0);
  expect(r.scopes).toBe(0);
});

test('group predictions equal each model alone', async ({ gpu }) => {
  expect(await run(gpu, 'groupPredict')).toBeLessThanOrEqual(1e-6);
});

test('predict and getParameters called during a fit run after it, in user units', async ({ gpu }) => {
  const r = await run(gpu, 'callsDuringFit');
  expect(r.same).toBe(0);
  expect(r.paramsSame).toBe(0);
});
