/**
 * A small pool of decode worker threads shared by all reads in the process. Each request is a
 * batch of compressed blocks in one transferred buffer; the reply carries the decoded arrays
 * (transferred back, no copies). Idle workers are unref'd so they never keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { decodeBlock, getDecompressor, type BlockFormat, type BlockJob } from './decode.ts';

export interface BatchBlock extends BlockJob {
  /** Byte range of the compressed block inside the batch buffer. */
  start: number;
  length: number;
}

export interface DecodeRequest {
  id: number;
  format: BlockFormat;
  buffer: ArrayBuffer;
  blocks: BatchBlock[];
}

export type DecodeReply =
  | { id: 0; ready: true }
  | { id: number; ok: true; results: Array<Float32Array | Float64Array> }
  | { id: number; ok: false; index: number; message: string };

/** A block of a batch failed to decode: `index` is its position in the batch. */
export class BlockDecodeError extends Error {
  constructor(readonly index: number, message: string) {
    super(message);
  }
}

interface Pending {
  resolve(results: Array<Float32Array | Float64Array>): void;
  reject(err: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: Promise<void>;
}

/**
 * Starts a worker on the TypeScript source, registering tsx inside it (cger runs from .ts files).
 * workerData must be an object: geotiff's "web-worker" dependency, imported in the worker,
 * destructures it when not on the main thread.
 */
function startWorker(): Worker {
  const workerUrl = new URL('./decodeWorker.ts', import.meta.url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(workerUrl.href)});`;
  // execArgv []: not the parent's `--import tsx` on top of the register() above (each costs a loader start).
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: {}, execArgv: [] });
}

export class DecodePool {
  private workers: PoolWorker[] = [];
  private nextId = 1;

  constructor(readonly size: number) {}

  decode(format: BlockFormat, buffer: ArrayBuffer, blocks: BatchBlock[]): Promise<Array<Float32Array | Float64Array>> {
    const slot = this.workers.length < this.size ? this.addWorker() : this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const request: DecodeRequest = { id, format, buffer, blocks };
      slot.worker.postMessage(request, [buffer]);
    });
  }

  /** Starts all workers now; resolves when they are ready (to overlap their start-up with other work). */
  async warmUp(): Promise<void> {
    while (this.workers.length < this.size) this.addWorker();
    await Promise.all(this.workers.map((w) => w.ready));
  }

  private addWorker(): PoolWorker {
    const worker = startWorker();
    let onReady = () => {};
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const slot: PoolWorker = { worker, pending: new Map(), ready };
    worker.unref();
    worker.on('message', (reply: DecodeReply) => {
      if ('ready' in reply) return onReady();
      const job = slot.pending.get(reply.id);
      if (!job) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) job.resolve(reply.results);
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

/** Decodes a batch on the calling thread (small reads, where starting workers costs more). */
export async function decodeInline(format: BlockFormat, buffer: ArrayBuffer, blocks: BatchBlock[]): Promise<Array<Float32Array | Float64Array>> {
  const decompress = await getDecompressor(format.compression);
  return blocks.map((block, index) => {
    try {
      return decodeBlock(new Uint8Array(buffer, block.start, block.length), format, block, decompress);
    } catch (err) {
      throw new BlockDecodeError(index, err instanceof Error ? err.message : String(err));
    }
  });
}
