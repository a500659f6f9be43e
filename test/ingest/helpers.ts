import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import { parseCsv } from '../../src/common/csv.ts';
import type { IngestOptions } from '../../src/ingest/index.ts';
import type { Grid } from '../../src/raster/types.ts';
import { writeStripGeoTiff } from '../../src/raster/writer.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const fixtureRoot = join(repoRoot, 'test/fixtures/release');
export const fixtureYearDir = join(fixtureRoot, 'odiac2099/1km_tiff/2011');
export const zonesPath = join(repoRoot, 'boundaries/cn-provinces-ctamap2023.geojson');

/** Ingest options for a test run in `work`: quiet, one month and one thread at a time, quick HTTP retries; `extra` overrides. */
export function ingestOptions(work: string, source: string, extra: Partial<IngestOptions> = {}): IngestOptions {
  return {
    source,
    releases: 'latest',
    years: null,
    zones: { path: zonesPath, idField: 'id', nameField: 'name', method: 'exact' },
    dbPath: join(work, 'cger.sqlite'),
    outDir: join(work, 'output'),
    downloadDir: join(work, 'rasters'),
    concurrency: 1,
    threads: 1,
    wait: false,
    allowPartialYear: false,
    quiet: true,
    http: { retries: 3, backoffMs: 5, timeoutMs: 10_000 },
    ...extra,
  };
}
export { tempDir } from '../helpers.ts';

export const monthName = (release: string, month: number) => `odiac${release}_1km_excl_intl_11${String(month).padStart(2, '0')}.tif.gz`;

/**
 * Writes a release tree `<root>/odiac<release>/1km_tiff/2011/` with the given month files and
 * its checksum list (md5 of each file as written, unless `listMd5` overrides a month's entry).
 */
export function writeRelease(root: string, release: string, months: Map<number, Buffer>, listMd5 = new Map<number, string>()): string {
  const dir = join(root, `odiac${release}/1km_tiff/2011`);
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  for (const [month, data] of [...months].sort((a, b) => a[0] - b[0])) {
    writeFileSync(join(dir, monthName(release, month)), data);
    const md5 = listMd5.get(month) ?? createHash('md5').update(data).digest('hex');
    lines.push(`${md5}  ${monthName(release, month)}`);
  }
  writeFileSync(join(dir, `odiac${release}_1km_checksum_2011.md5.txt`), lines.join('\n') + '\n');
  return dir;
}

export function fixtureMonths(): Map<number, Buffer> {
  return new Map(Array.from({ length: 12 }, (_, i) => [i + 1, readFileSync(join(fixtureYearDir, monthName('2099', i + 1)))]));
}

/** A fixture month decoded independently (geotiff.js), scaled by `factor` and written as a new gzipped month. */
export async function scaledMonth(month: number, factor: number, path: string): Promise<Buffer> {
  const tiff = await fromArrayBuffer(new Uint8Array(gunzipSync(readFileSync(join(fixtureYearDir, monthName('2099', month))))).buffer);
  const image = await tiff.getImage();
  const [originX, originY] = image.getOrigin();
  const [cellWidth, cellHeight] = image.getResolution();
  const grid: Grid = {
    width: image.getWidth(),
    height: image.getHeight(),
    originX,
    originY,
    cellWidth,
    cellHeight: Math.abs(cellHeight),
    crs: { epsg: 4326, definition: 'EPSG:4326' },
  };
  const values = (await image.readRasters({ interleave: true })) as unknown as Float32Array;
  await writeStripGeoTiff(path, { grid, gzip: true }, (row) => {
    const out = new Float32Array(grid.width);
    for (let c = 0; c < grid.width; c++) out[c] = values[row * grid.width + c] * factor;
    return out;
  });
  return readFileSync(path);
}

export interface Expected {
  /** key `${id}/${month}` -> { sum, coverage } */
  month: Map<string, { sum: number; coverage: number }>;
  /** key id -> sum_tC for 2011 */
  year: Map<string, number>;
}

