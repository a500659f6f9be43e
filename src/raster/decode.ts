/**
 * Decoding one compressed TIFF block (strip or tile) into numbers: decompress, undo the
 * predictor, fix the byte order, widen to Float32/Float64. Runs in the decode workers (and on
 * the main thread for small reads). DEFLATE goes through Node's native zlib (7-17x faster than
 * geotiff's pako path); the other codecs are in codecs.ts. No decoder writes past the block's
 * size, and a block that decodes to less than its cells is corrupt.
 */
import { createInflate, inflateSync, constants as zlibConstants } from 'node:zlib';
import { decodeLzw, decodePackBits, decodeZstd, loadZstd } from './codecs.ts';

/** Everything needed to decode any block of one image (plain data, so it can cross to a worker). */
export interface BlockFormat {
  compression: number;
  predictor: number;
  bitsPerSample: number;
  /** TIFF SampleFormat: 1 unsigned int, 2 signed int, 3 IEEE float. */
  sampleFormat: number;
  littleEndian: boolean;
  /** Samples per encoded row of a block (image width for strips, tile width for tiles). */
  blockWidth: number;
  /** Rows of a whole block (rows per strip, or tile height): with blockWidth, what a block may decode to at most. */
  blockHeight: number;
}

/**
 * One block to decode: how many of its leading rows and columns to keep. Only the
 * bytes up to the last kept cell are decoded (whole rows with predictor 3, whose byte planes
 * span a row): a stream decodes front to back, so the rest of the block costs nothing.
 */
export interface BlockJob {
  keepRows: number;
  keepCols: number;
}

export const SUPPORTED_COMPRESSIONS = new Map<number, string>([
  [1, 'none'],
  [5, 'LZW'],
  [8, 'DEFLATE'],
  [32946, 'DEFLATE'],
  [32773, 'PackBits'],
  [50000, 'ZSTD'],
]);

/** Decoded values are Float64 when Float32 could not hold them exactly. */
export function outputIsFloat64(fmt: Pick<BlockFormat, 'bitsPerSample' | 'sampleFormat'>): boolean {
  return fmt.bitsPerSample === 64 || (fmt.sampleFormat !== 3 && fmt.bitsPerSample === 32);
}

/**
 * Decompresses at least the first `needed` decoded bytes of one block, and never more than
 * `capacity` (the whole block): data that would decode past it is corrupt. DEFLATE keeps only
 * the `needed` prefix, in `into` when given (a scratch buffer reused from block to block), else in
 * memory of its own (the rest is inflated only to check the stream's end and checksum); the other
 * codecs decode the whole block into memory of their own (uncompressed: the input itself).
 */
export type Decompressor = (bytes: Uint8Array, needed: number, capacity: number, into?: Uint8Array) => Uint8Array;

/** The native zlib stream handle under a zlib.Inflate (what zlib.inflateSync itself drives). */
interface NativeZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

/** Inflates a zlib stream's first `into.length` bytes into `into`; see createInflater. */
export type Inflater = (bytes: Uint8Array, into: Uint8Array, capacity?: number) => number;

/**
 * DEFLATE through Node's native zlib, with one inflate stream per thread reused for every block
 * and the output written where the caller says. zlib.inflateSync builds a stream and a fresh
 * output buffer per call: over the ~6,000 strips of a month, faulting in that fresh memory cost
 * ~10% of the decode CPU (perf, see BENCHMARKS.md), and the public API has no "inflate into this
 * buffer". So this drives the stream's native handle (writeSync/reset, as inflateSync does
 * internally), and falls back to inflateSync plus a copy on a Node without that handle.
 *
 * The stream is always inflated to its end, the part past `into` into a small reused buffer,
 * so that its Adler-32 checksum is verified: a damaged stream can inflate without a zlib error
 * to wrong values. More than `capacity` bytes in all (default: DEFLATE's largest expansion of
 * the input) is an error; returns the bytes written to `into`.
 */
