import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseCsv } from '../../src/common/csv.ts';
import { version } from '../../src/common/version.ts';
import { runIngest } from '../../src/ingest/index.ts';
import { openZones } from '../../src/zonal/index.ts';
import {
  assertMatchesExpected,
  fixtureMonths,
  fixtureRoot,
  fixtureYearDir,
  ingestOptions,
  monthName,
  repoRoot,
  scaledMonth,
  tempDir,
  writeRelease,
} from './helpers.ts';
import { startTestServer } from './server.ts';

const outputs = (dir: string) =>
  Object.fromEntries(['province_month.csv', 'province_year.csv', 'ingest_report.json'].map((f) => [f, readFileSync(join(dir, f))]));

test('directory source: sums match the reference, the store traces every row, a second run does nothing', async () => {
  const work = tempDir('ingest');
  const opts = ingestOptions(work, fixtureRoot);
  const first = await runIngest(opts, openZones);
  assert.equal(first.exitCode, 0);
  assert.equal(first.release, '2099');
  assert.equal(first.processed, 12);
  assertMatchesExpected(opts.outDir, '2099');

  const db = new Database(opts.dbPath, { readonly: true });
  const list = readFileSync(join(fixtureYearDir, 'odiac2099_1km_checksum_2011.md5.txt'), 'utf8');
  // Every output row traces to its file's md5 (as listed), the boundary hash and the cger version.
  const trace = db
    .prepare(
      `SELECT m.zone_id, m.month, f.md5, f.name, f.cger_version, s.hash FROM zone_month m
       JOIN files f ON f.id = m.file_id JOIN zone_sets s ON s.id = m.zone_set_id WHERE m.cells > 0`,
    )
    .all() as { md5: string; name: string; cger_version: string; hash: string }[];
  assert.equal(trace.length, 36);
  for (const t of trace) {
    assert.ok(list.includes(`${t.md5}  ${t.name}`), `${t.name} ${t.md5}`);
    assert.equal(t.cger_version, version);
    assert.equal(t.hash, first.zonesHash);
  }
  const audits = db.prepare(`SELECT grid_total, zones_total, outside, rel_error FROM month_audit`).all() as {
    grid_total: number;
    zones_total: number;
    outside: number;
    rel_error: number;
  }[];
  assert.equal(audits.length, 12);
  for (const a of audits) {
    assert.ok(a.grid_total > 0 && a.outside > 0 && a.zones_total > 0);
    assert.ok(Math.abs(a.zones_total + a.outside - a.grid_total) <= 1e-9 * a.grid_total);
  }
  db.close();

  const before = outputs(opts.outDir);
  const second = await runIngest(opts, openZones);
  assert.equal(second.exitCode, 0);
  assert.equal(second.processed, 0);
  assert.equal(second.skipped, 12);
  assert.deepEqual(second.outputs.changed, []);
  assert.deepEqual(outputs(opts.outDir), before);
});

test('HTTP source with a failing request and a cut transfer gives the same outputs as the directory', async () => {
  const yearPath = '/odiac2099/1km_tiff/2011/';
  const server = await startTestServer(fixtureRoot, {
    fail503Once: [`${yearPath}odiac2099_1km_checksum_2011.md5.txt`, `${yearPath}${monthName('2099', 4)}`],
    cutOnce: [`${yearPath}${monthName('2099', 9)}`],
  });
  try {
    const work = tempDir('ingest');
    const opts = ingestOptions(work, server.url, { releases: ['2098', '2099'], years: [2011], concurrency: 2 });
    const result = await runIngest(opts, openZones);
    assert.equal(result.exitCode, 0);
    assert.equal(result.processed, 12);
    assert.ok(result.notes.some((n) => /release 2098 not found/.test(n)));
    assertMatchesExpected(opts.outDir, '2099');
    const kept = readdirSync(join(opts.downloadDir, '2099', '2011')).sort();
    assert.deepEqual(
      kept,
      Array.from({ length: 12 }, (_, i) => monthName('2099', i + 1)),
    );
    for (const name of kept) assert.deepEqual(readFileSync(join(opts.downloadDir, '2099', '2011', name)), readFileSync(join(fixtureYearDir, name)));
    assert.ok(
      server.log.some((r) => r.status === 206),
      'the cut transfer was resumed with a Range request',
    );
    assert.equal(server.log.filter((r) => r.status === 503).length, 2);

    const requests = server.log.length;
    const again = await runIngest(opts, openZones);
    assert.equal(again.processed, 0);
    // Nothing new: only the checksum lists are fetched again.
    assert.deepEqual(
      server.log
        .slice(requests)
        .map((r) => r.path.split('/').pop())
        .sort(),
      ['odiac2098_1km_checksum_2011.md5.txt', 'odiac2099_1km_checksum_2011.md5.txt'],
    );
  } finally {
    await server.close();
  }
});

