import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createRng } from '../../src/common/random.ts';
import { fixtureMonths, repoRoot, runCli, tempDir, writeRelease, zonesPath } from './helpers.ts';
import { checkStore } from './killLoop.ts';

const OUTPUTS = ['province_month.csv', 'province_year.csv', 'ingest_report.json'];
const args = (work: string, source: string) => [
  '--source',
  source,
  '--zones',
  zonesPath,
  '--db',
  join(work, 'cger.sqlite'),
  '--out-dir',
  join(work, 'output'),
  '--quiet',
];

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(cliArgs: string[]): Run {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/cger.js'), 'ingest', ...cliArgs], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

/** The pid the store names as the lock's holder (recorded once the lock is taken), if any. */
function recordedHolder(dbPath: string): number | null {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT pid FROM lock WHERE id = 1').pluck().get() as number | undefined) ?? null;
    } finally {
      db.close();
    }
  } catch {
    return null; // the store or its tables do not exist yet
  }
}

/** Resolves true once `run` holds the store's lock, false if it ends first. */
async function holdsLock(run: Run, dbPath: string): Promise<boolean> {
  let ended = false;
  run.done.then(() => {
    ended = true;
  });
  while (!ended) {
    if (recordedHolder(dbPath) === run.child.pid) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/**
 * Waits, blocking this thread, until `pid` holds the store's lock (true) or `limitMs` passes. A
 * blocked thread does not reap its killed children: they stay zombies, as under a shell or a
 * supervisor that has not waited for them yet, so `kill(pid, 0)` still finds them.
 */
function holdsLockBlocking(pid: number, dbPath: string, limitMs: number): boolean {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const end = Date.now() + limitMs; Date.now() < end; ) {
    if (recordedHolder(dbPath) === pid) return true;
    Atomics.wait(nap, 0, 0, 5);
  }
  return false;
}

/** Linux: whether `pid` is a zombie (ended, not yet reaped by its parent). */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('20 kill -9 of a lock holder, each followed at once by a new run: none refused, outputs identical to a clean run', async () => {
  const source = tempDir('lock-source');
  writeRelease(source, '2099', new Map([...fixtureMonths()].filter(([m]) => m <= 2)));
  const clean = tempDir('lock-clean');
  const reference = await runCli(args(clean, source));
  assert.equal(reference.code, 0, reference.stderr);

  const work = tempDir('lock');
  const dbPath = join(work, 'cger.sqlite');
  const rng = createRng(20261201);
  const ended: Awaited<Run['done']>[] = [];
  let killedHolding = 0;
  let tookOverFromZombie = 0;
  let run = start(args(work, source));
  let holding = await holdsLock(run, dbPath);
  for (let attempt = 0; killedHolding < 20 && attempt < 40; attempt++) {
    if (!holding) {
      ended.push(await run.done); // ended before it could be killed: checked below like every run
      run = start(args(work, source));
      holding = await holdsLock(run, dbPath);
      continue;
    }
    await new Promise((r) => setTimeout(r, rng.int(40)));
    const victim = run;
    victim.child.kill('SIGKILL');
    run = start(args(work, source)); // at once
    holding = holdsLockBlocking(run.child.pid!, dbPath, 20_000);
    if (holding && isZombie(victim.child.pid!)) tookOverFromZombie++;
    const outcome = await victim.done;
    ended.push(outcome);
    if (outcome.signal === 'SIGKILL') killedHolding++;
  }
  ended.push(await run.done);

  assert.equal(killedHolding, 20, 'twenty runs were killed while holding the lock');
  for (const r of ended) {
    assert.doesNotMatch(r.stderr, /holds the lock/);
    assert.ok(r.signal === 'SIGKILL' || r.code === 0, `a run ended with ${r.signal ?? r.code}: ${r.stderr}`);
  }
  if (process.platform === 'linux') assert.equal(tookOverFromZombie, 20, 'each new run took the lock while the killed one was still an unreaped zombie');
  assert.equal(ended.at(-1)!.code, 0, 'the last run, not killed, completes');
  assert.equal(checkStore(dbPath), 2);
  for (const name of OUTPUTS) {
    assert.deepEqual(readFileSync(join(work, 'output', name)), readFileSync(join(clean, 'output', name)), `${name} differs from the clean run`);
  }
});
