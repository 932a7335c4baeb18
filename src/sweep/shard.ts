/** Sweeps split across machines: each sweep's networks are cut into stable chunks (groups of
 *  networks that one machine trains together), and every chunk gets a shard of `count` by its
 *  estimated cost; each machine trains its shard's networks in group jobs of its own (their
 *  records do not depend on which networks share a group), and the shards' records are merged.
 *  The split depends only on the sweeps and `count`: the same on every machine, whatever its
 *  worker count.
 *
 *  - `parseShard('2/3')`: shard 2 of 3 (1-based, as Playwright's and Jest's --shard).
 *  - `assignShards(costs, count)`: the shard of each unit, balanced by cost.
 *  - `shardSweeps(sweeps, count)`: the chunks of several sweeps and their shards.
 *  - For width sweeps on the pool: `widthSweepShard(config, shard)` → `runWidthShard(pool,
 *    part)` on each machine (a plain-JSON WidthShardResult) → `mergeWidthShards(config,
 *    parts)`, the sweep's usual WidthSweepResult. */
import type { LazyJob } from './job';
import type { Pool } from './pool';
import { networkCost, packNetworks, runWidthRecords, sweepNetworks, widthSweepJobs, widthSweepResult, type RunRecord, type SweepNetwork, type SweepOptions, type WidthSweepConfig, type WidthSweepResult } from './widths';

/** Shard `index` of `count` (1 ≤ index ≤ count). */
export interface Shard {
  index: number;
  count: number;
}

