#!/usr/bin/env node
// Entry point. Runs the compiled JavaScript in dist/ (`npm run build`, which `npm ci` runs) when
// it is newer than every file in src/; otherwise registers tsx and runs the TypeScript sources,
// so an edited source is never run stale. The compiled form starts ~0.5 s sooner and its worker
// threads start in ~40 ms instead of ~0.4 s CPU each.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function distIsFresh() {
  let built;
  try {
    built = statSync(new URL('dist/.built', root)).mtimeMs;
  } catch {
    return false;
  }
  const src = new URL('src/', root);
  return readdirSync(src, { recursive: true }).every((name) => statSync(new URL(name, src)).mtimeMs <= built);
}

let main;
if (distIsFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
