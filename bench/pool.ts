// In-page benchmark of the worker pool (bench/pool.html, driven by bench/pool.mjs): the same
// sweep of small training jobs with 1, 2 and 4 workers. Each size runs twice on one pool:
// "cold" includes starting the workers, their devices and pipeline compilation; "warm" is the
// same jobs again on the started pool. Sizes are measured in turn for `rounds` rounds (the
// machine's load drifts) and the medians reported. Results: globalThis.__poolBench (or
// __poolBenchError).
import { SweepData } from '../src/experiments/index';
import { createPool, type TrainJob } from '../src/sweep/index';
import { median } from '../src/util/stats';

interface Row {
  workers: number;
  jobs: number;
  coldSeconds: number;
  warmSeconds: number;
  jobsPerSecond: number;
  speedup: number;
}

const params = new URLSearchParams(location.search);
const sizes = (params.get('sizes') ?? '1,2,4').split(',').map(Number);
const jobCount = Number(params.get('jobs') ?? 16);
const epochs = Number(params.get('epochs') ?? 30);
const rounds = Number(params.get('rounds') ?? 3);
const out = document.getElementById('out')!;

/** toy2d, first time step, N = 50, 4 hidden layers of width 16 (η = 4), GI w = 0.5. */
function jobs(tag: string): TrainJob[] {
  const data = new SweepData({ problem: 'toy2d', stages: 1, poolSize: 1000, testSize: 1000, seed: 11 });
  // One network per job (a job is a group of networks; bench/group.ts times whole groups).
  return Array.from({ length: jobCount }, (_, i) => ({
    id: `${tag}:${i}`,
    data: [data.stageData(50, i)],
    models: [{ width: 16, gradientWeight: 0.5, seed: i }],
    rollout: false,
    settings: { hiddenLayers: 4, outputActivation: 'linear', epochs, batchSize: 10, learningRate: 1e-3, lrDecay: 0.01 },
  }));
}

async function timeRun(pool: ReturnType<typeof createPool>, tag: string): Promise<number> {
  const t0 = performance.now();
  await pool.run(jobs(tag));
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = [adapter.info.vendor, adapter.info.architecture, adapter.info.description].filter(Boolean).join(' ');
  const times = new Map(sizes.map((w) => [w, { cold: [] as number[], warm: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const workers of sizes) {
      const pool = createPool({ size: workers });
      const cold = await timeRun(pool, `cold${workers}`);
      const warm = await timeRun(pool, `warm${workers}`);
      await pool.destroy();
      times.get(workers)!.cold.push(cold);
      times.get(workers)!.warm.push(warm);
      console.log(`[pool] round ${round + 1}/${rounds}, ${workers} worker(s): cold ${cold.toFixed(1)} s, warm ${warm.toFixed(1)} s`);
    }
  }
  const rows: Row[] = sizes.map((workers) => {
    const t = times.get(workers)!;
    const warmSeconds = median(t.warm);
    return { workers, jobs: jobCount, coldSeconds: median(t.cold), warmSeconds, jobsPerSecond: jobCount / warmSeconds, speedup: NaN };
  });
  const base = rows.find((r) => r.workers === 1) ?? rows[0];
  for (const r of rows) r.speedup = base.warmSeconds / r.warmSeconds;
  const result = { adapter: info, hardwareConcurrency: navigator.hardwareConcurrency, epochs, rounds, rows, times: Object.fromEntries(times) };
  out.textContent = JSON.stringify(result, null, 2);
  Object.assign(globalThis, { __poolBench: result });
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  out.textContent = `error: ${message}`;
  Object.assign(globalThis, { __poolBenchError: message });
});
