/**
 * Writes small GeoTIFFs with layouts the GDAL fixtures do not cover (big-endian, directory after
 * the data, integer samples with predictor 2, odd georeferencing). The encoder side (predictors,
 * byte order) is written here from the TIFF spec, independently of the reader.
 */
import { deflateSync } from 'node:zlib';
import { Tag } from '../../src/raster/tags.ts';
import { encodeHeader, encodeIfd, geographicGeoKeys, type TiffField } from '../../src/raster/tiffEncode.ts';
import { encodeLzw } from '../fuzz/encoders.ts';

export interface MakeTiffOptions {
  width: number;
  height: number;
  values: ArrayLike<number>;
  littleEndian?: boolean;
  bigTiff?: boolean;
  /** Put the IFD after the image data (as some writers do). */
  ifdAtEnd?: boolean;
  /** Strip rows (default 1) or, with `tile`, tile size. */
  rowsPerStrip?: number;
  tile?: { width: number; height: number };
  /** Compression tag; blocks are DEFLATE- (8) or LZW- (5) compressed, else stored as `encode` returns them (default: raw). */
  compression?: number;
  encode?: (raw: Uint8Array) => Uint8Array;
  predictor?: 1 | 2 | 3;
  sampleFormat?: 1 | 2 | 3;
  bitsPerSample?: 8 | 16 | 32 | 64;
  nodata?: string;
  /** Blocks left unwritten (offset 0, byte count 0), as GDAL writes sparse files. */
  sparseBlocks?: number[];
  /** Georeferencing fields; default EPSG:4326 1/120 degree cells at (115, 41.5). */
  geo?: TiffField[];
}

export function defaultGeo(originX = 115, originY = 41.5, cell = 1 / 120): TiffField[] {
  return [
    { tag: Tag.ModelPixelScale, type: 'DOUBLE', values: [cell, cell, 0] },
    { tag: Tag.ModelTiepoint, type: 'DOUBLE', values: [0, 0, 0, originX, originY, 0] },
    { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
  ];
}

function writeSample(view: DataView, at: number, v: number, o: Required<Pick<MakeTiffOptions, 'sampleFormat' | 'bitsPerSample' | 'littleEndian'>>) {
  const le = o.littleEndian;
  if (o.sampleFormat === 3) return o.bitsPerSample === 32 ? view.setFloat32(at, v, le) : view.setFloat64(at, v, le);
  const signed = o.sampleFormat === 2;
  if (o.bitsPerSample === 8) return signed ? view.setInt8(at, v) : view.setUint8(at, v);
  if (o.bitsPerSample === 16) return signed ? view.setInt16(at, v, le) : view.setUint16(at, v, le);
  return signed ? view.setInt32(at, v, le) : view.setUint32(at, v, le);
}

/** Encodes `rows` x `width` samples of one block (already padded) with the predictor applied. */
function encodeBlock(
  samples: ArrayLike<number>,
  width: number,
  rows: number,
  o: Required<Pick<MakeTiffOptions, 'sampleFormat' | 'bitsPerSample' | 'littleEndian' | 'predictor'>>,
): Uint8Array {
  const size = o.bitsPerSample / 8;
  if (o.predictor === 1 && o.sampleFormat === 3 && o.bitsPerSample === 32 && o.littleEndian) {
    return new Uint8Array(Float32Array.from(samples).buffer); // the common case, at the speed of big test files
  }
  const out = new Uint8Array(samples.length * size);
  const view = new DataView(out.buffer);
  if (o.predictor === 3) {
    // Floating-point predictor: per row, byte planes most significant first, then byte differences.
    const be = new DataView(new ArrayBuffer(size));
    for (let r = 0; r < rows; r++) {
      const row = new Uint8Array(width * size);
      for (let c = 0; c < width; c++) {
        writeSample(be, 0, samples[r * width + c], { ...o, littleEndian: false });
        for (let b = 0; b < size; b++) row[b * width + c] = be.getUint8(b);
      }
      for (let i = row.length - 1; i > 0; i--) row[i] = (row[i] - row[i - 1]) & 0xff;
      out.set(row, r * width * size);
    }
    return out;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) {
      let v = samples[r * width + c];
      if (o.predictor === 2 && c > 0) {
        // Horizontal differencing on the unsigned integer, wrapping.
        const mod = 2 ** o.bitsPerSample;
        const toUnsigned = (x: number) => ((x % mod) + mod) % mod;
        v = toUnsigned(toUnsigned(v) - toUnsigned(samples[r * width + c - 1]));
        writeSample(view, (r * width + c) * size, v, { ...o, sampleFormat: 1 });
        continue;
      }
      writeSample(view, (r * width + c) * size, v, o);
    }
  }
  return out;
}

