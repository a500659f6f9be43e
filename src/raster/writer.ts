import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import type { Grid } from './types.ts';

/**
 * A small GeoTIFF writer for ODIAC-like grids: classic little-endian TIFF, one Float32 band,
 * strips of one row compressed with DEFLATE (zlib, TIFF compression 8, as GDAL writes ODIAC;
 * encoded by `sparseZlib` below, fast for rows of mostly zeros),
 * georeferenced with ModelPixelScale + ModelTiepoint and GeoKeys for EPSG:4326
 * (pixel-is-area). Optionally gzipped as a whole, as ODIAC ships its files.
 *
 * Memory stays bounded by the compressed size of one file (never the raw image): rows are
 * requested one at a time and compressed at once; the header and the IFD (which hold every
 * strip's offset and byte count) are written first, so readers that stream a `.tif.gz` meet the
 * IFD before the data.
 */
export interface StripWriterOptions {
  grid: Grid;
  /** Gzip the whole file (for `.tif.gz`). */
  gzip?: boolean;
  /** zlib level of the outer gzip (default 6, gzip's default). */
  level?: number;
  /** GDAL_NODATA tag value, when the grid has one. */
  nodata?: number;
}

export interface WrittenFile {
  path: string;
  bytes: number;
  /** MD5 (hex) of the bytes written (of the gzipped file when `gzip`). */
  md5: string;
}

/** Supplies row `row` (top row 0) of the grid; the array may be reused between calls. */
export type RowSource = (row: number) => Float32Array;

const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_ASCII = 2;
const TYPE_DOUBLE = 12;
const TYPE_SIZE: Record<number, number> = { [TYPE_ASCII]: 1, [TYPE_SHORT]: 2, [TYPE_LONG]: 4, [TYPE_DOUBLE]: 8 };

interface TagEntry {
  tag: number;
  type: number;
  values: number[] | string;
}

/** GeoKeyDirectory: version 1.1.0, geographic model, pixel-is-area, WGS 84, degrees. */
export const GEO_KEYS_EPSG4326 = [
  1, 1, 0, 4,
  1024, 0, 1, 2, // GTModelTypeGeoKey = ModelTypeGeographic
  1025, 0, 1, 1, // GTRasterTypeGeoKey = RasterPixelIsArea
  2048, 0, 1, 4326, // GeographicTypeGeoKey = EPSG:4326
  2054, 0, 1, 9102, // GeogAngularUnitsGeoKey = degree
];

function encodeIfd(entries: TagEntry[], ifdOffset: number): Buffer {
  entries.sort((a, b) => a.tag - b.tag);
  const ifdSize = 2 + entries.length * 12 + 4;
  const extra: Buffer[] = [];
  let extraOffset = ifdOffset + ifdSize;
  const ifd = Buffer.alloc(ifdSize);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach((entry, i) => {
    const at = 2 + i * 12;
    const bytes = encodeValues(entry);
    const count = typeof entry.values === 'string' ? bytes.length : entry.values.length;
    ifd.writeUInt16LE(entry.tag, at);
    ifd.writeUInt16LE(entry.type, at + 2);
    ifd.writeUInt32LE(count, at + 4);
    if (bytes.length <= 4) {
      bytes.copy(ifd, at + 8);
    } else {
      ifd.writeUInt32LE(extraOffset, at + 8);
      extra.push(bytes);
      extraOffset += bytes.length;
      if (bytes.length % 2 === 1) { extra.push(Buffer.alloc(1)); extraOffset += 1; } // word alignment
    }
  });
  ifd.writeUInt32LE(0, ifdSize - 4); // no further IFD
  return Buffer.concat([ifd, ...extra]);
}

function encodeValues(entry: TagEntry): Buffer {
  if (typeof entry.values === 'string') return Buffer.from(entry.values + '\0', 'latin1');
  const size = TYPE_SIZE[entry.type];
  const buf = Buffer.alloc(size * entry.values.length);
  entry.values.forEach((v, i) => {
    if (entry.type === TYPE_SHORT) buf.writeUInt16LE(v, i * size);
    else if (entry.type === TYPE_LONG) buf.writeUInt32LE(v, i * size);
    else buf.writeDoubleLE(v, i * size);
  });
  return buf;
}

