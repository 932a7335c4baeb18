// Default column roles for a CSV header: derivative columns are recognised by name
// (dy/dx1, d(y)/d(x1), ∂y/∂x1, dy_dx1, y_x1), their numerators are the outputs, every other
// column an input. Without derivative columns the last column is the output.
import type { SurrogateColumns } from '../../src/index';

/** The names a column holding ∂output/∂input may have. */
export function derivativeNames(output: string, input: string): string[] {
  return [`d${output}/d${input}`, `d(${output})/d(${input})`, `∂${output}/∂${input}`, `d${output}_d${input}`, `${output}_${input}`, `d${output}d${input}`];
}

/** The column of ∂output/∂input in `header` (case-insensitive), or undefined. */
export function findDerivative(header: readonly string[], output: string, input: string): string | undefined {
  const names = derivativeNames(output, input).map((s) => s.toLowerCase());
  return header.find((h) => names.includes(h.toLowerCase()));
}

/** Inputs, outputs and derivative columns guessed from a header. */
export function guessColumns(header: readonly string[]): Required<SurrogateColumns> {
  const cols = header.map((h) => h.trim()).filter((h) => h !== '');
  const pairs: { output: string; input: string; column: string }[] = [];
  for (const output of cols) {
    for (const input of cols) {
      if (input === output) continue;
      const column = findDerivative(cols, output, input);
      if (column && column !== output && column !== input) pairs.push({ output, input, column });
    }
  }
  const derivativeColumns = new Set(pairs.map((p) => p.column));
  // A derivative column is never an output or input of another pair (y_x1 names no variable).
  const valid = pairs.filter((p) => !derivativeColumns.has(p.output) && !derivativeColumns.has(p.input));
  const outputs = [...new Set(valid.map((p) => p.output))];
  const plain = cols.filter((c) => !valid.some((p) => p.column === c));
  if (outputs.length === 0) {
    return { inputs: plain.slice(0, -1), outputs: plain.slice(-1), derivatives: {} };
  }
  const inputs = plain.filter((c) => !outputs.includes(c));
  const derivatives: Record<string, Record<string, string>> = {};
  for (const p of valid) if (inputs.includes(p.input)) (derivatives[p.output] ??= {})[p.input] = p.column;
  return { inputs, outputs, derivatives };
}
