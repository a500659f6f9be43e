import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { fromFile } from 'geotiff';
import { type RasterBlock, type ReadOptions, readBlocks, readRasterInfo } from '../../src/raster/index.ts';
import { type MakeTiffOptions, makeTiff } from './makeTiff.ts';

const jjj = (name: string) => fileURLToPath(new URL(`../fixtures/jjj/${name}`, import.meta.url));

/** Reads blocks into a full-grid array (NaN where nothing was delivered) and checks each cell comes once. */
async function readGrid(path: string, opts: ReadOptions = {}) {
  const delivered: RasterBlock[] = [];
  const info = await readBlocks(path, (b) => delivered.push(b), opts);
  const { width, height } = info.grid;
  const values = new Float64Array(width * height).fill(NaN);
  const seen = new Uint8Array(width * height);
  for (const b of delivered) {
    assert.equal(b.data.length, b.width * b.height, 'block data length');
    assert.ok(b.col0 + b.width <= width && b.row0 + b.height <= height, 'block clipped to the grid');
    for (let r = 0; r < b.height; r++) {
      for (let c = 0; c < b.width; c++) {
        const i = (b.row0 + r) * width + b.col0 + c;
        seen[i]++;
        values[i] = b.data[r * b.width + c];
      }
    }
  }
  assert.ok(
    seen.every((n) => n <= 1),
    'no cell delivered twice',
  );
  return { info, values, blocks: delivered };
}

const layouts = [
  { file: 'jjj_strip_deflate.tif', kind: 'strips', blockWidth: 420, blockHeight: 1, compression: 8, predictor: 1, bigTiff: false, gzipped: false },
  { file: 'jjj_tile256_lzw_pred3.tif', kind: 'tiles', blockWidth: 256, blockHeight: 256, compression: 5, predictor: 3, bigTiff: false, gzipped: false },
  { file: 'jjj_strip16_none.tif', kind: 'strips', blockWidth: 420, blockHeight: 16, compression: 1, predictor: 1, bigTiff: false, gzipped: false },
  {
    file: 'jjj_tile512_deflate_pred3_bigtiff.tif',
    kind: 'tiles',
    blockWidth: 512,
    blockHeight: 512,
    compression: 8,
    predictor: 3,
    bigTiff: true,
    gzipped: false,
  },
  { file: 'jjj_strip_deflate_gz.tif.gz', kind: 'strips', blockWidth: 420, blockHeight: 1, compression: 8, predictor: 1, bigTiff: false, gzipped: true },
] as const;

test('every jjj layout decodes to the same values, grid and layout', async () => {
  const reference = await readGrid(jjj(layouts[0].file));
  let nonZero = 0;
  for (const v of reference.values) if (v !== 0) nonZero++;
  assert.ok(nonZero > 10000, 'fixture has real values');
  for (const layout of layouts) {
    const notices: string[] = [];
    const { info, values } = await readGrid(jjj(layout.file), { onNotice: (m) => notices.push(m) });
    const { file, ...expectedLayout } = layout;
    assert.deepEqual(info.layout, expectedLayout, file);
    assert.deepEqual(notices, [], `${file}: streamed without a temp file`);
    assert.equal(info.grid.width, 420);
    assert.equal(info.grid.height, 420);
    assert.ok(Math.abs(info.grid.originX - 115) < 1e-9 && Math.abs(info.grid.originY - 41.5) < 1e-9, `${file} origin`);
    assert.ok(Math.abs(info.grid.cellWidth - 1 / 120) < 1e-15 && Math.abs(info.grid.cellHeight - 1 / 120) < 1e-15, `${file} cell size`);
    assert.deepEqual(info.grid.crs, { epsg: 4326, definition: '+proj=longlat +datum=WGS84 +no_defs' });
    assert.equal(info.nodata, null);
    assert.equal(info.sampleFormat, 'float');
    assert.equal(info.bitsPerSample, 32);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== reference.values[i]) assert.fail(`${file}: cell ${i} is ${values[i]}, strip/deflate has ${reference.values[i]}`);
    }
  }
});

