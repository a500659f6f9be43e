/**
 * Writes a synthetic ODIAC-like month: a Float32 GeoTIFF on the 1/120 degree global lattice
 * (43200 x 21600 by default, origin -180, 90, EPSG:4326) with 1-row DEFLATE strips, as GDAL writes
 * ODIAC. Values are deterministic in the seed: zeros over "ocean", and over "land" about 75%
 * non-zero cells with heavy-tailed (lognormal) values and rare bright point sources, so the file
 * compresses about 2:1 like the real product.
 *
 * `generateShippedMonth` writes the layout ODIAC's `.tif.gz` files ship in: the same lattice as an
 * uncompressed Float32 TIFF with 1-row strips, gzipped as a whole (sparser values, so the gzip
 * lands near the ~280 MB of a shipped month).
 *
 * Streaming: strips are generated, compressed and written one after the other (a few in flight),
 * then the strip offsets/byte counts are patched into the IFD, which sits at the start of the file
 * with a fixed size. Memory stays at a few rows whatever the grid size.
 *
 * Run: node --import tsx bench/zonal-gen.ts <out.tif | out.tif.gz (shipped layout)> [seed] [rows cols]
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createGzip, deflate } from 'node:zlib';
import { createRng, mixSeed } from '../src/common/random.ts';
import { Tag } from '../src/raster/tags.ts';
import { encodeHeader, encodeIfd, geographicGeoKeys, type TiffField } from '../src/raster/tiffEncode.ts';

const deflateAsync = promisify(deflate);

export interface GenerateOptions {
  seed: number;
  /** Default 21600 (the global grid). Rows always start at latitude 90. */
  rows?: number;
  /** Default 43200. Columns always start at longitude -180. */
  cols?: number;
  /** Strips compressed concurrently (zlib's thread pool). */
  concurrency?: number;
  /** Share of "land" cells that are non-zero (default 0.75). */
  density?: number;
}

const CELL = 1 / 120;

/**
 * A smooth pseudo-continent field, separable so a row costs a few multiply-adds per cell:
 * f(lon, lat) = sum_k a_k(lon) b_k(lat). Land where f > -0.35 and -60 < lat < 75.
 */
function makeColumnTerms(cols: number): Float64Array[] {
  const terms = [new Float64Array(cols), new Float64Array(cols), new Float64Array(cols)];
  for (let c = 0; c < cols; c++) {
    const lon = ((-180 + (c + 0.5) * CELL) * Math.PI) / 180;
    terms[0][c] = Math.sin(2 * lon + 0.7);
    terms[1][c] = Math.cos(3 * lon - 0.4);
    terms[2][c] = Math.sin(7 * lon + 1.3);
  }
  return terms;
}

function rowTerms(lat: number): number[] {
  const phi = (lat * Math.PI) / 180;
  return [Math.cos(2 * phi + 0.3), Math.sin(3 * phi + 1.1), 0.4 * Math.cos(5 * phi)];
}

/** Fills `out` with row `row` of the synthetic month (deterministic in seed and row only). */
export function fillRow(out: Float32Array, row: number, seed: number, colTerms: Float64Array[], density = 0.75): void {
  out.fill(0);
  const lat = 90 - (row + 0.5) * CELL;
  if (lat <= -60 || lat >= 75) return;
  const [b0, b1, b2] = rowTerms(lat);
  const [a0, a1, a2] = colTerms;
  const rng = createRng(mixSeed(seed, row));
  for (let c = 0; c < out.length; c++) {
    const f = a0[c] * b0 + a1[c] * b1 + a2[c] * b2;
    if (f <= -0.35) continue;
    if (rng.next() < 1 - density) continue;
    let v = Math.exp(-1 + 2 * rng.normal());
    if (rng.next() < 1e-4) v *= 1000;
    out[c] = v;
  }
}

function monthFields(rows: number, cols: number, compression: number, offsets: number[], counts: number[]): TiffField[] {
  return [
    { tag: Tag.ImageWidth, type: 'LONG', values: [cols] },
    { tag: Tag.ImageLength, type: 'LONG', values: [rows] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: [32] },
    { tag: Tag.Compression, type: 'SHORT', values: [compression] },
    { tag: Tag.Photometric, type: 'SHORT', values: [1] },
    { tag: Tag.StripOffsets, type: 'LONG', values: offsets },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [1] },
    { tag: Tag.RowsPerStrip, type: 'LONG', values: [1] },
    { tag: Tag.StripByteCounts, type: 'LONG', values: counts },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [1] },
    { tag: Tag.SampleFormat, type: 'SHORT', values: [3] },
    { tag: Tag.ModelPixelScale, type: 'DOUBLE', values: [CELL, CELL, 0] },
    { tag: Tag.ModelTiepoint, type: 'DOUBLE', values: [0, 0, 0, -180, 90, 0] },
    { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
  ];
}

