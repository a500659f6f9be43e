import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { PostgresStore } from '../../src/ingest/store/postgres.ts';
import type { FileRecord } from '../../src/ingest/store.ts';
import { repoRoot } from './helpers.ts';
import { startPostgres, type TestPostgres } from './postgresServer.ts';

let server: TestPostgres | undefined;
let skip: string | false = false;
before(async () => {
  const started = await startPostgres();
  if ('skip' in started) skip = `no PostgreSQL server for this test: ${started.skip}`;
  else server = started.server;
});
after(() => server?.stop());

const zones = [{ id: '110000', name: 'Beijing' }, { id: '120000', name: 'Tianjin' }, { id: '650000', name: 'Xinjiang' }];
const audit = { gridTotal: 10, zonesTotal: 4, outside: 6, relError: 0 };

function record(zoneSetId: number, runId: number, month: number, status: FileRecord['status'] = 'done'): FileRecord {
  return {
    release: '2099', year: 2011, month, zoneSetId, name: `odiac2099_1km_excl_intl_11${String(month).padStart(2, '0')}.tif.gz`,
    source: '/src', path: '/src/x', size: 3_000_000_000, md5: 'a'.repeat(32), md5Actual: 'a'.repeat(32), status, error: status === 'done' ? null : 'bad',
    grid: null, nodata: -0.5, cgerVersion: 'test', runId, fetchMs: null, verifyMs: 1, sumMs: 2,
  };
}

async function count(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM cger.${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

test('PostgreSQL store: all-or-nothing months, replace on recommit, exact doubles, concurrent openers share one zone set', async (t) => {
  if (skip) return t.skip(skip);
  const url = await server!.createDatabase('store_basic');
  // Four processes' worth of openers at once on a new database: one schema, one zone set.
  const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)));
  const sets = await Promise.all(stores.map((s) => s.zoneSet('h1', 'exact', 'b.geojson', zones)));
  assert.equal(new Set(sets.map((s) => s.id)).size, 1);
  await Promise.all(stores.slice(1).map((s) => s.close()));
  const [store] = stores;
  const zs = sets[0];
  const run = await store.startRun('/src', { a: 1 }, 'test');
  assert.deepEqual(await store.runArgs(run), { a: 1 });

  // A duplicate zone id violates the primary key: nothing of the month remains.
  await assert.rejects(store.commitMonth({ ...record(zs.id, run, 1), status: 'done' },
    [{ zoneId: '110000', sum: 1, coverage: 1, cells: 1 }, { zoneId: '110000', sum: 3, coverage: 1, cells: 1 }], audit), /duplicate key/);
  for (const table of ['zone_month', 'files', 'month_audit']) assert.equal(await count(url, table), 0, table);
  // Work added to the transaction that throws rolls the month back too.
  await assert.rejects(store.commitMonth({ ...record(zs.id, run, 1), status: 'done' }, [{ zoneId: '110000', sum: 1, coverage: 1, cells: 1 }], audit,
    async () => { throw new Error('job no longer ours'); }), /no longer ours/);
  assert.equal(await count(url, 'files'), 0);

  const awkward = 0.1 + 0.2;
  await store.commitMonth({ ...record(zs.id, run, 1), status: 'done' },
    [{ zoneId: '110000', sum: awkward, coverage: 1 / 3, cells: 1 }, { zoneId: '120000', sum: 3, coverage: 1, cells: 0 }], audit);
  // Same month twice at once (an expired job retried while its first worker still commits): one set of rows.
  await Promise.all([5, 7].map((sum) => store.commitMonth({ ...record(zs.id, run, 2), status: 'done' }, [{ zoneId: '110000', sum, coverage: 1, cells: 1 }], audit)));
  assert.equal(await count(url, 'zone_month'), 3);
  assert.equal(await count(url, 'month_audit'), 2);
  const rows = await store.monthRows('2099', zs.id);
  assert.deepEqual(rows.map((r) => [r.zone_id, r.zone_name, r.month]), [['110000', 'Beijing', 1], ['110000', 'Beijing', 2]]);
  assert.equal(rows[0].sum_tc, awkward);
  assert.equal(rows[0].coverage, 1 / 3);
  assert.ok([5, 7].includes(rows[1].sum_tc));

  await store.failMonth({ ...record(zs.id, run, 1, 'quarantined'), status: 'quarantined' });
  assert.deepEqual(await store.fileStatus('2099', 2011, 1, zs.id), { status: 'quarantined', md5: 'a'.repeat(32) });
  assert.deepEqual(await store.doneMonths('2099', zs.id), [{ year: 2011, month: 2 }]);
  assert.deepEqual((await store.problemMonths('2099', zs.id)).map((p) => [p.month, p.status, p.error]), [[1, 'quarantined', 'bad']]);
  assert.deepEqual(await store.storedYears('2099', zs.id), [2011]);
  assert.equal((await store.findZoneSet('h1', 'exact'))?.id, zs.id);
  assert.equal(await store.findZoneSet('h1', 'center'), undefined);
  await store.close();
});

test('PostgreSQL store: the ingest lock excludes a second holder and is freed when its process is killed', async (t) => {
  if (skip) return t.skip(skip);
  const url = await server!.createDatabase('store_lock');
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { PostgresStore } = await import(${JSON.stringify(`${repoRoot}src/ingest/store/postgres.ts`)});
    const store = await PostgresStore.open(${JSON.stringify(url)}, { applicationName: 'lock holder test' });
    await store.acquireLock();
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (d) => { if (String(d).includes('locked')) resolve(); });
    holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  const store = await PostgresStore.open(url);
  await assert.rejects(store.acquireLock(), /another ingest holds the lock on postgres:\/\/cger@localhost\/store_lock.*\(lock holder test\); run with --wait/);
  const waiting: string[] = [];
  const waited = store.acquireLock({ wait: true, pollMs: 50, onWaiting: (m) => waiting.push(m) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  holder.kill('SIGKILL');
  const lock = await waited;
  assert.match(waiting[0], /waiting for another ingest/);
  await lock.release();
  await store.close();
});
