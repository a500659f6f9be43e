/**
 * Reading a .tif.gz in one pass over its gunzip stream: the head is buffered until the TIFF
 * directory parses, then the needed blocks are taken from the stream as it passes (uncompressed
 * blocks on this thread, compressed ones in batches for the decode workers while gunzip goes on),
 * and the stream is dropped after the last needed block. A layout that cannot be streamed
 * (directory after the data, overlapping blocks) is decompressed to a temporary file instead.
 */
import type { Readable } from 'node:stream';
import { makeBatches, planBlocks } from './blockPlan.ts';
import { GunzipCursor, parseGzipHead, truncatedStream } from './gunzipCursor.ts';
import { viaTempFile } from './gzipFallback.ts';
import { isUncompressed, readUncompressedFromStream } from './gzipUncompressed.ts';
import { type RasterInfo, toInfo } from './info.ts';
import { runBatches } from './ordering.ts';
import { openForReading, plainFileInfo, readPlainBlocks } from './plainFile.ts';
import type { Prepare, ReadOptions } from './request.ts';

/** Header of a .tif.gz (only the head of the stream is decompressed, unless the directory comes last). */
export async function gzipFileInfo(path: string): Promise<RasterInfo> {
  const cursor = new GunzipCursor(path);
  try {
    const { parsed } = await parseGzipHead(cursor, path);
    if (parsed) return toInfo(path, parsed, true);
  } finally {
    await cursor.close();
  }
  return await viaTempFile(
    path,
    new GunzipCursor(path),
    null,
    () => {},
    async (tmp) => {
      const tmpHandle = await openForReading(tmp);
      try {
        const info = await plainFileInfo(tmpHandle, path);
        return { ...info, layout: { ...info.layout, gzipped: true } };
      } finally {
        await tmpHandle.close();
      }
    },
  );
}

/** The compression of the blocks inside a .tif.gz, from the head of its stream; null if the directory is not in the head. */
export async function gzipInnerCompression(path: string): Promise<number | null> {
  const cursor = new GunzipCursor(path);
  try {
    return (await parseGzipHead(cursor, path)).parsed?.layout.format.compression ?? null;
  } finally {
    await cursor.close();
  }
}

/** Reads the .gz file at `path`, or the gzip stream `input` named `path` (e.g. a zip archive's entry). */
export async function readGzipBlocks(path: string, prepare: Prepare, opts: ReadOptions, input?: Readable): Promise<RasterInfo> {
  const cursor = new GunzipCursor(path, { onBytes: opts.onBytes, input });
  const notice = opts.onNotice ?? (() => {});
  try {
    const { parsed, head } = await parseGzipHead(cursor, path);
    const info = parsed ? toInfo(path, parsed, true) : null;
    const plan = info ? await prepare(info) : undefined;
    if (info && !plan) return info;
    const blocks = parsed && plan ? planBlocks(parsed.layout, plan.window, plan.rowEnds) : [];
    const batches = parsed ? makeBatches(blocks, parsed.layout) : null;
    if (!parsed || !plan || !batches) {
      // Asked again with the header read from the temp file (the same header when it was parsed here).
      const again: Prepare = plan ? async () => plan : prepare;
      return await viaTempFile(path, cursor, head, notice, async (tmp) => {
        const handle = await openForReading(tmp);
        try {
          return await readPlainBlocks(handle, path, true, again, opts);
        } finally {
          await handle.close();
        }
      });
    }
    if (isUncompressed(parsed)) {
      await readUncompressedFromStream(path, parsed, blocks, cursor, plan.consumer);
      return info!;
    }
    await runBatches(path, parsed, blocks, batches, opts, plan.consumer, async (batch) => {
      const length = batch.end - batch.start;
      const out = Buffer.allocUnsafeSlow(length);
      if (!(await cursor.bytes(batch.start, length, out, false))) {
        const index = batch.blocks.find((b) => b.offset + b.length > cursor.position)!.index;
        throw truncatedStream(path, parsed.layout, index, batch.end, cursor);
      }
      return { bytes: out.buffer as ArrayBuffer };
    });
    return info!;
  } finally {
    await cursor.close();
  }
}