test('values agree with geotiff.readRasters as an independent decoder', async () => {
  const ours = await readGrid(jjj('jjj_strip_deflate.tif'));
  for (const file of ['jjj_tile256_lzw_pred3.tif', 'jjj_strip_deflate.tif']) {
    const tiff = await fromFile(jjj(file));
    const [band] = (await (await tiff.getImage()).readRasters()) as unknown as Float32Array[];
    await tiff.close();
    assert.equal(band.length, ours.values.length);
    for (let i = 0; i < band.length; i++) {
      if (band[i] !== ours.values[i]) assert.fail(`${file}: cell ${i}: geotiff ${band[i]}, cger ${ours.values[i]}`);
    }
  }
});

test('readRasterInfo reads the header only, with nodata from tag 42113', async () => {
  const info = await readRasterInfo(jjj('jjj_nodata_nan.tif'));
  assert.equal(info.nodata, -9999);
  const gz = await readRasterInfo(jjj('jjj_strip_deflate_gz.tif.gz'));
  assert.equal(gz.layout.gzipped, true);
  assert.equal(gz.grid.width, 420);
  const { values } = await readGrid(jjj('jjj_nodata_nan.tif'));
  // The README says about 1% NaN cells; GDAL stored them as the nodata value (geotiff reads the same).
  const skipped = values.filter((v) => Number.isNaN(v) || v === -9999).length;
  assert.ok(skipped > 0.005 * values.length && skipped < 0.02 * values.length, `about 1% nodata/NaN cells (${skipped})`);
});

test('a window read delivers only the intersecting blocks, with the right values', async () => {
  const full = await readGrid(jjj('jjj_strip_deflate.tif'));
  const window = { row0: 300, row1: 310, col0: 10, col1: 20 };
  const tiles = await readGrid(jjj('jjj_tile256_lzw_pred3.tif'), { window });
  assert.deepEqual(
    tiles.blocks.map((b) => [b.row0, b.col0, b.height, b.width]),
    [[256, 0, 164, 256]],
    'one clipped tile',
  );
  for (const file of ['jjj_strip_deflate.tif', 'jjj_strip_deflate_gz.tif.gz', 'jjj_strip16_none.tif']) {
    const strips = await readGrid(jjj(file), { window });
    const rows = strips.blocks.map((b) => [b.row0, b.height]);
    const expected = file.includes('16')
      ? [
          [288, 16],
          [304, 16],
        ]
      : Array.from({ length: 10 }, (_, i) => [300 + i, 1]);
    assert.deepEqual(rows, expected, `${file}: intersecting strips, in file order`);
    assert.ok(
      strips.blocks.every((b) => b.col0 === 0 && b.width === 420),
      'strips come at full width',
    );
  }
  for (let r = window.row0; r < window.row1; r++) {
    for (let c = window.col0; c < window.col1; c++) assert.equal(tiles.values[r * 420 + c], full.values[r * 420 + c]);
  }
});

test('worker threads decode the same values as the calling thread', async () => {
  for (const file of ['jjj_strip_deflate.tif', 'jjj_tile256_lzw_pred3.tif', 'jjj_strip_deflate_gz.tif.gz']) {
    const inline = await readGrid(jjj(file), { threads: 0 });
    const pooled = await readGrid(jjj(file), { threads: 2 });
    assert.deepEqual(
      pooled.blocks.map((b) => [b.row0, b.col0]),
      inline.blocks.map((b) => [b.row0, b.col0]),
      `${file}: same order`,
    );
    assert.deepEqual(pooled.values, inline.values, file);
  }
});

/** Deterministic test values of the given sample type. */
function sampleValues(n: number, kind: { sampleFormat: 1 | 2 | 3; bitsPerSample: 8 | 16 | 32 | 64 }): number[] {
  const out: number[] = [];
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = x / 2 ** 32;
    if (kind.sampleFormat === 3) out.push(kind.bitsPerSample === 32 ? Math.fround((u - 0.3) * 1e4) : (u - 0.3) * 1e6 + 1e-7 * i);
    else if (kind.sampleFormat === 2) out.push(Math.floor((u - 0.5) * 2 ** kind.bitsPerSample));
    else out.push(Math.floor(u * 2 ** kind.bitsPerSample));
  }
  return out;
}

