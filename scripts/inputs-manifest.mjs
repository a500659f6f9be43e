// The build inputs of dist/: every file under src/ plus the configuration that shapes tsc's
// output, each with its size and mtime. scripts/build.mjs records this manifest (taken before tsc
// starts) in dist/.built; bin/cger.js runs dist/ only while a fresh manifest equals it exactly.
// Exact equality, rather than "older than the stamp", also catches files copied with their old
// mtimes (rsync -a, tar x, cp -p), deleted and added files. Plain JavaScript: bin/cger.js loads
// it before tsx is registered.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const CONFIG_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/**
 * `{ [path relative to root, '/'-separated]: { size, mtimeMs } | null }`, keys sorted. An entry
 * that cannot be stat'ed (dangling symlink, a file deleted since the listing, a missing config
 * file) is null, and a manifest holding a null never matches (see sameManifest). Throws only if
 * src/ itself cannot be listed.
 */
export function inputsManifest(root) {
  const paths = [...CONFIG_FILES.map((name) => join(root, name)), ...sourceFiles(root)];
  const manifest = {};
  for (const path of paths.map((p) => relative(root, p).split(sep).join('/')).sort()) {
    try {
      const { size, mtimeMs } = statSync(join(root, path));
      manifest[path] = { size, mtimeMs };
    } catch {
      manifest[path] = null;
    }
  }
  return manifest;
}

/** Absolute paths of everything under src/ that is not a directory (files, links). */
export function sourceFiles(root) {
  return readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name)); // parentPath: Node 20.12+
}

/** True when both manifests list the same paths with the same sizes and mtimes, none unreadable. */
export function sameManifest(a, b) {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = Object.hasOwn(b, k) ? b[k] : null;
    return x != null && y != null && x.size === y.size && x.mtimeMs === y.mtimeMs;
  });
}
