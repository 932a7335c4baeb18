import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './scripts/chromium.mjs';

const port = Number(process.env.SOBOLEV_PORT ?? 5174);

/** Pure-TS tests (the float64 oracle, problems, linear algebra) run in Node; GPU tests run
 *  in headless Chromium with WebGPU on pages served by Vite over http://127.0.0.1. */
export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['./e2e/summary-reporter.ts']],
  webServer: {
    command: `SOBOLEV_NO_HMR=1 npx vite --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/e2e/pages/harness.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: { executablePath: findChromium() ?? undefined, args: chromiumArgs },
  },
  projects: [
    { name: 'unit', testMatch: /unit\/.*\.spec\.ts$/ },
    { name: 'gpu', testMatch: /e2e\/[^/]+\.spec\.ts$/ },
  ],
});
