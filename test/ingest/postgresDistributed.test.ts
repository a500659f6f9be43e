import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectIngest, enqueueIngest, ingestStatus, runIngest, runWorker } from '../../src/ingest/index.ts';
import { openZones } from '../../src/zonal/index.ts';
import { fixtureMonths, fixtureRoot, ingestOptions, monthName, tempDir, writeRelease } from './helpers.ts';
import {
  assertSameOutputs,
  checkStoreOnce,
  committed,
  enqueueArgs,
  jobStates,
  type Paths,
  paths,
  runCger,
  runWithKills,
  startCger,
  workerArgs,
} from './postgresDistributed.ts';
import { startPostgres, type TestPostgres } from './postgresServer.ts';

let server: TestPostgres | undefined;
let skip: string | false = false;
let reference: { out: string; cache: string } | undefined;

before(async () => {
  const started = await startPostgres();
  if ('skip' in started) skip = `no PostgreSQL server for this test: ${started.skip}`;
  else server = started.server;
});
after(() => server?.stop());

/** The fixture release through the embedded SQLite store: what the distributed run must reproduce byte for byte. */
async function sqliteReference(): Promise<{ out: string; cache: string }> {
  if (reference) return reference;
  const work = tempDir('pg-reference');
  const run = await runIngest(ingestOptions(work, fixtureRoot), openZones);
  assert.equal(run.exitCode, 0);
  reference = { out: join(work, 'output'), cache: join(work, 'cache') };
  return reference;
}

const enqueue = (db: string, p: Paths, queue = { attempts: 3, timeoutSeconds: 60 }) =>
  enqueueIngest({ ...ingestOptions(p.work, fixtureRoot), outDir: p.out, db, queue }, openZones);
const collect = (db: string, p: Paths) => collectIngest({ db, outDir: p.out, allowPartialYear: false, wait: false, quiet: true });

test('enqueue, two workers, collect: outputs byte-identical to the SQLite run, every month once, status per release', async (t) => {
  if (skip) return t.skip(skip);
  const ref = await sqliteReference();
  const db = await server!.createDatabase('dist_basic');
  const p = paths('pg-dist');

  const enqueued = await runCger([...enqueueArgs(fixtureRoot, db, p), '--json']);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  assert.equal(JSON.parse(enqueued.stdout).enqueued, 12);
  assert.deepEqual(await ingestStatus(db), [{ release: '2099', done: 0, running: 0, queued: 12, failed: 0 }]);
  await assert.rejects(collect(db, p), /12 month\(s\) still queued or running .* add --wait/);

  // Workers share the host's coverage cache (the reference run filled it).
  const workers = [startCger(workerArgs(db, { ...p, cache: ref.cache })), startCger(workerArgs(db, { ...p, cache: ref.cache }))];
  const results = await Promise.all(workers.map((w) => w.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(results.flatMap((r) => committed(r.stderr)).length, 12, 'each month committed by exactly one worker');
  assert.equal(await checkStoreOnce(db), 12);

  const collected = await collect(db, p);
  assert.equal(collected.exitCode, 0);
  assertSameOutputs(p.out, ref.out);
  assert.deepEqual(await ingestStatus(db), [{ release: '2099', done: 12, running: 0, queued: 0, failed: 0 }]);

  // Enqueuing again finds everything done: nothing to do.
  const again = await enqueue(db, p);
  assert.equal(again.enqueued, 0);
  assert.equal(again.skipped, 12);
});

test('a worker SIGKILLed mid-month: its job expires and is retried by another worker; every month exactly once, same outputs', async (t) => {
  if (skip) return t.skip(skip);
  const ref = await sqliteReference();
  const db = await server!.createDatabase('dist_kill');
  const p = paths('pg-kill');
  await enqueue(db, p, { attempts: 3, timeoutSeconds: 5 });

  // A worker on a cold coverage cache spends its first month computing coverage: it is killed while that month is active.
  const first = startCger(workerArgs(db, p));
  while (!(await jobStates(db)).some((j) => j.state === 'active')) await new Promise((resolve) => setTimeout(resolve, 20));
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(committed(killed.stderr).length, 0);

  const { stderr } = await runWithKills({ db, source: fixtureRoot, p: { ...p, cache: ref.cache }, workers: 2, kills: 0, seed: 1, maxGapMs: 1 });
  assert.equal(stderr.flatMap(committed).length, 12, 'each month committed once');
  const states = await jobStates(db);
  assert.equal(states.length, 12);
  assert.ok(states.every((s) => s.state === 'completed'));
  assert.ok(
    states.some((s) => s.retry_count > 0),
    'the killed month was retried',
  );
  assert.equal(await checkStoreOnce(db), 12);

  assert.equal((await collect(db, p)).exitCode, 0);
  assertSameOutputs(p.out, ref.out);
});

test('plain `cger ingest --db postgres://...` (one machine): the same outputs as the SQLite store, nothing redone on a second run', async (t) => {
  if (skip) return t.skip(skip);
  const ref = await sqliteReference();
  const db = await server!.createDatabase('plain');
  const p = paths('pg-plain');
  const first = await runIngest({ ...ingestOptions(p.work, fixtureRoot), dbPath: db, outDir: p.out }, openZones);
  assert.equal(first.processed, 12);
  assertSameOutputs(p.out, ref.out);
  const second = await runIngest({ ...ingestOptions(p.work, fixtureRoot), dbPath: db, outDir: p.out }, openZones);
  assert.deepEqual([second.processed, second.skipped, second.outputs.changed], [0, 12, []]);
});

test('a month failing every attempt is parked as failed, named by --collect (exit 2) and --status; the other months are done', async (t) => {
  if (skip) return t.skip(skip);
  const db = await server!.createDatabase('dist_fail');
  const p = paths('pg-fail');
  const source = tempDir('pg-fail-source');
  // Month 3's checksum list entry does not match its file: every attempt quarantines it.
  writeRelease(source, '2099', new Map([...fixtureMonths()].filter(([m]) => m <= 4)), new Map([[3, '0'.repeat(32)]]));
  const planned = await enqueueIngest(
    { ...ingestOptions(p.work, fixtureRoot), source, outDir: p.out, db, queue: { attempts: 2, timeoutSeconds: 60 } },
    openZones,
  );
  assert.equal(planned.enqueued, 4);
  const summary = await runWorker(
    {
      db,
      downloadDir: p.downloads,
      cacheDir: p.cache,
      threads: 1,
      untilEmpty: true,
      pollMs: 100,
      expiryCheckSeconds: 1,
      quiet: true,
    },
    openZones,
  );
  assert.deepEqual([summary.done, summary.retried, summary.failed], [3, 1, 1]);
  assert.deepEqual(await ingestStatus(db), [{ release: '2099', done: 3, running: 0, queued: 0, failed: 1 }]);
  const collected = await collect(db, p);
  assert.equal(collected.exitCode, 2);
  assert.deepEqual(
    collected.failed.map((f) => [f.month, f.file, f.status]),
    [[3, monthName('2099', 3), 'quarantined']],
  );
  assert.match(collected.failed[0].error, /md5/);
  assert.deepEqual((await jobStates(db)).map((j) => j.state).sort(), ['completed', 'completed', 'completed']);
});
