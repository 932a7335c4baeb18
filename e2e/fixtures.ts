import { test as base, expect, type ConsoleMessage, type Page } from '@playwright/test';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** Fails the test on any page error, console error or uncaptured WebGPU error the page
 *  reports while `body` runs. */
async function watchProblems(page: Page, body: () => Promise<void>): Promise<void> {
  const problems: string[] = [];
  const onError = (error: Error) => problems.push(`page error: ${error.message}`);
  const onConsole = (msg: ConsoleMessage) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  };
  page.on('pageerror', onError);
  page.on('console', onConsole);
  try {
    await body();
  } finally {
    page.off('pageerror', onError);
    page.off('console', onConsole);
  }
  expect(problems, 'page, console or WebGPU errors during the test').toEqual([]);
}

async function openHarness(page: Page): Promise<void> {
  await page.goto('/e2e/pages/harness.html');
  await page.waitForFunction(() => (globalThis as { harnessReady?: boolean }).harnessReady === true);
}

/**
 * `gpu`: a page on the test harness that has WebGPU. The fixture fails the test when
 * navigator.gpu or an adapter is missing (never a skip), records the adapter in the test's
 * annotations, and fails it on any page error, console error or uncaptured WebGPU error.
 */
export const test = base.extend<{ gpu: Page; adapter: AdapterInfo }>({
  gpu: async ({ page }, use) => {
    await watchProblems(page, async () => {
      await openHarness(page);
      await use(page);
    });
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

/**
 * `test` whose `gpu` page is one harness page per worker, kept from test to test (and file to
 * file): the check modules' contexts, and the pipelines compiled on them, carry over. On
 * SwiftShader a test's time is mostly compiling pipelines (0.1–7 s each), so files of many
 * small GPU checks opt in. Not for tests that lose a device, navigate or need a fresh page;
 * a failed test ends its worker, and the next test gets a new page.
 */
export const sharedPageTest = test.extend<object, { harness: Page }>({
  harness: [
    async ({ browser }, use, workerInfo) => {
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL });
      const page = await context.newPage();
      await openHarness(page);
      await use(page);
      await context.close();
    },
    { scope: 'worker' },
  ],
  gpu: async ({ harness }, use) => {
    await watchProblems(harness, () => use(harness));
  },
});

export { expect };
