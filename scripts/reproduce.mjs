#!/usr/bin/env node
// The main job (`npm start`): runs the demo page (demo/index.html) in headless Chromium with
// WebGPU — or, with --runtime node, the same sections in Node on Dawn (scripts/reproduce-node.mjs)
// — prints the plan, its estimate, progress and the tables, and writes reports/results.json,
// reports/results.md (our numbers beside the paper's, with computed verdicts) and
// reports/demo.png (browser: a full-page screenshot with the plots).
//   node scripts/reproduce.mjs [--preset tiny|quick|full|paper] [--runtime browser|node]
//                              [--sections nn,linear,generative] [--workers N] [--out reports]
//                              [--timeout-min M] [--fresh] [--swiftshader] [--no-build]
//                              [--estimate-only]   (node: print the plan and its estimate, train nothing)
//                              [--no-estimate]     (skip the probe groups that time the adapter)
//                              [--shard i/n]       (train shard i of n of the nn sweeps, no report)
//                              [--merge DIR...]    (the report from the shards' folders, nothing trained)
//                              [--report-only]     (the report from <out>/groups alone, nothing trained)
//                              [--build-only]      (build the Node runner's library and stop: before
//                                                   starting shards that share one checkout)
// Resume: every finished group job of the nn sweeps is written to <out>/groups/ at once; a
// rerun with the same --out skips the networks stored there (--fresh clears them first).
// Each stored group is stamped with the preset, the code version (scripts/shards.mjs), the
// shard and the adapter; a merge refuses groups whose preset, code version or sweep
// configuration differs, and names every missing network by its shard (docs/distributed.md).
// Exit status 0 only when every section finished without a page error or console error.
//
// reports/results.json:
//   { generatedAt, preset: 'quick'|'paper', adapter: string, browser: string,
//     sections: string[], timings: { totalSeconds, sectionSeconds: { [id]: seconds } },
//     ok: boolean, errors: string[],
//     results: [{ id, title, data }] }          data: the section's own JSON, e.g. for 'nn':
//   { preset, workers, adapter, seconds, experiments: [{ problem, title, stages, etas, repeats,
//     settings, sweeps: [{ nTrain, seconds, bound: { eta1, eta2, eta3|null, eta4|null, ub,
//     bestBaselineEta, bestWithinBound, deltas: [{ eta, deltaRmse, deltaCorr }] },
//     summary: [{ eta, width, baseline|gi: { rmse|corr: { mean, sd, n } } }],
//     runs: [{ eta, width, model, gradientWeight, repeat, rmse, corr, stageRmse, epochs,
//              diverged, trainMs, worker, attempts }] }] }] }
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { folderStore, runNode } from './reproduce-node.mjs';
import { CODE_VERSION_FILE, codeVersion, readGroups, sourceVersion } from './shards.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { preset: 'quick', sections: null, workers: null, out: null, timeoutMin: null, runtime: 'browser', fresh: false, swiftshader: false, build: true, calibrate: true, shard: null, merge: null, reportOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--preset') opts.preset = value();
    else if (flag === '--sections') opts.sections = value();
    else if (flag === '--workers') opts.workers = Number(value());
    else if (flag === '--out') opts.out = value();
    else if (flag === '--timeout-min') opts.timeoutMin = Number(value());
    else if (flag === '--runtime') opts.runtime = value();
    else if (flag === '--fresh') opts.fresh = true;
    else if (flag === '--swiftshader') opts.swiftshader = true;
    else if (flag === '--no-build') opts.build = false;
    else if (flag === '--estimate-only') opts.estimateOnly = true;
    else if (flag === '--no-estimate') opts.calibrate = false;
    else if (flag === '--shard') opts.shard = value();
    else if (flag === '--report-only') opts.reportOnly = true;
    else if (flag === '--build-only') opts.buildOnly = true;
    else if (flag === '--merge') {
      // Every argument up to the next flag is a folder.
      opts.merge = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) opts.merge.push(argv[++i]);
    } else if (flag === '--help' || flag === '-h') {
      console.log('usage: npm start -- [--preset tiny|quick|full|paper] [--runtime browser|node] [--sections nn,linear,generative] [--workers N] [--out reports] [--timeout-min M] [--fresh] [--swiftshader] [--no-build] [--estimate-only] [--no-estimate]\n' +
        '                    [--shard i/n]  train shard i of n (1-based) of the nn sweeps into <out>/groups (default --out reports/shard-i-of-n), no report\n' +
        '                    [--merge DIR...]  write the report from the shards\' output folders (nothing is trained)\n' +
        '                    [--report-only]  write the report from <out>/groups alone (nothing is trained)\n' +
        '                    [--build-only]  build the Node runner\'s library and stop (once, before shards that share a checkout start)');
      process.exit(0);
    } else throw new Error(`unknown argument '${argv[i]}' (try --help)`);
  }
  if (!PRESETS.includes(opts.preset)) throw new Error(`--preset must be one of ${PRESETS.join(', ')}, got '${opts.preset}'`);
  if (!['browser', 'node'].includes(opts.runtime)) throw new Error(`--runtime must be browser or node, got '${opts.runtime}'`);
  if (opts.workers !== null && !(Number.isInteger(opts.workers) && opts.workers > 0)) throw new Error('--workers must be a positive integer');
  opts.timeoutMin ??= opts.preset === 'quick' || opts.preset === 'tiny' ? 20 : 24 * 60;
  if (opts.shard !== null) {
    const m = /^(\d+)\/(\d+)$/.exec(opts.shard ?? '');
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n (shard i of n, 1-based, e.g. 2/3), got '${opts.shard}'`);
    opts.shardDefaultOut = opts.out === null;
    opts.out ??= join('reports', `shard-${m[1]}-of-${m[2]}`);
  }
  opts.out ??= 'reports';
  if (opts.merge && opts.merge.length === 0) throw new Error('--merge needs the output folders (--out) of the shards, e.g. --merge reports/shard-1-of-3 reports/shard-2-of-3 reports/shard-3-of-3');
  const modes = [opts.shard !== null && '--shard', opts.merge && '--merge', opts.reportOnly && '--report-only', opts.estimateOnly && '--estimate-only'].filter(Boolean);
  if (modes.length > 1 && !(modes.length === 2 && opts.shard !== null && opts.estimateOnly)) throw new Error(`${modes.join(' and ')} do not go together`);
  if (opts.fresh && (opts.merge || opts.reportOnly)) throw new Error(`--fresh would delete the stored groups ${modes[0]} reads`);
  const nnOnly = opts.shard !== null || opts.merge || opts.reportOnly;
  if (nnOnly && opts.sections && opts.sections.split(',').some((x) => x.trim() !== 'nn')) {
    throw new Error(`${modes[0]} is for the nn section's sweeps: leave out --sections (or give nn), and run the linear and generative sections with a plain run`);
  }
  if (nnOnly) opts.sections = 'nn';
  return opts;
}

