/**
 * `npm run test:kill-distributed`: a distributed ingest on a real PostgreSQL server while worker
 * processes are SIGKILLed at seeded random moments (each replaced at once). The run must
 * complete with every month committed exactly once and outputs byte-identical to the embedded
 * SQLite store's. CGER_KILLS (default 10), CGER_KILL_YEARS (default 5 years of the fixture's months).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectIngest, enqueueIngest, runIngest } from '../../src/ingest/index.ts';
import { openZones } from '../../src/zonal/index.ts';
import { ingestOptions, tempDir } from './helpers.ts';
import { assertSameOutputs, checkStoreOnce, jobStates, paths, runWithKills, writeYears } from './postgresDistributed.ts';
import { startPostgres } from './postgresServer.ts';

const kills = Number(process.env.CGER_KILLS ?? 10);
const years = Number(process.env.CGER_KILL_YEARS ?? 5);
const started = await startPostgres();
if ('skip' in started) {
  console.log(`skipped: ${started.skip}`);
  process.exit(0);
}
const { server } = started;
const source = writeYears(tempDir('kill-dist-source'), years);
const months = years * 12;
const refWork = tempDir('kill-dist-ref');
let t0 = Date.now();
assert.equal((await runIngest(ingestOptions(refWork, source), openZones)).processed, months);
console.log(`SQLite reference: ${months} months in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const db = await server.createDatabase('kill_distributed');
const p = { ...paths('kill-dist'), cache: join(refWork, 'cache') };
await enqueueIngest({ ...ingestOptions(p.work, source), outDir: p.out, db, queue: { attempts: 5, timeoutSeconds: 4 } }, openZones);
t0 = Date.now();
const { stderr, killedMidMonth } = await runWithKills({ db, source, p, workers: 2, kills, seed: 20261201, maxGapMs: 3000, log: console.log });
const commits = stderr.flatMap((s) => s.split('\n').filter((l) => / done in [\d.]+ s \(attempt/.test(l)));
console.log(
  `distributed run with ${kills} kills (${killedMidMonth} while months were active): ${((Date.now() - t0) / 1000).toFixed(1)} s, ${commits.length} month commits`,
);
assert.equal(commits.length, months, 'every month committed exactly once');
assert.equal(await checkStoreOnce(db), months);
const states = await jobStates(db);
assert.equal(states.length, months);
assert.ok(
  states.every((s) => s.state === 'completed'),
  'every job completed',
);
console.log(`jobs retried after a kill: ${states.filter((s) => s.retry_count > 0).length}`);
const collected = await collectIngest({ db, outDir: p.out, allowPartialYear: false, wait: false, quiet: true });
assert.equal(collected.exitCode, 0);
assertSameOutputs(p.out, join(refWork, 'output'));
console.log('outputs byte-identical to the SQLite run');
server.stop();
