import { ACTIVATIONS } from '../src/types';
import { sharedPageTest as test, expect } from './fixtures';

const run = (page: import('@playwright/test').Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => (globalThis as any).checks[f as string](...(a as unknown[])), [fn, args] as const);

test('the grouped activation-backward kernel alone (two problems per dispatch) matches the reference (z̄ with the σ″ coupling, ż̄; loss seeds)', async ({ gpu }) => {
  for (const activation of ACTIVATIONS) {
    for (const [k, seed] of [[0, false], [2, false], [2, true], [1, true]] as const) {
      const r = await run(gpu, 'activationBackwardKernel', activation, k, seed);
      expect(r.zBar, `${activation} k=${k} seed=${seed}: z̄`).toBeLessThan(1e-5);
      expect(r.zDotBar, `${activation} k=${k} seed=${seed}: ż̄`).toBeLessThan(1e-5);
    }
  }
});

test('ctx.stats(): repeated inference allocates nothing; fit, a refused fit and destroy() leave no buffer alive', async ({ gpu }) => {
  const r = await run(gpu, 'ownershipStats');
  expect(r.afterManyCreated).toBe(r.afterFirstCreated);
  expect(r.concurrentMatches).toBe(1);
  expect(r.afterFitLive).toBe(r.beforeFitLive);
  expect(r.refusedLive).toBe(r.beforeFitLive);
  expect(r.endLive).toBe(r.startLive);
  expect(r.endBytes).toBe(0);
  expect(r.endScopes).toBe(0);
});

test('programs: one pipeline per compile-time key, a name collision is refused, debug prints WGSL by name', async ({ gpu }) => {
  const r = await run(gpu, 'programCache');
  expect(r.printedLoss).toBe(true);
  expect(r.printedOthers).toBe(false);
  expect(r.sameKernel).toBe(true);
  expect(r.key).toBe('activation-backward-grouped|false|tanh');
  expect(r.collision).toMatch(/Two different programs are named 'activation-backward-grouped'/);
});