/** The presets (src/experiments/sweep/presets.ts PRESET_NAMES, checked by e2e/reproduce.spec.ts). */
const PRESETS = ['tiny', 'quick', 'full', 'paper'];
const SECTIONS = ['nn', 'linear', 'generative'];

const fmtTime = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

/** Prints a line per task whose progress changed, at most one per task every `everyMs`. */
function progressPrinter(startedAt, everyMs = 2000) {
  const last = new Map();
  return (events) => {
    for (const [key, e] of Object.entries(events ?? {})) {
      const prev = last.get(key);
      const finished = e.done >= e.total;
      if (prev && (prev.done === e.done || (!finished && Date.now() - prev.at < everyMs))) continue;
      if (prev?.finished) continue;
      last.set(key, { done: e.done, at: Date.now(), finished });
      const pct = e.total > 0 ? ((100 * e.done) / e.total).toFixed(1) : '0.0';
      const elapsed = (Date.now() - startedAt) / 1000;
      console.log(`[${fmtTime(elapsed).padStart(6)}] ${e.section.padEnd(10)} ${e.task.padEnd(28)} ${pct.padStart(5)}%  (${Math.floor(e.done)}/${e.total})`);
    }
  };
}

/** The Node runner's own build of the library (not dist/, which tests rebuild and empty while
 *  a long run would be reading it); SOBOLEV_DIST overrides it (the GPU bundle's prebuilt copy). */
