/**
 * Writes the fuzz test's base inputs to test/fixtures/fuzz/base/: one small raster in each layout,
 * codec, predictor, byte order and sample type the reader supports, all holding the same values
 * (whole numbers, so integer types hold them exactly), and a boundary file of three zones.
 * The ZSTD file with entropy-coded blocks is compressed by the `zstd` command, which only this
 * script needs. Run: node --import tsx test/fuzz/makeBase.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRng } from '../../src/common/random.ts';
import { defaultGeo, type MakeTiffOptions, makeTiff } from '../raster/makeTiff.ts';
import { BASE_GRID } from './baseGrid.ts';
import { encodeLzw, encodePackBits, encodeZstdStored } from './encoders.ts';

const dir = fileURLToPath(new URL('../fixtures/fuzz/base/', import.meta.url));
mkdirSync(dir, { recursive: true });

const { width, height, originX, originY, cell } = BASE_GRID;
const rng = createRng(20261201);
const values = Array.from({ length: width * height }, () => (rng.next() < 0.3 ? 0 : rng.int(1000)));

const zstdCli = (raw: Uint8Array) => new Uint8Array(execFileSync('zstd', ['-19', '-q', '-c'], { input: raw }));
const common = { width, height, values, geo: defaultGeo(originX, originY, cell) };
const variants: Record<string, Omit<MakeTiffOptions, 'width' | 'height' | 'values'>> = {
  'strip_deflate.tif': { compression: 8 },
  'tile16_lzw_pred3.tif': { compression: 5, encode: encodeLzw, predictor: 3, tile: { width: 16, height: 16 } },
  'strip4_lzw_pred2_uint16.tif': { compression: 5, encode: encodeLzw, predictor: 2, sampleFormat: 1, bitsPerSample: 16, rowsPerStrip: 4 },
  'strip8_packbits_int16_be.tif': { compression: 32773, encode: encodePackBits, sampleFormat: 2, bitsPerSample: 16, rowsPerStrip: 8, littleEndian: false },
  'tile16_zstd_stored_f64.tif': { compression: 50000, encode: encodeZstdStored, bitsPerSample: 64, tile: { width: 16, height: 16 } },
  'tile16_zstd_pred2_int32.tif': { compression: 50000, encode: zstdCli, predictor: 2, sampleFormat: 2, bitsPerSample: 32, tile: { width: 16, height: 16 } },
  'strip5_none_bigtiff.tif': { compression: 1, bigTiff: true, rowsPerStrip: 5 },
  'strip3_deflate_ifd_at_end_nodata.tif': { compression: 8, rowsPerStrip: 3, ifdAtEnd: true, nodata: '-9999' },
};
for (const [name, opts] of Object.entries(variants)) {
  const bytes = makeTiff({ ...common, ...opts });
  writeFileSync(dir + name, bytes);
  if (name === 'strip_deflate.tif') writeFileSync(dir + 'strip_deflate.tif.gz', gzipSync(bytes));
}

/** Three zones: a triangle, a square with a hole, and a polygon reaching past the grid's east edge. */
const x = (col: number) => originX + col * cell;
const y = (row: number) => originY - row * cell;
const ring = (points: Array<[number, number]>) => [...points.map(([c, r]) => [x(c), y(r)]), [x(points[0][0]), y(points[0][1])]];
const zones = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { id: '1', name: 'triangle' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          ring([
            [1.5, 2.2],
            [18.7, 4.1],
            [6.3, 17.9],
          ]),
        ],
      },
    },
    {
      type: 'Feature',
      properties: { id: '2', name: 'holed square' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          ring([
            [20.25, 3.5],
            [36.6, 3.5],
            [36.6, 19.1],
            [20.25, 19.1],
          ]),
          ring([
            [25.5, 8.5],
            [25.5, 12.25],
            [30.75, 12.25],
            [30.75, 8.5],
          ]),
        ],
      },
    },
    {
      type: 'Feature',
      properties: { id: '3', name: 'east' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          ring([
            [8.1, 21.3],
            [55.2, 20.4],
            [50.9, 29.5],
            [12.4, 28.8],
          ]),
        ],
      },
    },
  ],
};
writeFileSync(dir + 'zones.geojson', JSON.stringify(zones) + '\n');
