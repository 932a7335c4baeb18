import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { axeViolations, keepScreenshot, overflowing, watchErrors } from './demo-helpers';

// The report page (demo/index.html): Run / Cancel in the page (no auto-start without
// autorun=1), the estimate before a long preset, a section run and drawn beside the paper's
// numbers, a saved results.json drawn as a static report, and the no-WebGPU paths.

interface ReportState { ready: boolean; running: boolean; webgpu: string | null; rendered: string[]; saved: boolean }
const report = (page: Page) => page.evaluate(() => {
  const g = globalThis as unknown as { __report: ReportState; __done?: boolean; __error?: string; __progress: Record<string, unknown>; __results: unknown[] };
  return { ...g.__report, done: !!g.__done, error: g.__error ?? null, progress: Object.keys(g.__progress).length, results: g.__results.length };
});
const FIXTURE = '/e2e/pages/results-quick.json';

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`/demo/index.html${query}`);
  await page.waitForFunction(() => (globalThis as unknown as { __report?: ReportState }).__report?.ready === true, null, { timeout: 60_000 });
}

test('no auto-start; Run the linear section, its verdicts and charts; Cancel stops a run', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, '?sections=linear');
  await page.waitForTimeout(1500);
  let s = await report(page);
  expect(s.webgpu).toBe('ok');
  expect(s.running, 'the page must not start by itself').toBe(false);
  expect(s.progress).toBe(0);
  await expect(page.getByRole('status')).toContainText('Ready');
  await expect(page.locator('#estimate')).toContainText('linear ≈');

  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { __done?: boolean; __error?: string }).__done || (globalThis as unknown as { __error?: string }).__error, null, { timeout: 120_000 });
  s = await report(page);
  expect(s.error).toBeNull();
  expect(s.rendered).toEqual(['linear']);
  const section = page.locator('#section-linear');
  await expect(section.locator('.claim')).toContainText('ridge-gradient');
  await expect(section.locator('dl.defs')).toContainText('β_grad');
  await expect(section.locator('.verdicts li')).not.toHaveCount(0);
  await expect(section.locator('canvas[role="img"]')).toHaveCount(2);
  await expect(section.locator('canvas[role="img"]').nth(1)).toHaveAttribute('aria-label', /standard errors/);
  await expect(page.locator('#timing')).toContainText('Elapsed');
  await keepScreenshot(page, testInfo, 'report-linear-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await overflowing(page), 'elements wider than the 390 px viewport').toEqual([]);
  await keepScreenshot(page, testInfo, 'report-linear-390');
  expect(await axeViolations(page)).toEqual([]);

  // Cancel: start again, cancel at the first progress event.
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => Object.keys((globalThis as unknown as { __progress: object }).__progress).length > 0, null, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForFunction(() => !(globalThis as unknown as { __report: ReportState }).__report.running, null, { timeout: 60_000 });
  s = await report(page);
  expect(s.error).toBe('cancelled by the user');
  expect(s.done).toBe(false);
  await expect(page.getByRole('status')).toContainText('Cancelled');
  errors.check();
});

test('autorun=1 starts at once and fills the globals scripts/reproduce.mjs reads; an unknown section is an error', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page, [/unknown section/]);
  await page.goto('/demo/index.html?preset=quick&sections=linear&autorun=1');
  await page.waitForFunction(() => (globalThis as { __meta?: { adapter?: string } }).__meta?.adapter, null, { timeout: 60_000 });
  await page.waitForFunction(() => (globalThis as { __done?: boolean; __error?: string }).__done || (globalThis as { __error?: string }).__error, null, { timeout: 100_000 });
  const g = await page.evaluate(() => {
    const w = globalThis as unknown as { __meta: { preset: string; sections: string[]; timings: Record<string, number> }; __results: { id: string; markdown: string; json: unknown }[]; __progress: Record<string, { section: string; done: number; total: number }>; __error?: string };
    return { meta: w.__meta, results: w.__results.map((r) => ({ id: r.id, md: r.markdown.length, json: !!r.json })), progress: Object.values(w.__progress), error: w.__error ?? null };
  });
  expect(g.error).toBeNull();
  expect(g.meta.preset).toBe('quick');
  expect(g.meta.sections).toEqual(['linear']);
  expect(g.meta.timings.linear).toBeGreaterThan(0);
  expect(g.results).toEqual([{ id: 'linear', md: expect.any(Number), json: true }]);
  expect(g.progress.every((p) => p.section === 'linear' && p.done === p.total)).toBe(true);

  await page.goto('/demo/index.html?sections=nosuch&autorun=1');
  await page.waitForFunction(() => (globalThis as { __error?: string }).__error, null, { timeout: 30_000 });
  expect(await page.evaluate(() => (globalThis as { __error?: string }).__error)).toMatch(/unknown section\(s\) nosuch/);
  errors.check();
});

