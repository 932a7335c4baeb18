import { test, expect } from '@playwright/test';
import { gatherRows, headRows, sliceRows, takeDatasetRows } from '../../src/util/rows';
import { mean, meanSd, median, pearson, relErr, rmse, sd, standardError } from '../../src/util/stats';
import { abortError } from '../../src/util/abort';
import { rolloutStages } from '../../src/sweep/rollout';

test('statistics on hand-computed values', () => {
  expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 15);
  expect(() => rmse([1, 2], [1])).toThrow(RangeError);
  expect(() => rmse([], [])).toThrow(/non-empty/);
  expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
  expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
  expect(mean([1, 2, 6])).toBe(3);
  expect(mean([])).toBeNaN();
  expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7), n: 8 });
  expect(sd([3])).toBe(0);
  expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNaN();
});

test('relErr is ‖a − b‖∞ / ‖b‖∞, absolute for b = 0, Infinity for a bad a', () => {
  expect(relErr([1, 2.5], [1, 2])).toBeCloseTo(0.25, 15);
  expect(relErr([0.5, 0], [0, 0])).toBe(0.5);
  expect(relErr([1], [1, 2])).toBe(Infinity);
  expect(relErr([NaN, 1], [1, 1])).toBe(Infinity);
  expect(relErr(Float32Array.of(3, 4), Float64Array.of(3, 4))).toBe(0);
});

test('row helpers gather, slice and keep x, y and dydx together', () => {
  // 3 rows, 2 inputs, 1 output, dydx 1×2 per row; values encode (row, column).
  const data = {
    x: Float32Array.of(0, 1, 10, 11, 20, 21),
    y: Float32Array.of(0.5, 10.5, 20.5),
    dydx: Float32Array.of(-0, -1, -10, -11, -20, -21),
  };
  expect(Array.from(gatherRows(data.x, 2, [2, 0]))).toEqual([20, 21, 0, 1]);
  expect(Array.from(sliceRows(data.x, 2, 1, 2))).toEqual([10, 11, 20, 21]);
  const picked = takeDatasetRows(data, { inputs: 2, outputs: 1 }, [1, 1, 2]);
  expect(Array.from(picked.x)).toEqual([10, 11, 10, 11, 20, 21]);
  expect(Array.from(picked.y)).toEqual([10.5, 10.5, 20.5]);
  expect(Array.from(picked.dydx!)).toEqual([-10, -11, -10, -11, -20, -21]);
  expect(() => takeDatasetRows(data, { inputs: 2, outputs: 1 }, [3])).toThrow(/row 3 outside \[0, 3\)/);
  const head = headRows(data, { inputs: 2, outputs: 1, gradients: 2 }, 2);
  expect(Array.from(head.dydx!)).toEqual([-0, -1, -10, -11]);
  expect(headRows({ x: data.x, y: data.y, dydx: new Float32Array(0) }, { inputs: 2, outputs: 1 }, 1).dydx).toBeUndefined();
  // The copies own their memory.
  picked.x[0] = 99;
  expect(data.x[2]).toBe(10);
});

test('abortError is a DOMException named AbortError', () => {
  const e = abortError();
  expect(e).toBeInstanceOf(DOMException);
  expect(e.name).toBe('AbortError');
});

test('rolloutStages feeds the previous n×1 prediction as the last input, or each stage its own x', async () => {
  const stages = [
    { x: Float32Array.of(1, 0, 2, 0), inputs: 2 },
    { x: Float32Array.of(1, 7, 2, 7), inputs: 2 },
  ];
  const seen: number[][] = [];
  const predict = async (s: number, x: Float32Array) => {
    seen.push(Array.from(x));
    return Float32Array.from({ length: 2 }, (_, i) => 100 * (s + 1) + i);
  };
  await rolloutStages(stages, predict);
  expect(seen).toEqual([[1, 0, 2, 0], [1, 100, 2, 101]]);
  expect(Array.from(stages[1].x)).toEqual([1, 7, 2, 7]); // inputs are not modified
  seen.length = 0;
  await rolloutStages(stages, predict, false);
  expect(seen).toEqual([[1, 0, 2, 0], [1, 7, 2, 7]]);
  // Without rollout a stage may have several outputs; with it, a fed prediction must be n×1.
  const wide = async () => new Float32Array(4);
  await expect(rolloutStages(stages, wide, false)).resolves.toHaveLength(2);
  await expect(rolloutStages(stages, wide)).rejects.toThrow(/stage 0 prediction has 4 values, expected 2/);
});
