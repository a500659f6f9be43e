// bin/cger.js runs the compiled dist/ only while the build inputs match the manifest that
// scripts/build.mjs recorded in dist/.built. These tests exercise that manifest on a fake tree.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli, tempDir } from '../helpers.ts';

type Manifest = Record<string, { size: number; mtimeMs: number } | null>;
// A plain .mjs module without type declarations: imported through a computed specifier.
const { inputsManifest, sameManifest } = (await import(pathToFileURL(join(repoRoot, 'scripts/inputs-manifest.mjs')).href)) as {
  inputsManifest(root: string): Manifest;
  sameManifest(a: unknown, b: unknown): boolean;
};

/** A fake project: src/ with nested and non-.ts files plus the three config files. */
function fakeProject(): string {
  const root = tempDir('freshness');
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  writeFileSync(join(root, 'src/index.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'src/cli/main.ts'), 'export const main = () => 0;\n');
  writeFileSync(join(root, 'src/cli/data.json'), '{"x": 1}\n');
  writeFileSync(join(root, 'package.json'), '{"name": "fake"}\n');
  writeFileSync(join(root, 'tsconfig.json'), '{"compilerOptions": {}}\n');
  writeFileSync(join(root, 'tsconfig.build.json'), '{"extends": "./tsconfig.json"}\n');
  return root;
}

/** The manifest as build.mjs stores it and bin/cger.js reads it back. */
const recorded = (root: string) => JSON.parse(JSON.stringify(inputsManifest(root))) as Manifest;

test('manifest lists src/ files and config files, and equals itself after a JSON round trip', () => {
  const root = fakeProject();
  const m = recorded(root);
  assert.deepEqual(Object.keys(m), ['package.json', 'src/cli/data.json', 'src/cli/main.ts', 'src/index.ts', 'tsconfig.build.json', 'tsconfig.json']);
  assert.equal(m['src/index.ts']?.size, 20);
  assert.ok(sameManifest(m, inputsManifest(root)));
});

test('an mtime moved backwards (a copy keeping an old mtime) is a change', () => {
  const root = fakeProject();
  const m = recorded(root);
  const old = new Date(Date.UTC(2001, 0, 1));
  utimesSync(join(root, 'src/cli/main.ts'), old, old);
  assert.ok(!sameManifest(m, inputsManifest(root)));
});

test('a deleted file is a change', () => {
  const root = fakeProject();
  const m = recorded(root);
  rmSync(join(root, 'src/cli/data.json'));
  assert.ok(!sameManifest(m, inputsManifest(root)));
});

test('an added file is a change', () => {
  const root = fakeProject();
  const m = recorded(root);
  writeFileSync(join(root, 'src/cli/new.ts'), 'export {};\n');
  assert.ok(!sameManifest(m, inputsManifest(root)));
});

test('a dangling symlink does not throw and never counts as fresh', () => {
  const root = fakeProject();
  const m = recorded(root);
  symlinkSync(join(root, 'nowhere.ts'), join(root, 'src/cli/dangling.ts'));
  const now = inputsManifest(root);
  assert.equal(now['src/cli/dangling.ts'], null);
  assert.ok(!sameManifest(m, now));
  assert.ok(!sameManifest(now, inputsManifest(root)), 'a manifest with an unreadable entry matches nothing');
});

test('a missing config file does not throw and never counts as fresh', () => {
  const root = fakeProject();
  rmSync(join(root, 'tsconfig.build.json'));
  const now = inputsManifest(root);
  assert.equal(now['tsconfig.build.json'], null);
  assert.ok(!sameManifest(now, inputsManifest(root)));
});

test('an edited tsconfig.json or package.json is a change', () => {
  const root = fakeProject();
  const m = recorded(root);
  writeFileSync(join(root, 'tsconfig.json'), '{"compilerOptions": {"target": "ES2020"}}\n');
  assert.ok(!sameManifest(m, inputsManifest(root)));
  const m2 = recorded(root);
  writeFileSync(join(root, 'package.json'), '{"name": "fake", "version": "2.0.0"}\n');
  assert.ok(!sameManifest(m2, inputsManifest(root)));
});

test('a corrupt or empty recorded manifest is not fresh', () => {
  const root = fakeProject();
  const now = inputsManifest(root);
  for (const bad of [null, undefined, 'x', 42, [], {}, { 'src/index.ts': 1 }]) assert.ok(!sameManifest(bad, now), String(bad));
  const partial = recorded(root);
  delete partial['src/index.ts'];
  partial['src/other.ts'] = now['src/index.ts']!;
  assert.ok(!sameManifest(partial, now), 'same count, different paths');
});

test('bin/cger.js --version runs in the real repository', () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const r = runCli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
});
