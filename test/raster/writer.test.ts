import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import { sparseZlib, writeStripGeoTiff } from '../../src/raster/writer.ts';
import { createRng } from '../../src/common/random.ts';
import type { Grid } from '../../src/raster/types.ts';

// A window of the ODIAC lattice (1/120 degree, origin -180, 90) around Beijing.
const grid: Grid = {
  width: 53, height: 31,
  originX: -180 + 35000 / 120, originY: 90 - 5900 / 120,
  cellWidth: 1 / 120, cellHeight: 1 / 120,
  crs: { epsg: 4326, definition: 'EPSG:4326' },
};

function sample(row: number, col: number): number {
  if (row % 4 === 1) return 0; // whole zero rows share one compressed strip
  return Math.fround(Math.sin(row * 7.3 + col * 1.7) * 1000 + (col === 5 ? 1e6 : 0));
}

async function readBack(bytes: Uint8Array) {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const tiff = await fromArrayBuffer(ab);
  const image = await tiff.getImage();
  const [band] = (await image.readRasters()) as unknown as [Float32Array];
  return { image, band };
}

for (const gzip of [false, true]) {
  test(`written GeoTIFF${gzip ? ' (gzipped)' : ''} reads back with the geotiff package`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cger-writer-'));
    try {
      const path = join(dir, gzip ? 'x.tif.gz' : 'x.tif');
      const row = new Float32Array(grid.width);
      const written = await writeStripGeoTiff(path, { grid, gzip }, (r) => {
        for (let c = 0; c < grid.width; c++) row[c] = sample(r, c);
        return row; // reused buffer: the writer must copy what it needs
      });
      const raw = readFileSync(path);
      assert.equal(written.bytes, raw.length);
      assert.equal(written.md5, createHash('md5').update(raw).digest('hex'));
      if (gzip) assert.deepEqual([...raw.subarray(0, 2)], [0x1f, 0x8b]);
      const tif = gzip ? gunzipSync(raw) : raw;
      const { image, band } = await readBack(tif);
      assert.equal(image.getWidth(), grid.width);
      assert.equal(image.getHeight(), grid.height);
      const getTag = image.fileDirectory.getValue.bind(image.fileDirectory) as (name: string) => unknown;
      assert.equal(image.fileDirectory.getValue('Compression'), 8);
      assert.equal(image.fileDirectory.getValue('RowsPerStrip'), 1);
      assert.deepEqual(Array.from(getTag('SampleFormat') as ArrayLike<number>), [3]);
      assert.deepEqual(image.getOrigin(), [grid.originX, grid.originY, 0]);
      assert.deepEqual(image.getResolution(), [grid.cellWidth, -grid.cellHeight, 0]);
      const keys = image.getGeoKeys() as Record<string, number>;
      assert.equal(keys.GTModelTypeGeoKey, 2);
      assert.equal(keys.GTRasterTypeGeoKey, 1);
      assert.equal(keys.GeographicTypeGeoKey, 4326);
      assert.equal(band.length, grid.width * grid.height);
      for (let r = 0; r < grid.height; r++) {
        for (let c = 0; c < grid.width; c++) assert.equal(band[r * grid.width + c], sample(r, c), `cell ${r},${c}`);
      }
      // The IFD comes before the strip data (readers stream .tif.gz front to back).
      const ifdOffset = tif.readUInt32LE(4);
      const firstStrip = (getTag('StripOffsets') as ArrayLike<number>)[0];
      assert.ok(ifdOffset < firstStrip);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a row of the wrong length is refused and leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cger-writer-'));
  try {
    const path = join(dir, 'bad.tif');
    await assert.rejects(writeStripGeoTiff(path, { grid }, () => new Float32Array(3)), /row 0 has 3 values, expected 53/);
    assert.throws(() => readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function roundTrip(data: Uint8Array, label: string): Uint8Array {
  const z = sparseZlib(data);
  // inflateSync checks the zlib header and the Adler-32 trailer too.
  assert.deepEqual(new Uint8Array(inflateSync(z)), data, label);
  return z;
}

test('sparse zlib streams inflate back to the input (runs of every length around the limits)', () => {
  roundTrip(new Uint8Array(0), 'empty');
  for (const len of [1, 2, 3, 4, 5, 6, 10, 257, 258, 259, 260, 261, 262, 516, 517, 29568]) {
    roundTrip(new Uint8Array(len), `zeros x${len}`);
    roundTrip(new Uint8Array(len).fill(200), `200 x${len}`);
    const mixed = new Uint8Array(len + 6);
    mixed.set([7, 7, 7], 0);
    mixed.fill(143, 3, 3 + len);
    mixed.set([144, 255, 0], 3 + len);
    roundTrip(mixed, `mixed ${len}`);
  }
});

test('sparse zlib streams of random sparse Float32 rows', () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 40; trial++) {
    const row = new Float32Array(1 + rng.int(8000));
    const nonzero = rng.int(200);
    for (let k = 0; k < nonzero; k++) row[rng.int(row.length)] = trial % 2 ? Math.exp(rng.normal() * 3) : rng.int(4);
    const bytes = new Uint8Array(row.buffer);
    const z = roundTrip(bytes, `trial ${trial}`);
    // Long zero runs compress: at most ~9 bits per non-run byte plus 13 bits per 258 zeros.
    assert.ok(z.length < 16 + nonzero * 4 * 2 + (bytes.length / 258) * 2 + 64, `trial ${trial}: ${z.length} bytes`);
  }
  const dense = new Uint8Array(5000).map(() => rng.int(256));
  roundTrip(dense, 'random bytes');
});
