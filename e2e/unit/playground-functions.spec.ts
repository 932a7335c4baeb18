import { test, expect } from '@playwright/test';
import { compileTarget, ExpressionError, PRESETS } from '../../demo/playground/functions';

/** Central difference of f at x (the truth for a symbolic derivative). */
const fd = (f: (p: number[]) => number, x: number) => (f([x + 1e-6]) - f([x - 1e-6])) / 2e-6;

test('a deeply nested expression (a playground link) compiles at once: only small derivatives are simplified', () => {
  test.setTimeout(60_000); // simplifying this one took minutes: the test would time out
  let expression = 'x';
  for (let i = 0; i < 23; i++) expression = `sin(${expression})`;
  const t = compileTarget(expression);
  for (const x of [-0.7, 0.3, 1.1]) expect(Math.abs(t.gradient([x])[0] - fd(t.value, x))).toBeLessThan(1e-6);
  // Presets keep their simplified, readable derivatives.
  expect(compileTarget(PRESETS[0].expression).derivatives[0]).toBe('2 * cos(2 x) + 1 / 3');
});

test('expressions past the complexity budget are refused with what to change', () => {
  let expression = 'x';
  for (let i = 0; i < 7; i++) expression = `exp(${expression}) * cos(${expression})`;
  expect(() => compileTarget(expression)).toThrow(ExpressionError);
  expect(() => compileTarget(expression)).toThrow(/^the expression has 763 terms; at most 400 are differentiated here$/);
  // Under 400 terms: differentiated by the chain rule alone (unsimplified), exactly.
  let wide = 'x';
  for (let i = 0; i < 3; i++) wide = `exp(${wide}) * cos(${wide}) * tanh(${wide}) * sin(${wide})`;
  const t = compileTarget(wide);
  for (const x of [-0.2, 0.1]) expect(Math.abs(t.gradient([x])[0] - fd(t.value, x))).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd(t.value, x))));
});

test('the reference derivatives after a fit run in slices that Stop ends: the page is never held for the whole grid', async () => {
  const { referenceJacobian } = await import('../../demo/playground/train');
  const { refJacobian, refRandomMlp, refRandomArray } = await import('../../src/reference/index');
  const ref = refRandomMlp([2, 16, 16, 1], 'tanh', 4);
  const n = 1000;
  const x = Float32Array.from(refRandomArray(2 * n, 9, -2, 2));
  expect(await referenceJacobian(ref, x, n)).toEqual(refJacobian(ref, x, n));
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 0); // Stop pressed: runs between two slices
  const partial = await referenceJacobian(ref, x, n, stop.signal);
  const done = partial.findIndex((v) => Number.isNaN(v)) / 2;
  expect(done).toBeGreaterThan(0); // the first slice, at least, before Stop was seen
  expect(done).toBeLessThan(n); // and not the whole grid
  expect([...partial.subarray(0, 2 * done)]).toEqual([...refJacobian(ref, x, n).subarray(0, 2 * done)]);
  expect(partial.subarray(2 * done).every(Number.isNaN)).toBe(true);
});
