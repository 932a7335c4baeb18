import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

// The GPU Gram sums (src/linear/gpu-sums.ts) against the float64 CPU sums, in headless Chromium.
// Errors are the max over ΦᵀΦ, Φᵀy, ΣΦ'ᵀΦ', ΣΦ'ᵀy' (src/linear/sums-check.ts):
//   scaled   |ΔG_rc| / √(G_rr·G_cc) against the one-pass float64 CPU sums;
//   centred  |ΔG_rc| / √(C_rr·C_cc) (C: centred sums) against an accurate two-pass float64 reference.
// Tolerances:
// - split (default): two float32 words per value carry ~36 bits and head products are exact, so
//   the GPU should agree with float64 to ~1e-12; 1e-10 leaves margin. The centred error of the
//   ill-scaled data bottoms out near u64·(offset/spread)² ≈ 2e-10 (the float64 representation of
//   G itself), hence 2e-9.
// - kahan: one float32 word: the worst case is input rounding plus Kahan, ≈ 4·2⁻²⁴ ≈ 2.4e-7 of
//   the centred scale (which bounds the scaled error too).
// - each refinement must visibly help (kahan vs plain, split vs kahan, centring on ill-scaled
//   data), so an optimised-away compensation or a broken centring fails the test.
const SPLIT_SCALED = 1e-10;
const SPLIT_CENTRED = 2e-9;
const KAHAN = 2.5e-7;

async function openLinearPage(page: Page): Promise<void> {
  await page.goto('/e2e/pages/linear.html');
  await page.waitForFunction(() => (globalThis as { linearReady?: boolean }).linearReady === true);
}

interface Comparison {
  error: { scaled: number; centred: number; elementwise: number };
  ms: { backend: number; cpu: number };
  live: string[];
  adapter: { vendor: string; architecture: string; description: string };
}

const compare = (page: Page, kind: string, n: number, p: number, g: number, options: object = {}): Promise<Comparison> =>
  page.evaluate(([k, n, p, g, o]) => (globalThis as any).linearChecks.compare(k, n, p, g, o), [kind, n, p, g, options] as const);

test('GPU sums match float64 on random and ill-scaled data (1e3 and 1e5 rows, every mode)', async ({ gpu, adapter }) => {
  expect(adapter.vendor + adapter.architecture).not.toBe('');
  await openLinearPage(gpu);
  for (const kind of ['random', 'ill-scaled']) {
    for (const n of [1_000, 100_000]) {
      const label = `${kind} n=${n}`;
      const split = await compare(gpu, kind, n, 8, 1);
      const kahan = await compare(gpu, kind, n, 8, 1, { mode: 'kahan' });
      const plain = await compare(gpu, kind, n, 8, 1, { mode: 'plain' });
      expect(split.error.scaled, `split scaled ${label}`).toBeLessThanOrEqual(SPLIT_SCALED);
      expect(split.error.centred, `split centred ${label}`).toBeLessThanOrEqual(SPLIT_CENTRED);
      expect(kahan.error.scaled, `kahan scaled ${label}`).toBeLessThanOrEqual(KAHAN);
      expect(kahan.error.centred, `kahan centred ${label}`).toBeLessThanOrEqual(KAHAN);
      expect(plain.error.scaled, `plain scaled ${label}`).toBeLessThanOrEqual(1e-5);
      expect(split.error.scaled * 10, `split beats kahan ${label}`).toBeLessThan(kahan.error.scaled);
      if (n >= 100_000) expect(kahan.error.scaled * 5, `kahan beats plain ${label}`).toBeLessThan(plain.error.scaled);
      expect([...split.live, ...kahan.live, ...plain.live], `buffers left alive ${label}`).toEqual([]);
      if (kind === 'ill-scaled') {
        const raw = await compare(gpu, kind, n, 8, 1, { centre: false });
        expect(split.error.centred * 10, `centring helps ${label}`).toBeLessThan(raw.error.centred);
      }
    }
  }
});

