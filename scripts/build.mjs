#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through "prepare"): compiles src/ to
// dist/ with tsc and copies the files tsc does not emit (JSON data). bin/cger.js runs dist/ only
// while it is newer than every file in src/ (the stamp written last), else the sources via tsx.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name); // parentPath: Node 20.12+
  cpSync(from, join(dist, from.slice(join(root, 'src').length)));
}
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
console.log('built dist/');
