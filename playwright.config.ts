import { execFileSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './scripts/chromium.mjs';

/** The test server's port: SOBOLEV_PORT, else one the system reports free now, kept in the
 *  environment so that the test workers (which load this file again) use the same. A fixed
 *  default would meet the Vite server of an interrupted run ("Port … is already in use"), or
 *  reuse one serving another checkout. */
function serverPort(): number {
  process.env.SOBOLEV_PORT ||= execFileSync(process.execPath, ['-e', "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"], { env: {} })
    .toString()
    .trim();
  return Number(process.env.SOBOLEV_PORT);
}

const port = serverPort();

/** Pure-TS tests (the float64 oracle, problems, linear algebra) run in Node; GPU tests run
 *  in headless Chromium with WebGPU on pages served by Vite over http://127.0.0.1. */
export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  // Two files at a time (one per core of a 2-core runner): each file's tests still run in order.
  workers: 2,
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
