import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createRng } from '../../src/common/random.ts';
import { fixtureMonths, monthName, repoRoot, tempDir, zonesPath } from './helpers.ts';

/** Drives `cger ingest --enqueue`, `cger worker` processes and `cger ingest --collect` against a real server. */

export const OUTPUTS = ['province_month.csv', 'province_year.csv', 'ingest_report.json'];

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
  stderr(): string;
}

/** Starts `cger <args>`; `done` resolves when it exits. */
export function startCger(args: string[]): Running {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/cger.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

export const runCger = (args: string[]) => startCger(args).done;

/**
 * A release `2099` of `years` years (2011 on), each month a copy of the fixture's month, with
 * checksum lists: more months than the fixture's twelve, for runs long enough to kill workers in.
 */
export function writeYears(root: string, years: number): string {
  const months = fixtureMonths();
  for (let y = 0; y < years; y++) {
    const year = 2011 + y;
    const dir = join(root, 'odiac2099/1km_tiff', String(year));
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    for (const [month, data] of months) {
      const name = monthName('2099', month).replace('_11', `_${String(year % 100).padStart(2, '0')}`);
      writeFileSync(join(dir, name), data);
      lines.push(`${createHash('md5').update(data).digest('hex')}  ${name}`);
    }
    writeFileSync(join(dir, `odiac2099_1km_checksum_${year}.md5.txt`), lines.join('\n') + '\n');
  }
  return root;
}

export interface Paths {
  work: string;
  out: string;
  cache: string;
  downloads: string;
}

export function paths(prefix: string): Paths {
  const work = tempDir(prefix);
  return { work, out: join(work, 'output'), cache: join(work, 'cache'), downloads: join(work, 'rasters') };
}

export function enqueueArgs(source: string, db: string, p: Paths, extra: string[] = []): string[] {
  return ['ingest', '--source', source, '--zones', zonesPath, '--db', db, '--out-dir', p.out, '--enqueue', '--quiet', ...extra];
}

export function workerArgs(db: string, p: Paths, extra: string[] = []): string[] {
  return [
    'worker',
    '--db',
    db,
    '--until-empty',
    '--threads',
    '1',
    '--poll',
    '0.2',
    '--expiry-check',
    '1',
    '--cache-dir',
    p.cache,
    '--download-dir',
    p.downloads,
    ...extra,
  ];
}

/** Lines of a worker's stderr reporting a committed month. */
export const committed = (stderr: string) => stderr.split('\n').filter((l) => / done in [\d.]+ s \(attempt/.test(l));

/** Every month of the run exactly once in the store, with all its zone rows and its audit; returns the done count. */
export async function checkStoreOnce(db: string): Promise<number> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows;
    const files = await q(`SELECT id, status FROM cger.files`);
    const zoneRowsPerMonth = (await q(`SELECT zone_count FROM cger.zone_sets`))[0]?.zone_count;
    assert.ok(
      files.every((f) => f.status === 'done'),
      'every month done',
    );
    const perFile = await q(`SELECT file_id, count(*)::int AS n FROM cger.zone_month GROUP BY file_id`);
    assert.equal(perFile.length, files.length);
    for (const r of perFile) assert.equal(r.n, zoneRowsPerMonth, `zone rows of file ${r.file_id}`);
    assert.equal((await q(`SELECT count(*)::int AS n FROM cger.month_audit`))[0].n, files.length);
    return files.length;
  } finally {
    await client.end();
  }
}

/** Job states and retry counts of the month queue (pg-boss's table; archived jobs included). */
export async function jobStates(db: string): Promise<{ state: string; retry_count: number }[]> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return (
      await client.query(
        `SELECT state, retry_count FROM pgboss.job WHERE name = 'cger-ingest-month'
       UNION ALL SELECT state, retry_count FROM pgboss.archive WHERE name = 'cger-ingest-month'`,
      )
    ).rows;
  } finally {
    await client.end();
  }
}

export function assertSameOutputs(dir: string, reference: string): void {
  for (const name of OUTPUTS) assert.deepEqual(readFileSync(join(dir, name)), readFileSync(join(reference, name)), `${name} differs from the SQLite run`);
}

export interface KillRunOptions {
  db: string;
  source: string;
  p: Paths;
  /** Worker processes kept running at once. */
  workers: number;
  kills: number;
  seed: number;
  /** Moments between kills, uniform in [0, maxGapMs). */
  maxGapMs: number;
  log?: (m: string) => void;
}

/**
 * Keeps `workers` workers running until the queue drains, SIGKILLing a random one (and starting
 * a replacement) `kills` times at seeded random moments. Returns every worker's stderr and how
 * many kills landed while months were being processed.
 */
export async function runWithKills(opts: KillRunOptions): Promise<{ stderr: string[]; killedMidMonth: number }> {
  const rng = createRng(opts.seed);
  const log = opts.log ?? (() => {});
  const all: Running[] = [];
  const live = new Set<Running>();
  const spawnOne = () => {
    const w = startCger(workerArgs(opts.db, opts.p));
    all.push(w);
    live.add(w);
    void w.done.then(() => live.delete(w));
  };
  for (let i = 0; i < opts.workers; i++) spawnOne();
  let killedMidMonth = 0;
  for (let k = 0; k < opts.kills && live.size > 0; k++) {
    await new Promise((resolve) => setTimeout(resolve, rng.int(opts.maxGapMs)));
    // Victims are workers past their start-up (connected, claiming months), so kills land in month work.
    let working: Running[] = [];
    while (live.size > 0 && (working = [...live].filter((w) => / working on /.test(w.stderr()))).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (working.length === 0) break;
    const victim = working[rng.int(working.length)];
    const activeBefore = (await jobStates(opts.db)).filter((j) => j.state === 'active').length;
    victim.child.kill('SIGKILL');
    live.delete(victim);
    if (activeBefore > 0) killedMidMonth++;
    log(`kill ${k + 1}: a worker with ${committed(victim.stderr()).length} month(s) committed; ${activeBefore} month(s) active at the kill`);
    spawnOne();
  }
  const results = await Promise.all(all.map((w) => w.done));
  for (const r of results) if (r.signal !== 'SIGKILL') assert.equal(r.code, 0, r.stderr);
  return { stderr: results.map((r) => r.stderr), killedMidMonth };
}
