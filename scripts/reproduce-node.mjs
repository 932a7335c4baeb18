// The paper reproduction without a browser (`npm start -- --runtime node`): the same sections
// (nn, linear, generative) in Node on Dawn (the `webgpu` package) through the built library
// (dist/: index.js, experiments.js, node.js). scripts/reproduce.mjs calls runNode() and writes
// the report; this module only runs the experiments and returns their results.
//
// Adapter choice: a GPU's Vulkan driver when one is installed (the ICD manifests in the
// standard folders, and NVIDIA's /usr/local/nvidia/share/vulkan/icd.d), with
// powerPreference 'high-performance'; SwiftShader (Chromium's software Vulkan) only as the
// fallback, or always with `swiftshader: true` (--swiftshader). The adapter is printed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** ICD manifest folders the Vulkan loader searches, and NVIDIA's container mount. */
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];

/** Installed GPU drivers' ICD manifests (not SwiftShader, lavapipe or other software ones). */
export function gpuIcds() {
  const out = [];
  for (const dir of ICD_DIRS) {
    let files = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const f of files) if (!/swiftshader|lvp|lavapipe|llvmpipe/i.test(f)) out.push(join(dir, f));
  }
  return out;
}

/**
 * Points the Vulkan loader at the GPU drivers when the environment names none: NVIDIA's
 * manifest under /usr/local/nvidia is outside the loader's default folders. Returns what it did.
 */
export function preferGpuDriver(env = process.env) {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return `driver from the environment: ${env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES}`;
  const icds = gpuIcds();
  if (icds.length === 0) return 'no GPU Vulkan driver installed';
  env.VK_DRIVER_FILES = icds.join(':');
  env.VK_ICD_FILENAMES = icds.join(':');
  return `GPU Vulkan driver(s): ${icds.join(', ')}`;
}

function describeAdapter(info) {
  return [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/** A result store in a folder: one JSON file per finished group job, each stamped with the
 *  fields of `stamp` (the runner's preset, code version, shard, adapter: what a merge checks). */
export function folderStore(dir, stamp = {}) {
  mkdirSync(dir, { recursive: true });
  const file = (key) => join(dir, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  const write = (key, text) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file(key), Object.keys(stamp).length ? JSON.stringify({ ...JSON.parse(text), ...stamp }) : text);
  };
  return {
    list: async (prefix) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f.startsWith(prefix)).map((f) => f.slice(0, -5)) : []),
    get: async (key) => (existsSync(file(key)) ? JSON.parse(readFileSync(file(key), 'utf8')) : undefined),
    put: async (key, value) => write(key, JSON.stringify(value)),
    /** Text variants for page.exposeFunction (the browser runner). */
    getText: (key) => (existsSync(file(key)) ? readFileSync(file(key), 'utf8') : null),
    putText: (key, text) => write(key, text),
  };
}

/**
 * Runs the sections in Node on Dawn.
 * @param {{ preset: string, sections: string[], workers?: number|null, groupsDir?: string|null,
 *   swiftshader?: boolean, log?: (line: string) => void, progress?: (p: object) => void, dist?: string,
 *   signal?: AbortSignal, estimateOnly?: boolean, shard?: string, calibrate?: boolean, stamp?: object }} o
 *   shard: 'i/n', train only that shard of the nn sweeps (stored, no nn result); stamp: fields
 *   every stored group gets (folderStore), with the adapter added.
 * @returns {Promise<{ adapter: string, driver: string, results: { id, title, markdown, json }[], timings: Record<string, number>, errors: string[] }>}
 */