const nodeDist = process.env.SOBOLEV_DIST ?? join(root, 'node_modules', '.cache', 'sobolev-reproduce-dist');

/** Whether the Node runner's build is older than a source file (or missing). */
function distStale() {
  const built = join(nodeDist, 'experiments.js');
  if (!existsSync(built) || !existsSync(join(nodeDist, 'node.js'))) return true;
  if (!existsSync(join(nodeDist, CODE_VERSION_FILE))) return true;
  const t = statSync(built).mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > t));
  return ['src', 'shaders', 'workers'].some((d) => existsSync(join(root, d)) && newer(join(root, d)));
}

/** Builds the Node runner's library when a source file is newer (unless --no-build), with the
 *  source's code version beside it (what its stored groups are stamped with). */
function ensureNodeBuild(opts) {
  if (!opts.build || !distStale()) return;
  console.log('[reproduce] building the library (vite build) for the Node runner ...');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', nodeDist], { cwd: root, stdio: 'inherit' });
  const version = sourceVersion(root);
  if (version) writeFileSync(join(nodeDist, CODE_VERSION_FILE), `${version}\n`);
}

/** What every stored group is stamped with: preset, code version and shard (a merge checks them). */
const stampOf = (opts, code) => ({ preset: opts.preset, code, ...(opts.shard ? { shard: opts.shard } : {}) });

