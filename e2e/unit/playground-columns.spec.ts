import { test, expect } from '@playwright/test';
import { guessColumns } from '../../demo/playground/columns';
import { splitRows } from '../../demo/playground/data-split';

test('guessColumns: derivative columns by name, their numerators the outputs, the rest inputs', () => {
  expect(guessColumns(['x1', 'x2', 'x3', 'y', 'dy/dx1', 'dy/dx2', 'y_x3'])).toEqual({
    inputs: ['x1', 'x2', 'x3'], outputs: ['y'], derivatives: { y: { x1: 'dy/dx1', x2: 'dy/dx2', x3: 'y_x3' } },
  });
  expect(guessColumns(['t', 'zeta', 'x', '∂x/∂zeta', 'd(x)/d(t)'])).toEqual({ inputs: ['t', 'zeta'], outputs: ['x'], derivatives: { x: { zeta: '∂x/∂zeta', t: 'd(x)/d(t)' } } });
  // Two outputs, one with a derivative of its own.
  expect(guessColumns(['a', 'b', 'u', 'v', 'du/da', 'dv/db'])).toEqual({ inputs: ['a', 'b'], outputs: ['u', 'v'], derivatives: { u: { a: 'du/da' }, v: { b: 'dv/db' } } });
  // No derivative columns: the last column is the output.
  expect(guessColumns(['p', 'q', 'r'])).toEqual({ inputs: ['p', 'q'], outputs: ['r'], derivatives: {} });
});

test('splitRows: a seeded split, at least one test row, at least two training rows', () => {
  const a = splitRows(20, 0.25, 1);
  expect(a.test.length).toBe(5);
  expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(splitRows(20, 0.25, 1)).toEqual(a);
  expect(splitRows(20, 0.25, 2).test).not.toEqual(a.test);
  expect(splitRows(4, 0.8, 1).test.length).toBe(2);
  expect(splitRows(4, 0.05, 1).test.length).toBe(1);
});