export function createInflater(useNativeHandle = true): Inflater {
  const stream = createInflate();
  const internals = stream as unknown as { _handle?: NativeZlibHandle; _writeState?: Uint32Array };
  const handle = internals._handle;
  const state = internals._writeState; // [output bytes left, input bytes left] after writeSync
  const bound = (bytes: Uint8Array, capacity?: number) => capacity ?? 1032 * bytes.length + 64;
  const overrun = (capacity: number) => new Error(`DEFLATE data decodes to more than the block's ${capacity} bytes`);
  if (!useNativeHandle || typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
    stream.close();
    return (bytes, into, capacity) => {
      let out: Buffer;
      try {
        out = inflateSync(bytes, { maxOutputLength: Math.max(1, bound(bytes, capacity)) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw overrun(bound(bytes, capacity));
        throw err;
      }
      into.set(out.subarray(0, into.length));
      return Math.min(out.length, into.length);
    };
  }
  let error: string | null = null;
  handle.onerror = (message) => {
    error = message;
  };
  const sink = new Uint8Array(64 * 1024);
  return (bytes, into, capacity) => {
    const limit = bound(bytes, capacity);
    error = null;
    handle.reset();
    // Output beyond `into` is not produced: a damaged stream cannot inflate without bound.
    handle.writeSync(zlibConstants.Z_FINISH, bytes, 0, bytes.length, into, 0, into.length);
    if (error !== null) throw new Error(error);
    if (state[0] > 0) return into.length - state[0]; // the stream ended within `into`
    let total = into.length;
    do {
      handle.writeSync(zlibConstants.Z_FINISH, bytes, bytes.length - state[1], state[1], sink, 0, sink.length);
      if (error !== null) throw new Error(error);
      total += sink.length - state[0];
      if (total > limit) throw overrun(limit);
    } while (state[0] === 0);
    return into.length;
  };
}

let threadInflater: Inflater | undefined;

/** Codecs that decode a whole block into a buffer of its size, returning the bytes written. */
const bufferCodecs = new Map<number, (bytes: Uint8Array, out: Uint8Array) => number>([
  [5, decodeLzw],
  [32773, decodePackBits],
]);

/** The decompression step for a compression code (the ZSTD decoder is started once per thread). */
export async function getDecompressor(compression: number): Promise<Decompressor> {
  if (compression === 1) return (bytes) => bytes;
  if (compression === 8 || compression === 32946) {
    const inflate = (threadInflater ??= createInflater());
    return (bytes, needed, capacity, into) => {
      const out = into ?? Buffer.allocUnsafeSlow(needed);
      return out.subarray(0, inflate(bytes, out.subarray(0, needed), capacity));
    };
  }
  if (compression === 50000) {
    const zstd = await loadZstd();
    return (bytes, _needed, capacity) => decodeZstd(zstd, bytes, capacity);
  }
  const codec = bufferCodecs.get(compression);
  if (!codec) throw new Error(`no decoder for compression ${compression}`);
  return (bytes, _needed, capacity) => {
    const out = new Uint8Array(capacity);
    return out.subarray(0, codec(bytes, out));
  };
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 2)
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const t = bytes[i];
      bytes[i] = bytes[i + 1];
      bytes[i + 1] = t;
    }
  else if (size === 4)
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      let t = bytes[i];
      bytes[i] = bytes[i + 3];
      bytes[i + 3] = t;
      t = bytes[i + 1];
      bytes[i + 1] = bytes[i + 2];
      bytes[i + 2] = t;
    }
  else if (size === 8)
    for (let i = 0; i + 7 < bytes.length; i += 8) {
      for (let a = i, b = i + 7; a < b; a++, b--) {
        const t = bytes[a];
        bytes[a] = bytes[b];
        bytes[b] = t;
      }
    }
}

/**
 * Predictor 2 (libtiff horAcc): each sample, as an unsigned integer, adds the previous one in its
 * row. `count` samples from the start of a block of rows `width` samples wide (the last row may be partial).
 */
function undoHorizontalDifferencing(bytes: Uint8Array, count: number, width: number, size: number): void {
  const ctor = size === 1 ? Uint8Array : size === 2 ? Uint16Array : size === 4 ? Uint32Array : BigUint64Array;
  const samples = new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count) as Uint8Array | Uint16Array | Uint32Array | BigUint64Array;
  for (let start = 0; start < count; start += width) {
    const end = Math.min(start + width, count);
    if (samples instanceof BigUint64Array) {
      for (let i = start + 1; i < end; i++) samples[i] += samples[i - 1];
    } else {
      for (let i = start + 1; i < end; i++) samples[i] += samples[i - 1];
    }
  }
}

/**
 * Predictor 3 (libtiff fpAcc): bytes were differenced along the row, after each row's values
 * were split into byte planes, most significant plane first (whatever the file's byte order).
 * Returns the values in little-endian byte order.
 */
