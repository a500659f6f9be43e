import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRng } from '../../src/common/random.ts';
import { fixtureMonths, fixtureRoot, fixtureYearDir, type KillPlan, runCli, tempDir, writeRelease, zonesPath } from './helpers.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * The kill test: SIGKILL `cger ingest` at `kills` seeded random moments, rerunning after each,
 * then let it finish. After every kill the store must be consistent (each done month has all
 * its zone rows and its audit, no row without a done month); at the end the outputs must be
 * byte-identical to a clean run's and every month present exactly once.
 */
export interface KillTestOptions {
  kills: number;
  seed: number;
  /** Serve the release over HTTP (throttled, so kills land mid-download) instead of from the directory. */
  http?: boolean;
  /** Use only the first n months of the fixture release (directory source), for a shorter test. */
  months?: number;
  log?: (message: string) => void;
}

export interface KillTestResult {
  kills: number;
  /** Runs that completed before their kill moment. */
  completedEarly: number;
  /** Months done in the store at each kill (shows kills landed between, not only before, months). */
  monthsDoneAtKill: number[];
  cleanRunMs: number;
  /** Months in the store after the final run (each checked present exactly once with all its rows). */
  monthsInStore: number;
  monthsOffered: number;
  /** Each output after the final run, and as the clean run wrote it. */
  outputs: { name: string; final: Buffer; clean: Buffer }[];
  /** What the output folder holds after the final run (no temporary files may be left). */
  outputDirEntries: string[];
  finalExitCode: number | null;
}

/** Asserts what a kill test must end with: a complete store and outputs byte-identical to the clean run's. */
export function assertKillOutcome(r: KillTestResult): void {
  assert.equal(r.finalExitCode, 0);
  assert.equal(r.monthsInStore, r.monthsOffered);
  for (const o of r.outputs) assert.deepEqual(o.final, o.clean, `${o.name} differs from the clean run`);
  assert.deepEqual(r.outputDirEntries, [...OUTPUTS].sort(), 'no temporary files left next to the outputs');
}

/** The plain progress line `cger ingest` prints on stderr after each month (stderr is not a TTY here). */
const PROGRESS_LINE = /^ingest: \d+\/\d+ months /;
const OUTPUTS = ['province_month.csv', 'province_year.csv', 'ingest_report.json'];

function args(work: string, source: string, http: boolean): string[] {
  return [
    '--source',
    source,
    '--zones',
    zonesPath,
    '--db',
    join(work, 'cger.sqlite'),
    '--out-dir',
    join(work, 'output'),
    '--download-dir',
    join(work, 'rasters'),
    ...(http ? ['--release', '2099', '--years', '2011'] : []),
  ];
}

