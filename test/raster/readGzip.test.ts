import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type CellWindow, type RasterBlock, type RowEnds, readBlocks, readRasterInfo, reduceBlocks } from '../../src/raster/index.ts';
import { type MakeTiffOptions, makeTiff } from './makeTiff.ts';
import { ROW_SUMS_MODULE } from './rowSumsReducer.ts';

/** Inner layouts a .tif.gz may hold: what ODIAC ships (uncompressed 1-row strips) and compressed ones. */
const innerLayouts: Array<{ name: string; opts: Omit<MakeTiffOptions, 'width' | 'height' | 'values'> }> = [
  { name: 'uncompressed 1-row strips', opts: { compression: 1 } },
  { name: 'uncompressed 16-row strips, Float64 big-endian', opts: { compression: 1, rowsPerStrip: 16, bitsPerSample: 64, littleEndian: false } },
  { name: 'uncompressed 1-row strips, Int16 with predictor 2', opts: { compression: 1, sampleFormat: 2, bitsPerSample: 16, predictor: 2 } },
  { name: 'DEFLATE 1-row strips', opts: { compression: 8 } },
  { name: 'LZW 4-row strips', opts: { compression: 5, rowsPerStrip: 4 } },
  { name: 'LZW 64 x 64 tiles, predictor 3', opts: { compression: 5, tile: { width: 64, height: 64 }, predictor: 3 } },
];

function values(width: number, height: number, integers: boolean): Float32Array {
  const out = new Float32Array(width * height);
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (x % 5 !== 0) out[i] = integers ? (x >>> 20) - 2048 : (x >>> 8) / 4096;
  }
  return out;
}

async function withDir(use: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'cger-readgz-'));
  try {
    await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function blocksOf(path: string, window?: CellWindow, rowEnds?: RowEnds, threads?: number): Promise<RasterBlock[]> {
  const blocks: RasterBlock[] = [];
  await readBlocks(path, (b) => blocks.push(b), { window, rowEnds, threads });
  return blocks;
}

async function rowSumsOf(path: string, window?: CellWindow, rowEnds?: RowEnds, threads?: number): Promise<number[]> {
  const parts: number[] = [];
  await reduceBlocks(
    path,
    async () => ({ reduction: { module: ROW_SUMS_MODULE, init: null }, window, rowEnds }),
    (part: Float64Array) => parts.push(...part),
    { threads },
  );
  return parts;
}

test('every inner layout of a .tif.gz: a window read gives the blocks and sums of the plain file and of a full read', async () => {
  const width = 300;
  const height = 120;
  // The zones end at row 70: rows after it are not needed (the stream is dropped there).
  const window = { row0: 10, row1: 71, col0: 5, col1: 280 };
  const colEnd = new Int32Array(61).map((_, i) => (i % 7 === 3 ? 0 : 100 + 3 * i));
  const rowEnds = { row0: 10, colEnd };
  await withDir(async (dir) => {
    for (const { name, opts } of innerLayouts) {
      const grid = values(width, height, opts.sampleFormat === 2);
      const tiff = makeTiff({ width, height, values: grid, ...opts });
      const plain = join(dir, 'plain.tif');
      const gz = join(dir, 'month.tif.gz');
      await writeFile(plain, tiff);
      await writeFile(gz, gzipSync(tiff));
      assert.equal((await readRasterInfo(gz)).layout.compression, opts.compression, name);
      for (const threads of [0, 2]) {
        const fromGz = await blocksOf(gz, window, rowEnds, threads);
        assert.deepEqual(fromGz, await blocksOf(plain, window, rowEnds, threads), `${name}: blocks, ${threads} threads`);
        assert.ok(fromGz.length > 0, name);
        // Each delivered cell equals the full read's (independently: the values written).
        for (const b of fromGz) {
          for (let r = 0; r < b.height; r++) {
            for (let c = 0; c < b.width; c++) {
              if (b.row0 + r < height && b.col0 + c < width && b.data[r * b.width + c] !== grid[(b.row0 + r) * width + b.col0 + c]) {
                assert.fail(`${name}: cell (${b.row0 + r}, ${b.col0 + c})`);
              }
            }
          }
        }
        const sums = await rowSumsOf(gz, window, rowEnds, threads);
        assert.deepEqual(sums, await rowSumsOf(plain, window, rowEnds, threads), `${name}: reduced, ${threads} threads`);
        assert.ok(sums.length > 0);
      }
      // The full read (what --remainder asks for) gives the same row sums for the rows both deliver whole.
      const whole = await rowSumsOf(gz);
      assert.equal(whole.length / 3 >= height, true, `${name}: every row read`);
      assert.deepEqual(whole, await rowSumsOf(plain), `${name}: full read`);
    }
  });
});

test('a .tif.gz is inflated only up to the last needed block: a damaged tail fails the full read only', async () => {
  // 48 MB of TIFF, values in the first rows only; the gzip loses its last bytes. Reading the
  // first rows must not reach the damage (gunzip runs ahead of the reader by at most 33 MB),
  // while a full read (--remainder) must, and must say so.
  const width = 256;
  const height = 49152;
  const grid = new Float32Array(width * height);
  for (let i = 0; i < 40 * width; i++) grid[i] = (i % 97) / 8;
  const window = { row0: 0, row1: 40, col0: 0, col1: width };
  await withDir(async (dir) => {
    // The two ways a stream is read: uncompressed blocks on this thread, compressed ones in batches (as LZW).
    for (const [name, opts] of [
      ['uncompressed', { compression: 1, rowsPerStrip: 1 }],
      ['DEFLATE', { compression: 8, rowsPerStrip: 64 }],
    ] as const) {
      const tiff = makeTiff({ width, height, values: grid, ...opts });
      const gzip = gzipSync(tiff, { level: 1 });
      const damaged = join(dir, 'damaged.tif.gz');
      const intact = join(dir, 'intact.tif.gz');
      await writeFile(damaged, gzip.subarray(0, gzip.length - 16));
      await writeFile(intact, gzip);
      const early = await rowSumsOf(damaged, window);
      assert.deepEqual(early, await rowSumsOf(intact, window), `${name}: window sums`);
      const expected = Array.from({ length: 40 }, (_, r) => grid.subarray(r * width, (r + 1) * width).reduce((s, v) => s + v, 0));
      const perRow = new Map<number, number>();
      for (let k = 0; k < early.length; k += 3) perRow.set(early[k], (perRow.get(early[k]) ?? 0) + early[k + 2]);
      for (let r = 0; r < 40; r++) assert.ok(Math.abs(perRow.get(r)! - expected[r]) <= 1e-9 * Math.abs(expected[r]), `${name}: row ${r}`);
      await assert.rejects(rowSumsOf(damaged), /damaged\.tif\.gz: gzip stream is truncated/, `${name}: full read`);
      const whole = await rowSumsOf(intact);
      assert.equal(new Set(whole.filter((_, k) => k % 3 === 0)).size, height, `${name}: the full read delivers every row`);
    }
  });
});