export function readExpected(): Expected {
  const month = new Map<string, { sum: number; coverage: number }>();
  for (const r of parseCsv(readFileSync(join(fixtureRoot, 'expected_month.csv'), 'utf8')).records) {
    month.set(`${r.values.id}/${r.values.month}`, { sum: Number(r.values.sum_tC), coverage: Number(r.values.coverage) });
  }
  const year = new Map<string, number>();
  for (const r of parseCsv(readFileSync(join(fixtureRoot, 'expected_year.csv'), 'utf8')).records) year.set(r.values.id, Number(r.values.sum_tC));
  return { month, year };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * Checks the output tables against the fixture's independent reference sums, each month's
 * expected sum scaled by `scale(month)` when given: same rows, sums and coverage within 1e-8 relative,
 * co2_t = sum_tC x 44/12, year sums over 12 months.
 */
export function assertMatchesExpected(outDir: string, release: string, scale?: (month: number) => number): void {
  const factor = scale ?? (() => 1);
  const expected = readExpected();
  const month = parseCsv(readFileSync(join(outDir, 'province_month.csv'), 'utf8'));
  assert.deepEqual(month.header, ['release', 'zone_id', 'zone_name', 'year', 'month', 'sum_tC', 'co2_t', 'coverage']);
  assert.deepEqual(month.records.map((r) => `${r.values.zone_id}/${r.values.month}`).sort(), [...expected.month.keys()].sort());
  for (const { values: v } of month.records) {
    const want = expected.month.get(`${v.zone_id}/${v.month}`)!;
    assert.equal(v.release, release);
    assert.equal(v.year, '2011');
    assert.ok(rel(Number(v.sum_tC), want.sum * factor(Number(v.month))) < 1e-8, `month ${v.zone_id}/${v.month}: ${v.sum_tC} vs ${want.sum}`);
    assert.ok(rel(Number(v.coverage), want.coverage) < 1e-8, `coverage ${v.zone_id}/${v.month}: ${v.coverage} vs ${want.coverage}`);
    assert.ok(rel(Number(v.co2_t), (Number(v.sum_tC) * 44) / 12) < 1e-12);
  }
  const year = parseCsv(readFileSync(join(outDir, 'province_year.csv'), 'utf8'));
  assert.deepEqual(year.header, ['release', 'zone_id', 'zone_name', 'year', 'months', 'sum_tC', 'co2_t']);
  assert.deepEqual(year.records.map((r) => r.values.zone_id).sort(), [...expected.year.keys()].sort());
  for (const { values: v } of year.records) {
    // Unscaled: the reference year file itself; scaled: the scaled reference months.
    let want = expected.year.get(v.zone_id)!;
    if (scale) {
      want = 0;
      for (let m = 1; m <= 12; m++) want += expected.month.get(`${v.zone_id}/${m}`)!.sum * scale(m);
    }
    assert.equal(v.release, release);
    assert.equal(v.months, '12');
    assert.ok(rel(Number(v.sum_tC), want) < 1e-8, `year ${v.zone_id}: ${v.sum_tC} vs ${want}`);
    assert.ok(rel(Number(v.co2_t), (want * 44) / 12) < 1e-8);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface KillPlan {
  /** SIGKILL this long after the start. */
  afterMs?: number;
  /** Or: SIGKILL `delayMs` after the `afterLines`-th stderr line matching `pattern` (e.g. a month's progress line). */
  afterLines?: { pattern: RegExp; count: number; delayMs: number };
}

/** Runs `cger ingest <args>` in a child process, SIGKILLing it as `kill` says. */
export function runCli(args: string[], opts: { kill?: KillPlan; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/cger.js'), 'ingest', ...args], {
      cwd: opts.cwd ?? repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = opts.kill;
    if (kill?.afterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    let seen = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const lines = kill?.afterLines;
      if (!lines || timer) return;
      seen = stderr.split('\n').filter((l) => lines.pattern.test(l)).length;
      if (seen >= lines.count) timer = setTimeout(() => child.kill('SIGKILL'), lines.delayMs);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
