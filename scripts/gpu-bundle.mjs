#!/usr/bin/env node
// Packs what `--preset paper` needs on a GPU machine without Node into one archive for the
// device tool's `carry` (.gpu-bundle/bundle.tar.xz, under 64 MiB): this machine's Node binary,
// the Node runner's build of the library (dist: index, experiments, node, node-worker), the
// runner scripts, the `webgpu` package (Dawn) with its linux-x64 addon only, comlink and
// wgsl-preprocessor, Chromium's Vulkan loader (libvulkan.so.1, for images without one) and
// SwiftShader (a software Vulkan driver, to test the bundle where there is no GPU).
//   node scripts/gpu-bundle.mjs            then, on the device: bash scripts/gpu-run.sh
// .gpu-bundle/ is listed in .git/info/exclude (local, not committed).
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_VERSION_FILE, sourceVersion } from './shards.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.gpu-bundle');
const stage = join(out, 'stage');
const chromium = ['/usr/lib/chromium', '/usr/lib/chromium-browser'].find((d) => existsSync(join(d, 'libvulkan.so.1')));
if (!chromium) throw new Error("Chromium's Vulkan loader and SwiftShader were not found (apt-get install chromium)");
if (process.arch !== 'x64' || process.platform !== 'linux') throw new Error(`the bundle is for linux-x64 machines; this is ${process.platform}-${process.arch}`);

// .git may be a file (a worktree's gitdir pointer): ask git where info/exclude lives.
const exclude = join(root, execFileSync('git', ['rev-parse', '--git-path', 'info/exclude'], { cwd: root }).toString().trim());
mkdirSync(dirname(exclude), { recursive: true });
if (!existsSync(exclude) || !readFileSync(exclude, 'utf8').split('\n').includes('/.gpu-bundle/')) appendFileSync(exclude, '\n/.gpu-bundle/\n');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'app', 'scripts'), { recursive: true });

console.log('[bundle] building the library (vite build) ...');
execFileSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', join(stage, 'app', 'dist')], { cwd: root, stdio: 'inherit' });
writeFileSync(join(stage, 'app', 'dist', CODE_VERSION_FILE), `${sourceVersion(root)}\n`); // what its stored groups are stamped with
for (const f of ['reproduce.mjs', 'reproduce-node.mjs', 'shards.mjs', 'step-bench.mjs']) copyFileSync(join(root, 'scripts', f), join(stage, 'app', 'scripts', f));
writeFileSync(join(stage, 'app', 'package.json'), JSON.stringify({ name: 'sobolev-webgpu-gpu-bundle', private: true, type: 'module' }, null, 2));
const nm = join(stage, 'app', 'node_modules');
for (const p of ['comlink', 'wgsl-preprocessor']) cpSync(join(root, 'node_modules', p), join(nm, p), { recursive: true });
const webgpu = join(root, 'node_modules', 'webgpu');
mkdirSync(join(nm, 'webgpu', 'dist'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) if (existsSync(join(webgpu, f))) copyFileSync(join(webgpu, f), join(nm, 'webgpu', f));
cpSync(join(webgpu, 'dist', 'linux-x64'), join(nm, 'webgpu', 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'index.d.ts']) if (existsSync(join(webgpu, 'dist', f))) copyFileSync(join(webgpu, 'dist', f), join(nm, 'webgpu', 'dist', f));
mkdirSync(join(stage, 'lib'));
copyFileSync(join(chromium, 'libvulkan.so.1'), join(stage, 'lib', 'libvulkan.so.1'));
mkdirSync(join(stage, 'swiftshader'));
copyFileSync(join(chromium, 'libvk_swiftshader.so'), join(stage, 'swiftshader', 'libvk_swiftshader.so'));
const icd = JSON.parse(readFileSync(join(chromium, 'vk_swiftshader_icd.json'), 'utf8'));
icd.ICD.library_path = './libvk_swiftshader.so'; // relative to the manifest
writeFileSync(join(stage, 'swiftshader', 'vk_swiftshader_icd.json'), JSON.stringify(icd, null, 2));
mkdirSync(join(stage, 'bin'));
copyFileSync(process.execPath, join(stage, 'bin', 'node'));
writeFileSync(join(stage, 'VERSION'), `${execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root }).toString().trim()} node ${process.version}\n`);

console.log('[bundle] compressing ...');
const archive = join(out, 'bundle.tar.xz');
rmSync(archive, { force: true });
execFileSync('tar', ['-C', stage, '-cJf', archive, '.'], { stdio: 'inherit', env: { ...process.env, XZ_OPT: '-6 -T0' } });
rmSync(stage, { recursive: true, force: true });
const mib = statSync(archive).size / 2 ** 20;
console.log(`[bundle] ${archive}: ${mib.toFixed(1)} MiB`);
if (mib > 64) throw new Error(`the bundle is ${mib.toFixed(1)} MiB, over the 64 MiB a device call carries`);
