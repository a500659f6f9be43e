/**
 * Decoding one batch of adjacent compressed blocks on the current thread (a decode worker, or
 * the reader's thread for small reads): reading its bytes, decoding each block, and handing the
 * blocks over as arrays or to a block reducer.
 */
import { readSync } from 'node:fs';
import { type BlockFormat, type BlockJob, type Decompressor, decodeBlock, getDecompressor } from './decode.ts';
import type { BlockReducer, BlockReducerModule, BlockReduction } from './types.ts';

export interface BatchBlock extends BlockJob {
  /** Byte range of the compressed block inside the batch buffer. */
  start: number;
  length: number;
  /** Where the decoded block lies on the grid (what a reducer is told). */
  row0: number;
  col0: number;
}

/**
 * Where a batch's compressed bytes are: in an open file (read where the batch is decoded; file
 * descriptors are shared by all threads of the process, and the reader keeps it open until every
 * batch has finished), or given.
 */
export type BatchSource = { fd: number; position: number; length: number } | { bytes: ArrayBuffer };

/** What a decode request resolves to: the decoded arrays, or the reducer's result for the batch. */
export type BatchOutcome = { kind: 'arrays'; arrays: Array<Float32Array | Float64Array> } | { kind: 'reduced'; reduced: unknown };

/** A block of a batch failed to decode: `index` is its position in the batch (-1: the batch as a whole, e.g. reading it). */
export class BlockDecodeError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the reducer a BlockReduction names, on this thread (loading its module). */
export async function createReducer({ module, init }: BlockReduction<unknown>): Promise<BlockReducer<unknown>> {
  const mod = (await import(module)) as BlockReducerModule<unknown, unknown>;
  return mod.createBlockReducer(init);
}

/**
 * This thread's memory for batches read from files, and for one decoded block when reducing:
 * reused, as fresh memory is costly (see decode.ts), unless a rare huge block made it large.
 */
let readBuffer = new Uint8Array(0);
let scratch = new Uint8Array(0);
const KEEP_BUFFERS_BELOW = 16 << 20;

/** The batch's bytes: read into this thread's reused buffer, or the bytes given. */
function batchBytes(source: BatchSource): ArrayBuffer {
  if ('bytes' in source) return source.bytes;
  if (readBuffer.length < source.length) readBuffer = new Uint8Array(source.length);
  let filled = 0;
  try {
    while (filled < source.length) {
      const n = readSync(source.fd, readBuffer, filled, source.length - filled, source.position + filled);
      if (n === 0) break;
      filled += n;
    }
  } catch (err) {
    throw new BlockDecodeError(
      -1,
      `cannot read bytes ${source.position}-${source.position + source.length} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  if (filled < source.length) throw new BlockDecodeError(-1, `file is truncated at byte ${source.position + filled}`);
  return readBuffer.buffer as ArrayBuffer;
}

/**
 * Decodes a batch's blocks one by one, handing each to `use` (the worker does this for pool
 * requests; the reader does it on the calling thread for small reads). With `reuse`, a block's
 * data is only valid during its `use` call.
 */
function decodeBatch(
  format: BlockFormat,
  buffer: ArrayBuffer,
  blocks: BatchBlock[],
  reuse: boolean,
  decompress: Decompressor,
  use: (data: Float32Array | Float64Array, block: BatchBlock) => void,
): void {
  const sampleBytes = format.bitsPerSample / 8;
  blocks.forEach((block, index) => {
    let data: Float32Array | Float64Array;
    try {
      const decodedBytes = block.keepRows * format.blockWidth * sampleBytes;
      if (reuse && scratch.length < decodedBytes) scratch = new Uint8Array(decodedBytes);
      data = decodeBlock(new Uint8Array(buffer, block.start, block.length), format, block, decompress, reuse ? scratch : undefined);
    } catch (err) {
      throw new BlockDecodeError(index, err instanceof Error ? err.message : String(err));
    }
    use(data, block);
  });
}

/**
 * Reads and decodes a batch on this thread, into arrays or through `reducer` (what the worker
 * does for each request; the reader does it on the calling thread for small reads).
 */
export async function decodeInline(format: BlockFormat, source: BatchSource, blocks: BatchBlock[], reducer?: BlockReducer<unknown>): Promise<BatchOutcome> {
  const decompress = await getDecompressor(format.compression);
  try {
    const buffer = batchBytes(source);
    if (reducer) {
      decodeBatch(format, buffer, blocks, true, decompress, (data, b) =>
        reducer.add({ row0: b.row0, col0: b.col0, width: b.keepCols, height: b.keepRows, data }),
      );
      return { kind: 'reduced', reduced: reducer.take() };
    }
    const arrays: Array<Float32Array | Float64Array> = [];
    decodeBatch(format, buffer, blocks, false, decompress, (data) => arrays.push(data));
    return { kind: 'arrays', arrays };
  } catch (err) {
    // The same error, decoded here or on a worker: a block's, or the batch's (-1).
    throw err instanceof BlockDecodeError ? err : new BlockDecodeError(-1, err instanceof Error ? err.message : String(err));
  } finally {
    if (readBuffer.length > KEEP_BUFFERS_BELOW) readBuffer = new Uint8Array(0);
    if (scratch.length > KEEP_BUFFERS_BELOW) scratch = new Uint8Array(0);
  }
}