/** Runs the demo page in headless Chromium; resolves with the sections' results. */
async function runBrowser(opts, groupsDir, print, errors) {
  const { launchChromium, requireChromium, startVite } = await import('./headless.mjs');
  const executablePath = requireChromium();
  // Its own dependency cache: a test server running beside it must not see its pre-bundles
  // rewritten; no HMR, so an edit elsewhere in the checkout cannot reload the page mid-run.
  const server = await startVite({ cacheDir: '.vite-reproduce' });
  const browser = await launchChromium({ executablePath });
  const startedAt = Date.now();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error') {
        errors.push(`console error: ${text}`);
        console.error(`[page error] ${text}`);
      } else if (text.startsWith('[log] ')) console.log(`         ${text.slice(6)}`);
    });
    // Resume: the nn section stores each finished group job through these (src/experiments
    // exposedStore) in <out>/groups/, and skips the networks it finds there.
    const stamp = stampOf(opts, codeVersion(root));
    const store = folderStore(groupsDir, stamp);
    await page.exposeFunction('__storeList', (prefix) => store.list(prefix));
    await page.exposeFunction('__storeGet', (key) => store.getText(key));
    await page.exposeFunction('__storePut', (key, text) => store.putText(key, text));
    // The page starts the experiments only when asked (autorun=1); opened by hand it waits.
    // experimentsPreset: the sections' own preset (src/experiments pagePreset), for presets the
    // page shell does not list (it knows quick and paper and rewrites `preset` to one of them).
    const shellPreset = opts.preset === 'paper' ? 'paper' : 'quick';
    const query = new URLSearchParams({ preset: shellPreset, experimentsPreset: opts.preset, autorun: '1' });
    if (opts.sections) query.set('sections', opts.sections);
    if (opts.workers) query.set('workers', String(opts.workers));
    if (opts.shard) query.set('shard', opts.shard); // the nn section's pageShard()
    if (!opts.calibrate) query.set('estimate', '0');
    const url = `${server.url}/demo/index.html?${query}`;
    console.log(`[reproduce] preset ${opts.preset}; ${browser.version()} at ${executablePath}; ${url}`);
    await page.goto(url);
    const meta = await page.waitForFunction(() => globalThis.__meta?.adapter || globalThis.__error, null, { timeout: 120_000 }).then(() => page.evaluate(() => globalThis.__meta));
    if (meta?.adapter) console.log(`[reproduce] WebGPU adapter: ${meta.adapter}`);
    if (meta?.adapter) stamp.adapter = meta.adapter;
    const deadline = startedAt + opts.timeoutMin * 60_000;
    let state;
    for (;;) {
      state = await page.evaluate(() => ({ progress: globalThis.__progress, done: !!globalThis.__done, error: globalThis.__error ?? null }));
      print(state.progress);
      if (state.done || state.error) break;
      if (errors.some((e) => e.startsWith('page error'))) break;
      if (Date.now() > deadline) {
        errors.push(`timed out after ${opts.timeoutMin} minutes`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (state.error) errors.push(`demo error: ${state.error}`);
    const results = (await page.evaluate(() => globalThis.__results ?? [])).map((r) => ({ id: r.id, title: r.title, markdown: r.markdown, json: r.json }));
    const finalMeta = await page.evaluate(() => globalThis.__meta);
    const outDir = isAbsolute(opts.out) ? opts.out : join(root, opts.out);
    mkdirSync(outDir, { recursive: true });
    if (!opts.shard) await page.screenshot({ path: join(outDir, 'demo.png'), fullPage: true });
    const paper = await server.server.ssrLoadModule('/src/experiments/paper.ts');
    return {
      adapter: finalMeta?.adapter ?? null, browser: browser.version(), sections: finalMeta?.sections ?? [], timings: finalMeta?.timings ?? {},
      results, done: !!state.done, paper, files: ['results.json', 'results.md', 'demo.png'],
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Runs the sections in Node on Dawn (scripts/reproduce-node.mjs) on the built library. */
async function runInNode(opts, groupsDir, print, errors) {
  ensureNodeBuild(opts);
  const sections = opts.sections ? opts.sections.split(',').map((x) => x.trim()).filter(Boolean) : SECTIONS;
  const latest = {};
  const r = await runNode({
    preset: opts.preset, sections, workers: opts.workers, groupsDir, swiftshader: opts.swiftshader, dist: nodeDist, estimateOnly: opts.estimateOnly,
    shard: opts.shard, calibrate: opts.calibrate, stamp: stampOf(opts, codeVersion(root, nodeDist)),
    // --timeout-min: the nn sweeps stop there (what finished is in <out>/groups for a rerun).
    signal: AbortSignal.timeout(opts.timeoutMin * 60_000),
    progress: (p) => {
      latest[`${p.section}:${p.task}`] = p;
      print(latest);
    },
  });
  errors.push(...r.errors);
  const paper = await import(pathToFileURL(join(nodeDist, 'experiments.js')).href).then((m) => m.paper);
  return { adapter: r.adapter, browser: `Node ${process.version} on Dawn (webgpu package); ${r.driver}`, sections, timings: r.timings, results: r.results, done: r.errors.length === 0, paper, files: ['results.json', 'results.md'] };
}

/** --merge DIR... / --report-only: the nn section from the groups the shards stored (checked
 *  by mergeNnShards: preset, code version, sweep configuration, every network present), copied
 *  into <out>/groups; nothing is trained and no GPU is needed. */
async function runMerge(opts, outDir) {
  ensureNodeBuild(opts);
  const exp = await import(pathToFileURL(join(nodeDist, 'experiments.js')).href);
  const dirs = (opts.merge ?? [outDir]).map((d) => (isAbsolute(d) ? d : join(process.cwd(), d)));
  const sources = dirs.map((d) => readGroups(d));
  const code = codeVersion(root, nodeDist);
  const experiments = exp.NN_EXPERIMENTS[opts.preset];
  const started = performance.now();
  let merged;
  try {
    merged = await exp.mergeNnShards(experiments, sources, { preset: opts.preset, code });
  } catch (error) {
    if (error?.name !== 'ShardMergeError') throw error;
    const hint = error.missing.some((m) => m.shard !== '?')
      ? `\nrun the missing shard(s) (${error.missing.map((m) => `npm start -- --preset ${opts.preset} --shard ${m.shard} --out DIR`).join('; ')}, with the other shards' flags, e.g. --runtime node) and merge again with their folders`
      : error.missing.length ? `\nrun the preset again with --out on one of these folders to train them (a rerun skips what is stored)` : '';
    throw new Error(`merge: ${error.message}${hint}`);
  }
  // The merged groups beside the report: <out> is then a complete run (resume, --report-only).
  const groupsDir = join(outDir, 'groups');
  mkdirSync(groupsDir, { recursive: true });
  let copied = 0;
  for (const { key, value } of merged.groups) {
    const file = join(groupsDir, `${key}.json`);
    if (existsSync(file)) continue;
    writeFileSync(file, JSON.stringify(value));
    copied++;
  }
  const seconds = (performance.now() - started) / 1000;
  const adapter = merged.adapters.join('; ') || null;
  const from = `${dirs.length} folder(s)${merged.shards.length ? ` (shards ${merged.shards.join(', ')})` : ''}`;
  console.log(`[reproduce] merged ${merged.groups.length} stored groups of ${from}${merged.duplicates ? `; ${merged.duplicates} network(s) found twice, the first kept` : ''}; ${copied} copied into ${relative(root, groupsDir) || groupsDir}`);
  const json = exp.nnSectionJson(opts.preset, 0, adapter, seconds, experiments, merged.results);
  json.merged = { folders: dirs, shards: merged.shards, adapters: merged.adapters, groups: merged.groups.length, duplicates: merged.duplicates, code };
  const preamble = `Preset **${opts.preset}**, merged from ${from}; adapter(s): ${adapter ?? 'unknown'}; code version ${code}.\n\n`;
  return {
    adapter, browser: `merged from ${dirs.join(', ')}`, sections: ['nn'], timings: { nn: seconds },
    results: [{ id: 'nn', title: 'Feed-forward networks: GI vs baseline, and the GI complexity bound (ideas 1 and 2)', markdown: preamble + exp.nnSectionMarkdown(merged.results), json }],
    done: true, paper: exp.paper, files: ['results.json', 'results.md'],
  };
}

/** After a shard: what it wrote, and how to merge. */
function shardSummary(opts, groupsDir, errors) {
  const files = readdirSync(groupsDir).filter((f) => f.endsWith('.json'));
  let networks = 0;
  let mine = 0;
  for (const f of files) {
    const g = JSON.parse(readFileSync(join(groupsDir, f), 'utf8'));
    if (g.shard !== opts.shard || g.preset !== opts.preset) continue;
    mine++;
    networks += g.records?.length ?? 0;
  }
  const n = opts.shard.split('/')[1];
  const dirs = Array.from({ length: Number(n) }, (_, k) => join('reports', `shard-${k + 1}-of-${n}`)).join(' ');
  console.log(`\n[reproduce] shard ${opts.shard} of preset ${opts.preset}${errors.length ? ' did NOT finish' : ''}: ${mine} group file(s), ${networks} network(s) in ${relative(process.cwd(), groupsDir) || groupsDir}`);
  console.log(`[reproduce] when every shard has finished, merge their output folders (nothing is retrained):\n  npm start -- --preset ${opts.preset} --merge ${opts.shardDefaultOut ? dirs : '<each shard\'s --out>'} [--out reports]`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.buildOnly) {
    ensureNodeBuild({ ...opts, build: true });
    console.log(`[reproduce] the Node runner's library is built in ${nodeDist} (code version ${codeVersion(root, nodeDist)})`);
    return 0;
  }
  const startedAt = Date.now();
  const errors = [];
  const outDir = isAbsolute(opts.out) ? opts.out : join(root, opts.out);
  const groupsDir = join(outDir, 'groups');
  const merging = !!(opts.merge || opts.reportOnly);
  if (opts.fresh) rmSync(groupsDir, { recursive: true, force: true });
  if (!merging) mkdirSync(groupsDir, { recursive: true }); // a merge writes only once it succeeds
  const stored = merging ? 0 : readdirSync(groupsDir).filter((f) => f.endsWith('.json')).length;
  if (!merging) console.log(`[reproduce] preset ${opts.preset}, runtime ${opts.runtime}; finished groups in ${relative(root, groupsDir) || groupsDir}: ${stored}${stored ? ' (their networks are skipped; --fresh to retrain)' : ''}`);
  if (stored) {
    // Resume takes stored networks as they are; a merge refuses those of other code.
    const code = codeVersion(root, opts.runtime === 'node' && !existsSync(join(root, 'src')) ? nodeDist : null);
    const other = readdirSync(groupsDir).filter((f) => f.endsWith('.json')).filter((f) => {
      try {
        return JSON.parse(readFileSync(join(groupsDir, f), 'utf8')).code !== code;
      } catch {
        return false;
      }
    });
    if (other.length) console.warn(`[reproduce] warning: ${other.length} stored group(s) in ${groupsDir} were made by another code version than this one (${code}): their networks are not retrained, and a merge will refuse them; --fresh retrains everything`);
  }
  const print = progressPrinter(startedAt);
  if (opts.estimateOnly && opts.runtime !== 'node') throw new Error('--estimate-only needs --runtime node');
  const run = merging ? await runMerge(opts, outDir) : opts.runtime === 'node' ? await runInNode(opts, groupsDir, print, errors) : await runBrowser(opts, groupsDir, print, errors);
  if (opts.estimateOnly) return errors.length ? 1 : 0;
  if (opts.shard) {
    shardSummary(opts, groupsDir, errors);
    if (errors.length) console.error(`[reproduce] FAILED:\n  ${errors.join('\n  ')}`);
    return errors.length || !run.done ? 1 : 0;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const byId = Object.fromEntries(run.results.map((r) => [r.id, r.json]));
  // Our numbers beside the paper's, with verdicts computed from them (src/experiments/paper.ts).
  let comparison = null;
  try {
    comparison = run.paper.compareWithPaper({ preset: opts.preset, nn: byId.nn, linear: byId.linear, generative: byId.generative });
  } catch (error) {
    errors.push(`paper comparison: ${error instanceof Error ? error.message : String(error)}`);
  }
  const report = {
    generatedAt: new Date().toISOString(),
    preset: opts.preset,
    runtime: merging ? 'merge' : opts.runtime,
    adapter: run.adapter,
    browser: run.browser,
    sections: run.sections,
    timings: { totalSeconds: seconds, sectionSeconds: run.timings },
    ok: errors.length === 0 && run.done,
    errors,
    paper: comparison,
    results: run.results.map((r) => ({ id: r.id, title: r.title, data: r.json })),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
  const beside = comparison && (comparison.nn.length || comparison.linear.length)
    ? ['', '## Beside the paper (McDonagh & Chen, docs/experiments.md §E)', '', 'Per problem at its smallest N: our numbers, the published ones and the difference (ours − paper); the verdicts are computed from these numbers.', '', run.paper.paperMarkdown(comparison, { smallestNOnly: true })]
    : [];
  // The one-line outcome comes first: in results.md, and in the terminal before the tables.
  const outcome = comparison?.verdicts.length ? `Outcome (preset ${opts.preset}): ${comparison.outcome} — the paper's claims, checked on this run's numbers.` : null;
  const md = [
    `# sobolev-webgpu: reproduction report`,
    '',
    ...(outcome ? [`**${outcome}**`, ''] : []),
    `- preset: **${opts.preset}** (runtime: ${report.runtime})`,
    `- WebGPU adapter: ${report.adapter ?? 'unknown'}`,
    `- ${opts.runtime === 'node' || merging ? 'runtime' : 'browser'}: ${report.browser}`,
    `- generated: ${report.generatedAt}; total ${fmtTime(seconds)} (${Object.entries(report.timings.sectionSeconds).map(([k, v]) => `${k} ${fmtTime(v)}`).join(', ') || 'no section finished'})`,
    ...(errors.length ? ['', '**Errors:**', '', ...errors.map((e) => `- ${e}`)] : []),
    ...beside,
    ...run.results.flatMap((r) => ['', `## ${r.title}`, '', r.markdown]),
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'results.md'), md);
  if (outcome) console.log(`\n[reproduce] ${outcome}`);
  for (const r of run.results) console.log(`\n## ${r.title}\n\n${r.markdown}`);
  if (beside.length) console.log(beside.join('\n'));
  console.log(`\n[reproduce] adapter: ${report.adapter}; ${fmtTime(seconds)} in all; wrote ${run.files.map((f) => relative(root, join(outDir, f))).join(', ')}`);
  if (outcome) console.log(`[reproduce] ${outcome}`);
  if (errors.length) {
    console.error(`[reproduce] FAILED:\n  ${errors.join('\n  ')}`);
    return 1;
  }
  return run.done ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[reproduce] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
