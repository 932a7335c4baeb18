// Sharded runs of the main job (scripts/reproduce.mjs --shard i/n, --merge DIR..., --report-only):
// the code version every stored group is stamped with, and the groups of output folders.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The file the runner's build of the library carries its code version in. */
export const CODE_VERSION_FILE = 'code-version.txt';

/** SHA-256 (12 hex digits) of the library's source (src/, shaders/, workers/: paths and
 *  contents), or null when the checkout has none (a prebuilt bundle). */
export function sourceVersion(root) {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  for (const d of ['src', 'shaders', 'workers']) if (existsSync(join(root, d))) walk(join(root, d));
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  for (const f of files.map((p) => relative(root, p).split('\\').join('/')).sort()) hash.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The code version of a run: the build's (dist/code-version.txt, written when it was built)
 *  when it has one, else the source's, else 'unknown'. */
export function codeVersion(root, dist = null) {
  const file = dist ? join(dist, CODE_VERSION_FILE) : null;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  return sourceVersion(root) ?? 'unknown';
}

/** The groups folder of an output folder (DIR/groups), or DIR itself when it holds the groups. */
export function groupsFolder(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder: give the output folders (--out) of the shards`);
  const sub = join(dir, 'groups');
  if (existsSync(sub) && statSync(sub).isDirectory()) return sub;
  if (existsSync(join(dir, 'results.json'))) throw new Error(`${dir} has a report but no groups/ folder: nothing to merge there`);
  return dir;
}

/** Every stored group of a folder: { name, groups: [{ key, value }] } (mergeNnShards' GroupSource). */
export function readGroups(dir) {
  const folder = groupsFolder(dir);
  const groups = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(folder, f), 'utf8');
      let value;
      try {
        value = JSON.parse(text);
      } catch {
        value = null; // refused by the merge as not a stored group
      }
      return { key: f.slice(0, -5), value };
    });
  return { name: folder, groups };
}