test('a million rows (p = 8, one derivative block): float64-level sums, timed', async ({ gpu }, testInfo) => {
  await openLinearPage(gpu);
  for (const kind of ['random', 'ill-scaled']) {
    const r = await compare(gpu, kind, 1_000_000, 8, 1);
    const a = r.adapter;
    testInfo.annotations.push({
      type: 'timing',
      description: `1e6 rows ${kind}: GPU ${r.ms.backend.toFixed(0)} ms vs CPU float64 ${r.ms.cpu.toFixed(0)} ms on ${a.vendor} ${a.architecture} ${a.description}`.trim(),
    });
    expect(r.error.scaled, `scaled ${kind}`).toBeLessThanOrEqual(SPLIT_SCALED);
    expect(r.error.centred, `centred ${kind}`).toBeLessThanOrEqual(SPLIT_CENTRED);
    expect(r.live).toEqual([]);
  }
});

test('chunks, blocks and tiles: chunk and block edges inside derivative blocks, p not a multiple of 4', async ({ gpu }) => {
  await openLinearPage(gpu);
  const cases: [number, number, number, object][] = [
    [1, 1, 1, {}],
    [37, 13, 2, { blockRows: 5, chunkBytes: 1024 }],
    [1_001, 3, 3, { blockRows: 7, chunkBytes: 4096 }],
    [2_000, 20, 1, { chunkBytes: 50_000 }],
  ];
  for (const [n, p, g, options] of cases) {
    for (const mode of ['split', 'kahan']) {
      const r = await compare(gpu, 'random', n, p, g, { ...options, mode });
      const label = `n=${n} p=${p} g=${g} ${mode} ${JSON.stringify(options)}`;
      expect(r.error.scaled, label).toBeLessThanOrEqual(mode === 'split' ? SPLIT_SCALED : KAHAN);
      expect(r.live, label).toEqual([]);
    }
  }
});

test('bad input gets a clear error and leaves no buffer behind', async ({ gpu }) => {
  await openLinearPage(gpu);
  const { messages, live } = await gpu.evaluate(() => (globalThis as any).linearChecks.badInputs());
  expect(messages.phiShape).toMatch(/phi has length 17, expected n×p = 6×3 = 18/);
  expect(messages.yShape).toMatch(/y has length 5, expected n = 6/);
  expect(messages.dphiShape).toMatch(/dphi\[0\] has length 16/);
  expect(messages.dyCount).toMatch(/dphi has 1 blocks but dy has 0/);
  expect(messages.dphiWithoutDy).toMatch(/dphi and dy must be given together/);
  expect(messages.badN).toMatch(/n must be an integer ≥ 1, got 0/);
  expect(messages.nanPhi).toMatch(/phi\[7\] is NaN/);
  expect(messages.infDy).toMatch(/dy\[0\]\[2\] is -Infinity/);
  expect(messages.overflowUncentred).toMatch(/RangeError: phi\[4\] = 1e\+30 is too large for float32 sums.*enable centring/);
  expect(messages.badOption).toMatch(/blockRows must be an integer ≥ 1/);
  expect(messages.badMode).toMatch(/mode must be 'plain', 'kahan' or 'split'/);
  expect(messages.destroyedContext).toMatch(/DestroyedError/);
  expect(live).toEqual([]);
});

test('one pipeline per mode: shapes travel in uniforms', async ({ gpu }) => {
  await openLinearPage(gpu);
  const counts = await gpu.evaluate(() => (globalThis as any).linearChecks.pipelineCounts());
  expect(counts.afterFirst - counts.before).toBe(1);
  expect(counts.afterMany).toBe(counts.afterFirst);
  expect(counts.afterKahan).toBe(counts.afterFirst + 1);
});

test('fits from the GPU sums equal fits from the CPU sums', async ({ gpu }) => {
  await openLinearPage(gpu);
  for (const n of [50, 100_000]) {
    const r = await gpu.evaluate((n) => (globalThis as any).linearChecks.fitAgreement(n), n);
    // β relative differences: sums agree to ~1e-12 and the RBF systems have cond ≲ 1e4 here.
    for (const [fit, rel] of Object.entries(r.rel)) expect(rel as number, `${fit} n=${n}`).toBeLessThanOrEqual(1e-6);
    expect(r.zeroColumnExact, 'the constant feature has an exactly zero derivative column').toBe(true);
    expect(r.live).toEqual([]);
  }
});
