import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grid, RasterBlock } from '../../src/raster/types.ts';
import { coverageFromRows } from '../../src/zonal/packed.ts';
import { addContributions, createAccumulator, createBlockReducer, packCoverage, type ZoneAccumulator } from '../../src/zonal/sums.ts';
import type { Coverage } from '../../src/zonal/types.ts';

const grid: Grid = { width: 4, height: 3, originX: 0, originY: 3, cellWidth: 1, cellHeight: 1, crs: { epsg: 4326, definition: '' } };

// Zone 0 fully covers row 0 cols 0-1 and half of (1,1); zone 1 covers a quarter of (1,1) and all of (1,2).
function coverage(overlap = false): Coverage {
  return coverageFromRows(
    {
      grid,
      method: 'exact',
      zones: [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ],
      row0: 0,
      row1: 2,
      col0: 0,
      col1: 3,
    },
    [
      [{ zone: 0, col0: 0, col1: 2, fractions: null }],
      [
        { zone: 0, col0: 1, col1: 2, fractions: Float64Array.of(0.5) },
        { zone: 1, col0: 1, col1: 3, fractions: Float64Array.of(overlap ? 0.75 : 0.25, 1) },
      ],
    ],
  );
}

/** Sums blocks through the block reducer, one batch per element of `batches`, folded in order. */
function sumBatches(cov: Coverage, batches: RasterBlock[][], nodata: number | null, remainder = true): ZoneAccumulator {
  const reducer = createBlockReducer({ coverage: packCoverage(cov), nodata, remainder });
  const acc = createAccumulator(cov.zones.length);
  for (const batch of batches) {
    batch.forEach((block) => reducer.add(block));
    addContributions(acc, reducer.take());
  }
  return acc;
}

test('block sums weight values by fractions, skip nodata/NaN, and keep the mass balance', () => {
  const data = Float32Array.of(1, 2, 4, 8, 16, 32, -9999, 64, NaN, 128, 256, 512);
  const acc = sumBatches(coverage(), [[{ row0: 0, col0: 0, width: 4, height: 3, data }]], -9999);
  assert.deepEqual([...acc.sum], [1 + 2 + 16, 8]);
  assert.deepEqual([...acc.coverage], [2.5, 0.25]);
  assert.deepEqual([...acc.cells], [3, 1]);
  const total = 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512;
  assert.equal(acc.gridTotal, total);
  assert.equal(acc.outside, total - 19 - 8);
  assert.equal(acc.sum[0] + acc.sum[1] + acc.outside, acc.gridTotal);
});

test('blocks narrower than the grid (tiles) and overlapping zones break the balance visibly', () => {
  // Only the right half of rows 0-1, as a tile would deliver it.
  const acc = sumBatches(coverage(true), [[{ row0: 0, col0: 2, width: 2, height: 2, data: Float64Array.of(1, 1, 10, 100) }]], null);
  assert.deepEqual([...acc.sum], [0, 10]);
  assert.equal(acc.gridTotal, 112);
  const acc2 = sumBatches(coverage(true), [[{ row0: 1, col0: 0, width: 4, height: 1, data: Float64Array.of(0, 4, 0, 0) }]], null);
  // Cell (1,1) is covered 0.5 + 0.75 = 1.25 times: zones + outside exceed the total by 1.
  assert.equal(acc2.sum[0] + acc2.sum[1] + acc2.outside - acc2.gridTotal, 1);
});

test('packed coverage keeps every run and fraction', () => {
  const packed = packCoverage(coverage(true));
  assert.equal(packed.row1, 2);
  assert.deepEqual([...packed.rowStart], [0, 1, 3]);
  assert.deepEqual([...packed.runs], [0, 0, 2, -1, 0, 1, 2, 0, 1, 1, 3, 1]);
  assert.deepEqual([...packed.fractions], [0.5, 0.75, 1]);
  assert.equal(packed.zoneCount, 2);
});

test('the sums are the same bits however the blocks are batched, and with or without the remainder', () => {
  // One zone over column 0 of four rows holding 0.1, 0.2, 0.3, 0.4: (0.1 + 0.2) + 0.3 is not
  // 0.1 + (0.2 + 0.3) in doubles, so summing batch by batch would show in the last bits.
  const column = coverageFromRows(
    { grid, method: 'exact', zones: [{ id: 'a', name: 'A' }], row0: 0, row1: 4, col0: 0, col1: 1 },
    Array.from({ length: 4 }, () => [{ zone: 0, col0: 0, col1: 1, fractions: null }]),
  );
  const block = (r: number): RasterBlock => ({ row0: r, col0: 0, width: 2, height: 1, data: Float64Array.of(0.1 * (r + 1), 1 / 3) });
  const oneBatch = sumBatches(column, [[block(0), block(1), block(2), block(3)]], null);
  assert.equal(oneBatch.sum[0], 0.1 + 0.2 + 0.30000000000000004 + 0.4);
  assert.notEqual(0.1 + (0.2 + 0.30000000000000004), 0.1 + 0.2 + 0.30000000000000004, 'the grouping matters for these values');
  assert.deepEqual(sumBatches(column, [[block(0)], [block(1), block(2)], [block(3)]], null), oneBatch);
  assert.deepEqual(sumBatches(column, [[block(0), block(1)], [], [block(2), block(3)]], null), oneBatch);
  const zonesOnly = sumBatches(column, [[block(0)], [block(1), block(2), block(3)]], null, false);
  assert.deepEqual([zonesOnly.sum, zonesOnly.coverage, zonesOnly.cells], [oneBatch.sum, oneBatch.coverage, oneBatch.cells]);
  assert.equal(zonesOnly.gridTotal, 0);
  assert.equal(zonesOnly.outside, 0);
});

test('the block reducer starts afresh at each take', () => {
  const reducer = createBlockReducer({ coverage: packCoverage(coverage()), nodata: null, remainder: true });
  reducer.add({ row0: 0, col0: 0, width: 4, height: 1, data: Float64Array.of(1, 2, 3, 4) });
  assert.deepEqual([...reducer.take().rows], [10, 7]);
  const empty = reducer.take();
  assert.deepEqual([empty.runs.length, empty.rows.length], [0, 0]);
});
