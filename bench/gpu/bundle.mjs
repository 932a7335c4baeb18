#!/usr/bin/env node
// Builds what bench/gpu/run.sh needs besides the GPU bundle of the paper runner:
//   .gpu-bundle/bundle.tar.xz  (scripts/gpu-bundle.mjs: Node, Dawn's addon, the Vulkan loader,
//                               SwiftShader; built by calling that script when it is missing)
//   .gpu-bench/node-bench.mjs  (bench/gpu/node-bench.ts and the library from src/, one file)
// Both folders are local (.git/info/exclude) and travel with the device tool's `carry`.
//   node bench/gpu/bundle.mjs [--rebuild-base]
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../node-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = join(root, '.gpu-bundle', 'bundle.tar.xz');
const out = join(root, '.gpu-bench');
const exclude = join(root, '.git', 'info', 'exclude');
if (existsSync(exclude) && !readFileSync(exclude, 'utf8').split('\n').includes('/.gpu-bench/')) appendFileSync(exclude, '\n/.gpu-bench/\n');

if (!existsSync(base) || process.argv.includes('--rebuild-base')) {
  console.log('[gpu-bench bundle] building the base bundle (scripts/gpu-bundle.mjs) ...');
  execFileSync(process.execPath, [join(root, 'scripts', 'gpu-bundle.mjs')], { cwd: root, stdio: 'inherit' });
}
mkdirSync(out, { recursive: true });
await bundleForNode(join(root, 'bench', 'gpu', 'node-bench.ts'), join(out, 'node-bench.mjs'));
const mib = (f) => (statSync(f).size / 2 ** 20).toFixed(2);
console.log(`[gpu-bench bundle] ${join(out, 'node-bench.mjs')} (${mib(join(out, 'node-bench.mjs'))} MiB); base ${base} (${mib(base)} MiB)`);
const total = statSync(base).size + statSync(join(out, 'node-bench.mjs')).size;
if (total > 60 * 2 ** 20) throw new Error(`the carried bundles are ${(total / 2 ** 20).toFixed(1)} MiB, too close to the 64 MiB a device call carries`);
console.log(`[gpu-bench bundle] device: run(command="bash bench/gpu/run.sh", carry=[".gpu-bundle", ".gpu-bench"]); here: bash bench/gpu/run.sh --swiftshader --no-cuda`);
