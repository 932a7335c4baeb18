// The import graph of the library: no cycle anywhere, and imports run one way
// (experiments → sweep → nn → gpu → shaders).
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of every .ts file under the library's folders (type-only ones too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ['src', 'workers', 'shaders'].flatMap((d) => tsFiles(join(root, d)))) {
    const source = readFileSync(file, 'utf8');
    const targets = [...source.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => {
      const base = resolve(dirname(file), m[1]);
      for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
        try {
          if (statSync(candidate).isFile()) return relative(root, candidate);
        } catch {
          // not this candidate
        }
      }
      throw new Error(`${relative(root, file)}: cannot resolve '${m[1]}'`);
    });
    graph.set(relative(root, file), targets);
  }
  return graph;
}

test('no import cycle in src/, workers/ or shaders/', () => {
  const graph = importGraph();
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles).toEqual([]);
});

test('imports run one way: gpu/ knows no nn/, the engine knows no experiments, shaders know no src/ code', () => {
  const graph = importGraph();
  const offending: string[] = [];
  const forbid = (from: RegExp, to: RegExp) => {
    for (const [file, targets] of graph) {
      if (!from.test(file)) continue;
      for (const t of targets) if (to.test(t)) offending.push(`${file} → ${t}`);
    }
  };
  forbid(/^src\/gpu\//, /^src\/(nn|linear|sweep|experiments)\//);
  forbid(/^src\/(gpu|nn|linear|sweep|reference|util)\//, /^src\/experiments\//);
  forbid(/^src\/index\.ts$/, /^src\/experiments\//);
  forbid(/^src\/nn\//, /^src\/(sweep|linear)\//);
  forbid(/^shaders\//, /^src\/(?!types\.ts)/);
  expect(offending).toEqual([]);
});
