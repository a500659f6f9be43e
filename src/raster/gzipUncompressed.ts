/**
 * Uncompressed blocks inside a gzip stream (the layout ODIAC ships: a Float32 TIFF with 1-row
 * strips, gzipped as a whole), summed or delivered on the calling thread straight from the
 * gunzip output. Gunzip, on libuv's thread pool, is the whole cost here: turning bytes into
 * numbers is a view (or one copy for a block straddling two chunks), so a decode worker would
 * only add a copy and a round trip. The stream is dropped after the last needed block.
 */
import { CgerError } from '../common/errors.ts';
import { createReducer } from './batch.ts';
import { BATCH_DECODED_BYTES, type PlannedBlock } from './blockPlan.ts';
import { type BlockFormat, type Decompressor, decodeBlock } from './decode.ts';
import { type GunzipCursor, truncatedStream } from './gunzipCursor.ts';
import { describeBlock, type ParsedTiff } from './header.ts';
import { asRasterBlock, sparseBlockData } from './ordering.ts';
import type { BatchConsumer } from './request.ts';
import type { BlockReducer } from './types.ts';

const asIs: Decompressor = (bytes) => bytes;

/** Decoded bytes up to a block's last kept cell (whole rows with predictor 3). */
function neededBytes(format: BlockFormat, block: PlannedBlock): number {
  const width = format.blockWidth;
  const rowsOnly = format.predictor === 3 || block.keepCols === width;
  const count = rowsOnly ? block.keepRows * width : (block.keepRows - 1) * width + block.keepCols;
  return count * (format.bitsPerSample / 8);
}

/** The block's values viewed in place, when its bytes already are the samples in order (Float32/64, little-endian, no predictor). */
function viewInPlace(format: BlockFormat, block: PlannedBlock, bytes: Uint8Array): Float32Array | Float64Array | null {
  const size = format.bitsPerSample / 8;
  const native = format.sampleFormat === 3 && (size === 4 || size === 8) && format.predictor === 1 && format.littleEndian;
  const contiguous = block.keepCols === format.blockWidth || block.keepRows === 1;
  if (!native || !contiguous || bytes.byteOffset % size !== 0) return null;
  const count = block.keepRows * block.keepCols;
  return size === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, count) : new Float64Array(bytes.buffer, bytes.byteOffset, count);
}

export function isUncompressed(parsed: ParsedTiff): boolean {
  return parsed.layout.format.compression === 1;
}

/** Reads `blocks` (offset-sorted, not overlapping) from the stream and hands them to the consumer. */
export async function readUncompressedFromStream(
  path: string,
  parsed: ParsedTiff,
  blocks: PlannedBlock[],
  cursor: GunzipCursor,
  consumer: BatchConsumer,
): Promise<void> {
  const { format } = parsed.layout;
  const size = format.bitsPerSample / 8;
  const reducer: BlockReducer<unknown> | undefined = consumer.kind === 'reduce' ? await createReducer(consumer.reduction) : undefined;
  // Reused for blocks straddling two chunks (or not aligned to their sample size).
  let scratch = new Uint8Array(0);
  let pendingBytes = 0;
  const flush = () => {
    if (consumer.kind === 'reduce' && pendingBytes > 0) consumer.onResult(reducer!.take());
    pendingBytes = 0;
  };
  for (const block of blocks) {
    if (block.length === 0) {
      const data = sparseBlockData(parsed, block);
      if (consumer.kind === 'blocks') consumer.onBlock(asRasterBlock(block, data));
      else reducer!.add(asRasterBlock(block, data));
      pendingBytes += data.byteLength;
      continue;
    }
    const length = Math.min(block.length, neededBytes(format, block));
    if (scratch.length < length) scratch = new Uint8Array(length);
    let bytes = await cursor.bytes(block.offset, length, scratch, true);
    if (!bytes) throw truncatedStream(path, parsed.layout, block.index, block.offset + length, cursor);
    let data: Float32Array | Float64Array | null = null;
    if (consumer.kind === 'reduce' && length === neededBytes(format, block)) {
      data = viewInPlace(format, block, bytes);
      if (!data && bytes.buffer !== scratch.buffer && bytes.byteOffset % size !== 0) {
        scratch.set(bytes);
        bytes = scratch.subarray(0, length);
        data = viewInPlace(format, block, bytes);
      }
    }
    try {
      // Other sample types, byte orders and predictors, and blocks handed over (blocks mode), go
      // through the block decoder, which returns memory of the block's own.
      data ??= decodeBlock(bytes, format, block, asIs);
    } catch (err) {
      throw new CgerError(`${path}: ${describeBlock(parsed.layout, block.index)} failed to decode: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (consumer.kind === 'blocks') consumer.onBlock(asRasterBlock(block, data));
    else reducer!.add(asRasterBlock(block, data));
    pendingBytes += data.byteLength;
    if (pendingBytes >= BATCH_DECODED_BYTES) flush();
  }
  flush();
}
