import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulateBlock, addAccumulator, createAccumulator, createBlockReducer, packCoverage } from '../../src/zonal/sums.ts';
import { coverageFromRows } from '../../src/zonal/packed.ts';
import type { Coverage } from '../../src/zonal/types.ts';
import type { Grid } from '../../src/raster/types.ts';

const grid: Grid = { width: 4, height: 3, originX: 0, originY: 3, cellWidth: 1, cellHeight: 1, crs: { epsg: 4326, definition: '' } };

// Zone 0 fully covers row 0 cols 0-1 and half of (1,1); zone 1 covers a quarter of (1,1) and all of (1,2).
function coverage(overlap = false): Coverage {
  return coverageFromRows({ grid, method: 'exact', zones: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], row0: 0, row1: 2, col0: 0, col1: 3 }, [
    [{ zone: 0, col0: 0, col1: 2, fractions: null }],
    [
      { zone: 0, col0: 1, col1: 2, fractions: Float64Array.of(0.5) },
      { zone: 1, col0: 1, col1: 3, fractions: Float64Array.of(overlap ? 0.75 : 0.25, 1) },
    ],
  ]);
}

test('block sums weight values by fractions, skip nodata/NaN, and keep the mass balance', () => {
  const data = Float32Array.of(
    1, 2, 4, 8,
    16, 32, -9999, 64,
    NaN, 128, 256, 512,
  );
  const acc = createAccumulator(2);
  accumulateBlock(acc, packCoverage(coverage()), { row0: 0, col0: 0, width: 4, height: 3, data }, -9999, true);
  assert.deepEqual([...acc.sum], [1 + 2 + 16, 8]);
  assert.deepEqual([...acc.coverage], [2.5, 0.25]);
  assert.deepEqual([...acc.cells], [3, 1]);
  const total = 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512;
  assert.equal(acc.gridTotal, total);
  assert.equal(acc.outside, total - 19 - 8);
  assert.equal(acc.sum[0] + acc.sum[1] + acc.outside, acc.gridTotal);
});

test('blocks narrower than the grid (tiles) and overlapping zones break the balance visibly', () => {
  const acc = createAccumulator(2);
  // Only the right half of rows 0-1, as a tile would deliver it.
  accumulateBlock(acc, packCoverage(coverage(true)), { row0: 0, col0: 2, width: 2, height: 2, data: Float64Array.of(1, 1, 10, 100) }, null, true);
  assert.deepEqual([...acc.sum], [0, 10]);
  assert.equal(acc.gridTotal, 112);
  const acc2 = createAccumulator(2);
  accumulateBlock(acc2, packCoverage(coverage(true)), { row0: 1, col0: 0, width: 4, height: 1, data: Float64Array.of(0, 4, 0, 0) }, null, true);
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

test('the block reducer gives per-batch sums that add up to one pass over all blocks', () => {
  const rows = [Float32Array.of(1, 2, 4, 8), Float32Array.of(16, 32, -9999, 64), Float32Array.of(NaN, 128, 256, 512)];
  const packed = packCoverage(coverage(true));
  const whole = createAccumulator(2);
  rows.forEach((data, r) => accumulateBlock(whole, packed, { row0: r, col0: 0, width: 4, height: 1, data }, -9999, true));

  // Batches {row 0, row 1} and {row 2}, as the reader would hand them to a worker's reducer.
  const reducer = createBlockReducer({ coverage: packed, nodata: -9999, remainder: true });
  const folded = createAccumulator(2);
  reducer.add({ row0: 0, col0: 0, width: 4, height: 1, data: rows[0] });
  reducer.add({ row0: 1, col0: 0, width: 4, height: 1, data: rows[1] });
  const first = reducer.take();
  assert.deepEqual([...first.sum], [1 + 2 + 32 * 0.5, 32 * 0.75]); // (1,2) is nodata
  reducer.add({ row0: 2, col0: 0, width: 4, height: 1, data: rows[2] });
  addAccumulator(folded, first);
  addAccumulator(folded, reducer.take());
  assert.deepEqual(folded, whole);
  assert.equal(reducer.take().gridTotal, 0, 'take() starts afresh');
});

test('without the remainder, zone sums are the same and the whole-row totals are skipped', () => {
  const data = Float32Array.of(1, 2, 4, 8, 16, 32, -9999, 64, NaN, 128, 256, 512);
  const packed = packCoverage(coverage(true));
  const full = createAccumulator(2);
  const zonesOnly = createAccumulator(2);
  accumulateBlock(full, packed, { row0: 0, col0: 0, width: 4, height: 3, data }, -9999, true);
  accumulateBlock(zonesOnly, packed, { row0: 0, col0: 0, width: 4, height: 3, data }, -9999, false);
  assert.deepEqual([zonesOnly.sum, zonesOnly.coverage, zonesOnly.cells], [full.sum, full.coverage, full.cells]);
  assert.equal(zonesOnly.gridTotal, 0);
  assert.equal(zonesOnly.outside, 0);
});