/** Writes the synthetic month to `path`; returns the file size in bytes. */
export async function generateOdiacMonth(path: string, opts: GenerateOptions): Promise<number> {
  const rows = opts.rows ?? 21600;
  const cols = opts.cols ?? 43200;
  const concurrency = opts.concurrency ?? 4;
  const order = { littleEndian: true, bigTiff: false };
  const fields = (offsets: number[], counts: number[]) => monthFields(rows, cols, 8, offsets, counts);
  const zeros = new Array<number>(rows).fill(0);
  const ifdLength = encodeIfd(fields(zeros, zeros), order, 8).length;
  const offsets: number[] = [];
  const counts: number[] = [];
  const file = await open(path, 'w');
  try {
    await file.write(encodeHeader(order, 8), 0, 8, 0);
    let position = 8 + ifdLength;
    const colTerms = makeColumnTerms(cols);
    const pending: Array<Promise<Buffer>> = [];
    const writeOldest = async () => {
      const strip = await pending.shift()!;
      offsets.push(position);
      counts.push(strip.length);
      await file.write(strip, 0, strip.length, position);
      position += strip.length;
      if (position >= 2 ** 32) throw new Error(`${path}: over 4 GB, too big for a classic TIFF`);
    };
    for (let row = 0; row < rows; row++) {
      const values = new Float32Array(cols);
      fillRow(values, row, opts.seed, colTerms, opts.density);
      pending.push(deflateAsync(new Uint8Array(values.buffer), { level: 6 }));
      if (pending.length >= concurrency) await writeOldest();
    }
    while (pending.length > 0) await writeOldest();
    await file.write(encodeIfd(fields(offsets, counts), order, 8), 0, ifdLength, 8);
    return position;
  } finally {
    await file.close();
  }
}

/**
 * Writes the shipped layout to `path` (a .tif.gz): an uncompressed Float32 TIFF with 1-row strips
 * (directory first, strips in row order), gzipped as a whole at zlib's default level. Returns the
 * gzip size in bytes.
 */
export async function generateShippedMonth(path: string, opts: GenerateOptions): Promise<number> {
  const rows = opts.rows ?? 21600;
  const cols = opts.cols ?? 43200;
  const density = opts.density ?? 0.11;
  const order = { littleEndian: true, bigTiff: false };
  const stripBytes = cols * 4;
  const blank = new Array<number>(rows).fill(0);
  const ifdLength = encodeIfd(monthFields(rows, cols, 1, blank, blank), order, 8).length;
  const dataStart = 8 + ifdLength;
  if (dataStart + rows * stripBytes >= 2 ** 32) throw new Error(`${path}: over 4 GB, too big for a classic TIFF`);
  const offsets = Array.from({ length: rows }, (_, r) => dataStart + r * stripBytes);
  const ifd = encodeIfd(monthFields(rows, cols, 1, offsets, new Array<number>(rows).fill(stripBytes)), order, 8);
  const colTerms = makeColumnTerms(cols);
  async function* content(): AsyncGenerator<Buffer> {
    yield encodeHeader(order, 8);
    yield ifd;
    for (let row = 0; row < rows; row++) {
      const values = new Float32Array(cols);
      fillRow(values, row, opts.seed, colTerms, density);
      yield Buffer.from(values.buffer);
    }
  }
  const out = createWriteStream(path);
  await pipeline(Readable.from(content()), createGzip({ chunkSize: 1 << 20 }), out);
  return out.bytesWritten;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, seedArg, rowsArg, colsArg] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: node --import tsx bench/zonal-gen.ts <out.tif | out.tif.gz> [seed] [rows cols]\n');
    process.exit(2);
  }
  const started = performance.now();
  const generate = out.endsWith('.gz') ? generateShippedMonth : generateOdiacMonth;
  const size = await generate(out, {
    seed: Number(seedArg ?? 1),
    rows: rowsArg ? Number(rowsArg) : undefined,
    cols: colsArg ? Number(colsArg) : undefined,
  });
  const rawBytes = (rowsArg ? Number(rowsArg) : 21600) * (colsArg ? Number(colsArg) : 43200) * 4;
  process.stdout.write(
    `${out}: ${(size / 1e6).toFixed(1)} MB (ratio ${(rawBytes / size).toFixed(2)}:1) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
