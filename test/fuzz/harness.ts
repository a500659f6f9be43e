/**
 * Runs fuzz cases through the aggregate entry point in this process and judges each outcome:
 * sums (finite; equal to the base's when the file still holds the base's image) or a short
 * error naming the file, within bounded time and memory.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregateRasters } from '../../src/zonal/aggregate.ts';
import { openZones, type ZoneEngine } from '../../src/zonal/index.ts';
import { mutate } from './mutate.ts';

export const BASE_DIR = fileURLToPath(new URL('../fixtures/fuzz/base/', import.meta.url));
export const ZONES = join(BASE_DIR, 'zones.geojson');
/** A case slower than this is a hang (the base rasters read in milliseconds). */
export const CASE_SECONDS = 10;
/** Resident memory above this after a case is a leak or an unbounded allocation. */
export const RSS_LIMIT = 1.5 * 2 ** 30;

export interface Base {
  name: string;
  bytes: Buffer;
  gzipped: boolean;
}

export function loadBases(): Base[] {
  return readdirSync(BASE_DIR)
    .filter((f) => /\.tif(\.gz)?$/.test(f))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(BASE_DIR, name)), gzipped: name.endsWith('.gz') }));
}

export function openFuzzZones(): Promise<ZoneEngine> {
  return openZones(ZONES, { onWarning: () => {} });
}

export type Outcome = { kind: 'sums'; sums: number[] } | { kind: 'error'; message: string };

/** Sums one raster in this process, on this thread (as the CLI does for small files). */
export async function runCase(engine: ZoneEngine, path: string): Promise<Outcome> {
  const { results, failures } = await aggregateRasters(engine, [path], { threads: 0, requireOdiacLattice: true });
  if (failures.length > 0) return { kind: 'error', message: failures[0].message };
  return { kind: 'sums', sums: results[0].zones.map((z) => z.sum) };
}

/** What is wrong with an error message for `path`, or null when it is a good one. */
export function errorProblem(message: string, path: string): string | null {
  const lines = message.split('\n');
  if (!message.includes(path)) return 'does not name the file';
  if (lines.length > 3) return `${lines.length} lines`;
  if (/\n\s+at |\bat .+:\d+:\d+\)/.test(message)) return 'holds a stack trace';
  if (message.length > 600) return `${message.length} characters`;
  return null;
}

export interface CaseResult {
  label: string;
  outcome: Outcome;
  seconds: number;
  problem: string | null;
}

/** Mutates base `base` with `seed`, writes it to `dir`, sums it and judges the outcome. */
export async function fuzzCase(engine: ZoneEngine, base: Base, seed: number, dir: string): Promise<CaseResult> {
  const m = mutate(base.bytes, base.gzipped, seed);
  const path = join(dir, `case${seed}-${base.name}`);
  writeFileSync(path, m.bytes);
  const t0 = performance.now();
  const outcome = await runCase(engine, path);
  const seconds = (performance.now() - t0) / 1000;
  let problem: string | null = null;
  if (outcome.kind === 'error') problem = errorProblem(outcome.message, path);
  else if (!outcome.sums.every(Number.isFinite)) problem = `non-finite sums ${outcome.sums.join(', ')}`;
  if (seconds > CASE_SECONDS) problem = `took ${seconds.toFixed(1)} s`;
  const rss = process.memoryUsage().rss;
  if (rss > RSS_LIMIT) problem = `resident memory ${(rss / 2 ** 20).toFixed(0)} MB`;
  return { label: `${base.name} seed ${seed}: ${m.label}`, outcome, seconds, problem };
}

/** Whether two sets of zone sums agree (tiles and strips add in different orders). */
export function sameSums(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])));
}
