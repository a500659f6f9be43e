import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { acquireLock } from '../../src/ingest/lock.ts';
import { openStore } from '../../src/ingest/store.ts';
import { fixtureRoot, repoRoot, runCli, tempDir } from './helpers.ts';

const zones = join(repoRoot, 'boundaries/cn-provinces-ctamap2023.geojson');
const args = (work: string) => ['--source', fixtureRoot, '--zones', zones, '--db', join(work, 'cger.sqlite'), '--out-dir', join(work, 'out')];

test('two concurrent ingests on one store: one waits, nothing is processed twice', async () => {
  const work = tempDir('cli');
  const [a, b] = await Promise.all([runCli([...args(work), '--wait', '--json']), runCli([...args(work), '--wait', '--json'])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const processed = [JSON.parse(a.stdout).processed, JSON.parse(b.stdout).processed].sort();
  assert.deepEqual(processed, [0, 12]);
  const db = new Database(join(work, 'cger.sqlite'), { readonly: true });
  assert.deepEqual(db.prepare(`SELECT processed, skipped, status FROM runs ORDER BY processed`).all(), [
    { processed: 0, skipped: 12, status: 'done' },
    { processed: 12, skipped: 0, status: 'done' },
  ]);
  assert.equal(db.prepare(`SELECT count(DISTINCT run_id) FROM files`).pluck().get(), 1);
  db.close();
});

test('a held lock makes a second ingest exit 1 with a clear message; bad options name the flag', async () => {
  const work = tempDir('cli');
  const store = openStore(join(work, 'cger.sqlite'));
  const lock = await acquireLock(store);
  try {
    const r = await runCli(args(work));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^cger: another ingest holds the lock on .*cger\\.sqlite \\(pid ${process.pid} .*--wait`, 'm'));
  } finally {
    lock.release();
    store.close();
  }
  const bad = await runCli([...args(work), '--years', '2013-2011']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^cger: --years: range "2013-2011" runs backwards$/m);
});
