/**
 * Reading a GeoTIFF (.tif or .tif.gz): header only, or the blocks that intersect a cell window,
 * in file order with bounded memory: either delivered decoded (readBlocks) or folded by a block
 * reducer where they are decoded (reduceBlocks: only small results cross threads).
 *
 * The parts: blockPlan.ts (which blocks, in which batches), plainFile.ts (a file the decoders
 * read themselves), gzipFile.ts (one pass over a gunzip stream: gunzipCursor.ts; uncompressed
 * blocks in gzipUncompressed.ts; the temp-file fallback in gzipFallback.ts), ordering.ts
 * (batches decoded on the pool, delivered in file order).
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { INLINE_BELOW_BYTES } from './blockPlan.ts';
import { isGzipFile } from './gunzipCursor.ts';
import { gzipFileInfo, gzipInnerCompression, readGzipBlocks } from './gzipFile.ts';
import type { RasterInfo } from './info.ts';
import { openForReading, plainFileInfo, readPlainBlocks } from './plainFile.ts';
import { sharedPool } from './pool.ts';
import type { Prepare, ReadOptions } from './request.ts';
import type { BlockReduction, RasterBlock, RasterInput } from './types.ts';

export type { RasterInfo } from './info.ts';
export type { ReadOptions } from './request.ts';

/** Header of a .tif or .tif.gz (for .gz only the head of the stream is decompressed). */
export async function readRasterInfo(path: string): Promise<RasterInfo> {
  const handle = await openForReading(path);
  try {
    if (await isGzipFile(handle)) return await gzipFileInfo(path);
    return await plainFileInfo(handle, path);
  } finally {
    await handle.close();
  }
}

/**
 * Streams the blocks intersecting `opts.window`, each decoded to a Float32Array (Float64Array for
 * Float64 and 32-bit integer rasters), calling onBlock in file order. Strips come whole (full
 * grid width) unless `opts.rowEnds` clips them; tiles are clipped to the grid. Nodata and NaN are
 * left as they are. Resolves with the raster's info when all blocks are delivered; rejects with
 * a CgerError on any failure.
 */
export function readBlocks(path: string, onBlock: (block: RasterBlock) => void, opts: ReadOptions = {}): Promise<RasterInfo> {
  return readWith(path, async () => ({ consumer: { kind: 'blocks', onBlock }, window: opts.window, rowEnds: opts.rowEnds }), opts);
}

/** What reduceBlocks reads, and the reducer that folds it. */
export interface ReducePlan<I> extends Pick<ReadOptions, 'window' | 'rowEnds'> {
  reduction: BlockReduction<I>;
}

/**
 * Like readBlocks, but the blocks are folded by a block reducer where they are decoded (worker
 * threads, or this thread for small reads and for uncompressed blocks inside a .gz), and what to
 * read is decided by `plan` from the raster's header (parsed once; null: nothing to read).
 * `onResult` receives one result per batch of adjacent blocks, in file order, whatever the thread
 * count, so folding the results in the order received is deterministic.
 */
export function reduceBlocks<I, R>(
  path: RasterInput,
  plan: (info: RasterInfo) => Promise<ReducePlan<I> | null>,
  onResult: (result: R) => void,
  opts: Omit<ReadOptions, 'window' | 'rowEnds'> = {},
): Promise<RasterInfo> {
  return readWith(
    path,
    async (info) => {
      const p = await plan(info);
      return (
        p && { consumer: { kind: 'reduce', reduction: p.reduction, onResult: onResult as (result: unknown) => void }, window: p.window, rowEnds: p.rowEnds }
      );
    },
    opts,
  );
}

async function readWith(input: RasterInput, prepare: Prepare, opts: ReadOptions): Promise<RasterInfo> {
  // A gzip stream (e.g. a zip archive's entry) is read as a .tif.gz file's stream would be.
  if (typeof input !== 'string') return readGzipBlocks(input.name, prepare, opts, await input.open());
  const path = input;
  const handle = await openForReading(path);
  try {
    if (await isGzipFile(handle)) return await readGzipBlocks(path, prepare, opts);
    return await readPlainBlocks(handle, path, false, prepare, opts);
  } finally {
    await handle.close();
  }
}

/**
 * Starts the decode worker threads now (default os.availableParallelism()) so their start-up
 * overlaps other work, e.g. loading boundaries before the first month is read.
 */
export async function warmUpDecoders(threads = availableParallelism()): Promise<void> {
  if (threads > 0) await sharedPool(threads).warmUp();
}

/**
 * Starts the decode workers in the background if any of `paths` will be decoded on them (big
 * enough, and not uncompressed blocks inside a .gz, which are read on the calling thread), so
 * that their start-up overlaps other work. Files that cannot be read are skipped: reading them
 * reports the problem.
 */
export async function warmUpDecodersFor(paths: string[], threads?: number): Promise<void> {
  if (threads === 0) return;
  const usesWorkers = async (path: string) => {
    if ((await stat(path)).size < INLINE_BELOW_BYTES) return false;
    const handle = await openForReading(path);
    try {
      return !(await isGzipFile(handle)) || (await gzipInnerCompression(path)) !== 1;
    } finally {
      await handle.close();
    }
  };
  for (const path of paths) {
    if (await usesWorkers(path).catch(() => false)) return warmUpDecoders(threads);
  }
}
