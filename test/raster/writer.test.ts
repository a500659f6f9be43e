import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import type { Grid } from '../../src/raster/types.ts';
import { encodeStripGeoTiff, writeStripGeoTiff } from '../../src/raster/writer.ts';

// A window of the ODIAC lattice (1/120 degree, origin -180, 90) around Beijing.
const grid: Grid = {
  width: 53,
  height: 31,
  originX: -180 + 35000 / 120,
  originY: 90 - 5900 / 120,
  cellWidth: 1 / 120,
  cellHeight: 1 / 120,
  crs: { epsg: 4326, definition: 'EPSG:4326' },
};

function sample(row: number, col: number): number {
  if (row % 4 === 1) return 0;
  return Math.fround(Math.sin(row * 7.3 + col * 1.7) * 1000 + (col === 5 ? 1e6 : 0));
}

async function readBack(bytes: Uint8Array) {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const tiff = await fromArrayBuffer(ab);
  const image = await tiff.getImage();
  const [band] = (await image.readRasters()) as unknown as [Float32Array];
  return { image, band };
}

for (const [gzip, runLength] of [
  [false, false],
  [true, false],
  [true, true],
]) {
  test(`written GeoTIFF${gzip ? ` (gzipped${runLength ? ', run-length' : ''})` : ''} reads back with the geotiff package`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cger-writer-'));
    try {
      const path = join(dir, gzip ? 'x.tif.gz' : 'x.tif');
      const row = new Float32Array(grid.width);
      const written = await writeStripGeoTiff(path, { grid, gzip, runLength, level: 1 }, (r) => {
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
      assert.equal(image.fileDirectory.getValue('Compression'), 1);
      assert.equal(image.fileDirectory.getValue('RowsPerStrip'), 1);
      assert.deepEqual(Array.from(getTag('SampleFormat') as ArrayLike<number>), [3]);
      assert.deepEqual(image.getOrigin(), [grid.originX, grid.originY, 0]);
      assert.deepEqual(image.getResolution(), [grid.cellWidth, -grid.cellHeight, 0]);
      const keys = image.getGeoKeys() as Record<string, number>;
      assert.equal(keys.GTModelTypeGeoKey, 2);
      assert.equal(keys.GTRasterTypeGeoKey, 1);
      assert.equal(keys.GeographicTypeGeoKey, 4326);
      assert.equal(keys.GeogAngularUnitsGeoKey, 9102);
      assert.equal(band.length, grid.width * grid.height);
      for (let r = 0; r < grid.height; r++) {
        for (let c = 0; c < grid.width; c++) assert.equal(band[r * grid.width + c], sample(r, c), `cell ${r},${c}`);
      }
      // The IFD comes before the strip data (readers stream .tif.gz front to back).
      const ifdOffset = tif.readUInt32LE(4);
      const offsets = getTag('StripOffsets') as ArrayLike<number>;
      assert.ok(ifdOffset < offsets[0]);
      // Uncompressed one-row strips back to back up to the end of the file.
      assert.deepEqual(Array.from(getTag('StripByteCounts') as ArrayLike<number>), new Array(grid.height).fill(grid.width * 4));
      assert.equal(offsets[grid.height - 1] + grid.width * 4, tif.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a row of the wrong length is refused and leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cger-writer-'));
  try {
    const path = join(dir, 'bad.tif');
    await assert.rejects(
      writeStripGeoTiff(path, { grid }, () => new Float32Array(3)),
      /row 0 has 3 values, expected 53/,
    );
    assert.throws(() => readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same rows give the same bytes (in memory and on disk)', async () => {
  const rows = (r: number) => Float32Array.from({ length: grid.width }, (_, c) => sample(r, c));
  const a = await encodeStripGeoTiff({ grid, gzip: true, level: 1 }, rows);
  const b = await encodeStripGeoTiff({ grid, gzip: true, level: 1 }, rows);
  assert.ok(a.bytes.equals(b.bytes));
  assert.equal(a.md5, createHash('md5').update(a.bytes).digest('hex'));
});