/** Checks the store's invariants; returns the number of done months. */
export function checkStore(dbPath: string): number {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return 0;
  }
  try {
    const hasFiles = db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'files'`).pluck().get() as number;
    if (hasFiles === 0) return 0;
    const zoneCount = db.prepare(`SELECT zone_count FROM zone_sets`).pluck().get() as number | undefined;
    const done = db.prepare(`SELECT id, month FROM files WHERE status = 'done'`).all() as { id: number; month: number }[];
    for (const f of done) {
      assert.equal(db.prepare(`SELECT count(*) FROM zone_month WHERE file_id = ?`).pluck().get(f.id), zoneCount, `month ${f.month}: zone rows`);
      assert.equal(db.prepare(`SELECT count(*) FROM month_audit WHERE file_id = ?`).pluck().get(f.id), 1, `month ${f.month}: audit`);
    }
    assert.equal(
      db.prepare(`SELECT count(*) FROM zone_month WHERE file_id NOT IN (SELECT id FROM files WHERE status = 'done')`).pluck().get(),
      0,
      'rows without a done month',
    );
    assert.equal(db.prepare(`SELECT count(*) FROM files WHERE status != 'done'`).pluck().get(), 0, 'no month may be recorded as failed');
    return done.length;
  } finally {
    db.close();
  }
}

export async function runKillTest(opts: KillTestOptions): Promise<KillTestResult> {
  const log = opts.log ?? (() => {});
  const rng = createRng(opts.seed);
  let server: TestServer | undefined;
  try {
    if (opts.http) server = await startTestServer(fixtureRoot, { throttle: { chunk: 8192, delayMs: 4 } });
    let source = server?.url ?? fixtureRoot;
    const monthCount = opts.months ?? 12;
    if (!opts.http && monthCount < 12) {
      source = tempDir('kill-source');
      writeRelease(source, '2099', new Map([...fixtureMonths()].filter(([m]) => m <= monthCount)));
    }

    const clean = tempDir('kill-clean');
    const t0 = Date.now();
    const reference = await runCli(args(clean, source, Boolean(opts.http)));
    const cleanRunMs = Date.now() - t0;
    assert.equal(reference.code, 0, reference.stderr);
    log(`clean run: ${cleanRunMs} ms`);

    const work = tempDir('kill');
    const monthsDoneAtKill: number[] = [];
    let completedEarly = 0;
    for (let attempt = 0; monthsDoneAtKill.length < opts.kills; attempt++) {
      if (attempt > opts.kills * 4) throw new Error(`only ${monthsDoneAtKill.length} of ${opts.kills} kills landed in ${attempt} runs`);
      // A quarter of the kills at a uniform moment of the first 60% of the clean run (startup,
      // discovery, early months); the others 0-60 ms after the progress line of the run's first
      // or second month, so that most kills land inside month processing and its transaction
      // (the store advances by a month or two per kill) rather than after everything is done.
      const remaining = monthCount - checkStore(join(work, 'cger.sqlite'));
      const kill: KillPlan =
        attempt % 4 === 0 || remaining === 0
          ? { afterMs: Math.round(rng.next() * 0.6 * cleanRunMs) }
          : { afterLines: { pattern: PROGRESS_LINE, count: 1 + rng.int(Math.min(remaining, 2)), delayMs: rng.int(60) } };
      const moment = kill.afterMs !== undefined ? `${kill.afterMs} ms` : `${kill.afterLines!.delayMs} ms after month ${kill.afterLines!.count} of the run`;
      const run = await runCli(args(work, source, Boolean(opts.http)), { kill });
      const done = checkStore(join(work, 'cger.sqlite'));
      if (run.signal === 'SIGKILL') {
        monthsDoneAtKill.push(done);
        log(`kill ${monthsDoneAtKill.length} at ${moment}: ${done} month(s) done, store consistent`);
      } else {
        assert.equal(run.code, 0, run.stderr);
        completedEarly++;
        log(`run finished before its kill at ${moment} (${done} months done)`);
      }
    }
    const final = await runCli(args(work, source, Boolean(opts.http)));
    if (opts.http) {
      const dir = join(work, 'rasters', '2099', '2011');
      const kept = readdirSync(dir)
        .filter((n) => !n.startsWith('.'))
        .sort();
      for (const name of kept) assert.deepEqual(readFileSync(join(dir, name)), readFileSync(join(fixtureYearDir, name)), name);
      assert.equal(kept.length, 12, `downloads: ${kept.join(', ')}`);
    }
    return {
      kills: monthsDoneAtKill.length,
      completedEarly,
      monthsDoneAtKill,
      cleanRunMs,
      monthsInStore: checkStore(join(work, 'cger.sqlite')),
      monthsOffered: monthCount,
      outputs: OUTPUTS.map((name) => ({ name, final: readFileSync(join(work, 'output', name)), clean: readFileSync(join(clean, 'output', name)) })),
      outputDirEntries: readdirSync(join(work, 'output')).sort(),
      finalExitCode: final.code,
    };
  } finally {
    await server?.close();
  }
}