export async function runNode(o) {
  const log = o.log ?? console.log;
  const dist = o.dist ?? join(root, 'dist');
  for (const f of ['index.js', 'experiments.js', 'node.js', 'node-worker.js']) {
    if (!existsSync(join(dist, f))) throw new Error(`${join(dist, f)} is missing: build the library first (npx vite build --outDir ${dist})`);
  }
  const driver = o.swiftshader ? 'SwiftShader (asked for)' : preferGpuDriver();
  const lib = await import(pathToFileURL(join(dist, 'index.js')).href);
  const exp = await import(pathToFileURL(join(dist, 'experiments.js')).href);
  const node = await import(pathToFileURL(join(dist, 'node.js')).href);
  // SOBOLEV_WEBGPU_SWIFTSHADER_ICD: a SwiftShader manifest of one's own (the GPU bundle carries one).
  const swiftshader = o.swiftshader ? (process.env.SOBOLEV_WEBGPU_SWIFTSHADER_ICD ?? true) : 'fallback';
  const contextOptions = { swiftshader, adapter: { powerPreference: 'high-performance' } };
  const ctx = await node.createNodeContext(contextOptions);
  const adapter = describeAdapter(ctx.adapterInfo);
  log(`[node] Dawn adapter: ${adapter} (${driver}; SwiftShader ${o.swiftshader ? 'forced' : 'only as a fallback'})`);
  const preset = o.preset;
  const results = [];
  const timings = {};
  const errors = [];
  try {
    for (const id of o.sections) {
      const started = performance.now();
      if (id === 'nn') {
        const experiments = exp.NN_EXPERIMENTS[preset];
        const pool = node.createNodePool({ ...(o.workers ? { size: o.workers } : {}), context: contextOptions });
        try {
          const store = o.groupsDir ? folderStore(o.groupsDir, { ...o.stamp, adapter }) : undefined;
          const r = await exp.runNnExperiments(pool, experiments, {
            store,
            signal: o.signal,
            estimateOnly: !!o.estimateOnly,
            shard: o.shard ?? undefined,
            calibrate: o.calibrate !== false,
            log: (line) => log(`         nn | ${line}`),
            onProgress: (p) => o.progress?.({ section: 'nn', task: p.task, done: p.networkStepsDone, total: p.networkSteps }),
          });
          if (o.estimateOnly || o.shard) continue; // a shard's sweeps are partial: merged later
          const json = exp.nnSectionJson(preset, pool.size, pool.adapter ?? adapter, r.seconds, experiments, r.results);
          json.plan = { networks: r.plan.networks, groupSteps: r.plan.groupSteps, networkSteps: r.plan.networkSteps, estimateSeconds: r.estimateS, calibration: r.calibration };
          const preamble = `Preset **${preset}** in Node on Dawn; ${pool.size} worker threads; adapter ${adapter}. ${describePlanLine(exp, r)}\n\n`;
          results.push({ id, title: 'Feed-forward networks: GI vs baseline, and the GI complexity bound (ideas 1 and 2)', markdown: preamble + exp.nnSectionMarkdown(r.results), json });
        } finally {
          await pool.destroy();
        }
      } else if (id === 'linear') {
        const grid = exp.problems.sineGrid(100);
        const generate = (n, seed) => {
          const d = exp.problems.sineData({ n, seed });
          return { x: Float64Array.from(d.x), y: Float64Array.from(d.y), dydx: Float64Array.from(d.dydx) };
        };
        const backend = `GPU (${adapter}): two float32 words per value, TwoSum block sums, float64 host reduction`;
        const r = await exp.runLinearExperiment({
          ...exp.LINEAR_SECTION_SETTINGS[preset], methods: exp.LINEAR_METHODS, generate, test: { x: grid.x, y: grid.y }, sums: lib.linear.createGpuSums(ctx),
          onProgress: (done, total) => o.progress?.({ section: 'linear', task: 'sine datasets', done, total }),
        });
        const seconds = (performance.now() - started) / 1000;
        results.push({
          id, title: 'Linear models: ridge vs ridge-gradient and GI least squares on the sine problem (ideas 1 and 3)',
          markdown: `Preset **${preset}** in Node; Gram sums computed by: **${backend}**.\n\n${exp.linearSectionMarkdown(r)}`,
          json: exp.linearSectionJson(preset, backend, seconds, r),
        });
      } else if (id === 'generative') {
        const config = exp.generative.GENERATIVE_PRESETS[preset];
        const r = await exp.generative.runGenerativeExperiment(ctx, config, {
          onProgress: (done, total, label) => {
            o.progress?.({ section: 'generative', task: 'train generators', done, total });
            log(`         generative | ${label}`);
          },
        });
        const seconds = (performance.now() - started) / 1000;
        results.push({
          id, title: 'Generative images: baseline vs GI with projected JVP losses (idea 4)',
          markdown: `Preset **${preset}** in Node; adapter ${adapter}; ${seconds.toFixed(0)} s.\n\n${exp.generativeSectionMarkdown(r)}`,
          json: { preset, adapter, seconds, config, summary: r.summary, runs: r.runs, kStudy: r.kStudy },
        });
      } else {
        throw new Error(`unknown section '${id}' (nn, linear, generative)`);
      }
      timings[id] = (performance.now() - started) / 1000;
    }
  } catch (error) {
    errors.push(`node runner: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    ctx.destroy();
  }
  return { adapter, driver, results, timings, errors };
}

function describePlanLine(exp, r) {
  const est = r.estimateS === null ? '' : `; estimated ${exp.formatSeconds(r.estimateS)}, took ${exp.formatSeconds(r.seconds)}`;
  return `${r.plan.networks} networks, ${r.plan.groupSteps} grouped steps (${r.plan.networkSteps} network-steps)${est}.`;
}
