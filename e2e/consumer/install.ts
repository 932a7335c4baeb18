/** Packs the package as a fresh clone does it and installs the tarball into a fresh consumer
 *  project in a temporary folder, offline. The clone: the repository's files as `git clone` gives
 *  them (tracked and not-ignored files of the working tree, so no dist/), with this repository's
 *  node_modules linked in; its `npm pack` runs the `prepack` script, which builds dist/. The
 *  tarball is extracted into
 *  node_modules/sobolev-webgpu and only the dependencies and peer dependencies ITS package.json
 *  declares (plus the tools a test names) are linked from this repository's node_modules, so a
 *  missing declaration shows up as a failed import. Used once per test file. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Consumer {
  /** The consumer project (package.json { type: 'module' }, node_modules, the fixtures). */
  app: string;
  /** node_modules/sobolev-webgpu inside it. */
  pkg: string;
  /** Paths inside the tarball, as npm pack lists them. */
  files: string[];
  /** The package.json that was packed. */
  manifest: { dependencies: Record<string, string>; peerDependencies: Record<string, string>; exports: Record<string, unknown> };
  remove(): void;
}

/** `fixtures`: folders of e2e/consumer copied into the project; `tools`: packages of this
 *  repository linked into its node_modules besides the package's own dependencies. */
export function installPacked(fixtures: string[], tools: string[]): Consumer {
  const tmp = mkdtempSync(join(tmpdir(), 'sobolev-consumer-'));
  const clone = freshClone(join(tmp, 'clone'));
  // npm prints the prepack script's banner before the JSON: the JSON is the last '[' block.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const packed = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1));
  const app = join(tmp, 'app');
  const pkg = join(app, 'node_modules', 'sobolev-webgpu');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(tmp, packed[0].filename), '-C', pkg, '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sobolev-consumer', private: true, type: 'module' }, null, 2));
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), ...tools]) {
    const target = join(app, 'node_modules', dep);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
  for (const fixture of fixtures) cpSync(join(root, 'e2e/consumer', fixture), join(app, fixture), { recursive: true });
  return {
    app,
    pkg,
    files: (packed[0].files as { path: string }[]).map((f) => f.path),
    manifest,
    remove: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** The files a `git clone` of this working tree holds (tracked or untracked, not ignored: no
 *  dist/, no node_modules), copied to `dir`, with this repository's node_modules linked in. */
export function freshClone(dir: string): string {
  for (const file of trackedFiles()) {
    if (!file || !existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** git's list of the working tree's files; without git (or a repository git refuses), the
 *  tree itself less what .gitignore names at its top. */
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString().split('\0');
  } catch {
    const ignored = new Set(['.git', ...readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')).filter((l) => l && !l.includes('*'))]);
    const walk = (rel: string): string[] =>
      readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => {
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (ignored.has(e.name) || e.name.endsWith('.deb')) return [];
        return e.isDirectory() ? walk(path) : [path];
      });
    return walk('');
  }
}
