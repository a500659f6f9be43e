/**
 * TIFF header + first IFD -> block layout and georeferencing, from any byte source: a file
 * (positional reads) or the buffered head of a gunzip stream. Everything a later step sizes
 * memory or work by (image and block size, block counts, offsets and byte counts) is checked
 * here against the declared geometry and, for files, the file size, so a damaged or hostile
 * header fails at once with a message naming the file.
 */
import { CgerError } from '../common/errors.ts';
import { type BlockFormat, SUPPORTED_COMPRESSIONS } from './decode.ts';
import { readGeoreference } from './georef.ts';
import { type ByteSource, type Ifd, readFirstIfd, TagReader } from './ifd.ts';
import { Tag } from './tags.ts';
import type { Grid } from './types.ts';

export type { ByteSource } from './ifd.ts';

/** Thrown by a source over a stream's head when the parser needs bytes not yet buffered. */
export class NeedMoreBytes extends Error {
  constructor(readonly end: number) {
    super(`need bytes up to ${end}`);
  }
}

/** Where the blocks are and how to decode them. */
export interface TiffLayout {
  kind: 'strips' | 'tiles';
  width: number;
  height: number;
  blockWidth: number;
  blockHeight: number;
  blocksAcross: number;
  blocksDown: number;
  offsets: Float64Array;
  byteCounts: Float64Array;
  bigTiff: boolean;
  format: BlockFormat;
}

export interface ParsedTiff {
  layout: TiffLayout;
  grid: Grid;
  nodata: number | null;
  pixelIsPoint: boolean;
}

/** Largest image side: cell indices are 32-bit integers downstream. */
const MAX_SIDE = 2 ** 31 - 1;
/** Largest decoded strip or tile cger allocates (an ODIAC strip is 169 KB). */
export const MAX_BLOCK_BYTES = 256 * 2 ** 20;
/** Most strips or tiles one image may list (ODIAC has 21,600). */
const MAX_BLOCKS = 2 ** 24;
/**
 * Most bytes one compressed byte can decode to: DEFLATE's limit is 1032 (258-byte matches of
 * 2 bits), PackBits' 64 (2 bytes give 128). LZW and ZSTD reach far higher ratios: not checked.
 */
const MAX_RATIO = new Map<number, number>([
  [1, 1],
  [8, 1032],
  [32946, 1032],
  [32773, 64],
]);

/** Checks the 8-byte TIFF signature; throws a CgerError saying what the file is instead. */
export function checkSignature(head: Uint8Array, path: string): void {
  if (head.length === 0) throw new CgerError(`${path}: empty file, not a TIFF`);
  const sig = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
  const le = sig === 'II';
  const magic = head.length >= 4 ? (le ? head[2] | (head[3] << 8) : (head[2] << 8) | head[3]) : -1;
  if ((sig !== 'II' && sig !== 'MM') || (magic !== 42 && magic !== 43)) {
    const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new CgerError(`${path}: not a TIFF file (starts with bytes ${hex}, expected "II*" or "MM*")`);
  }
}

function sampleFormatOf(code: number, path: string): number {
  if (code < 1 || code > 3) throw new CgerError(`${path}: unsupported SampleFormat ${code} (only integers and IEEE floats)`);
  return code;
}

/** The GDAL nodata value: a number, NaN for "nan", or null when absent or blank. */
function parseNodata(text: string | undefined, path: string): number | null {
  const value = text?.replace(/\0/g, '').trim();
  if (!value) return null;
  if (/^[+-]?nan$/i.test(value)) return NaN;
  const n = Number(value);
  if (Number.isNaN(n)) throw new CgerError(`${path}: unreadable GDAL nodata value "${value.slice(0, 40)}"`);
  return n;
}

