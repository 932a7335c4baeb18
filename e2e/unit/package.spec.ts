// The published package as a consumer meets it (issue 13): `npm pack`'s tarball installed into
// a fresh project (e2e/consumer/install.ts), its declarations type-checked under every
// moduleResolution with TypeScript 5 and 7, and the Node entry run on Dawn in plain Node.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { installPacked, root, type Consumer } from '../consumer/install';


let consumer: Consumer;

test.beforeAll(() => {
  test.setTimeout(180_000);
  consumer = installPacked(['types', 'node'], ['typescript', '@typescript/native-preview', '@types/node']);
});

test.afterAll(() => consumer?.remove());

/** Node's environment without the Vulkan variables: createNodeContext must find them itself. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'LD_LIBRARY_PATH', 'SOBOLEV_WEBGPU_SWIFTSHADER']) delete env[key];
  return env;
}

/** Bare specifiers a built file imports: its import/export statements and dynamic imports of
 *  literals (a statement starts a line in Vite's unminified output; the minified worker has none). */
function bareImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const statements = [...source.matchAll(/^(?:import|export)\b[^'"\n]*?(?:\bfrom\s*)?["']([^"']+)["']/gm)].map((m) => m[1]);
  const dynamic = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  return [...statements, ...dynamic].filter((s) => !s.startsWith('.'));
}

/** Files a built entry reaches through relative imports, itself included. */
function closure(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\bfrom\s*["']\.\/([^"']+)["']/g)) visit(m[1]);
  };
  visit(entry);
  return [...seen];
}

test('the tarball: every entry, the stable worker, declarations, LICENSE and README; runtime imports all declared', () => {
  const { files, manifest, pkg } = consumer;
  for (const f of ['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/experiments.js', 'dist/node.js', 'dist/node-worker.js', 'dist/worker.js',
    'dist/types/index.d.ts', 'dist/types/node.d.ts', 'dist/types/experiments.d.ts', 'dist/types/worker.d.ts', 'dist/types/src/index.d.ts', 'dist/types/src/node/index.d.ts']) {
    expect(files, f).toContain(f);
  }
  expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'LICENSE', 'README.md'].includes(f))).toEqual([]);
  expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  expect(Object.keys(manifest.exports).sort()).toEqual(['.', './experiments', './node', './package.json', './worker']);
  expect(manifest.peerDependencies).toHaveProperty('webgpu');
  // The worker is one self-contained file (no import at all): it can be copied anywhere.
  expect(bareImports(join(pkg, 'dist/worker.js'))).toEqual([]);
  expect(readFileSync(join(pkg, 'dist/worker.js'), 'utf8')).not.toMatch(/\bfrom\s*["']\.\//);
  // Every bare import of dist/ is a declared dependency or Node's own; Node's modules and
  // Dawn are reached from the Node entry only, never from the browser entries.
  const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
  const dist = join(pkg, 'dist');
  const builtFiles = readdirJs(dist);
  const undeclared = builtFiles.flatMap((f) => bareImports(join(dist, f)).filter((s) => !s.startsWith('node:') && !declared.has(s.split('/')[0]) && !declared.has(s.split('/').slice(0, 2).join('/'))));
  expect(undeclared).toEqual([]);
  for (const entry of ['index.js', 'experiments.js']) {
    const reached = closure(dist, entry).flatMap((f) => bareImports(join(dist, f)));
    expect(reached.filter((s) => s.startsWith('node:') || s === 'webgpu'), entry).toEqual([]);
  }
  // The engine names its default worker as a literal the consumers' bundlers can follow.
  const engine = closure(dist, 'index.js').map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
  expect(engine).toContain('new Worker(new URL("./worker.js", import.meta.url)');
  // Declarations: no extensionless relative specifier left.
  const dts = execFileSync('grep', ['-rhoE', `from '\\.{1,2}/[^']*'`, join(dist, 'types')]).toString().trim().split('\n');
  expect(dts.filter((l) => !/\.js'$/.test(l))).toEqual([]);
});

function readdirJs(dir: string): string[] {
  return execFileSync('ls', [dir]).toString().split('\n').filter((f) => f.endsWith('.js'));
}

// check.ts has @ts-expect-error lines that need real types: `any` exports fail the check.
const configs = [
  ['tsc', 'bundler'],
  ['tsc', 'node16'],
  ['tsc', 'nodenext'],
  ['tsc', 'node10'],
  ['tsc', 'nodenext-nodom'],
  ['tsgo', 'ts7-bundler'],
  ['tsgo', 'ts7-nodenext'],
  ['tsgo', 'ts7-nodenext-nodom'],
] as const;

test('declarations resolve, strictly typed, under bundler, node16, nodenext and node10 (TypeScript 5) and bundler, nodenext (TypeScript 7)', async () => {
  test.setTimeout(150_000);
  // Two compilers at a time (this machine has two cores).
  const queue = [...configs];
  const failures: string[] = [];
  const run = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [compiler, config] = next;
      const t0 = Date.now();
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(join(root, 'node_modules/.bin', compiler), ['-p', join(consumer.app, 'types', `tsconfig.${config}.json`)], { cwd: join(consumer.app, 'types') });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
      if (r.code !== 0) failures.push(`${compiler} -p tsconfig.${config}.json:\n${r.out}`);
      test.info().annotations.push({ type: `${compiler} ${config}`, description: `${Date.now() - t0} ms` });
    }
  };
  await Promise.all([run(), run()]);
  expect(failures.join('\n')).toBe('');
  // The versions the check ran on.
  expect(execFileSync(join(root, 'node_modules/.bin/tsc'), ['--version']).toString()).toMatch(/Version 5\./);
  expect(execFileSync(join(root, 'node_modules/.bin/tsgo'), ['--version']).toString()).toMatch(/Version 7\./);
});

