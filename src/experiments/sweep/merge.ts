/** The shards of a preset's NN sweeps, gathered: the groups each machine stored (runNnPlan on
 *  a shardPlan, in `<out>/groups/` of the runner), checked against the preset's plan and the
 *  code that merges them, then made into the sweeps' results without training anything. */
import { ShardMergeError, describeMissing, networkKey, parseShard } from '../../sweep/shard';
import type { RunRecord } from '../../sweep/widths';
import { memoryStore, planNetworks, planNn, planShards, runNnPlan, type JobExecutor, type ResultStore } from './plan';
import type { NnExperiment } from './presets';
import type { SweepResult } from './sweep';

/** A stored group: what runNnPlan writes, with the stamp the runner adds to it. */
export interface StoredGroup {
  /** The sweep's key: problem, N and the fingerprint of its configuration. */
  sweep: string;
  job: string;
  savedAt?: string;
  records: RunRecord[];
  /** The runner's stamp: the preset, the code version, the shard ('i/n') and the adapter. */
  preset?: string;
  code?: string;
  shard?: string;
  adapter?: string;
}

/** The groups of one folder (or any other source): key → stored value. */
export interface GroupSource {
  name: string;
  groups: { key: string; value: unknown }[];
}

export interface NnMerge {
  /** One group per sweep with every network's record: runNnPlan resumes all of it. */
  store: ResultStore & { data: Map<string, unknown> };
  /** The sources' groups that went into it (to keep beside the report). */
  groups: { key: string; value: StoredGroup }[];
  results: { experiment: NnExperiment; result: SweepResult }[];
  /** Shards ('i/n') and adapters the groups name. */
  shards: string[];
  adapters: string[];
  /** Networks found in more than one group (the first one is kept). */
  duplicates: number;
}

const netKey = (r: Pick<RunRecord, 'eta' | 'repeat' | 'model'>) => `${r.eta}:${r.repeat}:${r.model}`;

/** An executor for a merge: every network comes from the store, so it is never given a job. */
const noTraining: JobExecutor = {
  size: 1,
  async run(jobs) {
    if (jobs.length) throw new Error(`a merge trains nothing, but ${jobs.length} group job(s) were left to train`);
  },
};

/**
 * Merges the groups of a preset's shards (their runs' stores) into the sweeps' results.
 * Refuses (a ShardMergeError listing each) groups of another preset, of another code version
 * (`expect.code`; groups without one too) or of a sweep that is not the preset's (another
 * configuration), and shards of different splits; then names every missing network by the
 * shard that trains it. Nothing is trained.
 */
export async function mergeNnShards(experiments: readonly NnExperiment[], sources: readonly GroupSource[], expect: { preset: string; code?: string }): Promise<NnMerge> {
  if (!Array.isArray(sources) || sources.length === 0) throw new TypeError('mergeNnShards: give the sources (folders) of the shards as a non-empty array');
  const plan = planNn(experiments, 1);
  const sweeps = new Map(plan.sweeps.map((s) => [s.key, s]));
  const refused: string[] = [];
  const accepted: { key: string; value: StoredGroup }[] = [];
  const counts = new Map<number, string>();
  for (const source of sources) {
    for (const { key, value } of source.groups) {
      const where = `${source.name}: ${key}`;
      const g = value as StoredGroup;
      if (!g || typeof g !== 'object' || typeof g.sweep !== 'string' || !Array.isArray(g.records)) {
        refused.push(`${where} is not a stored group { sweep, job, records }`);
        continue;
      }
      if (g.preset !== expect.preset) {
        refused.push(`${where} is of preset ${g.preset ?? '(none recorded)'}, not ${expect.preset}`);
        continue;
      }
      if (expect.code !== undefined && g.code !== expect.code) {
        refused.push(`${where} was made by code version ${g.code ?? '(none recorded)'}, this one is ${expect.code}: retrain its shard with this code (from scratch: a rerun into the same folder keeps what is stored there)`);
        continue;
      }
      if (!sweeps.has(g.sweep)) {
        refused.push(`${where} is of sweep ${g.sweep}, not one of preset ${expect.preset}'s (${[...sweeps.keys()].join(', ')}): another configuration`);
        continue;
      }
      if (g.shard !== undefined) {
        const { count } = parseShard(g.shard);
        if (!counts.has(count)) counts.set(count, `${source.name} (shard ${g.shard})`);
      }
      accepted.push({ key, value: g });
    }
  }
  if (counts.size > 1) refused.push(`shards of different splits: ${[...counts].map(([n, first]) => `into ${n}, e.g. ${first}`).join('; ')}`);
  if (refused.length) {
    throw new ShardMergeError(`refused ${refused.length} group(s) of ${sources.map((s) => s.name).join(', ')}:\n  ${refused.join('\n  ')}`, [], refused);
  }
  // Every network of the plan once (the first record found).
  const records = new Map<string, Map<string, RunRecord>>(plan.sweeps.map((s) => [s.key, new Map()]));
  let duplicates = 0;
  for (const { value } of accepted) {
    const found = records.get(value.sweep)!;
    for (const r of value.records) {
      if (found.has(netKey(r))) duplicates++;
      else found.set(netKey(r), r);
    }
  }
  const count = counts.size ? [...counts.keys()][0] : null;
  const shardOf = count === null ? null : planShards(plan, count);
  const missing = new Map<string, string[]>();
  for (const { sweep, net, key } of planNetworks(plan)) {
    if (records.get(sweep.key)!.has(key)) continue;
    const label = shardOf ? `${shardOf.get(sweep.key)!.get(key)}/${count}` : '?';
    missing.set(label, [...(missing.get(label) ?? []), `${sweep.experiment.problem} N=${sweep.config.nTrain} ${networkKey(net)}`]);
  }
  if (missing.size) {
    const list = [...missing].sort(([a], [b]) => (a === '?' ? 0 : parseShard(a).index) - (b === '?' ? 0 : parseShard(b).index)).map(([shard, networks]) => ({ shard, networks }));
    const n = list.reduce((a, m) => a + m.networks.length, 0);
    throw new ShardMergeError(`${n} of preset ${expect.preset}'s ${plan.networks} networks are missing from ${sources.map((s) => s.name).join(', ')}: ${describeMissing(list)}`, list);
  }
  const store = memoryStore();
  for (const [sweep, found] of records) await store.put(`${sweep}-merged`, { sweep, job: 'merged', records: [...found.values()] });
  const results: NnMerge['results'] = [];
  await runNnPlan(noTraining, plan, { store, onSweep: (s, result) => results.push({ experiment: s.experiment, result }) });
  const distinct = (f: (g: StoredGroup) => string | undefined) => [...new Set(accepted.map((a) => f(a.value)).filter((x): x is string => !!x))].sort();
  return { store, groups: accepted, results, shards: distinct((g) => g.shard), adapters: distinct((g) => g.adapter), duplicates };
}
