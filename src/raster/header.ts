/**
 * TIFF header + first IFD -> block layout and georeferencing, parsed with geotiff from any byte
 * source: a file (positional reads) or the buffered head of a gunzip stream.
 */
import GeoTIFF from 'geotiff';
import { CgerError, errorMessage } from '../common/errors.ts';
import { SUPPORTED_COMPRESSIONS, type BlockFormat } from './decode.ts';
import { readGeoreference } from './georef.ts';
import type { Grid } from './types.ts';

/** Random access to the bytes of a TIFF. `read` may return fewer bytes at the end of the data. */
export interface ByteSource {
  read(offset: number, length: number): Promise<Uint8Array>;
}

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
  offsets: number[];
  byteCounts: number[];
  bigTiff: boolean;
  format: BlockFormat;
}

export interface ParsedTiff {
  layout: TiffLayout;
  grid: Grid;
  nodata: number | null;
  pixelIsPoint: boolean;
}

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

function numbers(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return [Number(value)];
  return Array.from(value as ArrayLike<number | bigint>, Number);
}

function sampleFormatOf(code: number | undefined, path: string): number {
  const sf = code ?? 1;
  if (sf < 1 || sf > 3) throw new CgerError(`${path}: unsupported SampleFormat ${sf} (only integers and IEEE floats)`);
  return sf;
}

/** Parses the first image of a TIFF. Errors other than NeedMoreBytes become CgerErrors naming `path`. */
export async function parseTiff(source: ByteSource, path: string): Promise<ParsedTiff> {
  const geotiffSource = {
    fetch: async (slices: Array<{ offset: number; length: number }>) =>
      Promise.all(slices.map(async ({ offset, length }) => {
        const bytes = await source.read(offset, length);
        // geotiff wants whole ArrayBuffers it can view from 0.
        return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
      })),
  };
  let dir;
  let bigTiff: boolean;
  let littleEndian: boolean;
  try {
    const tiff = await GeoTIFF.fromSource(geotiffSource as never);
    bigTiff = tiff.bigTiff;
    littleEndian = tiff.littleEndian;
    dir = (await tiff.getImage(0)).fileDirectory;
  } catch (err) {
    if (err instanceof NeedMoreBytes || err instanceof CgerError) throw err;
    throw new CgerError(`${path}: invalid TIFF directory (${errorMessage(err)})`);
  }
  const load = async (name: string): Promise<unknown> => {
    try {
      return await dir.loadValue(name as never);
    } catch (err) {
      if (err instanceof NeedMoreBytes) throw err;
      throw new CgerError(`${path}: invalid TIFF tag ${name} (${errorMessage(err)})`);
    }
  };
  const num = async (name: string) => numbers(await load(name))?.[0];
  const width = await num('ImageWidth');
  const height = await num('ImageLength');
  if (!width || !height) throw new CgerError(`${path}: invalid TIFF: image size missing`);
  const samplesPerPixel = (await num('SamplesPerPixel')) ?? 1;
  if (samplesPerPixel !== 1) throw new CgerError(`${path}: ${samplesPerPixel} bands per pixel; only single-band rasters are supported`);
  const bitsPerSample = (await num('BitsPerSample')) ?? 1;
  const sampleFormat = sampleFormatOf(await num('SampleFormat'), path);
  const validBits = sampleFormat === 3 ? [32, 64] : [8, 16, 32];
  if (!validBits.includes(bitsPerSample)) {
    throw new CgerError(`${path}: unsupported ${bitsPerSample}-bit ${sampleFormat === 3 ? 'float' : 'integer'} samples`);
  }
  const compression = (await num('Compression')) ?? 1;
  if (!SUPPORTED_COMPRESSIONS.has(compression)) {
    throw new CgerError(`${path}: unsupported compression ${compression} (supported: none, LZW, DEFLATE, PackBits, ZSTD)`);
  }
  const predictor = (await num('Predictor')) ?? 1;
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) throw new CgerError(`${path}: unknown predictor ${predictor}`);
  if (predictor === 3 && sampleFormat !== 3) throw new CgerError(`${path}: floating-point predictor on integer samples`);

  const tiled = dir.hasTag('TileWidth');
  const blockWidth = tiled ? (await num('TileWidth'))! : width;
  const blockHeight = tiled ? (await num('TileLength'))! : Math.min((await num('RowsPerStrip')) ?? height, height);
  if (!(blockWidth > 0) || !(blockHeight > 0)) throw new CgerError(`${path}: invalid block size ${blockWidth} x ${blockHeight}`);
  const offsets = numbers(await load(tiled ? 'TileOffsets' : 'StripOffsets')) ?? [];
  const byteCounts = numbers(await load(tiled ? 'TileByteCounts' : 'StripByteCounts')) ?? [];
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const kind = tiled ? 'tiles' : 'strips';
  if (offsets.length < blocksAcross * blocksDown || byteCounts.length < blocksAcross * blocksDown) {
    throw new CgerError(`${path}: invalid TIFF: ${offsets.length} ${kind} listed, ${blocksAcross * blocksDown} needed`);
  }

  const nodataText = (await load('GDAL_NODATA')) as string | undefined;
  let nodata: number | null = null;
  if (typeof nodataText === 'string' && nodataText.replace(/\0/g, '').trim() !== '') {
    const text = nodataText.replace(/\0/g, '').trim();
    nodata = /^nan$/i.test(text) ? NaN : Number(text);
    if (Number.isNaN(nodata) && !/^nan$/i.test(text)) throw new CgerError(`${path}: unreadable GDAL nodata value "${text}"`);
  }
  const asciiParams = await load('GeoAsciiParams');
  const { grid, pixelIsPoint } = readGeoreference({
    width, height,
    modelPixelScale: numbers(await load('ModelPixelScale')),
    modelTiepoint: numbers(await load('ModelTiepoint')),
    modelTransformation: numbers(await load('ModelTransformation')),
    geoKeyDirectory: numbers(await load('GeoKeyDirectory')),
    geoDoubleParams: numbers(await load('GeoDoubleParams')),
    geoAsciiParams: typeof asciiParams === 'string' ? asciiParams : undefined,
  }, path);
  return {
    layout: {
      kind, width, height, blockWidth, blockHeight, blocksAcross, blocksDown, offsets, byteCounts, bigTiff,
      format: { compression, predictor, bitsPerSample, sampleFormat, littleEndian, blockWidth },
    },
    grid, nodata, pixelIsPoint,
  };
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
