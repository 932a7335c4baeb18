// Which models the fused kernel trains (fusedChoice, src/nn/fused.ts): the cost model alone,
// on a stand-in emulated context with two cores.
import { test, expect } from '@playwright/test';
import type { Context } from '../../src/gpu/context';
import { adamTakesWide } from '../../shaders/fused';
import { fusedChoice, fusedCost, fusedMode, stepMacs } from '../../src/nn/fused';
import { paramLayout, type ParamLayout } from '../../src/nn/layout';
import type { LossSetup } from '../../src/nn/loss';

const emulated = { fusedSmallModels: true, emulated: true, device: { limits: { maxStorageBuffersPerShaderStage: 10 } } } as unknown as Context;
/** 2 → 4 hidden layers of 4η → 1, tanh (the paper's toy2d networks). */
const paper = (eta: number): ParamLayout => paramLayout([2, 4 * eta, 4 * eta, 4 * eta, 4 * eta, 1], ['tanh', 'tanh', 'tanh', 'tanh', 'linear']);
const setup = (k: number): LossSetup => ({ n: 50, k, mode: 'all', gradientWeight: k ? 0.5 : 0, gradientInputs: k ? [0, 1] : [], jacobianMode: 'forward', present: 1 } as unknown as LossSetup);
const BATCH = 10;

function choose(etas: number[], k: number | number[], cores: number | null): boolean[] {
  const saved = fusedCost.cores;
  fusedCost.cores = cores;
  try {
    const ks = Array.isArray(k) ? k : etas.map(() => k);
    return fusedChoice(emulated, etas.map(paper), ks.map(setup), BATCH);
  } finally {
    fusedCost.cores = saved;
  }
}

test('a model alone is fused up to the threshold only, whatever the cores', () => {
  expect(stepMacs(paper(16), 3 * BATCH)).toBeLessThanOrEqual(fusedCost.emulatedMaxMacs);
  expect(stepMacs(paper(24), 3 * BATCH)).toBeGreaterThan(fusedCost.emulatedMaxMacs);
  for (const cores of [null, 1, 2, 16]) {
    expect(choose([16], 2, cores)).toEqual([true]);
    expect(choose([24], 2, cores)).toEqual([false]);
  }
});

test('models that fill the other cores are fused past the lone threshold; one that would run on alone is not', () => {
  // Two equal η = 40 models (2.3M multiply-adds each): one per core.
  expect(choose([40, 40], 2, 2)).toEqual([true, true]);
  // Past the group cap (η = 80: 9.2M each) nothing covers it.
  expect(choose([80, 80], 2, 2)).toEqual([false, false]);
  // A tiny model does not cover a large one: the large one takes the layered step.
  expect(choose([2, 40], 2, 2)).toEqual([true, false]);
  // Four cores need three others' worth of work.
  expect(choose([40, 40], 2, 4)).toEqual([false, false]);
  expect(choose([40, 40, 40, 40], 2, 4)).toEqual([true, true, true, true]);
  // Unknown cores: the lone threshold only.
  expect(choose([40, 40], 2, null)).toEqual([false, false]);
});

test('only models of the same tangent count share a dispatch, so only they cover each other', () => {
  expect(choose([40, 40], [2, 0], 2)).toEqual([false, false]);
  expect(choose([40, 40, 40], [2, 0, 2], 2)).toEqual([true, false, true]);
});

test('the toy2d grid (η = 2…60, w ∈ {0, 0.5}) is fused whole on two cores', () => {
  const etas = [2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];
  const all = [...etas, ...etas];
  const ks = [...etas.map(() => 0), ...etas.map(() => 2)];
  expect(choose(all, ks, 2).every(Boolean)).toBe(true);
  // The layered step keeps what the fused kernel cannot take (a device without its bindings).
  const small = { ...emulated, device: { limits: { maxStorageBuffersPerShaderStage: 8 } } } as unknown as Context;
  expect(fusedChoice(small, [paper(2)], [setup(2)], BATCH)).toEqual([false]);
});

test('reverse mode: a model counts its cotangent blocks (m), takes directions "all" only; fusedMode takes it where it saves enough', () => {
  const reverse = (k: number, mode = 'all'): LossSetup => ({ ...setup(k), jacobianMode: 'reverse', mode } as LossSetup);
  const saved = fusedCost.cores;
  fusedCost.cores = 2;
  try {
    expect(fusedChoice(emulated, [paper(16)], [reverse(2)], BATCH)).toEqual([true]);
    expect(fusedChoice(emulated, [paper(16)], [reverse(2, 'random')], BATCH)).toEqual([false]);
    // η = 24 alone: forward stacks 3 blocks of rows (838,080 multiply-adds, past the lone threshold), reverse 2 (558,720).
    const eta24 = paper(24);
    expect(stepMacs(eta24, 3 * BATCH)).toBeGreaterThan(fusedCost.emulatedMaxMacs);
    expect(stepMacs(eta24, 2 * BATCH)).toBeLessThanOrEqual(fusedCost.emulatedMaxMacs);
    fusedCost.cores = 1;
    expect(fusedChoice(emulated, [eta24], [setup(2)], BATCH)).toEqual([false]);
    expect(fusedChoice(emulated, [eta24], [reverse(2)], BATCH)).toEqual([true]);
  } finally {
    fusedCost.cores = saved;
  }
  // Saved per model: (k − m)·batch·Σ fanIn·fanOut; η = 2 saves 2,160, η = 16 124,800.
  expect(fusedMode([paper(2)], [reverse(2)], BATCH)).toBe('forward');
  expect(fusedMode([paper(16)], [reverse(2)], BATCH)).toBe('reverse');
  expect(fusedMode([paper(16)], [setup(2)], BATCH)).toBe('forward');
  // A part decides on the average over its models with derivatives (values-only models do not count).
  expect(fusedMode([paper(2), paper(60), paper(2)], [reverse(2), reverse(2), reverse(0)], BATCH)).toBe('reverse');
  expect(fusedMode([paper(2), paper(8), paper(2)], [reverse(2), reverse(2), reverse(2)], BATCH)).toBe('forward');
});

test("Adam's wide tile: only layers with at least 4 of its 8 × 8 tiles per thread and 8 inputs and units", () => {
  // 4 threads (an emulated adapter): 32 × 32 is 16 tiles, the least that qualifies.
  expect(adamTakesWide(32, 32, 4)).toBe(true);
  expect(adamTakesWide(240, 240, 4)).toBe(true);
  expect(adamTakesWide(36, 44, 4)).toBe(true);
  expect(adamTakesWide(16, 24, 4)).toBe(false);
  expect(adamTakesWide(24, 32, 4)).toBe(false);
  // The first and last layers of the paper's networks keep the narrow tile.
  expect(adamTakesWide(2, 240, 4)).toBe(false);
  expect(adamTakesWide(240, 1, 4)).toBe(false);
  // 256 threads (a GPU) need 1024 tiles: 256 × 256.
  expect(adamTakesWide(240, 240, 256)).toBe(false);
  expect(adamTakesWide(256, 256, 256)).toBe(true);
});
