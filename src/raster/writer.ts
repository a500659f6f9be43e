import { createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import type { Grid } from './types.ts';

/**
 * A small GeoTIFF writer for ODIAC-like grids: classic little-endian TIFF, one Float32 band,
 * strips of one row compressed with DEFLATE (zlib, TIFF compression 8, as GDAL writes ODIAC),
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
  /** zlib level for the strips (default 6, zlib's default, as GDAL uses). */
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
  const strips: Buffer[] = new Array(grid.height);
  let zeroStrip: Buffer | null = null;
  for (let row = 0; row < grid.height; row++) {
    const values = rowSource(row);
    if (values.length !== grid.width) throw new Error(`GeoTIFF writer: row ${row} has ${values.length} values, expected ${grid.width}`);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    // All-zero rows (most of a China window) compress to the same bytes: compress once.
    if (isAllZeroBytes(bytes)) strips[row] = zeroStrip ??= deflateSync(bytes, { level });
    else strips[row] = deflateSync(bytes, { level });
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
