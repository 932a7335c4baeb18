// Every reference resolves: the relative links of README.md and docs/ (with their #anchors), and
// the file paths that README.md, docs/, src/ and the reproduction script mention, name files the
// repository holds. Paths under folders the build or a run writes (dist/, reports/, …) are not
// in a clone and are skipped.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test, expect } from '@playwright/test';
import { root } from '../consumer/install';

const GENERATED = ['dist/', 'reports/', 'bench/results/', 'node_modules/', 'test-results/', 'playwright-report/'];
/** Files a run writes under reports/, named bare. */
const GENERATED_NAMES = ['results.md'];

function walk(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : [];
  });
}

const markdown = [join(root, 'README.md'), ...walk(join(root, 'docs'), (f) => f.endsWith('.md'))];
const sources = [...walk(join(root, 'src'), (f) => /\.ts$/.test(f)), join(root, 'scripts/reproduce.mjs'), join(root, 'scripts/run.mjs')];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'. */
function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

/** The problems of one link target, seen from `file`. */
function checkLink(file: string, target: string): string | null {
  if (/^[a-z]+:/i.test(target)) return null;
  const [path, anchor] = target.split('#');
  const full = path ? resolve(dirname(file), decodeURI(path)) : file;
  const rel = relative(root, full);
  if (rel.startsWith('..')) return `${target}: outside the repository`;
  if (GENERATED.some((g) => `${rel}/`.startsWith(g))) return null;
  if (!existsSync(full)) return `${target}: no such file`;
  if (anchor && full.endsWith('.md') && !anchors(full).has(anchor)) return `${target}: no heading #${anchor} in ${rel}`;
  return null;
}

test('README.md and docs/: every relative link and image names a file (and heading) of the repository', () => {
  const broken: string[] = [];
  let count = 0;
  for (const file of markdown) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      count++;
      const problem = checkLink(file, m[1]);
      if (problem) broken.push(`${relative(root, file)}: ${problem}`);
    }
  }
  expect(count).toBeGreaterThan(5);
  expect(broken).toEqual([]);
});

test('README.md, docs/, src/ and the scripts: every file path they mention exists (generated folders aside)', () => {
  const missing: string[] = [];
  let count = 0;
  for (const file of [...markdown, ...sources]) {
    const text = readFileSync(file, 'utf8');
    // A path with a folder (`docs/api.md`, `src/nn/fit.ts`) is read from the repository's root; a
    // bare Markdown name (`api.md`) from the root, docs/ or the file's own folder.
    for (const m of text.matchAll(/(?<![\w./@-])((?:[\w-]+\/)+[\w.-]+\.(?:md|ts|mjs|js|json|html|wgsl|sh|css|png))\b/g)) {
      if (GENERATED.some((g) => m[1].startsWith(g))) continue;
      count++;
      if (!existsSync(join(root, m[1]))) missing.push(`${relative(root, file)}: ${m[1]}`);
    }
    for (const m of text.matchAll(/(?<![\w./-])([\w-]+\.md)\b/g)) {
      count++;
      if (GENERATED_NAMES.includes(m[1])) continue;
      if (![root, join(root, 'docs'), dirname(file)].some((d) => existsSync(join(d, m[1])))) missing.push(`${relative(root, file)}: ${m[1]}`);
    }
  }
  expect(count).toBeGreaterThan(20);
  expect(missing).toEqual([]);
});