test('the paper preset asks before it starts, with its time estimate', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  // Every preset is offered, each with its estimate.
  for (const name of ['tiny', 'quick', 'full', 'paper']) await expect(page.getByLabel(new RegExp(`^ ?${name} — .*\\(≈ [\\d.]+ (s|min|h|days)\\)$`))).toHaveCount(1);
  await page.getByLabel(/paper — the whole protocol/).check();
  await expect(page.locator('#estimate')).toContainText(/nn ≈ [\d.]+ days/);
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#confirm')).toBeVisible();
  await expect(page.locator('#confirm')).toContainText('estimated at');
  await expect(page.getByRole('status').first()).toContainText('confirm below');
  expect((await report(page)).running).toBe(false);
  // Another preset: the confirmation and its status line go.
  await page.getByLabel(/quick — /).check();
  await expect(page.locator('#confirm')).toBeHidden();
  await expect(page.locator('#status')).toContainText('Ready');
  errors.check();
});

test('a saved results.json (?results=URL) renders as a static report: screenshots, no overflow at 390 px, no serious axe violation', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, `?results=${FIXTURE}`);
  await page.waitForFunction(() => (globalThis as unknown as { __report: ReportState }).__report.saved, null, { timeout: 30_000 });
  const s = await report(page);
  expect(s.rendered).toEqual(['nn', 'linear', 'generative']);
  expect(s.progress, 'nothing re-runs').toBe(0);
  await expect(page.locator('#saved')).toContainText('Saved report');
  await expect(page.locator('#outcome')).toHaveText(/^Outcome of the saved report \(preset quick\): \d+ holds?/);
  await expect(page.getByRole('button', { name: 'Download results.json' })).toBeDisabled();
  await expect(page.locator('#section-nn .verdicts li')).not.toHaveCount(0);
  await expect(page.locator('#section-nn .caveat').first()).toBeVisible();
  await expect(page.locator('#section-nn table').first()).toContainText('paper');
  await expect(page.locator('#section-generative canvas[role="img"]')).not.toHaveCount(0);
  await keepScreenshot(page, testInfo, 'report-saved-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await overflowing(page), 'elements wider than the 390 px viewport').toEqual([]);
  await keepScreenshot(page, testInfo, 'report-saved-390');
  expect(await axeViolations(page)).toEqual([]);
  errors.check();
});

const noGpu = () => {
  delete (Navigator.prototype as { gpu?: unknown }).gpu;
  delete (navigator as { gpu?: unknown }).gpu;
};
const noAdapter = () => {
  if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;
};
const insecure = () => Object.defineProperty(globalThis, 'isSecureContext', { value: false, configurable: true });

test('no WebGPU: each cause gets its own message and fix; the CPU section still runs and a saved report still renders', async ({ page, context }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await context.addInitScript(noGpu);
  await open(page, '?sections=linear');
  let s = await report(page);
  expect(s.webgpu).toBe('no-navigator-gpu');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('navigator.gpu is missing');
  await expect(notice).toContainText('chrome://gpu');
  await expect(notice).toContainText('--enable-unsafe-webgpu');
  await expect(page.getByLabel('nn (needs WebGPU)')).toBeDisabled();
  // The linear section runs on CPU sums.
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { __done?: boolean; __error?: string }).__done || (globalThis as unknown as { __error?: string }).__error, null, { timeout: 90_000 });
  s = await report(page);
  expect(s.error).toBeNull();
  expect(s.rendered).toEqual(['linear']);
  await expect(page.locator('#section-linear')).toContainText('CPU float64');
  // A saved report.
  await open(page, `?results=${FIXTURE}`);
  await page.waitForFunction(() => (globalThis as unknown as { __report: ReportState }).__report.saved, null, { timeout: 30_000 });
  expect((await report(page)).rendered).toEqual(['nn', 'linear', 'generative']);
  // The playground says the same.
  await page.goto('/demo/playground/');
  await page.waitForFunction(() => (globalThis as unknown as { __playground?: { ready: boolean } }).__playground?.ready === true);
  await expect(page.getByRole('alert')).toContainText('navigator.gpu is missing');
  await expect(page.getByRole('button', { name: 'Run' })).toBeDisabled();
  errors.check();
});

