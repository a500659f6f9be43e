#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through "prepare"): compiles src/ to
// dist/ with tsc and copies the files tsc does not emit (JSON data). Last, it writes dist/.built:
// the manifest of the build inputs (scripts/inputs-manifest.mjs) taken before tsc started, so a
// source edited during the build leaves dist/ stale in bin/cger.js's eyes, which then runs the
// sources via tsx until the next build.
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsManifest, sourceFiles } from './inputs-manifest.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true }); // removes the old dist/.built first
const manifest = inputsManifest(root);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
} catch (err) {
  // tsc has printed its errors; no stack trace, and no dist/.built, so bin/cger.js uses tsx.
  console.error(`build failed: ${err.status != null ? `tsc exited with code ${err.status}` : err.message}`);
  process.exit(1);
}
for (const from of sourceFiles(root)) {
  if (!from.endsWith('.ts') && lstatSync(from).isFile()) cpSync(from, join(dist, relative(join(root, 'src'), from)));
}
const unreadable = Object.keys(manifest).filter((path) => manifest[path] === null);
if (unreadable.length) {
  console.warn(`warning: could not stat ${unreadable.join(', ')}; bin/cger.js will run the sources via tsx`);
}
const tmp = join(dist, `.built.${process.pid}.tmp`);
writeFileSync(tmp, `${JSON.stringify(manifest, null, 1)}\n`);
renameSync(tmp, join(dist, '.built'));
console.log('built dist/');
