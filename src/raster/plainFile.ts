/**
 * Reading an uncompressed-on-disk TIFF (.tif, or a .tif.gz decompressed to a temporary file):
 * batches are read by the threads that decode them, straight from the file.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { CgerError, errorMessage } from '../common/errors.ts';
import { checkExtents, makeBatches, planBlocks, singleBlockBatches } from './blockPlan.ts';
import { type ByteSource, checkSignature, type ParsedTiff, parseTiff } from './header.ts';
import { type RasterInfo, toInfo } from './info.ts';
import { runBatches } from './ordering.ts';
import type { Prepare, ReadOptions } from './request.ts';

export async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw new CgerError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
}

function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafeSlow(n);
      if (n > 0) await handle.read(buf, 0, n, offset);
      return buf;
    },
  };
}

async function parseFile(handle: FileHandle, path: string, size: number): Promise<ParsedTiff> {
  const source = fileSource(handle, size);
  checkSignature(await source.read(0, 8), path);
  return parseTiff(source, path);
}

/** Header of an uncompressed TIFF, checking that every block lies inside the file. */
export async function plainFileInfo(handle: FileHandle, displayPath: string): Promise<RasterInfo> {
  const { size } = await handle.stat();
  const parsed = await parseFile(handle, displayPath, size);
  checkExtents(displayPath, parsed.layout, parsed.layout.offsets.keys(), size);
  return toInfo(displayPath, parsed, false);
}

export async function readPlainBlocks(handle: FileHandle, displayPath: string, gzipped: boolean, prepare: Prepare, opts: ReadOptions): Promise<RasterInfo> {
  const { size } = await handle.stat();
  const parsed = await parseFile(handle, displayPath, size);
  const info = toInfo(displayPath, parsed, gzipped);
  const plan = await prepare(info);
  if (!plan) return info;
  const blocks = planBlocks(parsed.layout, plan.window, plan.rowEnds);
  checkExtents(
    displayPath,
    parsed.layout,
    blocks.map((b) => b.index),
    size,
  );
  const batches = makeBatches(blocks, parsed.layout) ?? singleBlockBatches(blocks);
  // The batches are read where they are decoded (a worker, into memory it reuses).
  await runBatches(displayPath, parsed, blocks, batches, opts, plan.consumer, async (batch) => {
    opts.onBytes?.(batch.end - batch.start);
    return { fd: handle.fd, position: batch.start, length: batch.end - batch.start };
  });
  return info;
}
