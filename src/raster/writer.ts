import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { Tag } from './tags.ts';
import { encodeHeader, encodeIfd, geographicGeoKeys, type TiffField } from './tiffEncode.ts';
import type { Grid } from './types.ts';

/**
 * A GeoTIFF writer for grids laid out as ODIAC ships them: classic little-endian TIFF, one
 * Float32 band, uncompressed strips of one row, georeferenced with ModelPixelScale +
 * ModelTiepoint and GeoKeys for EPSG:4326 (pixel-is-area), optionally gzipped as a whole
 * (`.tif.gz`). The directory comes first, so readers streaming a `.tif.gz` meet it before the data.
 * Rows are requested one at a time and gzipped as they come: with `gzip` the raw image is never
 * held whole, only the compressed file.
 */
export interface StripWriterOptions {
  grid: Grid;
  /** Gzip the whole file (for `.tif.gz`). */
  gzip?: boolean;
  /** zlib level of the gzip (default 6, gzip's default). */
  level?: number;
  /**
   * Run-length gzip (zlib's Z_RLE strategy): matches at distance 1 only. Rows that are mostly
   * zeros compress as well as with the default strategy, in about two thirds of the time.
   */
  runLength?: boolean;
  /** GDAL_NODATA tag value, when the grid has one. */
  nodata?: number;
}

export interface EncodedFile {
  bytes: Buffer;
  /** MD5 (hex) of `bytes` (of the gzipped file when `gzip`). */
  md5: string;
}

export interface WrittenFile {
  path: string;
  bytes: number;
  md5: string;
}

/** Supplies row `row` (top row 0) of the grid; the array may be reused between calls. */
export type RowSource = (row: number) => Float32Array;

/** Header and directory of an uncompressed Float32 GeoTIFF with one-row strips; the strips follow it. */
function stripTiffHead(opts: StripWriterOptions): Buffer {
  const { grid } = opts;
  if (grid.crs.epsg !== 4326) throw new Error(`GeoTIFF writer: only EPSG:4326 grids are supported (got ${grid.crs.epsg ?? grid.crs.definition})`);
  const order = { littleEndian: true, bigTiff: false };
  const rowBytes = grid.width * 4;
  if (rowBytes * grid.height + (1 << 20) > 0xffffffff) throw new Error('GeoTIFF writer: file over 4 GB needs BigTIFF, which this writer does not produce');
  const fields = (firstStrip: number): TiffField[] => [
    { tag: Tag.ImageWidth, type: 'LONG', values: [grid.width] },
    { tag: Tag.ImageLength, type: 'LONG', values: [grid.height] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: [32] },
    { tag: Tag.Compression, type: 'SHORT', values: [1] },
    { tag: Tag.Photometric, type: 'SHORT', values: [1] }, // BlackIsZero
    { tag: Tag.StripOffsets, type: 'LONG', values: Array.from({ length: grid.height }, (_, r) => firstStrip + r * rowBytes) },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [1] },
    { tag: Tag.RowsPerStrip, type: 'LONG', values: [1] },
    { tag: Tag.StripByteCounts, type: 'LONG', values: new Array<number>(grid.height).fill(rowBytes) },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [1] },
    { tag: Tag.SampleFormat, type: 'SHORT', values: [3] }, // IEEE float
    { tag: Tag.ModelPixelScale, type: 'DOUBLE', values: [grid.cellWidth, grid.cellHeight, 0] },
    { tag: Tag.ModelTiepoint, type: 'DOUBLE', values: [0, 0, 0, grid.originX, grid.originY, 0] },
    { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
    ...(opts.nodata !== undefined ? [{ tag: Tag.GdalNodata, type: 'ASCII', values: String(opts.nodata) } satisfies TiffField] : []),
  ];
  // The directory's length does not depend on the offsets' values, only on their count.
  const ifdLength = encodeIfd(fields(0), order, 8).length;
  return Buffer.concat([encodeHeader(order, 8), encodeIfd(fields(8 + ifdLength), order, 8)]);
}

/** The file's bytes in chunks of about 1 MB: head, then the rows in order. */
async function* rawChunks(opts: StripWriterOptions, rowSource: RowSource): AsyncGenerator<Buffer> {
  const { grid } = opts;
  yield stripTiffHead(opts);
  const rowsPerChunk = Math.max(1, Math.floor((1 << 20) / (grid.width * 4)));
  for (let row0 = 0; row0 < grid.height; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, grid.height - row0);
    const chunk = Buffer.alloc(rows * grid.width * 4);
    for (let k = 0; k < rows; k++) {
      const values = rowSource(row0 + k);
      if (values.length !== grid.width) throw new Error(`GeoTIFF writer: row ${row0 + k} has ${values.length} values, expected ${grid.width}`);
      chunk.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), k * grid.width * 4);
    }
    yield chunk;
  }
}

/** Encodes the grid as a 1-row-strip Float32 GeoTIFF (gzipped when `gzip`) in memory. */
export async function encodeStripGeoTiff(opts: StripWriterOptions, rowSource: RowSource): Promise<EncodedFile> {
  const parts: Buffer[] = [];
  const hash = createHash('md5');
  const collect = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      parts.push(chunk);
      hash.update(chunk);
    }
  };
  const source = Readable.from(rawChunks(opts, rowSource));
  if (opts.gzip) {
    const strategy = opts.runLength ? zlibConstants.Z_RLE : zlibConstants.Z_DEFAULT_STRATEGY;
    await pipeline(source, createGzip({ level: opts.level ?? 6, strategy }), collect);
  } else {
    await pipeline(source, collect);
  }
  return { bytes: Buffer.concat(parts), md5: hash.digest('hex') };
}

/** Writes the GeoTIFF (gzipped when `gzip`) to `path` atomically and returns its size and MD5. */
export async function writeStripGeoTiff(path: string, opts: StripWriterOptions, rowSource: RowSource): Promise<WrittenFile> {
  const { bytes, md5 } = await encodeStripGeoTiff(opts, rowSource);
  writeFileAtomic(path, bytes);
  return { path, bytes: bytes.length, md5 };
}
