#!/usr/bin/env node
// Entry point of the README commands. Bootstraps a fresh machine (npm dependencies, a
// Chromium with WebGPU) and then runs the main job, the tests or the benchmark.
//   node scripts/run.mjs start [--preset quick|paper] [...]   the paper reproduction (headless)
//   node scripts/run.mjs test  [playwright args]              every test
//   node scripts/run.mjs bench [...]                          the in-page benchmarks
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'test', ...args] = process.argv.slice(2);

function run(cmd, cmdArgs, env = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function ensureDependencies() {
  const needed = ['@playwright/test', 'vite', 'typescript', 'comlink', 'wgsl-preprocessor'];
  if (needed.every((p) => existsSync(join(root, 'node_modules', p, 'package.json')))) return;
  console.log('[setup] installing npm dependencies ...');
  const ci = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
  if (run('npm', [ci, '--no-audit', '--no-fund']) !== 0) throw new Error('npm install failed');
}

async function ensureChromium() {
  const { findChromium } = await import('./chromium.mjs');
  let path = findChromium();
  if (path) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log('[setup] no Chromium found: installing Debian/Ubuntu package "chromium" with apt-get ...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    path = findChromium();
  }
  if (!path) {
    throw new Error(
      'No Chromium found. Install a Chromium-based browser with WebGPU (Debian/Ubuntu: `sudo apt-get install chromium`; ' +
        'or Google Chrome), or point CHROME_PATH at its executable.',
    );
  }
  return path;
}

/** `start` without a browser: the Node runner, a merge of shards, a build. */
function browserFree() {
  if (command !== 'start') return false;
  const runtime = args.findIndex((a) => a === '--runtime' || a.startsWith('--runtime='));
  const value = runtime < 0 ? null : args[runtime].includes('=') ? args[runtime].split('=')[1] : args[runtime + 1];
  return value === 'node' || args.some((a) => ['--merge', '--report-only', '--build-only'].includes(a.split('=')[0]));
}

try {
  ensureDependencies();
  const chrome = browserFree() ? null : await ensureChromium();
  const env = chrome ? { CHROME_PATH: chrome } : {};
  let status;
  if (command === 'test') status = run('npx', ['playwright', 'test', ...args], env);
  else if (command === 'start') status = run('node', ['scripts/reproduce.mjs', ...args], env);
  else if (command === 'bench') status = run('node', ['bench/run.mjs', ...args], env);
  else throw new Error(`unknown command '${command}' (start, test or bench)`);
  process.exit(status);
} catch (error) {
  console.error(`[sobolev-webgpu] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
