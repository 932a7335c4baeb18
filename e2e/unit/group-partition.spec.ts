import { test, expect } from '@playwright/test';
import { partitionModels } from '../../src/nn/group-train';

test('a group too large for one buffer splits, in order, into parts that each fit', () => {
  const sizes = [[2, 100, 1], [2, 100, 1], [2, 300, 300, 1], [2, 50, 1]];
  const rows = [30, 30, 10, 30];
  // Floats per shared buffer: level 1 holds 3000 + 3000 + 3000 + 1500; Z̄/Ā the same sums.
  expect(partitionModels(sizes, rows, 4 * 1e6)).toEqual([[0, 1, 2, 3]]);
  expect(partitionModels(sizes, rows, 4 * 6000)).toEqual([[0, 1], [2, 3]]);
  expect(partitionModels(sizes, rows, 4 * 3000)).toEqual([[0], [1], [2], [3]]);
  expect(() => partitionModels(sizes, rows, 4 * 2999)).toThrow(/model 0 alone needs .* MiB in one buffer/);
});
