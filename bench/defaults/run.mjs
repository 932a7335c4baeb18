#!/usr/bin/env node
// Builds bench/defaults/eval.ts with the library from src/ into one file and runs it in Node on
// Dawn (the `webgpu` package): a GPU's Vulkan driver when there is one, else SwiftShader.
//   node bench/defaults/run.mjs [--preset smoke|quick|full] [--out DIR]   (results: bench/results/defaults/)
//   node bench/defaults/run.mjs --script selection [...]   (bench/defaults/selection.ts: how 'auto' should choose)
//   node bench/defaults/run.mjs --bundle-only DIR     (writes DIR/defaults-eval.mjs, e.g. for the GPU bundle)
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../node-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const only = args.indexOf('--bundle-only');
const dir = only >= 0 ? args[only + 1] : join(root, 'bench', 'results', 'defaults');
mkdirSync(dir, { recursive: true });
const scriptAt = args.indexOf('--script');
const script = scriptAt >= 0 ? args[scriptAt + 1] : 'eval';
if (!['eval', 'selection'].includes(script)) throw new Error(`unknown --script ${script} (eval, selection)`);
const outfile = join(dir, script === 'eval' ? 'defaults-eval.mjs' : `defaults-${script}.mjs`);
await bundleForNode(join(root, 'bench', 'defaults', `${script}.ts`), outfile);
if (only >= 0) process.exit(0);
const result = spawnSync(process.execPath, [outfile, ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
