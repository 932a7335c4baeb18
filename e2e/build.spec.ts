// The published package in the browser, built by a consumer's bundler (issue 13): `npm pack`'s
// tarball installed into a fresh project (e2e/consumer/install.ts), one app (a fit, predictions,
// a two-worker pool) built by Vite with its default config and by esbuild with workerUrl set to
// a copy of `sobolev-webgpu/worker`, each served over http://127.0.0.1 and run in headless
// Chromium with WebGPU. The tarball comes from a fresh clone, whose `npm pack` builds dist/
// (prepack); the README's Quick start example, copied unchanged, is a second Vite app.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild, createServer as viteServer } from 'vite';
import { test, expect } from '@playwright/test';
import { installPacked, root, type Consumer } from './consumer/install';

let consumer: Consumer;
let server: Server;
let origin: string;

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

test.beforeAll(async () => {
  test.setTimeout(180_000);
  consumer = installPacked(['browser'], []);
  const app = join(consumer.app, 'browser');
  // Vite, no config file: its defaults (worker.format 'iife' included), as a fresh app has them.
  // (base './': the test serves the build under /vite-dist/.)
  await viteBuild({ root: app, configFile: false, logLevel: 'error', base: './', build: { outDir: join(app, 'vite-dist'), emptyOutDir: true } });
  // The README's example, as a reader copies it into a Vite app of their own.
  const readme = join(app, 'readme');
  writeFileSync(join(readme, 'example.ts'), readmeExample());
  await viteBuild({ root: readme, configFile: false, logLevel: 'error', base: './', build: { outDir: join(readme, 'vite-dist'), emptyOutDir: true } });
  // esbuild: one ESM bundle, the worker copied from the package's `./worker` export.
  mkdirSync(join(app, 'esbuild-dist'), { recursive: true });
  await esbuild({ absWorkingDir: app, entryPoints: ['esbuild-main.ts'], bundle: true, format: 'esm', target: 'es2022', outfile: join(app, 'esbuild-dist/app.js'), logLevel: 'error' });
  const worker = createRequire(join(consumer.app, 'package.json')).resolve('sobolev-webgpu/worker');
  copyFileSync(worker, join(app, 'esbuild-dist/sobolev-worker.js'));
  copyFileSync(join(app, 'esbuild.html'), join(app, 'esbuild-dist/index.html'));
  server = createServer((req, res) => {
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(app, path));
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  consumer?.remove();
});

/** The first ```ts block under README.md's "## Quick start". */
function readmeExample(): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## Quick start'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!section.startsWith('\n## Quick start') || !block) throw new Error('README.md has no ```ts block under "## Quick start"');
  return block[1];
}

interface AppResult {
  error?: string;
  adapter: string;
  loss: [number, number];
  rmse: number;
  jobs: { id: string; worker: number; rmse: number; liveBuffers: number }[];
  workersLive: number[];
  missing?: string;
}

function checkApp(r: AppResult): void {
  expect(r.error).toBeUndefined();
  expect(r.adapter).toMatch(/\S/);
  expect(r.loss[1]).toBeLessThan(r.loss[0]);
  expect(r.rmse).toBeLessThan(1);
  expect(r.jobs.map((j) => j.id)).toEqual(['a', 'b']);
  expect(new Set(r.jobs.map((j) => j.worker))).toEqual(new Set([0, 1]));
  for (const j of r.jobs) {
    expect(Number.isFinite(j.rmse)).toBe(true);
    expect(j.liveBuffers).toBe(0);
  }
  expect(r.workersLive).toEqual([0, 0]);
}

/** Opens `path`, waits for the app's result; fails on page errors and on console errors other
 *  than those `allowed` matches. */
async function runPage(page: import('@playwright/test').Page, path: string, allowed: RegExp | null = null): Promise<AppResult> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !(allowed && allowed.test(`${m.text()} ${m.location().url}`))) problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  await page.goto(path.startsWith('http') ? path : `${origin}${path}`);
  await page.waitForFunction(() => 'app' in globalThis, null, { timeout: 10_000 });
  const r = (await page.evaluate(() => (globalThis as unknown as { app: Promise<AppResult> }).app)) as AppResult;
  test.info().annotations.push({ type: 'adapter', description: r.adapter });
  expect(problems).toEqual([]);
  return r;
}

test('a Vite build of a consumer app (default config) runs fit and the two-worker pool', async ({ page }) => {
  test.setTimeout(120_000);
  // Vite bundled the worker from the package's new URL('./worker.js', import.meta.url).
  const r = await runPage(page, '/vite-dist/index.html');
  checkApp(r);
});

test('an esbuild build runs the pool with workerUrl at the exported worker; without it the error names the URL', async ({ page }) => {
  test.setTimeout(120_000);
  const r = await runPage(page, '/esbuild-dist/index.html', /404.*\/esbuild-dist\/worker\.js$/);
  checkApp(r);
  expect(r.missing).toMatch(/^WorkerCrashError: /);
  expect(r.missing).toContain(`the worker script ${origin}/esbuild-dist/worker.js failed to load`);
  expect(r.missing).toContain('workerUrl');
});

test('the same app under the Vite dev server (default config) finds the worker too', async ({ page }) => {
  test.setTimeout(120_000);
  const dev = await viteServer({ root: join(consumer.app, 'browser'), configFile: false, logLevel: 'error', server: { host: '127.0.0.1', port: 0, hmr: false } });
  await dev.listen();
  try {
    const url = dev.resolvedUrls!.local[0];
    const r = await runPage(page, `${url.replace(/\/$/, '')}/index.html`, /404.*\/favicon\.ico$/);
    checkApp(r);
  } finally {
    await dev.close();
  }
});

test("the README's Quick start example, unchanged, runs in a Vite app: both models train and print a test RMSE", async ({ page }) => {
  test.setTimeout(180_000);
  const lines: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'log') lines.push(m.text());
  });
  const r = (await runPage(page, '/readme/vite-dist/index.html')) as unknown as { error?: string };
  expect(r.error).toBeUndefined();
  const printed = lines.map((l) => /^gradientWeight (\S+): training loss (\S+), test RMSE (\S+)$/.exec(l)).filter((m) => m !== null);
  test.info().annotations.push({ type: 'printed', description: printed.map((m) => m[0]).join(' | ') });
  expect(printed.map((m) => m[1])).toEqual(['0', '0.5']);
  for (const m of printed) {
    // sin(3x) has RMS 0.7 on [-1, 1]: a trained model does better than predicting 0.
    expect(Number(m[2])).toBeGreaterThanOrEqual(0);
    expect(Number(m[3])).toBeLessThan(0.7);
  }
});
