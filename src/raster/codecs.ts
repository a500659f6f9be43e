/**
 * Block codecs other than DEFLATE, each writing into a buffer the size of the block and failing
 * on data that would decode past it. LZW and PackBits are written here: geotiff's decoders grow
 * plain arrays without bound, and its LZW decoder follows dictionary chains that a damaged code
 * stream can make cyclic (it then never ends). ZSTD is libzstd compiled to WebAssembly (zstddec),
 * called with the block's size as the output capacity.
 */
import { ZSTDDecoder } from 'zstddec';

/** Raised for a code stream that cannot be a valid block; the reader adds the file and block. */
export class CorruptBlock extends Error {}

const CLEAR = 256;
const EOI = 257;

function overrun(codec: string, capacity: number): CorruptBlock {
  return new CorruptBlock(`${codec} data decodes to more than the block's ${capacity} bytes`);
}

/**
 * TIFF LZW (MSB-first codes of 9-12 bits, code width raised one code early, as libtiff writes).
 * Returns the number of bytes written to `out`. Every dictionary entry points to an older one,
 * so expanding a code always ends; codes past the next free entry are corruption.
 */
export function decodeLzw(input: Uint8Array, out: Uint8Array): number {
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    length[i] = 1;
  }
  const totalBits = input.length * 8;
  let bitPos = 0;
  let width = 9;
  let next = 258;
  let old = -1;
  let written = 0;
  for (;;) {
    if (bitPos + width > totalBits) break; // no EOI: libtiff accepts this too
    const byte = bitPos >>> 3;
    const word = (input[byte] << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
    const code = (word >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      old = -1;
      continue;
    }
    if (old < 0) {
      if (code > 255) throw new CorruptBlock(`LZW code ${code} where a literal must follow a clear code`);
      if (written >= out.length) throw overrun('LZW', out.length);
      out[written++] = code;
      old = code;
      continue;
    }
    if (code > next) throw new CorruptBlock(`LZW code ${code} beyond the dictionary (${next} entries)`);
    if (next >= 4096) throw new CorruptBlock('LZW dictionary overflows 4096 entries without a clear code');
    // code === next: the string of `old` plus its own first byte.
    const source = code === next ? old : code;
    const n = length[source] + (code === next ? 1 : 0);
    if (written + n > out.length) throw overrun('LZW', out.length);
    let c = source;
    for (let p = written + length[source] - 1; p > written; p--) {
      out[p] = suffix[c];
      c = prefix[c];
    }
    out[written] = c;
    if (code === next) out[written + n - 1] = c;
    prefix[next] = old;
    suffix[next] = c;
    length[next] = length[old] + 1;
    next++;
    if (next >= (1 << width) - 1 && width < 12) width++;
    written += n;
    old = code;
  }
  return written;
}

/** PackBits (Macintosh run-length encoding). Returns the number of bytes written to `out`. */
export function decodePackBits(input: Uint8Array, out: Uint8Array): number {
  let i = 0;
  let written = 0;
  while (i < input.length) {
    const header = (input[i++] << 24) >> 24;
    if (header >= 0) {
      const n = header + 1;
      if (i + n > input.length) throw new CorruptBlock(`PackBits literal run of ${n} bytes past the end of the data`);
      if (written + n > out.length) throw overrun('PackBits', out.length);
      out.set(input.subarray(i, i + n), written);
      i += n;
      written += n;
    } else if (header !== -128) {
      const n = 1 - header;
      if (i >= input.length) throw new CorruptBlock('PackBits repeat run without its byte');
      if (written + n > out.length) throw overrun('PackBits', out.length);
      out.fill(input[i++], written, written + n);
      written += n;
    }
  }
  return written;
}

/**
 * Runs `start` with the global fetch hidden. zstddec loads its WebAssembly through fetch() when
 * fetch exists; Node's fetch first instantiates a WebAssembly HTTP parser of its own, and when
 * that fails (address space limited by ulimit -v) the error escapes as an uncaught exception.
 * Without fetch, zstddec instantiates from its bytes, and a failure rejects the returned promise.
 * zstddec decides synchronously, so fetch is restored before any other code runs.
 */
function withoutFetch<T>(start: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!descriptor?.configurable) return start();
  delete (globalThis as { fetch?: unknown }).fetch;
  try {
    return start();
  } finally {
    Object.defineProperty(globalThis, 'fetch', descriptor);
  }
}

let zstd: Promise<ZSTDDecoder> | undefined;

/** Starts the ZSTD decoder of this thread (once); a failure says why in the user's terms. */
export function loadZstd(): Promise<ZSTDDecoder> {
  zstd ??= (async () => {
    const decoder = new ZSTDDecoder();
    try {
      await withoutFetch(() => decoder.init());
    } catch (err) {
      zstd = undefined;
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `cannot start the ZSTD decoder (${why}): WebAssembly needs more address space than this process may use (see ulimit -v), or recompress the file (gdal_translate -co COMPRESS=DEFLATE)`,
      );
    }
    return decoder;
  })();
  return zstd;
}

/**
 * ZSTD into at most `capacity` bytes: libzstd refuses frames that decode to more (and reports
 * any other damage), which zstddec returns as an empty result.
 */
export function decodeZstd(decoder: ZSTDDecoder, input: Uint8Array, capacity: number): Uint8Array {
  const out = decoder.decode(input, capacity);
  if (out.length === 0) throw new CorruptBlock(`ZSTD data is corrupt or decodes to more than the block's ${capacity} bytes`);
  return out;
}