function undoFloatingPointPredictor(bytes: Uint8Array, rows: number, width: number, size: number): Uint8Array {
  const out = new Uint8Array(rows * width * size);
  const rowBytes = width * size;
  for (let r = 0; r < rows; r++) {
    const row = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = 1; i < rowBytes; i++) row[i] = (row[i] + row[i - 1]) & 0xff;
    const base = r * rowBytes;
    for (let plane = 0; plane < size; plane++) {
      const src = plane * width;
      const dst = base + (size - 1 - plane);
      for (let c = 0; c < width; c++) out[dst + c * size] = row[src + c];
    }
  }
  return out;
}

/** A view of little-endian bytes as the sample type, aligned (copied when it is not). */
function viewSamples(bytes: Uint8Array, fmt: BlockFormat, count: number) {
  const size = fmt.bitsPerSample / 8;
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes.subarray(0, count * size));
  const { buffer, byteOffset } = aligned;
  if (fmt.sampleFormat === 3) return size === 4 ? new Float32Array(buffer, byteOffset, count) : new Float64Array(buffer, byteOffset, count);
  if (fmt.sampleFormat === 2) {
    return size === 1
      ? new Int8Array(buffer, byteOffset, count)
      : size === 2
        ? new Int16Array(buffer, byteOffset, count)
        : new Int32Array(buffer, byteOffset, count);
  }
  return size === 1
    ? new Uint8Array(buffer, byteOffset, count)
    : size === 2
      ? new Uint16Array(buffer, byteOffset, count)
      : new Uint32Array(buffer, byteOffset, count);
}

/**
 * Decodes one block. Throws a plain Error with the codec's message on failure (the caller adds
 * the file and block). The result has `keepRows x keepCols` values, row-major. Without `scratch`
 * it owns its buffer (it may be transferred to another thread); with `scratch` (at least the
 * block's decoded size) it may be a view of `scratch`, valid until `scratch` is used again.
 */
export function decodeBlock(
  compressed: Uint8Array,
  fmt: BlockFormat,
  job: BlockJob,
  decompress: Decompressor,
  scratch?: Uint8Array,
): Float32Array | Float64Array {
  const size = fmt.bitsPerSample / 8;
  const width = fmt.blockWidth;
  // Samples up to the last kept cell (see BlockJob).
  const rowsOnly = fmt.predictor === 3 || job.keepCols === width;
  const count = rowsOnly ? job.keepRows * width : (job.keepRows - 1) * width + job.keepCols;
  const expected = count * size;
  let bytes = decompress(compressed, expected, width * fmt.blockHeight * size, scratch);
  if (bytes.length < expected) {
    throw new Error(`data ends after ${bytes.length} decoded bytes, ${expected} needed`);
  }
  // The bytes are changed in place below and may be handed to another thread: copy them
  // (new Uint8Array; Buffer.slice would only view) unless they are in the scratch buffer or in a
  // buffer of their own (not the input, not Node's shared pool for small buffers, not much bigger).
  const owned =
    (scratch !== undefined && bytes.buffer === scratch.buffer) ||
    (fmt.compression !== 1 && bytes !== compressed && bytes.byteOffset === 0 && bytes.buffer.byteLength < expected + 4096);
  bytes = owned ? bytes.subarray(0, expected) : new Uint8Array(bytes.subarray(0, expected));
  if (fmt.predictor === 3) {
    bytes = undoFloatingPointPredictor(bytes, job.keepRows, width, size);
  } else {
    if (!fmt.littleEndian && size > 1) swapBytes(bytes, size);
    if (fmt.predictor === 2) undoHorizontalDifferencing(bytes, count, width, size);
  }
  const samples = viewSamples(bytes, fmt, count);
  const ctor = outputIsFloat64(fmt) ? Float64Array : Float32Array;
  // Kept cells are contiguous when rows are kept whole or there is one row.
  const contiguous = job.keepCols === width || job.keepRows === 1;
  if (contiguous && samples instanceof ctor && samples.byteOffset === 0) {
    return samples.subarray(0, job.keepRows * job.keepCols) as Float32Array | Float64Array;
  }
  const out = new ctor(job.keepRows * job.keepCols);
  if (contiguous) {
    out.set(samples.subarray(0, out.length));
  } else {
    for (let r = 0; r < job.keepRows; r++) {
      out.set(samples.subarray(r * width, r * width + job.keepCols), r * job.keepCols);
    }
  }
  return out;
}