for (const [name, script, kind, text] of [
  ['no adapter', noAdapter, 'no-adapter', 'found no GPU adapter'],
  ['not a secure context', insecure, 'insecure-context', 'not a secure context'],
] as const) {
  test(`no WebGPU (${name}): the message says so and how to fix it`, async ({ page, context }) => {
    const errors = watchErrors(page);
    await context.addInitScript(script);
    await open(page);
    expect((await report(page)).webgpu).toBe(kind);
    await expect(page.getByRole('alert')).toContainText(text);
    await expect(page.getByRole('alert')).toContainText(kind === 'no-adapter' ? 'chrome://gpu' : 'localhost');
    // A saved report through the file picker.
    await page.setInputFiles('#results-file', 'e2e/pages/results-quick.json');
    await page.waitForFunction(() => (globalThis as unknown as { __report: ReportState }).__report.saved, null, { timeout: 30_000 });
    expect((await report(page)).rendered).toEqual(['nn', 'linear', 'generative']);
    errors.check();
  });
}

test('390 and 1280 px: a tiny run shows its progress in view, the one-line outcome at the top and downloads as results.json; / is a landing page', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '?sections=linear&preset=tiny');
  await expect(page.getByLabel(/^ ?tiny — /)).toBeChecked();
  await expect(page.locator('#outcome')).toBeHidden();
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.locator('#overall')).toBeInViewport();
  await expect(page.locator('#status')).toBeInViewport();
  await page.waitForFunction(() => (globalThis as unknown as { __done?: boolean; __error?: string }).__done || (globalThis as unknown as { __error?: string }).__error, null, { timeout: 120_000 });
  expect((await report(page)).error).toBeNull();
  await expect(page.locator('#status')).not.toContainText('Error: Error');
  const outcome = page.locator('#outcome');
  await expect(outcome).toBeVisible();
  await expect(outcome).toHaveText(/^Outcome of this run \(preset tiny\): (\d+ holds?|\d+ fails?|\d+ undecided)(, (\d+ fails?|\d+ undecided))*\./);
  // The outcome sits above the form: the first thing a reader sees.
  expect((await outcome.boundingBox())!.y).toBeLessThan((await page.locator('#run-form').boundingBox())!.y);
  // It counts the verdicts the section lists.
  const listed = await page.locator('#section-linear .verdicts li').count();
  const counted = ((await outcome.textContent())!.match(/\d+(?= (holds?|fails?|undecided))/g) ?? []).reduce((a, n) => a + Number(n), 0);
  expect(counted).toBe(listed);
  await keepScreenshot(page, testInfo, 'report-tiny-390');
  expect(await overflowing(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download results.json' }).click()]);
  expect(download.suggestedFilename()).toBe('results.json');
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(saved).toMatchObject({ preset: 'tiny', runtime: 'browser', ok: true, sections: ['linear'] });
  expect(saved.results[0].id).toBe('linear');
  expect(saved.paper.outcome).toBe((await outcome.textContent())!.match(/: (.*)\. Each/)![1]);

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(300);
  await keepScreenshot(page, testInfo, 'report-tiny-1280');
  expect(await axeViolations(page)).toEqual([]);

  // / is not a 404: a landing page linking to both pages.
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('link', { name: 'Playground' })).toHaveAttribute('href', './demo/playground/');
  await expect(page.getByRole('link', { name: 'Paper reproduction report' })).toHaveAttribute('href', './demo/');
  expect(await axeViolations(page)).toEqual([]);
  errors.check();
});
