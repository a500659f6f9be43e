import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseCsv } from '../../src/common/csv.ts';
import { acquireLock } from '../../src/ingest/lock.ts';
import { buildOutputs, removeStaleTemps, writeOutputs } from '../../src/ingest/outputs.ts';
import { type FileRecord, openStore } from '../../src/ingest/store.ts';
import { tempDir } from './helpers.ts';

const tmp = () => tempDir('store');
const zones = [
  { id: '110000', name: 'Beijing' },
  { id: '120000', name: 'Tianjin' },
  { id: '650000', name: 'Xinjiang' },
];

function record(zoneSetId: number, runId: number, month: number, status: FileRecord['status'] = 'done'): FileRecord {
  return {
    release: '2099',
    year: 2011,
    month,
    zoneSetId,
    name: `odiac2099_1km_excl_intl_11${String(month).padStart(2, '0')}.tif.gz`,
    source: '/src',
    path: '/src/x',
    size: 10,
    md5: 'a'.repeat(32),
    md5Actual: 'a'.repeat(32),
    status,
    error: status === 'done' ? null : 'bad',
    grid: null,
    nodata: null,
    cgerVersion: 'test',
    runId,
    fetchMs: null,
    verifyMs: 1,
    sumMs: 2,
  };
}

test('a month commits all-or-nothing: a failing insert leaves no rows and no file record', () => {
  const path = join(tmp(), 'db.sqlite');
  const store = openStore(path);
  const peek = new Database(path, { readonly: true });
  const zs = store.zoneSet('h1', 'exact', 'b.geojson', zones);
  const run = store.startRun('/src', {}, 'test');
  const audit = { gridTotal: 10, zonesTotal: 4, outside: 6, relError: 0 };
  // Duplicate zone id violates the primary key on the second row.
  assert.throws(
    () =>
      store.commitMonth(
        { ...record(zs.id, run, 1), status: 'done' },
        [
          { zoneId: '110000', sum: 1, coverage: 1, cells: 1 },
          { zoneId: '110000', sum: 3, coverage: 1, cells: 1 },
        ],
        audit,
      ),
    /UNIQUE|PRIMARY/,
  );
  assert.equal(peek.prepare('SELECT count(*) FROM zone_month').pluck().get(), 0);
  assert.equal(peek.prepare('SELECT count(*) FROM files').pluck().get(), 0);
  assert.equal(peek.prepare('SELECT count(*) FROM month_audit').pluck().get(), 0);

  store.commitMonth(
    { ...record(zs.id, run, 1), status: 'done' },
    [
      { zoneId: '110000', sum: 1, coverage: 1, cells: 1 },
      { zoneId: '120000', sum: 3, coverage: 1, cells: 1 },
    ],
    audit,
  );
  // Reprocessing replaces the month's rows instead of adding to them.
  store.commitMonth({ ...record(zs.id, run, 1), status: 'done' }, [{ zoneId: '110000', sum: 5, coverage: 1, cells: 1 }], audit);
  assert.deepEqual(peek.prepare('SELECT zone_id, sum_tc FROM zone_month').all(), [{ zone_id: '110000', sum_tc: 5 }]);
  store.failMonth({ ...record(zs.id, run, 1, 'quarantined'), status: 'quarantined' });
  assert.equal(peek.prepare('SELECT count(*) FROM zone_month').pluck().get(), 0);
  assert.deepEqual(store.fileStatus('2099', 2011, 1, zs.id), { status: 'quarantined', md5: 'a'.repeat(32) });
  assert.equal(peek.prepare('SELECT count(*) FROM files').pluck().get(), 1);
  // The same boundary hash and method is the same zone set.
  assert.equal(store.zoneSet('h1', 'exact', 'other/path.geojson', zones).id, zs.id);
  assert.notEqual(store.zoneSet('h1', 'center', 'b.geojson', zones).id, zs.id);
  peek.close();
  store.close();
});