/** A complete TIFF file as bytes. */
export function makeTiff(opts: MakeTiffOptions): Buffer {
  const o = {
    littleEndian: opts.littleEndian ?? true,
    bigTiff: opts.bigTiff ?? false,
    compression: opts.compression ?? 8,
    predictor: opts.predictor ?? 1,
    sampleFormat: opts.sampleFormat ?? 3,
    bitsPerSample: opts.bitsPerSample ?? 32,
  };
  const { width, height } = opts;
  const bw = opts.tile?.width ?? width;
  const bh = opts.tile?.height ?? opts.rowsPerStrip ?? 1;
  const blocks: Uint8Array[] = [];
  for (let by = 0; by < Math.ceil(height / bh); by++) {
    for (let bx = 0; bx < Math.ceil(width / bw); bx++) {
      const rows = opts.tile ? bh : Math.min(bh, height - by * bh);
      const samples = new Float64Array(rows * bw);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < bw; c++) {
          const row = by * bh + r;
          const col = bx * bw + c;
          if (row < height && col < width) samples[r * bw + c] = opts.values[row * width + col];
        }
      }
      const raw = encodeBlock(samples, bw, rows, o);
      blocks.push(
        opts.sparseBlocks?.includes(blocks.length)
          ? new Uint8Array(0)
          : opts.encode
            ? opts.encode(raw)
            : o.compression === 8
              ? deflateSync(raw)
              : o.compression === 5
                ? encodeLzw(raw)
                : raw,
      );
    }
  }
  const order = { littleEndian: o.littleEndian, bigTiff: o.bigTiff };
  const headerSize = o.bigTiff ? 16 : 8;
  const offsetType = o.bigTiff ? 'LONG8' : 'LONG';
  const fields = (offsets: number[]): TiffField[] => [
    { tag: Tag.ImageWidth, type: 'LONG', values: [width] },
    { tag: Tag.ImageLength, type: 'LONG', values: [height] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: [o.bitsPerSample] },
    { tag: Tag.Compression, type: 'SHORT', values: [o.compression] },
    { tag: Tag.Photometric, type: 'SHORT', values: [1] },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [1] },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [1] },
    { tag: Tag.Predictor, type: 'SHORT', values: [o.predictor] },
    { tag: Tag.SampleFormat, type: 'SHORT', values: [o.sampleFormat] },
    ...(opts.tile
      ? ([
          { tag: Tag.TileWidth, type: 'LONG', values: [bw] },
          { tag: Tag.TileLength, type: 'LONG', values: [bh] },
          { tag: Tag.TileOffsets, type: offsetType, values: offsets },
          { tag: Tag.TileByteCounts, type: 'LONG', values: blocks.map((b) => b.length) },
        ] satisfies TiffField[])
      : ([
          { tag: Tag.RowsPerStrip, type: 'LONG', values: [bh] },
          { tag: Tag.StripOffsets, type: offsetType, values: offsets },
          { tag: Tag.StripByteCounts, type: 'LONG', values: blocks.map((b) => b.length) },
        ] satisfies TiffField[])),
    ...(opts.geo ?? defaultGeo()),
    ...(opts.nodata !== undefined ? [{ tag: Tag.GdalNodata, type: 'ASCII', values: opts.nodata } satisfies TiffField] : []),
  ];
  const placeholder = blocks.map(() => 0);
  const ifdSize = encodeIfd(fields(placeholder), order, 0).length;
  const dataStart = opts.ifdAtEnd ? headerSize : headerSize + ifdSize;
  const offsets: number[] = [];
  let at = dataStart;
  for (const b of blocks) {
    offsets.push(b.length === 0 ? 0 : at);
    at += b.length;
  }
  const ifdOffset = opts.ifdAtEnd ? at + (at % 2) : headerSize;
  const ifd = encodeIfd(fields(offsets), order, ifdOffset);
  const parts = opts.ifdAtEnd ? [encodeHeader(order, ifdOffset), ...blocks, Buffer.alloc(at % 2), ifd] : [encodeHeader(order, ifdOffset), ifd, ...blocks];
  return Buffer.concat(parts);
}
