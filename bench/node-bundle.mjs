// One bench script and the library it imports from src/ as one ESM file for Node; Dawn
// (`webgpu`) stays external, resolved beside the file (node_modules, or a GPU bundle's).
import * as esbuild from 'esbuild';

export async function bundleForNode(entry, outfile) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
