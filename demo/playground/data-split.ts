// The train/test split of the "Your data" panel (no DOM: unit-tested in Node).
import { Rng } from '../../src/util/rng';

/** A seeded split: `testFraction` of the rows (at least one, leaving at least two) for testing. */
export function splitRows(n: number, testFraction: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const nTest = Math.min(n - 2, Math.max(1, Math.round(testFraction * n)));
  return { test: order.slice(0, nTest), train: order.slice(nTest) };
}
