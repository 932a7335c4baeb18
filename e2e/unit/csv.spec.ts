import { test, expect } from '@playwright/test';
import { parseSurrogateCsv } from '../../src/data/csv';

const CSV = ['x1,x2,y,dy/dx1,dy/dx2', '0,1,2,3,4', '5,6,7,,nan', '', '8,9,10,11,12', ''].join('\n');
const COLUMNS = { inputs: ['x1', 'x2'], outputs: ['y'], derivatives: { y: { x1: 'dy/dx1', x2: 'dy/dx2' } } };

test('parseSurrogateCsv lays out x, y and dydx; blank or NaN derivative cells are missing (NaN)', () => {
  const d = parseSurrogateCsv(CSV, COLUMNS);
  expect(d.n).toBe(3);
  expect([...d.x]).toEqual([0, 1, 5, 6, 8, 9]);
  expect([...d.y]).toEqual([2, 7, 10]);
  expect([...d.dydx!]).toEqual([3, 4, NaN, NaN, 11, 12]);
  expect(d.gradientInputs).toEqual([0, 1]);
  expect(d.missing).toBe(2);
});

test('parseSurrogateCsv: several outputs, a subset of gradient inputs, columns in any order, quotes and semicolons', () => {
  const text = 'dB/da;"a";b;c;A;B;dA/da\n1;2;3;4;5;6;7\n-1.5e1;.5;3;4;5;6;+7E-1\n';
  const d = parseSurrogateCsv(text, { inputs: ['a', 'b', 'c'], outputs: ['A', 'B'], derivatives: { A: { a: 'dA/da' }, B: { a: 'dB/da' } } });
  expect(d.gradientInputs).toEqual([0]);
  // dydx[(i·m + o)·g + j]
  expect([...d.dydx!]).toEqual([7, 1, Math.fround(0.7), -15]);
  expect([...d.x]).toEqual([2, 3, 4, 0.5, 3, 4]);
  // A pair left out of derivatives is a missing target.
  const half = parseSurrogateCsv(text, { inputs: ['a', 'b'], outputs: ['A', 'B'], derivatives: { A: { a: 'dA/da' } } });
  expect([...half.dydx!]).toEqual([7, NaN, Math.fround(0.7), NaN]);
  expect(half.missing).toBe(2);
  // Without derivatives: no dydx.
  expect(parseSurrogateCsv(text, { inputs: ['a'], outputs: ['A'] }).dydx).toBeUndefined();
});

test('parseSurrogateCsv errors name the line and the column', () => {
  const bad = (text: string, message: RegExp, type: ErrorConstructor = RangeError) => {
    expect(() => parseSurrogateCsv(text, COLUMNS)).toThrow(type);
    expect(() => parseSurrogateCsv(text, COLUMNS)).toThrow(message);
  };
  bad('', /empty/);
  bad('\n\n', /empty/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n', /header \(line 1\) but no data rows/);
  bad('x1,x2,y,dy/dx1\n0,1,2,3\n', /derivative column 'dy\/dx2' is not in the header \(line 1/);
  bad('x1,y,dy/dx1,dy/dx2\n0,1,2,3\n', /input column 'x2' is not in the header/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,2,3,4\n0,1,2,3\n', /line 3 has 4 cells; the header \(line 1\) has 5/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,2,3,4\n\n0,1,2,3,4,5\n', /line 4 has 6 cells/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,2,3,4\n0,abc,2,3,4\n', /line 3, column 'x2' \(2\) is 'abc', not a number/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,2,3,4\n0,1,2,3,1.2.3\n', /line 3, column 'dy\/dx2' \(5\) is '1.2.3', not a number/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,,3,4\n', /line 2, column 'y' \(3\) is empty/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,NaN,3,4\n', /line 2, column 'y' \(3\) is 'NaN', not a number/);
  bad('x1,x2,y,dy/dx1,dy/dx2\n0,1,1e39,3,4\n', /line 2, column 'y' \(3\) is 1e39, beyond float32/);
  expect(() => parseSurrogateCsv(CSV, { inputs: [], outputs: ['y'] })).toThrow(TypeError);
  expect(() => parseSurrogateCsv(CSV, { inputs: 'x1' as never, outputs: ['y'] })).toThrow(TypeError);
  expect(() => parseSurrogateCsv(CSV, { inputs: ['x1'], outputs: ['y'], derivatives: { z: { x1: 'dy/dx1' } } })).toThrow(/output 'z'/);
  expect(() => parseSurrogateCsv(CSV, { inputs: ['x1'], outputs: ['y'], derivatives: { y: { x2: 'dy/dx2' } } })).toThrow(/input 'x2'/);
  expect(() => parseSurrogateCsv(42 as never, COLUMNS)).toThrow(TypeError);
});
