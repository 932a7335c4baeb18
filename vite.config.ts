import { defineConfig } from 'vite';

/**
 * One config for three uses:
 * - `npm run dev` / the test and reproduction servers: root is the repository, so both
 *   /demo/index.html and /e2e/pages/harness.html (and bench pages) are served;
 * - `npm run build`: the library as two ESM entries, the engine (src/index.ts → dist/index.js)
 *   and the paper harness (src/experiments/index.ts → dist/experiments.js), code they share in
 *   common chunks (one copy of every class), with module workers emitted as ES modules
 *   (`new Worker(new URL(...), { type: 'module' })` is bundled as such).
 */
export default defineConfig(({ command }) => ({
  root: '.',
  // Built assets (the worker chunk) are found relative to dist/index.js, wherever it is installed.
  base: command === 'build' ? './' : '/',
  // SOBOLEV_NO_HMR=1 (the test server): an edited source file never reloads a page mid-test.
  server: { host: '127.0.0.1', hmr: process.env.SOBOLEV_NO_HMR ? false : undefined, watch: process.env.SOBOLEV_NO_HMR ? null : undefined },
  worker: { format: 'es' },
  // Pre-bundle the browser dependencies up front: a dependency discovered at run time makes
  // Vite reload the page, which would break a headless run in the middle.
  optimizeDeps: {
    entries: ['demo/index.html', 'e2e/pages/*.html'],
    include: ['comlink', 'chart.js/auto', 'wgsl-preprocessor/wgsl-preprocessor.js'],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', experiments: 'src/experiments/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      // Keep the runtime dependencies out of the bundle: users' bundlers resolve them.
      external: ['comlink', /^wgsl-preprocessor/],
      // Code both entries use (the engine) goes to shared chunks, so one copy of every class.
      output: { chunkFileNames: 'engine-[hash].js' },
    },
  },
}));
