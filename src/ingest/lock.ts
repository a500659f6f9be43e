import { hostname } from 'node:os';
import { CgerError } from '../common/errors.ts';
import type { Store } from './store.ts';

/**
 * One ingest per store: a single `lock` row naming the holder (pid, host) and refreshed by a
 * heartbeat. It is taken in an IMMEDIATE transaction, so two processes cannot both see it free.
 * A lock whose process is gone (SIGKILL, crash) or whose heartbeat stopped is stale and is taken over.
 */

export interface LockOptions {
  /** Wait for the holder to finish instead of failing. */
  wait?: boolean;
  pollMs?: number;
  heartbeatMs?: number;
  /** A heartbeat older than this marks the lock stale even if the pid exists (pid reuse, other host). */
  staleMs?: number;
  onWaiting?: (message: string) => void;
}

export interface StoreLock {
  setRunId(runId: number): void;
  release(): void;
}

interface LockRow { pid: number; host: string; acquired_at: string; heartbeat_at: number }

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(row: LockRow, staleMs: number): boolean {
  if (Date.now() - row.heartbeat_at > staleMs) return true;
  return row.host === hostname() && !processExists(row.pid);
}

function holderText(row: LockRow): string {
  return `pid ${row.pid} on ${row.host}, since ${row.acquired_at}`;
}

export async function acquireLock(store: Store, opts: LockOptions = {}): Promise<StoreLock> {
  const { db } = store;
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const host = hostname();

  const tryTake = db.transaction((): LockRow | null => {
    const row = db.prepare(`SELECT pid, host, acquired_at, heartbeat_at FROM lock WHERE id = 1`).get() as LockRow | undefined;
    if (row && !isStale(row, staleMs) && !(row.pid === process.pid && row.host === host)) return row;
    db.prepare(`INSERT OR REPLACE INTO lock (id, pid, host, run_id, acquired_at, heartbeat_at) VALUES (1, ?, ?, NULL, ?, ?)`)
      .run(process.pid, host, new Date().toISOString(), Date.now());
    return null;
  });

  let announced = false;
  for (;;) {
    const holder = tryTake.immediate();
    if (holder === null) break;
    if (!opts.wait) {
      throw new CgerError(`another ingest holds the lock on ${store.path} (${holderText(holder)}); run with --wait to wait for it`);
    }
    if (!announced) {
      opts.onWaiting?.(`waiting for another ingest on ${store.path} (${holderText(holder)})`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  const beat = setInterval(() => {
    db.prepare(`UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?`).run(Date.now(), process.pid, host);
  }, heartbeatMs);
  beat.unref();
  let held = true;
  return {
    setRunId(runId) {
      db.prepare(`UPDATE lock SET run_id = ? WHERE id = 1 AND pid = ? AND host = ?`).run(runId, process.pid, host);
    },
    release() {
      if (!held) return;
      held = false;
      clearInterval(beat);
      db.prepare(`DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ?`).run(process.pid, host);
    },
  };
}
