// Options that would be ignored or misread are refused before any work, naming what to do.
import { test, expect } from '@playwright/test';
import { createContext, type Context } from '../../src/gpu/context';
import { perModel } from '../../src/nn/fit-plan';
import { createNodeContext } from '../../src/node/context';
import { createPool } from '../../src/sweep/pool';
import { sweepWidths } from '../../src/sweep/widths';

async function refusal(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'accepted';
}

test('createPool refuses maxRetries and cancelGraceMs that are not counts of attempts and milliseconds', async () => {
  const workerUrl = () => { throw new Error('no worker may start'); };
  for (const maxRetries of [-1, 'x', 1.5]) {
    expect(await refusal(() => createPool({ workerUrl, maxRetries: maxRetries as number }))).toMatch(/^RangeError: pool maxRetries must be a non-negative integer \(extra attempts of a crashed job\), got (-1|'x' \(a string\)|1\.5)$/);
  }
  for (const cancelGraceMs of [NaN, -5, Infinity]) {
    expect(await refusal(() => createPool({ workerUrl, cancelGraceMs }))).toBe(`RangeError: pool cancelGraceMs must be a finite number of milliseconds ≥ 0, got ${cancelGraceMs}`);
  }
  expect(await refusal(() => createPool({ workerUrl, maxRetries: 0, cancelGraceMs: 0 }).destroy())).toBe('accepted');
});

test('createContext and createNodeContext refuse unknown options', async () => {
  expect(await refusal(() => createContext({ tiledGem: true } as never))).toBe("TypeError: createContext: unknown option 'tiledGem' (known: device, adapter, requiredFeatures, tiledGemm, debugPrograms, fusedSmallModels)");
  expect(await refusal(() => createContext({ fusedSmallModels: 'no' } as never))).toBe('TypeError: createContext: fusedSmallModels must be true or false, got no');
  expect(await refusal(() => createNodeContext({ swiftShader: true } as never))).toMatch(/^TypeError: createNodeContext: unknown option 'swiftShader' \(known: adapter, requiredFeatures, tiledGemm, debugPrograms, fusedSmallModels, swiftshader, dawnFlags\)$/);
});

test('sweepWidths refuses unknown options and the fit options it sets per network', async () => {
  const ctx = {} as Context; // refused before the context is used
  const x = Float32Array.from({ length: 8 }, (_, i) => i);
  const data = { train: { x, y: x }, test: { x, y: x } };
  const options = { widths: [2, 4], hiddenLayers: 1, repeats: 1, fit: { epochs: 1, batchSize: 4, learningRate: 1e-2 } };
  expect(await refusal(() => sweepWidths(ctx, data, { ...options, widht: 3 } as never))).toMatch(/^TypeError: sweepWidths: unknown option 'widht' \(known: widths, /);
  expect(await refusal(() => sweepWidths(ctx, data, { ...options, fit: { ...options.fit, gradientWeight: 0.9 } } as never))).toBe(
    "TypeError: sweepWidths fit: 'gradientWeight' is not an option here; the sweep sets it per network (0 for the baseline): give the GI networks' weight as sweepWidths' own gradientWeight",
  );
  expect(await refusal(() => sweepWidths(ctx, data, { ...options, fit: { ...options.fit, seed: 3 } } as never))).toBe("TypeError: sweepWidths fit: 'seed' is not an option here; the sweep seeds every network from sweepWidths' own seed: give that");
});

test('a per-model option given as an array needs a value for every model', () => {
  expect(() => perModel('gradientWeight', [null, 0.5] as never, 2)).toThrow("gradientWeight[0] is null; give a value for every model (or one value for all)");
  expect(() => perModel('gradientWeight', [0.5, undefined] as never, 2)).toThrow(TypeError);
  expect(perModel('gradientWeight', [0, 0.5], 2)).toEqual([0, 0.5]);
  expect(perModel('gradientWeight', 0.5, 2)).toEqual([0.5, 0.5]);
});
