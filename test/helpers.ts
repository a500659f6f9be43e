import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/common/csv.ts';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const fixture = (rel: string) => fileURLToPath(new URL(`fixtures/${rel}`, import.meta.url));
export const boundary = (rel: string) => fileURLToPath(new URL(`../boundaries/${rel}`, import.meta.url));

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory `cger-<prefix>-XXXXXX` under the system temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cger-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Runs the real `cger` executable; returns its exit code and output. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [`${repoRoot}bin/cger.js`, ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Reads a CSV file into records keyed by header. */
export function readCsvRecords(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path, 'utf8')).records.map((r) => r.values);
}

/** |a - b| <= tol x max(|a|, |b|), with an absolute floor for values near zero. */
export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  const scale = Math.max(Math.abs(actual), Math.abs(expected), 1e-300);
  if (!(Math.abs(actual - expected) <= tol * scale)) {
    throw new Error(`${what}: ${actual} vs expected ${expected} (relative error ${Math.abs(actual - expected) / scale} > ${tol})`);
  }
}