/** '2/3' → { index: 2, count: 3 }; a Shard is checked and returned as it is. */
export function parseShard(shard: string | Shard): Shard {
  let index: number;
  let count: number;
  if (typeof shard === 'string') {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(shard);
    if (!m) throw new TypeError(`a shard is written i/n (shard i of n, 1-based, e.g. '2/3'), got '${shard}'`);
    index = Number(m[1]);
    count = Number(m[2]);
  } else if (shard && typeof shard === 'object') {
    ({ index, count } = shard);
  } else {
    throw new TypeError(`a shard is 'i/n' or { index, count }, got ${String(shard)}`);
  }
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`the shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 1 || index > count) throw new RangeError(`shard index must be an integer in [1, ${count}] (1-based), got ${index}`);
  return { index, count };
}

/** 'i/n'. */
export const shardLabel = (s: Shard): string => `${s.index}/${s.count}`;

/**
 * The shard (1-based) of each unit: longest-processing-time first (each unit, costliest
 * first, ties by position, goes to the shard with the least cost so far, ties to the lowest
 * shard). Deterministic; every shard's total is within the largest unit's cost of every
 * other's; no shard is empty while there are at least `count` units.
 */
export function assignShards(costs: readonly number[], count: number): number[] {
  parseShard({ index: 1, count });
  costs.forEach((c, i) => {
    if (!(Number.isFinite(c) && c >= 0)) throw new RangeError(`costs[${i}] must be a finite number ≥ 0, got ${c}`);
  });
  const load = new Array<number>(count).fill(0);
  const shard = new Array<number>(costs.length);
  const order = costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
  let filled = 0;
  for (const i of order) {
    // The first `count` units each open a shard (zero-cost units too).
    let best = 0;
    if (filled < count) best = filled++;
    else for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += costs[i];
    shard[i] = best + 1;
  }
  return shard;
}

/** Cost of a grouped training step apart from its networks' work (dispatches, uniforms,
 *  readbacks), in the units of networkCost × batch size: about what SwiftShader measures
 *  (53 ms per grouped step ≈ 1.8·10⁶ units); it keeps chunks from being cut smaller than
 *  they need to be. */
export const GROUP_STEP_OVERHEAD = 2e6;

/** One sweep to split: its networks, each one's cost per grouped step, and the grouped steps
 *  a chunk of it trains (the same for every chunk of the sweep). */
export interface ShardSweep<T extends SweepNetwork = SweepNetwork> {
  networks: readonly T[];
  cost: (net: T) => number;
  steps: number;
}

/** A chunk of a sweep: networks (indices into its sweep's) trained by one shard. */
export interface ShardChunk {
  sweep: number;
  networks: number[];
  /** steps × (Σ cost + GROUP_STEP_OVERHEAD). */
  weight: number;
  shard: number;
}

/**
 * Cuts every sweep into chunks of about equal cost (packNetworks) and gives each chunk a shard
 * (assignShards on their weights). A sweep gets at least ⌈networks / maxChunk⌉ chunks and at
 * least twice its share of the shards (⌈2 × count × its weight / all weights⌉, so that the
 * shards balance), at most one per network: a shard then trains whole chunks of few sweeps
 * (each grouped step pays its overhead once per chunk, not once per shard and sweep), and no
 * shard is left empty while there are at least `count` networks.
 */
export function shardSweeps<T extends SweepNetwork>(sweeps: readonly ShardSweep<T>[], count: number, maxChunk = 32): ShardChunk[] {
  parseShard({ index: 1, count });
  if (!Number.isInteger(maxChunk) || maxChunk < 1) throw new RangeError(`maxChunk must be a positive integer, got ${maxChunk}`);
  const weightOf = (s: ShardSweep<T>, nets: readonly T[]) => s.steps * (nets.reduce((a, n) => a + s.cost(n), 0) + GROUP_STEP_OVERHEAD);
  const total = sweeps.reduce((a, s) => a + weightOf(s, s.networks), 0);
  const chunks: Omit<ShardChunk, 'shard'>[] = [];
  sweeps.forEach((s, sweep) => {
    const n = s.networks.length;
    if (n === 0) return;
    const share = total > 0 ? Math.ceil((2 * count * weightOf(s, s.networks)) / total) : 1;
    const index = new Map(s.networks.map((net, i) => [net, i]));
    for (const pack of packNetworks(s.networks, Math.min(n, Math.max(Math.ceil(n / maxChunk), share)), s.cost)) {
      chunks.push({ sweep, networks: pack.map((net) => index.get(net)!), weight: weightOf(s, pack) });
    }
  });
  const shards = assignShards(chunks.map((c) => c.weight), count);
  return chunks.map((c, i) => ({ ...c, shard: shards[i] }));
}

/** 32-bit FNV-1a of a string, as 8 hex digits. */
export function fingerprintText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** 'η=4 r0 gi': a network's stable key within its sweep. */
export const networkKey = (n: Pick<SweepNetwork, 'eta' | 'repeat' | 'model'>): string => `η=${n.eta} r${n.repeat} ${n.model}`;

const defaultSeedOf = (seed: number) => (repeat: number, eta: number) => (seed * 1000 + repeat * 97 + eta) >>> 0;

/** Every network of a width sweep config with its seed (as widthSweepJobs makes them). */
function configNetworks(config: WidthSweepConfig): SweepNetwork[] {
  return sweepNetworks({ etas: config.etas, repeats: config.repeats, giWeight: config.giWeight, width: config.width, seedOf: config.seedOf ?? defaultSeedOf(config.seed) });
}

/** Everything of a width sweep config its records depend on but its data (the grid with every
 *  network's width and seed, the recipe, the rollout, the name): give each data set its own
 *  `name`, so that shards of different data do not merge. */
export function widthSweepFingerprint(config: WidthSweepConfig): string {
  const nets = configNetworks(config).map((n) => [n.eta, n.width, n.model, n.gradientWeight, n.repeat, n.seed]);
  return fingerprintText(JSON.stringify({ name: config.name ?? 'sweep', nets, settings: config.settings, rollout: config.rollout ?? null }));
}

/** The shard of each network of a width sweep (shardSweeps, by networkCost × batch size). */
function networkShards(config: WidthSweepConfig, count: number): Map<string, number> {
  const nets = configNetworks(config);
  const { hiddenLayers, batchSize, epochs } = config.settings;
  const chunks = shardSweeps([{ networks: nets, cost: (n) => networkCost(n, hiddenLayers) * batchSize, steps: epochs }], count);
  const shard = new Array<number>(nets.length);
  for (const c of chunks) for (const i of c.networks) shard[i] = c.shard;
  return new Map(nets.map((n, i) => [networkKey(n), shard[i]]));
}

/** One machine's part of a width sweep: its group jobs and what identifies them. */
export interface WidthSweepShard {
  shard: Shard;
  fingerprint: string;
  /** Keys (networkKey) of the networks it trains. */
  networks: string[];
  jobs: LazyJob[];
}

/**
 * The group jobs of one shard of a width sweep: the networks shardSweeps gives it (the same
 * on every machine), packed into `config.groups` jobs for this machine's pool. Run them with
 * runWidthShard.
 * @example
 * const part = widthSweepShard(config, process.env.SHARD ?? '1/1');
 * writeFileSync('part.json', JSON.stringify(await runWidthShard(pool, part)));
 */
export function widthSweepShard(config: WidthSweepConfig, shard: string | Shard): WidthSweepShard {
  const s = parseShard(shard);
  const of = networkShards(config, s.count);
  const mine = (n: SweepNetwork) => of.get(networkKey(n)) === s.index;
  const jobs = widthSweepJobs({ ...config, name: `${config.name ?? 'sweep'}:s${s.index}of${s.count}`, exclude: (n) => !mine(n) || !!config.exclude?.(n) });
  const networks = [...of].filter(([, i]) => i === s.index).map(([k]) => k);
  return { shard: s, fingerprint: widthSweepFingerprint(config), networks, jobs };
}

/** What a machine hands back: plain JSON (save it, send it, merge it). */
export interface WidthShardResult {
  fingerprint: string;
  /** 'i/n'. */
  shard: string;
  runs: RunRecord[];
  ms: number;
}

/** Runs one shard's jobs on the pool (runWidthRecords: no summary, which needs every network):
 *  its networks' records, stamped with the sweep's fingerprint and the shard. */
export async function runWidthShard(pool: Pool, part: WidthSweepShard, opts: SweepOptions = {}): Promise<WidthShardResult> {
  if (!part || !Array.isArray(part.jobs) || typeof part.fingerprint !== 'string') throw new TypeError('runWidthShard: part must come from widthSweepShard(config, shard)');
  const started = performance.now();
  const runs = await runWidthRecords(pool, part.jobs, opts);
  return { fingerprint: part.fingerprint, shard: shardLabel(part.shard), runs, ms: performance.now() - started };
}

/** A merge that cannot give the whole sweep: what is missing or does not belong. */
export class ShardMergeError extends Error {
  constructor(
    message: string,
    /** Missing networks, by the shard that trains them ('i/n', or '?' when unknown). */
    readonly missing: { shard: string; networks: string[] }[] = [],
    /** Parts (or files) refused, with why. */
    readonly refused: string[] = [],
  ) {
    super(message);
    this.name = 'ShardMergeError';
  }
}

/** 'shard 2/3 (η=4 r0 gi, η=2 r1 baseline)' lines of missing networks, at most `max` keys each. */
export function describeMissing(missing: ShardMergeError['missing'], max = 6): string {
  return missing
    .map((m) => `shard ${m.shard}: ${m.networks.length} network(s) (${m.networks.slice(0, max).join(', ')}${m.networks.length > max ? ', …' : ''})`)
    .join('; ');
}

/**
 * Merges the shards' results of one width sweep into its WidthSweepResult (summary, bound,
 * every network once; ms: the shards' times added). Throws a ShardMergeError when a part is of
 * another sweep (its fingerprint) or of another split (its shard count), or when networks are
 * missing: it names the shards to run (or rerun) and their networks. A network in two parts
 * (a shard run twice) is taken from the first.
 */
export function mergeWidthShards(config: WidthSweepConfig, parts: readonly WidthShardResult[]): WidthSweepResult {
  if (!Array.isArray(parts) || parts.length === 0) throw new TypeError('mergeWidthShards: give the parts (runWidthShard results) as a non-empty array');
  const fingerprint = widthSweepFingerprint(config);
  const refused: string[] = [];
  let count: number | null = null;
  parts.forEach((p, i) => {
    if (!p || typeof p !== 'object' || !Array.isArray(p.runs)) throw new TypeError(`mergeWidthShards: parts[${i}] is not a runWidthShard result { fingerprint, shard, runs }`);
    if (p.fingerprint !== fingerprint) refused.push(`parts[${i}] (shard ${p.shard}) is of another sweep: fingerprint ${p.fingerprint}, this config's is ${fingerprint}`);
    const s = parseShard(p.shard);
    if (count !== null && s.count !== count) refused.push(`parts[${i}] is shard ${p.shard}, of a split into ${s.count}, the others of ${count}`);
    count ??= s.count;
  });
  if (refused.length) throw new ShardMergeError(`mergeWidthShards refused ${refused.length} part(s): ${refused.join('; ')}`, [], refused);
  const byKey = new Map<string, RunRecord>();
  for (const p of parts) for (const r of p.runs) if (!byKey.has(networkKey(r))) byKey.set(networkKey(r), r);
  const of = networkShards(config, count!);
  const missing = new Map<string, string[]>();
  for (const [key, shard] of of) {
    if (byKey.has(key)) continue;
    const label = `${shard}/${count}`;
    missing.set(label, [...(missing.get(label) ?? []), key]);
  }
  const extra = [...byKey.keys()].filter((k) => !of.has(k));
  if (extra.length) throw new ShardMergeError(`mergeWidthShards: records of networks not in this sweep: ${extra.join(', ')}`, [], extra);
  if (missing.size) {
    const list = [...missing].sort(([a], [b]) => parseShard(a).index - parseShard(b).index).map(([shard, networks]) => ({ shard, networks }));
    throw new ShardMergeError(`mergeWidthShards: ${list.reduce((a, m) => a + m.networks.length, 0)} of ${of.size} networks missing; run ${describeMissing(list)}`, list);
  }
  const runs = [...byKey.values()].map((r) => ({ ...r }));
  return widthSweepResult(runs, parts.reduce((a, p) => a + (p.ms ?? 0), 0));
}
