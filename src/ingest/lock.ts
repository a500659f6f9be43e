import { hostname } from 'node:os';
import { CgerError } from '../common/errors.ts';
import type { LockHolder, Store } from './store.ts';

/**
 * One ingest per store. The store's lock is released by the operating system when its holder
 * dies, so a run started right after a kill -9 proceeds; pid, host and start time are recorded
 * only to name the holder in messages.
 */

export interface LockOptions {
  /** Wait for the holder to finish instead of failing. */
  wait?: boolean;
  pollMs?: number;
  onWaiting?: (message: string) => void;
}

export interface StoreLock {
  setRunId(runId: number): Promise<void>;
  release(): Promise<void>;
}

function holderText(holder: LockHolder | null): string {
  return holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'holder not yet recorded';
}

export async function acquireLock(store: Store, opts: LockOptions = {}): Promise<StoreLock> {
  const pollMs = opts.pollMs ?? 1000;
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let announced = false;
  while (!(await store.tryLock(me))) {
    const holder = await store.lockHolder();
    if (!opts.wait) {
      throw new CgerError(`another ingest holds the lock on ${store.path} (${holderText(holder)}); run with --wait to wait for it`);
    }
    if (!announced) {
      opts.onWaiting?.(`waiting for another ingest on ${store.path} (${holderText(holder)})`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  let held = true;
  return {
    async setRunId(runId) {
      await store.setLockRun(runId);
    },
    async release() {
      if (!held) return;
      held = false;
      await store.unlock();
    },
  };
}
