import { test as base, expect, type Page } from '@playwright/test';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

/**
 * `gpu`: a page on the test harness that has WebGPU. The fixture fails the test when
 * navigator.gpu or an adapter is missing (never a skip), records the adapter in the test's
 * annotations, and fails it on any page error, console error or uncaptured WebGPU error.
 */
export const test = base.extend<{ gpu: Page; adapter: AdapterInfo }>({
  gpu: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await page.goto('/e2e/pages/harness.html');
    await page.waitForFunction(() => (globalThis as { harnessReady?: boolean }).harnessReady === true);
    await use(page);
    expect(problems, 'page, console or WebGPU errors during the test').toEqual([]);
  },
  adapter: async ({ gpu }, use, testInfo) => {
    const info = await gpu.evaluate(async () => {
      if (!navigator.gpu) return { error: 'navigator.gpu is missing: this browser has no WebGPU' };
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) return { error: 'requestAdapter() returned null: no WebGPU adapter' };
      const i = adapter.info;
      return { vendor: i.vendor, architecture: i.architecture, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? false };
    });
    if ('error' in info) throw new Error(`WebGPU unavailable: ${info.error}`);
    testInfo.annotations.push({ type: 'adapter', description: `${info.vendor} ${info.architecture} ${info.description}`.trim() });
    await use(info);
  },
});

export { expect };
