/**
 * A gzipped file's decompressed bytes, pulled front to back: chunk by chunk, with the TIFF
 * header's head buffered until the directory parses, and byte ranges cut from the chunks as they
 * pass (viewed in place where a range lies within one chunk). Closing it stops the inflating.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { CgerError } from '../common/errors.ts';
import { gunzipError } from './gzipError.ts';
import { type ByteSource, checkSignature, describeBlock, NeedMoreBytes, type ParsedTiff, parseTiff, type TiffLayout } from './header.ts';

/** The buffered head of a .gz stream must hold the TIFF directory, else the temp-file path is used. */
const GZ_HEAD_LIMIT = 16 * 1024 * 1024;

export async function isGzipFile(handle: FileHandle): Promise<boolean> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
  return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}

export interface GunzipCursorOptions {
  onBytes?: (n: number) => void;
  /** Decompressed bytes gunzip may run ahead of the reader (default 32 MB). */
  readAhead?: number;
  /** The gzip bytes as a stream (e.g. a zip archive's entry) instead of the file at `path`. */
  input?: Readable;
}

/** Pulls a gunzip stream chunk by chunk, mapping zlib errors to CgerErrors. */
export class GunzipCursor {
  /** Bytes pulled so far (position of the end of `chunk` in the decompressed stream). */
  position = 0;
  /** The current chunk: decompressed bytes [position - chunk.length, position). */
  chunk: Buffer = Buffer.alloc(0);
  ended = false;
  private readonly input: Readable;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(
    private readonly path: string,
    opts: GunzipCursorOptions = {},
  ) {
    this.input = opts.input ?? createReadStream(path, { highWaterMark: 1 << 20 });
    // Reading ahead (zlib streams pass stream options on) keeps gunzip, the serial part of a .gz
    // read, going while the reader sums or batches wait for the decoders.
    const options: ZlibOptions & { highWaterMark: number } = { chunkSize: 1 << 20, highWaterMark: opts.readAhead ?? 32 << 20 };
    const gunzip = createGunzip(options);
    const { onBytes } = opts;
    if (onBytes) this.input.on('data', (c: Buffer) => onBytes(c.length));
    this.input.on('error', (err: Error) => gunzip.destroy(err));
    this.input.pipe(gunzip);
    this.iterator = gunzip[Symbol.asyncIterator]();
  }

  /** Next decompressed chunk, or null at the end of the stream. */
  async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (err) {
      throw gunzipError(this.path, err, this.position);
    }
    if (result.done) {
      this.ended = true;
      return null;
    }
    this.chunk = result.value;
    this.position += this.chunk.length;
    return this.chunk;
  }

  /**
   * Bytes [offset, offset + length) of the decompressed stream (offsets only move forward: the
   * chunks before the current one are gone). A view into the current chunk when the range lies in
   * it and `mayView`, else copied into `into` (at least `length` long). Null if the stream ends first.
   */
  async bytes(offset: number, length: number, into: Uint8Array, mayView: boolean): Promise<Uint8Array | null> {
    if (offset < this.position - this.chunk.length) throw new Error(`gzip stream already passed byte ${offset}`);
    while (offset >= this.position && length > 0) if (!(await this.next())) return null;
    const chunkStart = this.position - this.chunk.length;
    if (mayView && offset + length <= this.position) return this.chunk.subarray(offset - chunkStart, offset - chunkStart + length);
    let filled = 0;
    while (filled < length) {
      const want = offset + filled;
      const start = this.position - this.chunk.length;
      if (want < this.position) {
        filled += this.chunk.copy(into, filled, want - start, Math.min(this.chunk.length, offset + length - start));
      } else if (!(await this.next())) {
        return null;
      }
    }
    return into.subarray(0, length);
  }

  /** Stops reading and inflating. */
  async close(): Promise<void> {
    this.ended = true;
    this.input.destroy();
    await this.iterator.return?.();
  }
}

/** The error for a block whose bytes (up to `end`) the stream ended before. */
export function truncatedStream(path: string, layout: TiffLayout, index: number, end: number, cursor: GunzipCursor): CgerError {
  const block = describeBlock(layout, index);
  return new CgerError(`${path}: file is truncated: ${block} needs bytes up to ${end} but the TIFF data ends at byte ${cursor.position}`);
}

/**
 * Buffers the head of the stream until the TIFF directory parses (or the head limit: then
 * `parsed` is null). The head becomes the cursor's current chunk, so blocks inside it are cut from it.
 */
export async function parseGzipHead(cursor: GunzipCursor, path: string): Promise<{ parsed: ParsedTiff | null; head: Buffer }> {
  const chunks: Buffer[] = [];
  let head: Buffer = Buffer.alloc(0);
  const fill = async (end: number) => {
    while (cursor.position < end && (await cursor.next())) chunks.push(cursor.chunk);
    head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    chunks.splice(0, chunks.length, head);
    cursor.chunk = head;
  };
  await fill(16);
  checkSignature(head, path);
  const source: ByteSource = {
    async read(offset, length) {
      if (offset + length > head.length && !cursor.ended) throw new NeedMoreBytes(offset + length);
      return head.subarray(offset, offset + length);
    },
  };
  for (;;) {
    try {
      return { parsed: await parseTiff(source, path), head };
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (err.end > GZ_HEAD_LIMIT) return { parsed: null, head };
      await fill(Math.min(GZ_HEAD_LIMIT, Math.max(err.end, 2 * head.length)));
    }
  }
}
