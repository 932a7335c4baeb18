// `npm run build`: the package's dist/.
//   1. vite build (vite.config.ts): dist/index.js, experiments.js, node.js, node-worker.js and
//      their shared engine-[hash].js chunks (comlink, wgsl-preprocessor, webgpu external), and
//      2. the browser pool's worker as ONE self-contained file with a stable name, dist/worker.js
//      (`sobolev-webgpu/worker`): a consumer can copy it or point createPool's workerUrl at it;
//   3. declarations (tsc -p tsconfig.build.json → dist/types), then rewritten so they resolve
//      under every moduleResolution: relative specifiers get their `.js` / `/index.js`
//      (node16/nodenext need them; tsc keeps the extensionless ones of our sources), and one
//      entry file per export (dist/types/<entry>.d.ts) for TypeScript < 6 that references
//      @webgpu/types (TypeScript 6+ has WebGPU in lib.dom, where @webgpu/types would clash).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const quiet = process.argv.includes('--quiet');
const logLevel = quiet ? 'error' : 'info';

/** The package's type entries: export path → the declaration tsc emits for it. */
export const TYPE_ENTRIES = {
  index: 'src/index.d.ts',
  experiments: 'src/experiments/index.d.ts',
  node: 'src/node/index.d.ts',
};

async function main() {
  await build({ root, logLevel });
  const worker = readFileSync(join(dist, 'worker.js'), 'utf8');
  const bare = [...worker.matchAll(/(?:^|[;\n])\s*import[^'"]*['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]);
  if (bare.length) throw new Error(`dist/worker.js must be self-contained but imports ${bare.join(', ')}`);

  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const rewritten = fixDeclarations(join(dist, 'types'));
  for (const [name, file] of Object.entries(TYPE_ENTRIES)) {
    if (!existsSync(join(dist, 'types', file))) throw new Error(`tsc emitted no ${file}`);
    writeFileSync(
      join(dist, 'types', `${name}.d.ts`),
      `// TypeScript < 6: WebGPU's types come from @webgpu/types (a dependency); TypeScript 6+ reads\n` +
        `// ./${file} directly (package.json "types@>=6.0"), its lib.dom has them.\n` +
        `/// <reference types="@webgpu/types" />\nexport * from './${file.replace(/\.d\.ts$/, '.js')}';\n`,
    );
  }
  writeFileSync(join(dist, 'types', 'worker.d.ts'), '// sobolev-webgpu/worker is a worker script (dist/worker.js): it exports nothing.\nexport {};\n');
  if (!quiet) console.log(`declarations: ${rewritten} relative specifiers given their .js`);
}

function declarationFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? declarationFiles(path) : path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Gives every relative specifier of every .d.ts under `dir` the file it names: `./x` → `./x.js`
 *  when x.d.ts exists, `./x/index.js` when x/index.d.ts does. Throws on one that names neither. */
export function fixDeclarations(dir) {
  let count = 0;
  for (const file of declarationFiles(dir)) {
    const source = readFileSync(file, 'utf8');
    const out = source.replace(/(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g, (match, lead, quote, spec) => {
      if (/\.(js|mjs|cjs|json)$/.test(spec)) return match;
      const base = resolve(dirname(file), spec);
      const target = existsSync(`${base}.d.ts`) ? `${spec}.js` : existsSync(join(base, 'index.d.ts')) ? `${spec.replace(/\/$/, '')}/index.js` : null;
      if (!target) throw new Error(`${relative(root, file)}: '${spec}' names no declaration file`);
      count++;
      return `${lead}${quote}${target}${quote}`;
    });
    if (out !== source) writeFileSync(file, out);
  }
  return count;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