/** Parses the first image of a TIFF. Errors other than NeedMoreBytes are CgerErrors naming `path`. */
export async function parseTiff(source: ByteSource, path: string): Promise<ParsedTiff> {
  let ifd: Ifd;
  try {
    ifd = await readFirstIfd(source, path);
  } catch (err) {
    if (err instanceof NeedMoreBytes || err instanceof CgerError) throw err;
    throw new CgerError(`${path}: invalid TIFF directory (${err instanceof Error ? err.message : String(err)})`);
  }
  const tags = new TagReader(ifd);
  const width = (await tags.integer(Tag.ImageWidth, 'ImageWidth')) ?? 0;
  const height = (await tags.integer(Tag.ImageLength, 'ImageLength')) ?? 0;
  if (!width || !height) throw new CgerError(`${path}: invalid TIFF: image size missing or zero (${width} x ${height})`);
  if (width > MAX_SIDE || height > MAX_SIDE) throw new CgerError(`${path}: invalid TIFF: image of ${width} x ${height} cells is too large`);
  const samplesPerPixel = (await tags.integer(Tag.SamplesPerPixel, 'SamplesPerPixel', 1))!;
  if (samplesPerPixel !== 1) throw new CgerError(`${path}: ${samplesPerPixel} bands per pixel; only single-band rasters are supported`);
  const bitsPerSample = (await tags.integer(Tag.BitsPerSample, 'BitsPerSample', 1))!;
  const sampleFormat = sampleFormatOf((await tags.integer(Tag.SampleFormat, 'SampleFormat', 1))!, path);
  const validBits = sampleFormat === 3 ? [32, 64] : [8, 16, 32];
  if (!validBits.includes(bitsPerSample)) {
    throw new CgerError(`${path}: unsupported ${bitsPerSample}-bit ${sampleFormat === 3 ? 'float' : 'integer'} samples`);
  }
  const compression = (await tags.integer(Tag.Compression, 'Compression', 1))!;
  if (!SUPPORTED_COMPRESSIONS.has(compression)) {
    throw new CgerError(`${path}: unsupported compression ${compression} (supported: none, LZW, DEFLATE, PackBits, ZSTD)`);
  }
  const predictor = (await tags.integer(Tag.Predictor, 'Predictor', 1))!;
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) throw new CgerError(`${path}: unknown predictor ${predictor}`);
  if (predictor === 3 && sampleFormat !== 3) throw new CgerError(`${path}: floating-point predictor on integer samples`);

  const tiled = tags.has(Tag.TileWidth) || tags.has(Tag.TileLength);
  const kind = tiled ? 'tiles' : 'strips';
  const blockWidth = tiled ? (await tags.integer(Tag.TileWidth, 'TileWidth', 0))! : width;
  const blockHeight = tiled
    ? (await tags.integer(Tag.TileLength, 'TileLength', 0))!
    : Math.min((await tags.integer(Tag.RowsPerStrip, 'RowsPerStrip', height))!, height);
  if (!(blockWidth > 0) || !(blockHeight > 0)) throw new CgerError(`${path}: invalid TIFF: block size ${blockWidth} x ${blockHeight}`);
  const sampleBytes = bitsPerSample / 8;
  const blockBytes = blockWidth * blockHeight * sampleBytes;
  if (blockBytes > MAX_BLOCK_BYTES) {
    throw new CgerError(
      `${path}: a ${kind === 'tiles' ? 'tile' : 'strip'} of ${blockWidth} x ${blockHeight} cells (${blockBytes} bytes decoded) is larger than cger decodes at once (${MAX_BLOCK_BYTES / 2 ** 20} MB); rewrite the file with smaller strips or tiles (e.g. gdal_translate -co TILED=YES)`,
    );
  }
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const blocks = blocksAcross * blocksDown;
  if (blocks > MAX_BLOCKS)
    throw new CgerError(`${path}: invalid TIFF: ${blocks} ${kind} of ${blockWidth} x ${blockHeight} cells is more than cger reads (${MAX_BLOCKS})`);
  const offsetsName = tiled ? 'TileOffsets' : 'StripOffsets';
  const countsName = tiled ? 'TileByteCounts' : 'StripByteCounts';
  const offsets = await tags.integers(tiled ? Tag.TileOffsets : Tag.StripOffsets, offsetsName, blocks);
  const byteCounts = await tags.integers(tiled ? Tag.TileByteCounts : Tag.StripByteCounts, countsName, blocks);
  if (!offsets || !byteCounts) throw new CgerError(`${path}: invalid TIFF: ${offsets ? countsName : offsetsName} missing`);

  const nodata = parseNodata(await tags.ascii(Tag.GdalNodata, 'GDAL_NODATA', 256), path);
  const { grid, pixelIsPoint } = readGeoreference(
    {
      width,
      height,
      modelPixelScale: await tags.doubles(Tag.ModelPixelScale, 'ModelPixelScale', 3),
      modelTiepoint: await tags.doubles(Tag.ModelTiepoint, 'ModelTiepoint', 6 * 4096),
      modelTransformation: await tags.doubles(Tag.ModelTransformation, 'ModelTransformation', 16),
      geoKeyDirectory: await tags.someIntegers(Tag.GeoKeyDirectory, 'GeoKeyDirectory', 4 * 4096),
      geoDoubleParams: await tags.doubles(Tag.GeoDoubleParams, 'GeoDoubleParams', 4096),
      geoAsciiParams: await tags.ascii(Tag.GeoAsciiParams, 'GeoAsciiParams', 1 << 20),
    },
    path,
  );
  const layout: TiffLayout = {
    kind,
    width,
    height,
    blockWidth,
    blockHeight,
    blocksAcross,
    blocksDown,
    offsets,
    byteCounts,
    bigTiff: ifd.bigTiff,
    format: { compression, predictor, bitsPerSample, sampleFormat, littleEndian: ifd.littleEndian, blockWidth, blockHeight },
  };
  checkBlocks(layout, path, source.size);
  return { layout, grid, nodata, pixelIsPoint };
}

