import Papa from 'papaparse';
import type { Dataset } from '../types';

/** Which header columns are inputs, outputs and derivative targets. */
export interface SurrogateColumns {
  /** Input columns, in the order of x's columns. */
  inputs: string[];
  /** Output columns, in the order of y's columns. */
  outputs: string[];
  /** derivatives[output][input] names the column holding ∂output/∂input. The gradient inputs
   *  are the inputs named anywhere here (in `inputs` order); a pair left out, an empty cell or
   *  NaN is a missing target (NaN in dydx), which the loss leaves out. */
  derivatives?: Record<string, Record<string, string>>;
}

/** A Dataset read from a CSV, with what fit needs to read its dydx. */
export interface SurrogateData extends Dataset {
  /** Rows. */
  n: number;
  inputs: string[];
  outputs: string[];
  /** Indices (into inputs) of the inputs whose derivatives dydx holds: pass to fit. */
  gradientInputs: number[];
  /** Derivative entries without a target (NaN in dydx). */
  missing: number;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MISSING = /^(nan)?$/i;

function checkNames(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`parseSurrogateCsv: ${name} must be a non-empty array of column names`);
  }
  return value as string[];
}

/**
 * Reads a CSV (header row first; comma, semicolon or tab separated, quoted cells allowed) into
 * a Dataset: x n×inputs, y n×outputs and, with `derivatives`, dydx n×outputs×g laid out as
 * dydx[(i·outputs + o)·g + j] = ∂y_o/∂x_{gradientInputs[j]}. Throws a RangeError naming the
 * line and column of a missing column, a ragged row, text in a number cell, or an empty cell
 * in an input or output; a TypeError for malformed options. Lines count from 1 (the header).
 */
export function parseSurrogateCsv(text: string, columns: SurrogateColumns): SurrogateData {
  if (typeof text !== 'string') throw new TypeError(`parseSurrogateCsv: text must be a string, got ${typeof text}`);
  if (!columns || typeof columns !== 'object') throw new TypeError('parseSurrogateCsv: needs { inputs, outputs, derivatives? }');
  const inputs = checkNames('inputs', columns.inputs);
  const outputs = checkNames('outputs', columns.outputs);
  const derivatives = columns.derivatives ?? {};
  if (typeof derivatives !== 'object') throw new TypeError('parseSurrogateCsv: derivatives must be { [output]: { [input]: column } }');
  for (const [output, byInput] of Object.entries(derivatives)) {
    if (!outputs.includes(output)) throw new RangeError(`parseSurrogateCsv: derivatives names output '${output}', not one of the outputs (${outputs.join(', ')})`);
    if (!byInput || typeof byInput !== 'object') throw new TypeError(`parseSurrogateCsv: derivatives['${output}'] must be { [input]: column }`);
    for (const [input, column] of Object.entries(byInput)) {
      if (!inputs.includes(input)) throw new RangeError(`parseSurrogateCsv: derivatives['${output}'] names input '${input}', not one of the inputs (${inputs.join(', ')})`);
      if (typeof column !== 'string') throw new TypeError(`parseSurrogateCsv: derivatives['${output}']['${input}'] must be a column name`);
    }
  }
  const gradientInputs = inputs.flatMap((name, i) => (Object.values(derivatives).some((byInput) => name in byInput) ? [i] : []));

  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false });
  const quotes = parsed.errors.find((e) => e.type === 'Quotes');
  if (quotes) throw new RangeError(`parseSurrogateCsv: line ${(quotes.row ?? 0) + 1}: ${quotes.message}`);
  // A blank line (one empty cell) carries nothing; its line still counts.
  const lines = parsed.data.map((cells, i) => ({ cells, line: i + 1 })).filter(({ cells }) => !(cells.length === 1 && cells[0].trim() === ''));
  if (lines.length === 0) throw new RangeError('parseSurrogateCsv: the CSV is empty (expected a header row, then one row per sample)');
  const [head, ...rows] = lines;
  const header = head.cells.map((c) => c.trim());
  if (rows.length === 0) throw new RangeError(`parseSurrogateCsv: the CSV has a header (line ${head.line}) but no data rows`);
  const indexOf = (name: string, role: string): number => {
    const c = header.indexOf(name);
    if (c < 0) throw new RangeError(`parseSurrogateCsv: ${role} column '${name}' is not in the header (line ${head.line}: ${header.join(', ')})`);
    return c;
  };
  const inCols = inputs.map((name) => indexOf(name, 'input'));
  const outCols = outputs.map((name) => indexOf(name, 'output'));
  const g = gradientInputs.length;
  // dCols[o·g + j]: the column of ∂y_o/∂x_{gradientInputs[j]}, or −1 (no target).
  const dCols = outputs.flatMap((o) => gradientInputs.map((i) => (derivatives[o]?.[inputs[i]] !== undefined ? indexOf(derivatives[o][inputs[i]], 'derivative') : -1)));

  const n = rows.length;
  const d = inputs.length;
  const m = outputs.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * m);
  const dydx = g > 0 ? new Float32Array(n * m * g) : undefined;
  let missing = 0;
  rows.forEach(({ cells, line }, r) => {
    if (cells.length !== header.length) throw new RangeError(`parseSurrogateCsv: line ${line} has ${cells.length} cells; the header (line ${head.line}) has ${header.length}`);
    const read = (c: number, optional: boolean): number => {
      const cell = cells[c].trim();
      if (optional && MISSING.test(cell)) return NaN;
      const where = `line ${line}, column '${header[c]}' (${c + 1})`;
      if (cell === '') throw new RangeError(`parseSurrogateCsv: ${where} is empty; inputs and outputs need a value in every row`);
      if (!NUMBER.test(cell)) throw new RangeError(`parseSurrogateCsv: ${where} is '${cell.length > 30 ? `${cell.slice(0, 30)}…` : cell}', not a number`);
      const v = Number(cell);
      if (!Number.isFinite(Math.fround(v))) throw new RangeError(`parseSurrogateCsv: ${where} is ${cell}, beyond float32`);
      return v;
    };
    inCols.forEach((c, j) => (x[r * d + j] = read(c, false)));
    outCols.forEach((c, j) => (y[r * m + j] = read(c, false)));
    if (dydx) {
      dCols.forEach((c, j) => {
        const v = c < 0 ? NaN : read(c, true);
        if (Number.isNaN(v)) missing++;
        dydx[r * m * g + j] = v;
      });
    }
  });
  return { x, y, ...(dydx ? { dydx } : {}), n, inputs: [...inputs], outputs: [...outputs], gradientInputs, missing };
}
