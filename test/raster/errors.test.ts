import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CgerError } from '../../src/common/errors.ts';
import { checkOdiacLattice, isOdiacLattice } from '../../src/odiac/index.ts';
import { readBlocks, readRasterInfo } from '../../src/raster/index.ts';
import { Tag } from '../../src/raster/tags.ts';
import { geographicGeoKeys } from '../../src/raster/tiffEncode.ts';
import { defaultGeo, makeTiff } from './makeTiff.ts';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const TIMEOUT = { timeout: 15000 };

/** Reads every block; must reject with a one-line CgerError naming the file and matching `pattern`. */
async function expectReadError(path: string, pattern: RegExp, threads?: number): Promise<void> {
  let blocks = 0;
  await assert.rejects(
    readBlocks(path, () => blocks++, { threads }),
    (err: Error) => {
      assert.ok(err instanceof CgerError, `CgerError, got ${err.name}: ${err.message}`);
      assert.ok(err.message.startsWith(`${path}: `), `names the file: ${err.message}`);
      assert.ok(!err.message.includes('\n'), 'one line');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('bad fixtures give clear errors naming the file', TIMEOUT, async () => {
  await expectReadError(fixture('bad/garbage.tif'), /not a TIFF file \(starts with bytes 3c 97 8b 21/);
  await expectReadError(fixture('bad/not_a_tiff.tif'), /not a TIFF file/);
  await expectReadError(fixture('bad/truncated.tif'), /file is truncated: strip \d+ \(rows \d+-\d+\) needs bytes \d+-\d+ but the file has 250000 bytes/);
  await expectReadError(fixture('bad/truncated.tif.gz'), /gzip stream is truncated/);
  for (const threads of [0, 2]) {
    await expectReadError(fixture('bad/corrupt_strip.tif'), /^\S+: strip \d+ \(rows (\d+)-\1\) failed to decode: \w/, threads);
  }
  for (const p of ['bad/garbage.tif', 'bad/not_a_tiff.tif', 'bad/truncated.tif']) {
    await assert.rejects(readRasterInfo(fixture(p)), (err: Error) => err instanceof CgerError && err.message.startsWith(fixture(p)));
  }
});

test('no partial success: blocks before a corrupt strip may arrive, but the read rejects', TIMEOUT, async () => {
  let delivered = 0;
  await assert.rejects(
    readBlocks(fixture('bad/corrupt_strip.tif'), () => delivered++),
    CgerError,
  );
  assert.ok(delivered < 420);
});

test('a valid GeoTIFF off the ODIAC lattice reads fine, and the lattice check says why it is not ODIAC', async () => {
  const path = fixture('bad/wrong_grid_0.01deg.tif');
  const info = await readRasterInfo(path);
  assert.equal(info.grid.cellWidth, 0.01);
  assert.equal(isOdiacLattice(info.grid), false);
  assert.throws(
    () => checkOdiacLattice(info.grid, path),
    (err: Error) =>
      err instanceof CgerError && err.message === `${path}: not the ODIAC 1 km grid: cells are 0.01 x 0.01 degrees, not 1/120 degree (30 arc-seconds)`,
  );
  const jjj = await readRasterInfo(fixture('jjj/jjj_strip_deflate.tif'));
  assert.equal(isOdiacLattice(jjj.grid), true);
  assert.equal(isOdiacLattice({ ...jjj.grid, originX: jjj.grid.originX + 0.004 }), false, 'half a cell off the lattice');
  checkOdiacLattice(jjj.grid, 'jjj');
});

test('constructed failures: corrupt or cut gzip, empty file, missing file, bad georeferencing', TIMEOUT, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cger-raster-test-'));
  const at = (name: string) => join(dir, name);
  try {
    const tif = await readFile(fixture('jjj/jjj_strip_deflate.tif'));
    // gzip that ends cleanly in the middle of the image data
    await writeFile(at('short.tif.gz'), gzipSync(tif.subarray(0, 200000)));
    await expectReadError(at('short.tif.gz'), /file is truncated: strip \d+ \(rows \d+-\d+\) needs bytes up to \d+ but the TIFF data ends at byte 200000/);
    // gzip with damaged deflate data in the middle
    const gz = Buffer.from(gzipSync(tif));
    for (let i = 100000; i < 100400; i++) gz[i] ^= 0x5a;
    await writeFile(at('corrupt.tif.gz'), gz);
    // (these damaged bytes still inflate: the gzip CRC-32 is what catches them)
    await expectReadError(at('corrupt.tif.gz'), /gzip (stream is corrupt \(.+ after \d+ decompressed bytes\)|CRC-32 mismatch)/);
    await writeFile(at('empty.tif'), Buffer.alloc(0));
    await expectReadError(at('empty.tif'), /empty file, not a TIFF/);
    await expectReadError(at('missing.tif'), /cannot open \(ENOENT\)/);

    const values = [1, 2, 3, 4];
    const geoCases: Array<[string, Parameters<typeof makeTiff>[0]['geo'], RegExp]> = [
      [
        'rotated.tif',
        [
          { tag: Tag.ModelTransformation, type: 'DOUBLE', values: [0.01, 0.002, 0, 115, 0.001, -0.01, 0, 41, 0, 0, 0, 0, 0, 0, 0, 1] },
          { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
        ],
        /rotated or sheared grid/,
      ],
      ['user_crs.tif', [...defaultGeo().slice(0, 2), { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(32767) }], /user-defined CRS/],
      [
        'unknown_epsg.tif',
        [...defaultGeo().slice(0, 2), { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4999) }],
        /EPSG:4999 is not known to proj4/,
      ],
      ['no_georef.tif', [{ tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) }], /no georeferencing/],
      ['no_crs.tif', defaultGeo().slice(0, 2), /no CRS/],
    ];
    for (const [name, geo, pattern] of geoCases) {
      await writeFile(at(name), makeTiff({ width: 2, height: 2, values, geo }));
      await expectReadError(at(name), pattern);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('georeferencing: ModelTransformation, PixelIsPoint half-cell shift, projected EPSG codes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cger-raster-test-'));
  const at = (name: string) => join(dir, name);
  try {
    const values = [1, 2, 3, 4];
    await writeFile(
      at('transform.tif'),
      makeTiff({
        width: 2,
        height: 2,
        values,
        geo: [
          { tag: Tag.ModelTransformation, type: 'DOUBLE', values: [0.5, 0, 0, 100, 0, -0.25, 0, 30, 0, 0, 0, 0, 0, 0, 0, 1] },
          { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
        ],
      }),
    );
    const t = await readRasterInfo(at('transform.tif'));
    assert.deepEqual([t.grid.originX, t.grid.originY, t.grid.cellWidth, t.grid.cellHeight], [100, 30, 0.5, 0.25]);
    assert.equal(t.pixelIsPoint, false);

    // PixelIsPoint (GTRasterTypeGeoKey = 2): the tie point is the centre of cell (0, 0).
    const pointKeys = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 2, 2048, 0, 1, 4326];
    await writeFile(
      at('point.tif'),
      makeTiff({ width: 2, height: 2, values, geo: [...defaultGeo(100, 30, 0.5).slice(0, 2), { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: pointKeys }] }),
    );
    const p = await readRasterInfo(at('point.tif'));
    assert.equal(p.pixelIsPoint, true);
    assert.deepEqual([p.grid.originX, p.grid.originY], [99.75, 30.25]);

    // Projected: UTM 50N (EPSG:32650), built-in proj string.
    const utmKeys = [1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32650];
    await writeFile(
      at('utm.tif'),
      makeTiff({
        width: 2,
        height: 2,
        values,
        geo: [...defaultGeo(500000, 4400000, 1000).slice(0, 2), { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: utmKeys }],
      }),
    );
    const u = await readRasterInfo(at('utm.tif'));
    assert.deepEqual(u.grid.crs, { epsg: 32650, definition: '+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs' });
    assert.equal(isOdiacLattice(u.grid), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