/** Bytes block `index` decodes to: tiles are whole; the last strip holds only the rows left. */
export function decodedBlockBytes(layout: TiffLayout, index: number): number {
  const rows =
    layout.kind === 'tiles' ? layout.blockHeight : Math.min(layout.blockHeight, layout.height - Math.floor(index / layout.blocksAcross) * layout.blockHeight);
  return rows * layout.blockWidth * (layout.format.bitsPerSample / 8);
}

/**
 * Every block with data must lie inside the file (when its size is known) and be able to hold its
 * decoded size under its codec's largest ratio. Blocks with no bytes are sparse (read as nodata).
 */
function checkBlocks(layout: TiffLayout, path: string, fileSize: number | undefined): void {
  const ratio = MAX_RATIO.get(layout.format.compression);
  for (let i = 0; i < layout.offsets.length; i++) {
    const count = layout.byteCounts[i];
    if (count === 0) continue;
    const end = layout.offsets[i] + count;
    if (fileSize !== undefined && end > fileSize) {
      throw new CgerError(`${path}: file is truncated: ${describeBlock(layout, i)} needs bytes ${layout.offsets[i]}-${end} but the file has ${fileSize} bytes`);
    }
    const decoded = decodedBlockBytes(layout, i);
    if (ratio !== undefined && count * ratio < decoded) {
      const what =
        layout.format.compression === 1
          ? `holds ${count} bytes, but ${decoded} uncompressed bytes are needed`
          : `holds ${count} compressed bytes, which cannot decode to the ${decoded} bytes it must hold`;
      throw new CgerError(`${path}: invalid TIFF: ${describeBlock(layout, i)} ${what}`);
    }
  }
}

/** Human name of block `index`, e.g. "strip 123 (rows 123-123)" or "tile 5 (rows 256-511, cols 0-255)". */
export function describeBlock(layout: TiffLayout, index: number): string {
  const by = Math.floor(index / layout.blocksAcross);
  const bx = index % layout.blocksAcross;
  const row0 = by * layout.blockHeight;
  const row1 = Math.min(row0 + layout.blockHeight, layout.height) - 1;
  if (layout.kind === 'strips') return `strip ${index} (rows ${row0}-${row1})`;
  const col0 = bx * layout.blockWidth;
  const col1 = Math.min(col0 + layout.blockWidth, layout.width) - 1;
  return `tile ${index} (rows ${row0}-${row1}, cols ${col0}-${col1})`;
}
