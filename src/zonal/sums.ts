import type { RasterBlock } from '../raster/types.ts';
import type { Coverage } from './types.ts';

/** Running per-zone totals for one raster. */
export interface ZoneAccumulator {
  sum: Float64Array;
  coverage: Float64Array;
  cells: Float64Array;
  /** Sum of every valid cell delivered (the whole grid when every block is read). */
  gridTotal: number;
  /** Sum of value x (1 - covered share) over valid cells: what lies in no zone. */
  outside: number;
}

export function createAccumulator(zoneCount: number): ZoneAccumulator {
  return {
    sum: new Float64Array(zoneCount),
    coverage: new Float64Array(zoneCount),
    cells: new Float64Array(zoneCount),
    gridTotal: 0,
    outside: 0,
  };
}

/**
 * Adds one decoded block to the accumulator. Nodata and NaN cells are skipped.
 *
 * `outside` is computed independently of the zone sums, from each cell's total covered share
 * (clamped to 1), so that the mass audit "zones + outside = grid total" fails when zones overlap
 * instead of holding by construction.
 */
export function accumulateBlock(acc: ZoneAccumulator, coverage: Coverage, block: RasterBlock, nodata: number | null): void {
  const { data, width, height, row0, col0 } = block;
  const nodataValue = nodata === null ? NaN : data instanceof Float32Array ? Math.fround(nodata) : nodata;
  const blockCol1 = col0 + width;
  // Columns of this block inside the coverage window; covered shares are tracked only there.
  const winCol0 = Math.max(col0, coverage.col0);
  const winCol1 = Math.min(blockCol1, coverage.col1);
  const covered = new Float64Array(Math.max(0, winCol1 - winCol0));

  for (let r = 0; r < height; r++) {
    const gridRow = row0 + r;
    const base = r * width - col0; // data index of grid column c is base + c
    let rowTotal = 0;
    for (let i = r * width, end = i + width; i < end; i++) {
      const v = data[i];
      if (v === v && v !== nodataValue) rowTotal += v;
    }
    acc.gridTotal += rowTotal;

    const runs = gridRow >= coverage.row0 && gridRow < coverage.row1 ? coverage.rows[gridRow - coverage.row0] : undefined;
    if (!runs || runs.length === 0 || winCol1 <= winCol0) {
      acc.outside += rowTotal;
      continue;
    }
    covered.fill(0);
    for (const run of runs) {
      const c0 = Math.max(run.col0, col0);
      const c1 = Math.min(run.col1, blockCol1);
      if (c1 <= c0) continue;
      let sum = 0;
      let cov = 0;
      let cells = 0;
      const fr = run.fractions;
      for (let c = c0; c < c1; c++) {
        const v = data[base + c];
        if (v !== v || v === nodataValue) continue;
        const f = fr === null ? 1 : fr[c - run.col0];
        if (f <= 0) continue;
        sum += v * f;
        cov += f;
        cells++;
        covered[c - winCol0] += f;
      }
      acc.sum[run.zone] += sum;
      acc.coverage[run.zone] += cov;
      acc.cells[run.zone] += cells;
    }
    // Outside = row total minus the window's valid cells, plus their uncovered shares.
    let outside = rowTotal;
    for (let c = winCol0; c < winCol1; c++) {
      const v = data[base + c];
      if (v !== v || v === nodataValue) continue;
      const share = covered[c - winCol0];
      outside -= v * Math.min(share, 1);
    }
    acc.outside += outside;
  }
}
