/**
 * Which blocks a read needs (those intersecting the window and holding a needed cell, each cut to
 * its last needed cell), in file order, and how they group into batches of adjacent byte ranges.
 */
import { availableParallelism } from 'node:os';
import { CgerError } from '../common/errors.ts';
import type { BatchBlock } from './batch.ts';
import { describeBlock, type TiffLayout } from './header.ts';
import type { ReadOptions } from './request.ts';
import type { CellWindow, RowEnds } from './types.ts';

/** A batch holds at most this many compressed bytes and decoded bytes (zeros compress ~1000:1). */
const BATCH_BYTES = 1024 * 1024;
export const BATCH_DECODED_BYTES = 4 * 1024 * 1024;
const BATCH_GAP = 64 * 1024;
/** Reads of less compressed data than this decode on the calling thread by default. */
export const INLINE_BELOW_BYTES = 4 * 1024 * 1024;

export interface PlannedBlock extends BatchBlock {
  index: number;
  offset: number;
}

export interface Batch {
  start: number;
  end: number;
  decodedBytes: number;
  blocks: PlannedBlock[];
}

/** The blocks intersecting `window` (and holding a cell `rowEnds` needs), sorted by file offset. */
export function planBlocks(layout: TiffLayout, window: CellWindow | undefined, rowEnds: RowEnds | undefined): PlannedBlock[] {
  const row0 = Math.max(0, window?.row0 ?? 0);
  const row1 = Math.min(layout.height, window?.row1 ?? layout.height);
  const col0 = Math.max(0, window?.col0 ?? 0);
  const col1 = Math.min(layout.width, window?.col1 ?? layout.width);
  const blocks: PlannedBlock[] = [];
  if (!(row1 > row0 && col1 > col0)) return blocks;
  const { blockWidth: bw, blockHeight: bh } = layout;
  const across = layout.kind === 'strips' ? [0, 1] : [Math.floor(col0 / bw), Math.ceil(col1 / bw)];
  for (let by = Math.floor(row0 / bh); by < Math.ceil(row1 / bh); by++) {
    for (let bx = across[0]; bx < across[1]; bx++) {
      const index = by * layout.blocksAcross + bx;
      const blockRow0 = by * bh;
      const blockCol0 = bx * bw;
      const gridRows = Math.min(bh, layout.height - blockRow0);
      let keepRows = gridRows;
      let keepCols = Math.min(bw, layout.width - blockCol0);
      if (rowEnds) {
        let lastRow = -1;
        let cols = 0;
        for (let r = Math.max(blockRow0, row0); r < Math.min(blockRow0 + gridRows, row1); r++) {
          const i = r - rowEnds.row0;
          const end = Math.min(i >= 0 && i < rowEnds.colEnd.length ? rowEnds.colEnd[i] : 0, blockCol0 + keepCols, col1);
          if (end > Math.max(blockCol0, col0)) {
            lastRow = r;
            cols = Math.max(cols, end - blockCol0);
          }
        }
        if (lastRow < 0) continue;
        keepRows = lastRow - blockRow0 + 1;
        keepCols = cols;
      }
      blocks.push({
        index,
        row0: blockRow0,
        col0: blockCol0,
        offset: layout.offsets[index],
        start: 0,
        length: layout.byteCounts[index],
        keepRows,
        keepCols,
      });
    }
  }
  return blocks.sort((a, b) => a.offset - b.offset || a.index - b.index);
}

/** Groups offset-sorted blocks into batches of adjacent byte ranges; null if blocks overlap. */
export function makeBatches(blocks: PlannedBlock[], layout: TiffLayout): Batch[] | null {
  const sampleBytes = layout.format.bitsPerSample / 8;
  const batches: Batch[] = [];
  let current: Batch | null = null;
  for (const block of blocks) {
    if (block.length === 0) continue; // sparse block, filled without reading
    const end = block.offset + block.length;
    const decoded = block.keepRows * layout.blockWidth * sampleBytes;
    if (current && block.offset < current.end) return null;
    if (!current || block.offset - current.end > BATCH_GAP || end - current.start > BATCH_BYTES || current.decodedBytes + decoded > BATCH_DECODED_BYTES) {
      current = { start: block.offset, end, decodedBytes: 0, blocks: [] };
      batches.push(current);
    }
    current.end = end;
    current.decodedBytes += decoded;
    block.start = block.offset - current.start;
    current.blocks.push(block);
  }
  return batches;
}

/** One batch per block: for overlapping blocks (legal TIFF, never written by GDAL), read one by one. */
export function singleBlockBatches(blocks: PlannedBlock[]): Batch[] {
  return blocks.filter((b) => b.length > 0).map((b) => ({ start: b.offset, end: b.offset + b.length, decodedBytes: 0, blocks: [{ ...b, start: 0 }] }));
}

export function checkExtents(path: string, layout: TiffLayout, blocks: Iterable<number>, fileSize: number): void {
  for (const index of blocks) {
    const end = layout.offsets[index] + layout.byteCounts[index];
    if (layout.byteCounts[index] > 0 && end > fileSize) {
      const block = describeBlock(layout, index);
      throw new CgerError(`${path}: file is truncated: ${block} needs bytes ${layout.offsets[index]}-${end} but the file has ${fileSize} bytes`);
    }
  }
}

export function chooseThreads(opts: ReadOptions, batches: Batch[]): number {
  if (opts.threads !== undefined) return Math.max(0, Math.floor(opts.threads));
  const bytes = batches.reduce((sum, b) => sum + (b.end - b.start), 0);
  return bytes < INLINE_BELOW_BYTES ? 0 : availableParallelism();
}
