import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
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

const zones = [
  { id: '110000', name: 'Beijing' },
  { id: '120000', name: 'Tianjin' },
  { id: '650000', name: 'Xinjiang' },
];
const audit = { gridTotal: 10, zonesTotal: 4, outside: 6, relError: 0 };

function record(zoneSetId: number, runId: number, month: number, status: FileRecord['status'] = 'done'): FileRecord {
  return {
    release: '2099',
    year: 2011,
    month,
    zoneSetId,
    name: `odiac2099_1km_excl_intl_11${String(month).padStart(2, '0')}.tif.gz`,
    source: '/src',
    path: '/src/x',
    size: 3_000_000_000,
    md5: 'a'.repeat(32),
    md5Actual: 'a'.repeat(32),
    status,
    error: status === 'done' ? null : 'bad',
    grid: null,
    nodata: -0.5,
    cgerVersion: 'test',
    runId,
    fetchMs: null,
    verifyMs: 1,
    sumMs: 2,
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
  await assert.rejects(
    store.commitMonth(
      { ...record(zs.id, run, 1), status: 'done' },
      [
        { zoneId: '110000', sum: 1, coverage: 1, cells: 1 },
        { zoneId: '110000', sum: 3, coverage: 1, cells: 1 },
      ],
      audit,
    ),
    /duplicate key/,
  );
  for (const table of ['zone_month', 'files', 'month_audit']) assert.equal(await count(url, table), 0, table);
  // Work added to the transaction that throws rolls the month back too.
  await assert.rejects(
    store.commitMonth({ ...record(zs.id, run, 1), status: 'done' }, [{ zoneId: '110000', sum: 1, coverage: 1, cells: 1 }], audit, async () => {
      throw new Error('job no longer ours');
    }),
    /no longer ours/,
  );
  assert.equal(await count(url, 'files'), 0);

  const awkward = 0.1 + 0.2;
  await store.commitMonth(
    { ...record(zs.id, run, 1), status: 'done' },
    [
      { zoneId: '110000', sum: awkward, coverage: 1 / 3, cells: 1 },
      { zoneId: '120000', sum: 3, coverage: 1, cells: 0 },
    ],
    audit,
  );
  // Same month twice at once (an expired job retried while its first worker still commits): one set of rows.
  await Promise.all(
    [5, 7].map((sum) => store.commitMonth({ ...record(zs.id, run, 2), status: 'done' }, [{ zoneId: '110000', sum, coverage: 1, cells: 1 }], audit)),
  );
  assert.equal(await count(url, 'zone_month'), 3);
  assert.equal(await count(url, 'month_audit'), 2);
  const rows = await store.zoneMonths('2099', zs.id);
  assert.deepEqual(
    rows.map((r) => [r.zoneId, r.zoneName, r.zoneIndex, r.month]),
    [
      ['110000', 'Beijing', 0, 1],
      ['110000', 'Beijing', 0, 2],
    ],
  );
  assert.equal(rows[0].sumTc, awkward);
  assert.equal(rows[0].coverage, 1 / 3);
  assert.ok([5, 7].includes(rows[1].sumTc));

  await store.failMonth({ ...record(zs.id, run, 1, 'quarantined'), status: 'quarantined' });
  assert.deepEqual(await store.fileStatus('2099', 2011, 1, zs.id), { status: 'quarantined', md5: 'a'.repeat(32) });
  assert.deepEqual(
    (await store.months('2099', zs.id)).map((m) => [m.month, m.status, m.error, m.size]),
    [
      [1, 'quarantined', 'bad', 3_000_000_000],
      [2, 'done', null, 3_000_000_000],
    ],
  );
  assert.deepEqual(await store.years('2099', zs.id), [2011]);
  assert.deepEqual(
    (await store.auditByYear('2099', zs.id)).map((a) => [a.year, a.months, a.gridTotal]),
    [[2011, 1, 10]],
  );
  assert.deepEqual(
    (await store.runs()).map((r) => [r.id, r.status, r.processed]),
    [[run, 'running', 0]],
  );
  assert.equal((await store.findZoneSet('h1', 'exact'))?.id, zs.id);
  assert.equal(await store.findZoneSet('h1', 'center'), undefined);
  await store.close();
});

test('PostgreSQL store: the ingest lock excludes a second holder and is freed when its process is killed', async (t) => {
  if (skip) return t.skip(skip);
  const url = await server!.createDatabase('store_lock');
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
    const { PostgresStore } = await import(${JSON.stringify(`${repoRoot}src/ingest/store/postgres.ts`)});
    const store = await PostgresStore.open(${JSON.stringify(url)});
    if (!(await store.tryLock({ pid: process.pid, host: 'holder-host', since: 'then' }))) process.exit(3);
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (d) => {
      if (String(d).includes('locked')) resolve();
    });
    holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  const store = await PostgresStore.open(url);
  const me = { pid: process.pid, host: 'here', since: 'now' };
  assert.equal(await store.tryLock(me), false);
  assert.deepEqual(await store.lockHolder(), { pid: holder.pid, host: 'holder-host', since: 'then' });
  holder.kill('SIGKILL');
  // The server notices the dropped connection at once; the lock is free without any timeout.
  let taken = false;
  for (let i = 0; i < 100 && !taken; i++) {
    taken = await store.tryLock(me);
    if (!taken) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(taken, 'lock taken after its holder was killed');
  assert.equal(await store.tryLock(me), true, 'held here already');
  const run = await store.startRun('/src', {}, 'test');
  await store.setLockRun(run);
  const other = await PostgresStore.open(url);
  assert.equal(await other.tryLock({ pid: 1, host: 'other', since: 'later' }), false);
  await store.unlock();
  assert.equal(await other.tryLock({ pid: 1, host: 'other', since: 'later' }), true);
  await other.close();
  await store.close();
});
