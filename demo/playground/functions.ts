// The playground's target functions: a typed expression in x (1-D) or x and y (2-D), parsed
// and differentiated symbolically by mathjs (never by hand), compiled to plain JS closures.
import { derivative, parse, type EvalFunction, type MathNode } from 'mathjs';

/** A function the user picked or typed, with its exact partial derivatives. */
export interface TargetFunction {
  expression: string;
  /** 'x' (1-D) or 'x', 'y' (2-D). */
  variables: string[];
  /** The derivative expressions, one per variable, as mathjs prints them. */
  derivatives: string[];
  /** Value at a point (one number per variable). */
  value(p: readonly number[]): number;
  /** Partial derivatives at a point, in `variables` order. */
  gradient(p: readonly number[]): number[];
}

/** A preset of the list: the expression and a domain [lo, hi] for every variable. */
export interface FunctionPreset {
  label: string;
  expression: string;
  domain: [number, number];
}

export const PRESETS: FunctionPreset[] = [
  { label: '1-D: sin(2x) + x/3 (smooth)', expression: 'sin(2 x) + x / 3', domain: [-3, 3] },
  { label: '1-D: damped wave exp(−x²/4)·cos(3x)', expression: 'exp(-x^2 / 4) * cos(3 x)', domain: [-3, 3] },
  { label: '1-D: tanh step tanh(4x)', expression: 'tanh(4 x)', domain: [-2, 2] },
  { label: '1-D: cubic x³ − 2x', expression: 'x^3 - 2 x', domain: [-2, 2] },
  { label: '2-D: sin(x)·cos(y)', expression: 'sin(x) * cos(y)', domain: [-3, 3] },
  { label: '2-D: Gaussian bump exp(−(x² + y²))', expression: 'exp(-(x^2 + y^2))', domain: [-2, 2] },
  { label: '2-D: toy2d-like cos²(0.1(x − 6))·cos²(0.1(y − 6))', expression: '(cos(0.1 (x - 6)) * cos(0.1 (y - 6)))^2', domain: [0, 15] },
];

const CONSTANTS = new Set(['pi', 'e', 'PI', 'E', 'tau', 'phi']);

/** Thrown for an expression the playground cannot use (the message says why). */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

/** Budgets on an expression (in mathjs nodes): its own size, its derivative's before
 *  simplification, and the largest derivative simplified for display. */
export const MAX_EXPRESSION_NODES = 400;
export const MAX_DERIVATIVE_NODES = 5000;
const SIMPLIFY_MAX_NODES = 200;

function nodeCount(node: MathNode): number {
  let count = 0;
  node.traverse(() => count++);
  return count;
}

function symbolsOf(node: MathNode): Set<string> {
  const names = new Set<string>();
  node.traverse((n, _path, parent) => {
    // A SymbolNode that is the callee of a FunctionNode is a function name, not a variable.
    if (n.type === 'SymbolNode' && !(parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n)) {
      names.add((n as unknown as { name: string }).name);
    }
  });
  return names;
}

/** Parses `expression` (variables x, or x and y) and differentiates it with mathjs. */
export function compileTarget(expression: string): TargetFunction {
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (e) {
    throw new ExpressionError(`cannot parse "${expression}": ${e instanceof Error ? e.message : String(e)}`);
  }
  const free = [...symbolsOf(node)].filter((s) => !CONSTANTS.has(s));
  const unknown = free.filter((s) => s !== 'x' && s !== 'y');
  if (unknown.length) throw new ExpressionError(`unknown variable(s) ${unknown.join(', ')}: use x (1-D) or x and y (2-D)`);
  if (!free.includes('x')) throw new ExpressionError('the expression must use x (and y for a 2-D function)');
  const variables = free.includes('y') ? ['x', 'y'] : ['x'];
  const size = nodeCount(node);
  if (size > MAX_EXPRESSION_NODES) throw new ExpressionError(`the expression has ${size} terms; at most ${MAX_EXPRESSION_NODES} are differentiated here`);
  let partials: MathNode[];
  try {
    // The chain rule alone is fast and exact; mathjs' simplification of its result is what
    // grows exponentially with nesting (sin nested 18 times: 7 s, 23 times: minutes), so only
    // a small derivative is simplified (for display; both evaluate to the same numbers).
    partials = variables.map((v) => {
      const raw = derivative(node, v, { simplify: false });
      const rawSize = nodeCount(raw);
      if (rawSize > MAX_DERIVATIVE_NODES) throw new ExpressionError(`its derivative in ${v} has ${rawSize} terms (at most ${MAX_DERIVATIVE_NODES}): nest fewer functions`);
      return rawSize <= SIMPLIFY_MAX_NODES ? derivative(node, v) : raw;
    });
  } catch (e) {
    if (e instanceof ExpressionError) throw new ExpressionError(`"${expression}" is too complex to differentiate here: ${e.message}`);
    throw new ExpressionError(`mathjs cannot differentiate "${expression}": ${e instanceof Error ? e.message : String(e)}`);
  }
  const f: EvalFunction = node.compile();
  const df: EvalFunction[] = partials.map((p) => p.compile());
  const scope = (p: readonly number[]) => (variables.length === 1 ? { x: p[0] } : { x: p[0], y: p[1] });
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number') throw new ExpressionError(`${what} is not a real number here (got ${typeof v === 'object' ? 'a complex or matrix value' : String(v)})`);
    return v;
  };
  const target: TargetFunction = {
    expression,
    variables,
    derivatives: partials.map((p) => p.toString()),
    value: (p) => num(f.evaluate(scope(p)), `f(${p.map((v) => v.toFixed(3)).join(', ')})`),
    gradient: (p) => df.map((d, i) => num(d.evaluate(scope(p)), `∂f/∂${variables[i]}`)),
  };
  return target;
}