test('outputs: month rows, complete years only, hand-checked sums, failures listed, written only when changed', async () => {
  const dir = tmp();
  const store = openStore(join(dir, 'db.sqlite'));
  const zs = store.zoneSet('h1', 'exact', 'b.geojson', zones);
  const run = store.startRun('/src', {}, 'test');
  const audit = { gridTotal: 0, zonesTotal: 0, outside: 0, relError: 0 };
  for (let m = 1; m <= 12; m++) {
    store.commitMonth(
      { ...record(zs.id, run, m), status: 'done' },
      [
        { zoneId: '110000', sum: m, coverage: 2.5, cells: 3 },
        { zoneId: '120000', sum: 0.1 * m, coverage: 1.5, cells: 2 },
        { zoneId: '650000', sum: 0, coverage: 0, cells: 0 }, // outside the raster: no output row
      ],
      audit,
    );
  }
  store.commitMonth({ ...record(zs.id, run, 1), year: 2012, status: 'done' }, [{ zoneId: '110000', sum: 7, coverage: 2.5, cells: 3 }], audit);
  store.failMonth({ ...record(zs.id, run, 2), year: 2012, status: 'failed' });
  const spec = {
    release: '2099',
    zoneSet: zs,
    years: [2011, 2012],
    allowPartialYear: false,
    cgerVersion: 'test',
    missing: [{ release: '2099', year: 2012, month: 3, file: null, status: 'missing' as const, error: 'not in the checksum list' }],
  };
  const built = await buildOutputs(store, spec);
  const month = parseCsv(built.monthCsv);
  assert.deepEqual(month.header, ['release', 'zone_id', 'zone_name', 'year', 'month', 'sum_tC', 'co2_t', 'coverage']);
  assert.equal(month.records.length, 12 * 2 + 1);
  assert.deepEqual(month.records[0].values, {
    release: '2099',
    zone_id: '110000',
    zone_name: 'Beijing',
    year: '2011',
    month: '1',
    sum_tC: '1',
    co2_t: String(44 / 12),
    coverage: '2.5',
  });
  const year = parseCsv(built.yearCsv);
  assert.deepEqual(
    year.records.map((r) => [r.values.zone_id, r.values.year, r.values.months]),
    [
      ['110000', '2011', '12'],
      ['120000', '2011', '12'],
    ],
  );
  assert.equal(Number(year.records[0].values.sum_tC), 78); // 1 + ... + 12
  assert.ok(Math.abs(Number(year.records[1].values.sum_tC) - 7.8) < 1e-12);
  assert.ok(Math.abs(Number(year.records[0].values.co2_t) - (78 * 44) / 12) < 1e-9);
  assert.deepEqual(
    built.report.failed.map((f) => [f.year, f.month, f.status]),
    [[2012, 2, 'failed']],
  );
  assert.deepEqual(built.report.years, [
    { year: 2011, months_done: 12, complete: true, in_year_output: true },
    { year: 2012, months_done: 1, complete: false, in_year_output: false },
  ]);
  const partial = parseCsv((await buildOutputs(store, { ...spec, allowPartialYear: true })).yearCsv);
  assert.deepEqual(partial.records.at(-1)?.values, {
    release: '2099',
    zone_id: '110000',
    zone_name: 'Beijing',
    year: '2012',
    months: '1',
    sum_tC: '7',
    co2_t: String(7 * (44 / 12)),
  });

  const out = join(dir, 'out');
  assert.deepEqual(writeOutputs(out, built), ['province_month.csv', 'province_year.csv', 'ingest_report.json']);
  const mtime = statSync(join(out, 'province_month.csv')).mtimeMs;
  assert.deepEqual(writeOutputs(out, await buildOutputs(store, spec)), []);
  assert.equal(statSync(join(out, 'province_month.csv')).mtimeMs, mtime);
  writeFileSync(join(out, '.province_month.csv.99999.tmp'), 'partial');
  removeStaleTemps(out);
  assert.deepEqual(readdirSync(out).sort(), ['ingest_report.json', 'province_month.csv', 'province_year.csv']);
  assert.equal(readFileSync(join(out, 'province_year.csv'), 'utf8'), built.yearCsv);
  store.close();
});

test('lock: a live holder blocks with a clear message, --wait waits, a recorded holder that is gone does not block', async () => {
  const path = join(tmp(), 'db.sqlite');
  const first = openStore(path);
  const second = openStore(path);
  const lock = await acquireLock(first);
  await assert.rejects(
    acquireLock(second),
    new RegExp(`another ingest holds the lock on .*db\\.sqlite \\(pid ${process.pid} on ${hostname()}, since .*--wait`),
  );

  const waiting: string[] = [];
  let taken = false;
  const pending = acquireLock(second, { wait: true, pollMs: 20, onWaiting: (m) => waiting.push(m) }).then((l) => {
    taken = true;
    return l;
  });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(taken, false, 'still waiting while the first holds the lock');
  lock.release();
  const next = await pending;
  assert.equal(waiting.length, 1);
  assert.match(waiting[0], /^waiting for another ingest on .*db\.sqlite \(pid \d+/);
  next.release();

  // What a killed holder leaves: its row naming it, but no lock (the operating system dropped it).
  const db = new Database(path);
  db.prepare(
    `INSERT OR REPLACE INTO lock (id, pid, host, run_id, acquired_at, heartbeat_at) VALUES (1, 999999, 'elsewhere', NULL, '2026-01-01T00:00:00Z', 0)`,
  ).run();
  db.close();
  const third = await acquireLock(second);
  third.release();
  first.close();
  second.close();
});