test('md5 mismatch, truncated gzip and corrupt strip fail their months only; a repaired source completes the year', async () => {
  const work = tempDir('ingest');
  const source = join(work, 'source');
  const months = fixtureMonths();
  const good = new Map(months);
  months.set(5, readFileSync(join(repoRoot, 'test/fixtures/bad/truncated.tif.gz')));
  const { gzipSync } = await import('node:zlib');
  months.set(7, gzipSync(readFileSync(join(repoRoot, 'test/fixtures/bad/corrupt_strip.tif'))));
  writeRelease(source, '2099', months, new Map([[3, 'ffffffffffffffffffffffffffffffff']]));
  const opts = ingestOptions(work, source);
  const result = await runIngest(opts, openZones);
  assert.equal(result.exitCode, 2);
  assert.equal(result.processed, 9);
  assert.deepEqual(
    result.failed.map((f) => [f.month, f.status, f.file]),
    [
      [3, 'quarantined', monthName('2099', 3)],
      [5, 'failed', monthName('2099', 5)],
      [7, 'failed', monthName('2099', 7)],
    ],
  );
  assert.match(result.failed[0].error, /md5 mismatch .*ffffffffffffffffffffffffffffffff/);
  for (const f of result.failed.slice(1)) assert.match(f.error, new RegExp(monthName('2099', f.month).replace(/\./g, '\\.')));

  const month = parseCsv(readFileSync(join(opts.outDir, 'province_month.csv'), 'utf8'));
  assert.deepEqual([...new Set(month.records.map((r) => Number(r.values.month)))], [1, 2, 4, 6, 8, 9, 10, 11, 12]);
  assert.equal(readFileSync(join(opts.outDir, 'province_year.csv'), 'utf8'), 'release,zone_id,zone_name,year,months,sum_tC,co2_t\n');
  const report = JSON.parse(readFileSync(join(opts.outDir, 'ingest_report.json'), 'utf8'));
  assert.deepEqual(
    report.failed.map((f: { month: number }) => f.month),
    [3, 5, 7],
  );
  assert.deepEqual(report.years, [{ year: 2011, months_done: 9, complete: false, in_year_output: false }]);
  const db = new Database(opts.dbPath, { readonly: true });
  assert.deepEqual(db.prepare(`SELECT DISTINCT month FROM zone_month WHERE month IN (3, 5, 7)`).all(), []);
  db.close();

  writeRelease(source, '2099', good);
  const repaired = await runIngest(opts, openZones);
  assert.equal(repaired.exitCode, 0);
  assert.equal(repaired.processed, 3);
  assertMatchesExpected(opts.outDir, '2099');
});

test('a newer release supersedes the older in the outputs; the older stays in the store', async () => {
  const work = tempDir('ingest');
  const source = join(work, 'source');
  writeRelease(source, '2099', fixtureMonths());
  const opts = ingestOptions(work, source);
  assert.equal((await runIngest(opts, openZones)).exitCode, 0);

  // Release 2100: every value doubled in odd months and quadrupled in even ones (exact in float32).
  const factor = (m: number) => (m % 2 === 1 ? 2 : 4);
  const newer = new Map<number, Buffer>();
  for (let m = 1; m <= 12; m++) newer.set(m, await scaledMonth(m, factor(m), join(work, `scaled${m}.tif.gz`)));
  writeRelease(source, '2100', newer);
  const result = await runIngest(opts, openZones);
  assert.equal(result.release, '2100');
  assert.equal(result.processed, 12);
  assertMatchesExpected(opts.outDir, '2100', factor);

  const db = new Database(opts.dbPath, { readonly: true });
  const counts = db.prepare(`SELECT release, count(*) AS n FROM zone_month WHERE cells > 0 GROUP BY release ORDER BY release`).all();
  assert.deepEqual(counts, [
    { release: '2099', n: 36 },
    { release: '2100', n: 36 },
  ]);
  assert.deepEqual(db.prepare(`SELECT label FROM releases ORDER BY label`).pluck().all(), ['2099', '2100']);
  db.close();
});