test('plain Node on sobolev-webgpu/node: fit, predict, save and reload bit for bit, a two-worker sweep on worker_threads', () => {
  test.setTimeout(150_000);
  expect(existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') || existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1'), 'a Vulkan driver (Chromium\'s SwiftShader here)').toBe(true);
  const r = spawnSync('node', ['node/main.mjs'], { cwd: consumer.app, env: bareEnv(), encoding: 'utf8', timeout: 140_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0); // exits by itself: nothing keeps it alive
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  test.info().annotations.push({ type: 'adapter', description: `${out.adapter.vendor} ${out.adapter.description}` }, { type: 'node run', description: `${out.ms} ms` });
  expect(out.loss[1]).toBeLessThan(out.loss[0] * 0.5);
  expect(out.rmse).toBeLessThan(0.5);
  expect(out.identical).toBe(true);
  expect(out.live).toBe(0);
  expect(out.runs).toHaveLength(4); // widths 4, 8 × baseline, GI
  for (const run of out.runs) expect(Number.isFinite(run.rmse)).toBe(true);
  expect(new Set(out.runs.map((r: { worker: number }) => r.worker))).toEqual(new Set([0, 1]));
  expect(out.workerStats).toHaveLength(2);
  for (const w of out.workerStats) {
    expect(w.liveBuffers).toBe(0);
    expect(w.liveDevices).toBe(0);
    expect(w.jobsRun).toBe(1);
  }
});

test('Node refusals: no driver, createPool without Workers, bad jobs before any worker starts, size capped with a warning, a missing worker script named', () => {
  test.setTimeout(60_000);
  const r = spawnSync('node', ['node/refusals.mjs'], { cwd: consumer.app, env: bareEnv(), encoding: 'utf8', timeout: 50_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(out.browserPoolInNode.name).toBe('TypeError');
  expect(out.browserPoolInNode.message).toContain("createNodePool from 'sobolev-webgpu/node'");
  for (const [name, shown] of [['hiddenLayersNegative', '-1'], ['hiddenLayersNaN', 'NaN'], ['hiddenLayersFraction', '1.5']]) {
    expect(out[name].name, name).toBe('RangeError');
    expect(out[name].message).toContain(`job ${name}: settings.hiddenLayers must be a positive integer, got ${shown}`);
  }
  expect(out.runWithOneBadJob.name).toBe('RangeError');
  expect(out.runWithOneBadJob.message).toContain('job bad: settings.beta1 must be a number in [0, 1), got 2');
  // Refused before any GPU work: no worker was ever started, nothing queued.
  expect(out.afterRefusals).toMatchObject({ started: 0, queued: 0, busy: 0 });
  expect(out.sizeString.name).toBe('RangeError');
  expect(out.sizeString.message).toContain("got '2' (a string)");
  expect(out.capped.size).toBe(out.capped.cores);
  expect(out.capped.capped).toMatchObject({ requested: 64, size: out.capped.cores });
  expect(out.capped.warnings.join('\n')).toContain(`64 workers requested, capped at ${out.capped.cores}`);
  expect(out.missingWorker.name).toBe('WorkerCrashError');
  expect(out.missingWorker.message).toContain(out.missingWorkerUrl);
  // Without an installed Vulkan driver (only Chromium's SwiftShader, which is not installed as
  // one), the error says what is missing and what to do.
  const drivers = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some((d) => existsSync(d));
  if (!drivers) {
    expect(out.noAdapter.name).toBe('VulkanNotFoundError');
    expect(out.noAdapter.message).toContain('Dawn found no GPU adapter');
    expect(out.noAdapter.message).toContain('swiftshader: true');
  }
  expect(out.swiftshaderPath.name).toBe('VulkanNotFoundError');
  expect(out.swiftshaderPath.message).toContain('/no/such/vk_swiftshader_icd.json');
});
