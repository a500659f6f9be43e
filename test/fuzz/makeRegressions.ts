/**
 * Writes the crafted regression inputs of test/fixtures/fuzz/ (the ZSTD ones there are fuzz
 * cases that once hung the reader, kept as found). Each reproduces a way a hostile file once
 * crashed, hung or fooled cger. Run: node --import tsx test/fuzz/makeRegressions.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Tag } from '../../src/raster/tags.ts';
import { encodeHeader, encodeIfd } from '../../src/raster/tiffEncode.ts';
import { defaultGeo, makeTiff } from '../raster/makeTiff.ts';
import { BASE_GRID } from './baseGrid.ts';
import { encodeLzw } from './encoders.ts';

const dir = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url));
mkdirSync(dir, { recursive: true });
const { width, height, originX, originY, cell } = BASE_GRID;
const geo = defaultGeo(originX, originY, cell);
const values = Array.from({ length: width * height }, (_, i) => i % 17);

/** MSB-first codes of the given widths. */
function packCodes(codes: Array<[number, number]>): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let n = 0;
  for (const [code, w] of codes) {
    bits = (bits << w) | code;
    n += w;
    while (n >= 8) {
      out.push((bits >>> (n - 8)) & 0xff);
      n -= 8;
    }
    bits &= (1 << n) - 1;
  }
  if (n > 0) out.push((bits << (8 - n)) & 0xff);
  return Uint8Array.from(out);
}

/**
 * LZW whose second table generation names a code past the dictionary, then an entry whose stale
 * prefix chain (left by the first generation of a zero run) leads back to itself: geotiff's
 * decoder follows it forever ("Fatal JavaScript invalid size error").
 */
function cyclicLzw(): Uint8Array {
  // First generation: a zero run builds entries 258, 259, ... each the previous plus a zero.
  const zeros = encodeLzw(new Uint8Array(3000)); // starts with CLEAR, ends with EOI
  const codes: Array<[number, number]> = [];
  // Re-read the codes of `zeros` up to (not including) its EOI, tracking the width as the decoder does.
  let bitPos = 0;
  let w = 9;
  let next = 258;
  let first = true;
  for (;;) {
    let code = 0;
    for (let k = 0; k < w; k++) code = (code << 1) | ((zeros[(bitPos + k) >> 3] >> (7 - ((bitPos + k) & 7))) & 1);
    bitPos += w;
    if (code === 257) break;
    codes.push([code, w]);
    if (code === 256) {
      w = 9;
      next = 258;
      first = true;
      continue;
    }
    if (!first) {
      next++;
      if (next >= (1 << w) - 1 && w < 12) w++;
    }
    first = false;
  }
  // Second generation: clear, a literal, a code far past the table, then the cycle.
  codes.push([256, w], [0, 9], [330, 9], [259, 9], [259, 9], [257, 9]);
  return packCodes(codes);
}

const files: Record<string, Buffer> = {
  // One strip holding the whole image, LZW with a cyclic dictionary chain.
  'lzw_cyclic_chain.tif': makeTiff({ width, height, values, geo, compression: 5, rowsPerStrip: height, encode: cyclicLzw }),
};

/** A TIFF directory alone (no image data), as a tiny file declaring what it likes. */
function headerOnly(fields: Parameters<typeof encodeIfd>[0], bigTiff = false): Buffer {
  const order = { littleEndian: true, bigTiff };
  const at = bigTiff ? 16 : 8;
  return Buffer.concat([encodeHeader(order, at), encodeIfd(fields, order, at)]);
}
const base = (w: number, h: number, rows: number, offsets: number[], counts: number[]) => [
  { tag: Tag.ImageWidth, type: 'LONG' as const, values: [w] },
  { tag: Tag.ImageLength, type: 'LONG' as const, values: [h] },
  { tag: Tag.BitsPerSample, type: 'SHORT' as const, values: [32] },
  { tag: Tag.Compression, type: 'SHORT' as const, values: [50000] },
  { tag: Tag.SamplesPerPixel, type: 'SHORT' as const, values: [1] },
  { tag: Tag.RowsPerStrip, type: 'LONG' as const, values: [rows] },
  { tag: Tag.StripOffsets, type: 'LONG' as const, values: offsets },
  { tag: Tag.StripByteCounts, type: 'LONG' as const, values: counts },
  { tag: Tag.SampleFormat, type: 'SHORT' as const, values: [3] },
  ...defaultGeo(-180, 90, cell),
];
// 65535 x 65535 cells in one ZSTD strip, in a file of a few hundred bytes.
files['huge_65535x65535.tif'] = headerOnly(base(65535, 65535, 65535, [8], [100]));
// 50000 x 55000 cells in 1-row strips: the strip arrays cannot be in an 800-byte file.
files['huge_50000x55000.tif'] = headerOnly(base(50000, 55000, 1, [8], [100]));

/** The strip DEFLATE base raster with its directory patched as `patch` says. */
function patched(patch: (buf: Buffer, entry: (tag: number) => number) => void): Buffer {
  const buf = Buffer.from(readFileSync(new URL('../fixtures/fuzz/base/strip_deflate.tif', import.meta.url)));
  const ifd = buf.readUInt32LE(4);
  const entry = (tag: number) => {
    for (let i = 0; i < buf.readUInt16LE(ifd); i++) if (buf.readUInt16LE(ifd + 2 + 12 * i) === tag) return ifd + 2 + 12 * i;
    throw new Error(`no tag ${tag}`);
  };
  patch(buf, entry);
  return buf;
}
// ImageWidth given twice, the second entry saying 20: libtiff (and GDAL) read the first, 40.
files['duplicate_imagewidth.tif'] = makeTiff({ width, height, values, compression: 8, geo: [...geo, { tag: Tag.ImageWidth, type: 'LONG', values: [20] }] });
// StripOffsets stored as UNDEFINED (type 7), which libtiff refuses.
files['stripoffsets_undefined.tif'] = patched((buf, entry) => buf.writeUInt16LE(7, entry(Tag.StripOffsets) + 2));
// A .tif.gz whose CRC-32 does not match its data.
const gz = gzipSync(readFileSync(new URL('../fixtures/fuzz/base/strip_deflate.tif', import.meta.url)));
gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 0x5a5a5a5a) >>> 0, gz.length - 8);
files['wrong_crc.tif.gz'] = gz;

for (const [name, bytes] of Object.entries(files)) writeFileSync(dir + name, bytes);