/** Header + IFD + out-of-line tag values for strips of the given compressed sizes. */
function encodeHeader(opts: StripWriterOptions, stripSizes: number[]): Buffer {
  const { grid } = opts;
  const build = (firstStripOffset: number): Buffer => {
    const offsets: number[] = [];
    let at = firstStripOffset;
    for (const size of stripSizes) { offsets.push(at); at += size; }
    if (at > 0xffffffff) throw new Error('GeoTIFF writer: file over 4 GB needs BigTIFF, which this writer does not produce');
    const entries: TagEntry[] = [
      { tag: 256, type: TYPE_LONG, values: [grid.width] },
      { tag: 257, type: TYPE_LONG, values: [grid.height] },
      { tag: 258, type: TYPE_SHORT, values: [32] },
      { tag: 259, type: TYPE_SHORT, values: [8] }, // Adobe DEFLATE
      { tag: 262, type: TYPE_SHORT, values: [1] }, // BlackIsZero
      { tag: 273, type: TYPE_LONG, values: offsets },
      { tag: 277, type: TYPE_SHORT, values: [1] },
      { tag: 278, type: TYPE_LONG, values: [1] },
      { tag: 279, type: TYPE_LONG, values: stripSizes },
      { tag: 284, type: TYPE_SHORT, values: [1] },
      { tag: 339, type: TYPE_SHORT, values: [3] }, // IEEE float
      { tag: 33550, type: TYPE_DOUBLE, values: [grid.cellWidth, grid.cellHeight, 0] },
      { tag: 33922, type: TYPE_DOUBLE, values: [0, 0, 0, grid.originX, grid.originY, 0] },
      { tag: 34735, type: TYPE_SHORT, values: GEO_KEYS_EPSG4326 },
    ];
    if (opts.nodata !== undefined) entries.push({ tag: 42113, type: TYPE_ASCII, values: String(opts.nodata) });
    const header = Buffer.alloc(8);
    header.write('II', 0, 'latin1');
    header.writeUInt16LE(42, 2);
    header.writeUInt32LE(8, 4);
    return Buffer.concat([header, encodeIfd(entries, 8)]);
  };
  // The header's length does not depend on the offsets' values, only on their count.
  const probe = build(0);
  return build(probe.length);
}

/**
 * Writes a stripped, DEFLATE-compressed Float32 GeoTIFF (gzipped when `gzip`) to `path`
 * atomically (temporary sibling, then rename) and returns its size and MD5.
 */
export async function writeStripGeoTiff(path: string, opts: StripWriterOptions, rowSource: RowSource): Promise<WrittenFile> {
  const { grid } = opts;
  if (grid.crs.epsg !== 4326) throw new Error(`GeoTIFF writer: only EPSG:4326 grids are supported (got ${grid.crs.epsg ?? grid.crs.definition})`);
  const level = opts.level ?? 6;
  const strips: Uint8Array[] = new Array(grid.height);
  let zeroStrip: Uint8Array | null = null;
  for (let row = 0; row < grid.height; row++) {
    const values = rowSource(row);
    if (values.length !== grid.width) throw new Error(`GeoTIFF writer: row ${row} has ${values.length} values, expected ${grid.width}`);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    // All-zero rows (most of a China window) compress to the same bytes: compress once.
    if (isAllZeroBytes(bytes)) strips[row] = zeroStrip ??= sparseZlib(bytes);
    else strips[row] = sparseZlib(bytes);
  }
  const header = encodeHeader(opts, strips.map((s) => s.length));

  // The compressed strips of one file are small (zero runs compress ~1000:1): assemble them in memory.
  const tiff = Buffer.concat([header, ...strips]);
  const bytes = opts.gzip ? gzipSync(tiff, { level }) : tiff;
  writeFileAtomic(path, bytes);
  return { path, bytes: bytes.length, md5: createHash('md5').update(bytes).digest('hex') };
}

