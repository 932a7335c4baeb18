import { resolve } from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';

/**
 * One config for three uses:
 * - `npm run dev` / the test and reproduction servers: root is the repository, so both
 *   /demo/index.html and /e2e/pages/harness.html (and bench pages) are served;
 * - `npm run build` (scripts/build.mjs): the library as ESM entries, the engine (src/index.ts →
 *   dist/index.js), the paper harness (src/experiments/index.ts → dist/experiments.js) and the
 *   Node entry (src/node/index.ts → dist/node.js, with its worker_threads script
 *   dist/node-worker.js), code they share in common chunks (one copy of every class). The
 *   browser pool's worker is built apart (stableWorkerUrl, below) as one self-contained file,
 *   dist/worker.js, which the engine names as `new Worker(new URL('./worker.js',
 *   import.meta.url), { type: 'module' })`: the form Vite and webpack bundle as a worker.
 *   scripts/build.mjs adds the declarations.
 */
export default defineConfig(({ command }) => ({
  root: '.',
  // Built assets (the worker chunk) are found relative to dist/index.js, wherever it is installed.
  base: command === 'build' ? './' : '/',
  // SOBOLEV_NO_HMR=1 (the test server): an edited source file never reloads a page mid-test.
  // No browser is opened (headless and remote machines have none): the pages' URLs are printed.
  server: {
    host: '127.0.0.1',
    hmr: process.env.SOBOLEV_NO_HMR ? false : undefined,
    watch: process.env.SOBOLEV_NO_HMR ? null : undefined,
    open: false,
  },
  worker: { format: 'es' },
  // Pre-bundle the browser dependencies up front: a dependency discovered at run time makes
  // Vite reload the page, which would break a headless run in the middle.
  optimizeDeps: {
    entries: ['demo/index.html', 'demo/playground/index.html', 'e2e/pages/*.html'],
    include: ['comlink', 'chart.js/auto', 'wgsl-preprocessor/wgsl-preprocessor.js', 'mathjs', 'protobufjs'],
  },
  // The library build names the pool's default worker as the stable dist/worker.js (see above).
  plugins: command === 'build' ? [stableWorkerUrl()] : [printPageUrls()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Readable output: consumers' bundlers minify; unmangled, a stack trace, console.log(mlp) and
    // mlp.constructor.name show the library's own names (Mlp, BusyError) without a source map.
    minify: false,
    lib: {
      entry: { index: 'src/index.ts', experiments: 'src/experiments/index.ts', node: 'src/node/index.ts', 'node-worker': 'src/node/worker.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      // Keep the runtime dependencies out of the bundle: users' bundlers resolve them. `webgpu`
      // (Dawn, an optional peer dependency) and Node's modules are imported by the Node entry only.
      external: ['comlink', /^wgsl-preprocessor/, /^protobufjs/, 'webgpu', /^node:/],
      // Code both entries use (the engine) goes to shared chunks, so one copy of every class.
      output: { chunkFileNames: 'engine-[hash].js' },
    },
  },
}));

/** `npm run dev` prints the playground's and the report's URLs under Vite's own (`/` is a
 *  landing page, index.html, that links to both). */
function printPageUrls(): Plugin {
  return {
    name: 'sobolev:print-page-urls',
    configureServer(server) {
      const printUrls = server.printUrls.bind(server);
      server.printUrls = () => {
        printUrls();
        const base = server.resolvedUrls?.local[0];
        if (!base) return;
        server.config.logger.info(`  ➜  Playground: ${base}demo/playground/\n  ➜  Report:     ${base}demo/`);
      };
    },
  };
}

/** In the library build, the pool's default worker (src/sweep/slot.ts:
 *  `new URL('../../workers/train.worker.ts', import.meta.url)`) becomes
 *  `new URL("./worker.js", import.meta.url)`: the self-contained worker that scripts/build.mjs
 *  writes next to the entries, left as a literal that consumers' bundlers can follow (and the
 *  path its error messages name, DEFAULT_WORKER, becomes './worker.js'); then that worker is
 *  built, as dist/worker.js. */
function stableWorkerUrl(): Plugin {
  const source = "new URL('../../workers/train.worker.ts', import.meta.url)";
  const placeholder = '__SOBOLEV_WORKER_URL__';
  let replaced = false;
  let outDir = 'dist';
  let root = '.';
  return {
    name: 'sobolev:stable-worker-url',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/src/sweep/slot.ts')) return null;
      if (!code.includes(source)) this.error(`src/sweep/slot.ts no longer contains ${source}; update stableWorkerUrl in vite.config.ts`);
      const label = "const DEFAULT_WORKER = '../../workers/train.worker.ts';";
      if (!code.includes(label)) this.error(`src/sweep/slot.ts no longer contains ${label}; update stableWorkerUrl in vite.config.ts`);
      replaced = true;
      return { code: code.replaceAll(source, `new URL(${placeholder}, import.meta.url)`).replace(label, "const DEFAULT_WORKER = './worker.js';"), map: null };
    },
    renderChunk(code) {
      return code.includes(placeholder) ? { code: code.replaceAll(placeholder, '"./worker.js"'), map: null } : null;
    },
    generateBundle() {
      if (!replaced) this.error('the pool worker URL in src/sweep/slot.ts was not found in the library build');
    },
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    // The worker itself: one self-contained ES module (comlink and the engine inlined) written
    // beside the entries, so `vite build --outDir X` alone gives a complete library too.
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        // The worker trains and never exports: ONNX export (protobufjs, the schema) is left out.
        resolve: { alias: [{ find: /^\.\.\/onnx\/export$/, replacement: resolve(root, 'src/onnx/worker-stub.ts') }] },
        build: {
          outDir,
          emptyOutDir: false,
          target: 'es2022',
          sourcemap: true,
          lib: { entry: { worker: resolve(root, 'workers/train.worker.ts') }, formats: ['es'], fileName: () => 'worker.js' },
        },
      });
    },
  };
}
