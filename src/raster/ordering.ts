/**
 * Runs batches on the decode pool (or this thread) and delivers their outcomes in file order,
 * with at most `2 x threads` batches in flight; sparse blocks are delivered at their place.
 */
import { CgerError, errorMessage } from '../common/errors.ts';
import { type BatchOutcome, type BatchSource, BlockDecodeError, createReducer, decodeInline } from './batch.ts';
import { type Batch, chooseThreads, type PlannedBlock } from './blockPlan.ts';
import { outputIsFloat64 } from './decode.ts';
import { describeBlock, type ParsedTiff } from './header.ts';
import { sharedPool } from './pool.ts';
import type { BatchConsumer, ReadOptions } from './request.ts';
import type { BlockReducer, RasterBlock } from './types.ts';

export function asRasterBlock(block: PlannedBlock, data: Float32Array | Float64Array): RasterBlock {
  return { row0: block.row0, col0: block.col0, width: block.keepCols, height: block.keepRows, data };
}

/** A block with no bytes (GDAL sparse file): nodata if the file has one, else 0, as GDAL reads it. */
export function sparseBlockData(parsed: ParsedTiff, block: PlannedBlock): Float32Array | Float64Array {
  const ctor = outputIsFloat64(parsed.layout.format) ? Float64Array : Float32Array;
  return new ctor(block.keepRows * block.keepCols).fill(parsed.nodata ?? 0);
}

/** Delivers batches in file order, with at most 2 x threads batches in flight (decoding or awaiting delivery). */
class OrderedDelivery {
  private queue: Array<{ batch: Batch; outcome: Promise<BatchOutcome> }> = [];
  /** The reducer's key on the worker pool (reduce mode with threads). */
  private poolReducer: number | undefined;
  /** A reducer on this thread: for inline decoding and sparse blocks (reduce mode). */
  private localReducer: Promise<BlockReducer<unknown>> | undefined;

  constructor(
    private readonly path: string,
    private readonly parsed: ParsedTiff,
    private readonly threads: number,
    private readonly consumer: BatchConsumer,
  ) {
    if (consumer.kind === 'reduce' && threads > 0) this.poolReducer = sharedPool(threads).install(consumer.reduction);
  }

  async submit(batch: Batch, source: BatchSource): Promise<void> {
    await this.makeRoom();
    const { format } = this.parsed.layout;
    const outcome =
      this.threads > 0
        ? sharedPool(this.threads).decode(format, source, batch.blocks, this.poolReducer)
        : this.reducer().then((reducer) => decodeInline(format, source, batch.blocks, reducer));
    outcome.catch(() => {}); // awaited in order by deliverHead; avoid an unhandled rejection meanwhile
    this.queue.push({ batch, outcome });
  }

  /** Waits until another batch may be submitted (before fetching its bytes, so they are not held while waiting). */
  async makeRoom(): Promise<void> {
    while (this.queue.length >= Math.max(2, 2 * this.threads)) await this.deliverHead();
  }

  async finish(): Promise<void> {
    while (this.queue.length > 0) await this.deliverHead();
  }

  /**
   * Call once, after the last batch or on failure: waits for batches still being decoded (they
   * read from the caller's file, which must stay open until then) and frees the reducer.
   */
  async close(): Promise<void> {
    await Promise.allSettled(this.queue.map((q) => q.outcome));
    this.queue = [];
    if (this.poolReducer !== undefined) sharedPool(this.threads).uninstall(this.poolReducer);
  }

  private async deliverHead(): Promise<void> {
    const { batch, outcome } = this.queue.shift()!;
    let result: BatchOutcome;
    try {
      result = await outcome;
    } catch (err) {
      if (err instanceof BlockDecodeError && err.index >= 0) {
        throw new CgerError(`${this.path}: ${describeBlock(this.parsed.layout, batch.blocks[err.index].index)} failed to decode: ${err.message}`);
      }
      if (err instanceof BlockDecodeError) throw new CgerError(`${this.path}: ${err.message}`);
      throw new CgerError(`${this.path}: decoding failed (${errorMessage(err)})`);
    }
    if (result.kind === 'arrays') result.arrays.forEach((data, i) => this.deliver(batch.blocks[i], data));
    else if (this.consumer.kind === 'reduce') this.consumer.onResult(result.reduced);
  }

  async deliverSparse(block: PlannedBlock): Promise<void> {
    const data = sparseBlockData(this.parsed, block);
    if (this.consumer.kind === 'blocks') return this.deliver(block, data);
    const reducer = (await this.reducer())!;
    reducer.add(asRasterBlock(block, data));
    this.consumer.onResult(reducer.take());
  }

  /** Hands a decoded block to onBlock (blocks mode); synchronous, so what onBlock throws fails the read. */
  private deliver(block: PlannedBlock, data: Float32Array | Float64Array): void {
    if (this.consumer.kind === 'blocks') this.consumer.onBlock(asRasterBlock(block, data));
  }

  private reducer(): Promise<BlockReducer<unknown> | undefined> {
    if (this.consumer.kind !== 'reduce') return Promise.resolve(undefined);
    this.localReducer ??= createReducer(this.consumer.reduction);
    return this.localReducer;
  }
}

/**
 * Runs the batches in file order; sparse blocks are delivered at their place in that order.
 * `fetch` is called in batch order, once there is room for the batch.
 */
export async function runBatches(
  path: string,
  parsed: ParsedTiff,
  blocks: PlannedBlock[],
  batches: Batch[],
  opts: ReadOptions,
  consumer: BatchConsumer,
  fetch: (batch: Batch) => Promise<BatchSource>,
): Promise<void> {
  const delivery = new OrderedDelivery(path, parsed, chooseThreads(opts, batches), consumer);
  try {
    const sparse = blocks.filter((b) => b.length === 0);
    let nextSparse = 0;
    for (const batch of batches) {
      while (nextSparse < sparse.length && sparse[nextSparse].offset <= batch.start) {
        await delivery.finish();
        await delivery.deliverSparse(sparse[nextSparse++]);
      }
      await delivery.makeRoom();
      await delivery.submit(batch, await fetch(batch));
    }
    await delivery.finish();
    while (nextSparse < sparse.length) await delivery.deliverSparse(sparse[nextSparse++]);
  } finally {
    await delivery.close();
  }
}
