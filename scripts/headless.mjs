// Plumbing shared by the headless runners (bench/run.mjs, bench/pool.mjs, scripts/reproduce.mjs):
// a Vite server of the repository on 127.0.0.1 and a headless Chromium with WebGPU.
import { createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { chromiumArgs, findChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The Chromium to launch (see findChromium); throws a clear message when there is none. */
export function requireChromium() {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: install one (Debian: apt-get install chromium) or set CHROME_PATH.');
  return executablePath;
}

/**
 * Serves the repository with Vite on 127.0.0.1 (a free port, no HMR, so an edit elsewhere in
 * the checkout cannot reload the page mid-run) and waits until it listens.
 * @param {object} options
 * @param {string} options.cacheDir the runner's own dependency cache: a folder name under
 *   node_modules/ (or an absolute path), so that other Vite servers on this checkout (tests,
 *   demo) with other pre-bundle lists do not rewrite it under the running page.
 * @param {Record<string, string>} [options.headers] extra response headers.
 * @param {import('vite').DepOptimizationOptions} [options.optimizeDeps] Vite's optimizeDeps.
 * @returns {Promise<{ server: import('vite').ViteDevServer, port: number, url: string, close: () => Promise<void> }>}
 *   url is the origin, e.g. http://127.0.0.1:41234 (no trailing slash).
 */
export async function startVite({ cacheDir, headers, optimizeDeps }) {
  const port = await freePort();
  const server = await createServer({
    root,
    cacheDir: resolve(root, 'node_modules', cacheDir),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, ...(headers && { headers }) },
    ...(optimizeDeps && { optimizeDeps }),
  });
  await server.listen();
  return { server, port, url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/**
 * Launches Chromium with the WebGPU flags of chromium.mjs.
 * @param {import('@playwright/test').LaunchOptions} [options] Playwright's launch options;
 *   executablePath defaults to requireChromium() (which throws when there is none).
 */
export function launchChromium({ executablePath = requireChromium(), ...options } = {}) {
  return chromium.launch({ executablePath, args: chromiumArgs, ...options });
}

/**
 * Prints a page's `[tag] ` messages, prefixed with the seconds since `started`, and its
 * console errors, warnings and uncaught errors (the benchmark runners' progress log).
 */
export function forwardPageLog(page, tag, started = Date.now()) {
  const prefix = `[${tag}] `;
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith(prefix)) console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text.slice(prefix.length)}`);
    else if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${msg.type()}] ${text}`);
  });
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
}