function isAllZeroBytes(bytes: Uint8Array): boolean {
  // Compare 4 bytes at a time; +0.0f is four zero bytes (-0.0f is not, and is kept as written).
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

/**
 * A zlib (RFC 1950) stream for data made mostly of long runs of equal bytes, such as a raster
 * row of zeros with a few emitting cells: one final DEFLATE block (RFC 1951) with the fixed
 * Huffman codes, every byte a literal except runs, which become back-references at distance 1.
 *
 * Node's `deflateSync` pays about 50-100 microseconds of setup per call, which dominates for
 * 1-row strips (4,260 per month over China); this encoder's cost is proportional to the number
 * of runs and non-run bytes instead. Any inflater reads the result.
 */

/** Runs shorter than this are cheaper as literals. */
const MIN_RUN = 4;
const MAX_MATCH = 258;
const ADLER_MOD = 65521;

/** Length codes 257..285: base lengths and extra bits (RFC 1951 3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];

/** For each match length 3..258: [symbol index into LENGTH_BASE]. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1);
for (let i = 0; i < LENGTH_BASE.length; i++) {
  const next = i + 1 < LENGTH_BASE.length ? LENGTH_BASE[i + 1] : MAX_MATCH + 1;
  for (let len = LENGTH_BASE[i]; len < next && len <= MAX_MATCH; len++) LENGTH_INDEX[len] = i;
}
LENGTH_INDEX[MAX_MATCH] = LENGTH_BASE.length - 1;

/** Fixed Huffman code of literal/length symbol `s` as [code, bit length] (RFC 1951 3.2.6). */
function fixedCode(s: number): [number, number] {
  if (s < 144) return [0x30 + s, 8];
  if (s < 256) return [0x190 + s - 144, 9];
  if (s < 280) return [s - 256, 7];
  return [0xc0 + s - 280, 8];
}

/** The fixed codes bit-reversed, since DEFLATE packs Huffman codes most-significant bit first. */
const CODE = new Uint16Array(288);
const CODE_BITS = new Uint8Array(288);
for (let s = 0; s < 288; s++) {
  const [code, bits] = fixedCode(s);
  let reversed = 0;
  for (let b = 0; b < bits; b++) reversed |= ((code >> b) & 1) << (bits - 1 - b);
  CODE[s] = reversed;
  CODE_BITS[s] = bits;
}

/** Output scratch shared by calls (grown on demand); each call returns a copy of its part. */
let scratch = new Uint8Array(1 << 16);

class BitWriter {
  readonly out: Uint8Array;
  pos = 0;
  private acc = 0;
  private n = 0;

  constructor(capacity: number) {
    if (scratch.length < capacity) scratch = new Uint8Array(capacity);
    this.out = scratch;
  }

  /** Writes the low `bits` bits of `value`, least significant first. */
  put(value: number, bits: number): void {
    this.acc |= value << this.n;
    this.n += bits;
    while (this.n >= 8) {
      this.out[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }

  flush(): void {
    if (this.n > 0) this.out[this.pos++] = this.acc & 0xff;
    this.acc = 0;
    this.n = 0;
  }
}

export function sparseZlib(data: Uint8Array): Uint8Array {
  const n = data.length;
  // Worst case: every byte a 9-bit literal, plus header, block bits and checksum.
  const w = new BitWriter(Math.ceil((n * 9) / 8) + 16);
  w.out[0] = 0x78; // CMF: deflate, 32 KB window
  w.out[1] = 0x01; // FLG: (0x78 * 256 + 0x01) % 31 === 0, no dictionary
  w.pos = 2;
  w.put(1, 1); // BFINAL
  w.put(1, 2); // BTYPE = fixed Huffman

  // Zero runs are skipped four bytes at a time when the data are word-aligned (Float32 rows).
  const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, n >>> 2) : null;
  let s1 = 1;
  let s2 = 0;
  let i = 0;
  while (i < n) {
    const b = data[i];
    let end = i + 1;
    if (b === 0 && words) {
      while (end < n && (end & 3) !== 0 && data[end] === 0) end++;
      if ((end & 3) === 0) {
        let word = end >>> 2;
        while (word < words.length && words[word] === 0) word++;
        end = word << 2;
      }
    }
    while (end < n && data[end] === b) end++;
    const len = end - i;
    // Adler-32 of `len` bytes of value b, in closed form: s2 gains len*s1 + b*len*(len+1)/2.
    s2 = (s2 + ((len * s1) % ADLER_MOD) + ((b * ((len * (len + 1)) / 2)) % ADLER_MOD)) % ADLER_MOD;
    s1 = (s1 + b * len) % ADLER_MOD;

    w.put(CODE[b], CODE_BITS[b]);
    let left = len - 1;
    if (len < MIN_RUN) {
      for (; left > 0; left--) w.put(CODE[b], CODE_BITS[b]);
    } else {
      while (left > 0) {
        // Matches are 3-258 long: split so that the remainder is never 1 or 2 (left >= 3 here).
        let m = Math.min(left, MAX_MATCH);
        if (left - m > 0 && left - m < 3) m = left - 3;
        const k = LENGTH_INDEX[m];
        w.put(CODE[257 + k], CODE_BITS[257 + k]);
        if (LENGTH_EXTRA[k]) w.put(m - LENGTH_BASE[k], LENGTH_EXTRA[k]);
        w.put(0, 5); // distance code 0 = distance 1 (5 bits, fixed)
        left -= m;
      }
    }
    i = end;
  }
  w.put(CODE[256], CODE_BITS[256]); // end of block
  w.flush();
  const adler = ((s2 << 16) | s1) >>> 0;
  w.out[w.pos++] = adler >>> 24;
  w.out[w.pos++] = (adler >>> 16) & 0xff;
  w.out[w.pos++] = (adler >>> 8) & 0xff;
  w.out[w.pos++] = adler & 0xff;
  return w.out.slice(0, w.pos);
}
