import { test, expect } from '@playwright/test';
import { widthSweepJobs, type WidthSweepConfig } from '../../src/sweep/widths';
import type { StageData } from '../../src/sweep/job';

/** Stage data of repeat r, recognisable by its values. */
function stagesOf(repeat: number, count: number): StageData[] {
  return Array.from({ length: count }, (_, s) => ({
    inputs: 1,
    gradientInputs: [0],
    train: { x: Float32Array.of(repeat, s), y: Float32Array.of(1, 2), dydx: Float32Array.of(0, 0) },
    test: { x: Float32Array.of(0), y: Float32Array.of(0) },
  }));
}

const base: WidthSweepConfig = {
  etas: [1, 5, 3], repeats: 2, seed: 9, name: 'mine', stages: (r) => stagesOf(r, 1),
  settings: { hiddenLayers: 1, outputActivation: 'linear', epochs: 1, batchSize: 2, learningRate: 1e-3, lrDecay: 0 },
};

test('width sweep jobs over user data: widest first, paired, data built lazily per repeat', () => {
  const asked: number[] = [];
  const jobs = widthSweepJobs({ ...base, stages: (r) => (asked.push(r), stagesOf(r, 1)) });
  expect(asked).toEqual([]); // nothing is built before a worker takes the job
  expect(jobs.map((j) => j.id).slice(0, 4)).toEqual(['mine:eta5:baseline:r0', 'mine:eta5:gi:r0', 'mine:eta5:baseline:r1', 'mine:eta5:gi:r1']);
  const built = jobs.map((j) => j.make());
  expect(built.map((j) => j.width)).toEqual([20, 20, 20, 20, 12, 12, 12, 12, 4, 4, 4, 4]);
  expect(built.map((j) => j.gradientWeight).slice(0, 2)).toEqual([0, 0.5]);
  expect(built[0].seed).toBe(built[1].seed);
  expect(built[0].seed).not.toBe(built[2].seed);
  expect(Array.from(built[2].stages[0].train.x)).toEqual([1, 0]); // repeat 1's data
  expect(built[0].rollout).toBe(false); // one stage
  expect(widthSweepJobs({ ...base, stages: (r) => stagesOf(r, 3) })[0].make().rollout).toBe(true);
  expect(widthSweepJobs({ ...base, giWeight: 0.9, rollout: false, stages: (r) => stagesOf(r, 3) })[1].make()).toMatchObject({ rollout: false, gradientWeight: 0.9 });
  expect(() => widthSweepJobs({ ...base, etas: [2, 2] })).toThrow(/distinct/);
  expect(() => widthSweepJobs({ ...base, etas: [0] })).toThrow(/positive integers/);
  expect(() => widthSweepJobs({ ...base, repeats: 0 })).toThrow(/repeats/);
});