test('constructed layouts: byte orders, integer types, predictors 2 and 3, tiles with clipped edges', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cger-raster-test-'));
  try {
    const cases: Array<Omit<MakeTiffOptions, 'width' | 'height' | 'values'> & { sampleFormat: 1 | 2 | 3; bitsPerSample: 8 | 16 | 32 | 64 }> = [
      { littleEndian: true, sampleFormat: 2, bitsPerSample: 16, predictor: 2, rowsPerStrip: 3 },
      { littleEndian: false, sampleFormat: 1, bitsPerSample: 16, predictor: 2, compression: 1, rowsPerStrip: 4 },
      { littleEndian: true, sampleFormat: 1, bitsPerSample: 8, predictor: 2 },
      { littleEndian: false, sampleFormat: 2, bitsPerSample: 32, predictor: 1, tile: { width: 16, height: 16 } },
      { littleEndian: false, sampleFormat: 1, bitsPerSample: 32, predictor: 2, tile: { width: 16, height: 16 } },
      { littleEndian: false, sampleFormat: 3, bitsPerSample: 32, predictor: 3, tile: { width: 16, height: 8 } },
      { littleEndian: false, sampleFormat: 3, bitsPerSample: 32, predictor: 1, rowsPerStrip: 2 },
      { littleEndian: false, bigTiff: true, sampleFormat: 3, bitsPerSample: 64, predictor: 3, rowsPerStrip: 5 },
      { littleEndian: true, sampleFormat: 3, bitsPerSample: 64, predictor: 1, compression: 1, tile: { width: 32, height: 16 } },
    ];
    for (const [i, spec] of cases.entries()) {
      const width = 37;
      const height = 23;
      const values = sampleValues(width * height, spec);
      const path = join(dir, `case${i}.tif`);
      await writeFile(path, makeTiff({ ...spec, width, height, values }));
      const label = JSON.stringify(spec);
      const { info, values: got } = await readGrid(path);
      assert.equal(info.sampleFormat, spec.sampleFormat === 3 ? 'float' : spec.sampleFormat === 2 ? 'int' : 'uint', label);
      for (let k = 0; k < values.length; k++) {
        if (got[k] !== values[k]) assert.fail(`${label}: cell ${k} is ${got[k]}, written ${values[k]}`);
      }

      // Rows needed only in part (some not at all): blocks decoded only up to their last needed cell.
      const window = { row0: 2, row1: 20, col0: 3, col1: width };
      const rowEnds = { row0: 2, colEnd: Int32Array.from({ length: 18 }, (_, r) => (r % 5 === 3 ? 0 : 5 + ((r * 7) % 31))) };
      const part = await readGrid(path, { window, rowEnds, threads: i % 2 });
      for (let r = window.row0; r < window.row1; r++) {
        for (let c = window.col0; c < rowEnds.colEnd[r - 2]; c++) {
          if (part.values[r * width + c] !== values[r * width + c]) assert.fail(`${label}: partial read, cell (${r}, ${c}) is ${part.values[r * width + c]}`);
        }
      }
      for (const b of part.blocks) {
        const needs = (r: number) => Math.min(rowEnds.colEnd[r - 2] ?? 0, b.col0 + b.width) > Math.max(b.col0, window.col0);
        assert.ok(needs(b.row0 + b.height - 1), `${label}: block at (${b.row0}, ${b.col0}) ends on a needed row`);
        const furthest = Math.max(
          ...Array.from({ length: b.height }, (_, k) => b.row0 + k)
            .filter((r) => r >= 2 && r < 20)
            .map((r) => rowEnds.colEnd[r - 2]),
        );
        assert.equal(
          b.col0 + b.width,
          Math.min(furthest, spec.tile ? b.col0 + spec.tile.width : width, width),
          `${label}: block at (${b.row0}, ${b.col0}) ends at the furthest needed column`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gzipped TIFF with the directory after the data: small one streams, big one falls back to a temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cger-raster-test-'));
  try {
    // Small: the whole file fits in the buffered head, so no temp file is needed.
    const small = sampleValues(40 * 30, { sampleFormat: 3, bitsPerSample: 32 });
    await writeFile(join(dir, 'small.tif.gz'), gzipSync(makeTiff({ width: 40, height: 30, values: small, ifdAtEnd: true })));
    const smallNotices: string[] = [];
    const s = await readGrid(join(dir, 'small.tif.gz'), { onNotice: (m) => smallNotices.push(m) });
    assert.deepEqual(smallNotices, []);
    assert.deepEqual(Array.from(s.values), small);

    // Big (17.6 MB uncompressed, over the 16 MB head): must go through a temporary file.
    const width = 2100;
    const height = 2100;
    const big = new Float32Array(width * height);
    for (let k = 0; k < big.length; k++) big[k] = ((k * 7919) % 1000) / 8;
    const path = join(dir, 'ifd_at_end.tif.gz');
    await writeFile(path, gzipSync(makeTiff({ width, height, values: big, ifdAtEnd: true, compression: 1, rowsPerStrip: 16 })));
    const notices: string[] = [];
    const window = { row0: 2000, row1: 2010, col0: 0, col1: width };
    const b = await readGrid(path, { window, onNotice: (m) => notices.push(m) });
    assert.equal(notices.length, 1);
    assert.match(notices[0], /ifd_at_end\.tif\.gz: .*temporary file/);
    const tmp = /temporary file (\S+)$/.exec(notices[0])![1];
    assert.equal(existsSync(tmp), false, 'temp file removed');
    assert.equal(b.info.layout.gzipped, true);
    assert.equal(b.info.path, path);
    assert.deepEqual(
      b.blocks.map((x) => x.row0),
      [2000],
      'only the 16-row strip holding rows 2000-2009',
    );
    for (let r = window.row0; r < window.row1; r++) {
      for (let c = 0; c < width; c += 97) assert.equal(b.values[r * width + c], big[r * width + c]);
    }
    // The header alone is readable the same way.
    assert.equal((await readRasterInfo(path)).grid.width, width);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sparse blocks (no bytes) read as nodata, or 0 without nodata, as GDAL reads them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cger-raster-test-'));
  try {
    const values = Array.from({ length: 6 * 4 }, (_, k) => k + 1);
    for (const [nodata, fill] of [
      ['-9999', -9999],
      [undefined, 0],
    ] as const) {
      const path = join(dir, `sparse${fill}.tif`);
      await writeFile(path, makeTiff({ width: 6, height: 4, values, rowsPerStrip: 2, sparseBlocks: [0], nodata }));
      const { values: got, blocks } = await readGrid(path);
      assert.deepEqual(
        blocks.map((b) => b.row0),
        [0, 2],
      );
      assert.deepEqual(Array.from(got), [...Array(12).fill(fill), ...values.slice(12)]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gz streaming leaves the gzip file as the only input (no temp file for GDAL layouts)', async () => {
  const before = (await readFile(jjj('jjj_strip_deflate_gz.tif.gz'))).length;
  let bytes = 0;
  const notices: string[] = [];
  await readBlocks(jjj('jjj_strip_deflate_gz.tif.gz'), () => {}, { onBytes: (n) => (bytes += n), onNotice: (m) => notices.push(m) });
  assert.deepEqual(notices, []);
  assert.ok(bytes > 0 && bytes <= before, 'onBytes counts compressed file bytes');
});

test('an error thrown by onBlock fails the read, on any thread count', async () => {
  for (const threads of [0, 2]) {
    let calls = 0;
    await assert.rejects(
      readBlocks(
        jjj('jjj_strip_deflate.tif'),
        () => {
          if (++calls === 5) throw new Error('consumer gave up');
        },
        { threads },
      ),
      /consumer gave up/,
      `threads ${threads}`,
    );
    assert.equal(calls, 5, `threads ${threads}: no block after the failing one`);
  }
});
