/**
 * A small pool of decode worker threads shared by all reads in the process. Each request is a
 * batch of adjacent compressed blocks: a byte range of a file, which the worker reads itself
 * (into memory it reuses), or bytes transferred with the request (cut from a .gz stream). The
 * reply carries either the decoded arrays (transferred back, no copies) or, when the request
 * names an installed block reducer, only the reducer's small result for the batch: the decoded
 * data then never leaves the worker. Idle workers are unref'd so they never keep the process alive.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../common/worker.ts';
import { type BatchBlock, type BatchOutcome, type BatchSource, BlockDecodeError } from './batch.ts';
import type { BlockFormat } from './decode.ts';
import type { BlockReduction } from './types.ts';

export type PoolRequest =
  | { kind: 'install'; key: number; module: string; init: unknown }
  | { kind: 'uninstall'; key: number }
  | { kind: 'decode'; id: number; format: BlockFormat; source: BatchSource; blocks: BatchBlock[]; reducer?: number };

export type PoolReply = { id: 0; ready: true } | { id: number; ok: true; outcome: BatchOutcome } | { id: number; ok: false; index: number; message: string };

interface Pending {
  resolve(outcome: BatchOutcome): void;
  reject(err: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: Promise<void>;
}

/**
 * workerData must be an object: geotiff's "web-worker" dependency, imported in the worker for
 * codecs other than DEFLATE, destructures it when not on the main thread.
 */
function startWorker(): Worker {
  return startModuleWorker(import.meta.url, './decodeWorker', { workerData: {} });
}

export class DecodePool {
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private nextReducerKey = 1;
  /** Reducers installed on every worker (and on workers started later). */
  private installed = new Map<number, { module: string; init: unknown }>();

  constructor(readonly size: number) {}

  /**
   * Decodes a batch; with `reducer` (a key from `install`) the worker folds the decoded blocks
   * into its reducer and replies with the reducer's result for the batch.
   */
  decode(format: BlockFormat, source: BatchSource, blocks: BatchBlock[], reducer?: number): Promise<BatchOutcome> {
    const slot = this.workers.length < this.size ? this.addWorker() : this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const request: PoolRequest = { kind: 'decode', id, format, source, blocks, reducer };
      slot.worker.postMessage(request, 'bytes' in source ? [source.bytes] : []);
    });
  }

  /** Creates `reduction`'s reducer on every worker; returns the key that decode requests name. */
  install(reduction: BlockReduction<unknown>): number {
    const key = this.nextReducerKey++;
    const entry = { module: reduction.module, init: reduction.init };
    this.installed.set(key, entry);
    for (const w of this.workers) w.worker.postMessage({ kind: 'install', key, ...entry } satisfies PoolRequest);
    return key;
  }

  uninstall(key: number): void {
    this.installed.delete(key);
    for (const w of this.workers) w.worker.postMessage({ kind: 'uninstall', key } satisfies PoolRequest);
  }

  /** Starts all workers now; resolves when they are ready (to overlap their start-up with other work). */
  async warmUp(): Promise<void> {
    while (this.workers.length < this.size) this.addWorker();
    // Keep the process alive while waiting for them (idle workers are unref'd).
    const starting = this.workers.filter((w) => w.pending.size === 0);
    for (const w of starting) w.worker.ref();
    await Promise.all(this.workers.map((w) => w.ready));
    for (const w of starting) if (w.pending.size === 0) w.worker.unref();
  }

  private addWorker(): PoolWorker {
    const worker = startWorker();
    let onReady = () => {};
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const slot: PoolWorker = { worker, pending: new Map(), ready };
    worker.on('message', (reply: PoolReply) => {
      if ('ready' in reply) return onReady();
      const job = slot.pending.get(reply.id);
      if (!job) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) job.resolve(reply.outcome);
      else job.reject(new BlockDecodeError(reply.index, reply.message));
    });
    const fail = (err: Error) => {
      onReady(); // a failed worker is not waited for; its jobs are rejected
      this.workers = this.workers.filter((w) => w !== slot);
      for (const job of slot.pending.values()) job.reject(new Error(`decode worker failed: ${err.message}`));
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    for (const [key, entry] of this.installed) worker.postMessage({ kind: 'install', key, ...entry } satisfies PoolRequest);
    this.workers.push(slot);
    return slot;
  }
}

const pools = new Map<number, DecodePool>();

/** The process-wide pool with `size` workers (started on first use). */
export function sharedPool(size: number): DecodePool {
  let pool = pools.get(size);
  if (!pool) pools.set(size, (pool = new DecodePool(size)));
  return pool;
}
