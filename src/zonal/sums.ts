/**
 * Zone sums of decoded blocks. This module is the block reducer the zonal engine hands to the
 * raster reader (`ZONE_SUMS_MODULE`): it runs on the decode workers, where each block is decoded,
 * so it imports nothing but types.
 */
import type { BlockReducer, RasterBlock } from '../raster/types.ts';
import type { Coverage, PackedRuns } from './types.ts';

/** URL of this module, for `reduceBlocks` (the .ts or compiled .js, whichever is running). */
export const ZONE_SUMS_MODULE = import.meta.url;

/** What the summation needs of a Coverage (sent to each decode worker once per raster). */
export interface PackedCoverage extends PackedRuns {
  zoneCount: number;
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

export function packCoverage(coverage: Coverage): PackedCoverage {
  const { row0, row1, col0, col1, packed } = coverage;
  return { zoneCount: coverage.zones.length, row0, row1, col0, col1, ...packed };
}

/** Per-zone totals for one raster. */
export interface ZoneAccumulator {
  sum: Float64Array;
  coverage: Float64Array;
  cells: Float64Array;
  /** Sum of every valid cell delivered (the whole grid when every block is read); 0 unless counting the remainder. */
  gridTotal: number;
  /** Sum of value x (1 - covered share) over valid cells: what lies in no zone; 0 unless counting the remainder. */
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
 * What a batch of blocks adds, in the order one pass over the blocks would add it: four numbers
 * per run visited (zone, sum, coverage, cells) and, with the remainder, two per row (row total,
 * outside). Folded in file order (addContributions), they give the bits of one running total
 * whatever the batching and thread count, so aggregate, --remainder and ingest agree exactly.
 */
export interface ZoneContributions {
  runs: Float64Array;
  rows: Float64Array;
}

/** Where accumulateBlock records what it adds. */
export interface ContributionLog {
  runs: number[];
  rows: number[];
}

/** Adds a batch's contributions to the totals, in their order. */
export function addContributions(acc: ZoneAccumulator, { runs, rows }: ZoneContributions): void {
  for (let k = 0; k < runs.length; k += 4) {
    const zone = runs[k];
    acc.sum[zone] += runs[k + 1];
    acc.coverage[zone] += runs[k + 2];
    acc.cells[zone] += runs[k + 3];
  }
  for (let k = 0; k < rows.length; k += 2) {
    acc.gridTotal += rows[k];
    acc.outside += rows[k + 1];
  }
}

export interface ZoneSumsInit {
  coverage: PackedCoverage;
  nodata: number | null;
  /** Also total every cell and what lies outside the zones (gridTotal, outside): a pass over whole rows. */
  remainder: boolean;
}

/** The block reducer run on the decode workers: each batch's contributions to the zone sums. */
export function createBlockReducer({ coverage, nodata, remainder }: ZoneSumsInit): BlockReducer<ZoneContributions> {
  let log: ContributionLog = { runs: [], rows: [] };
  const covered = new Float64Array(Math.max(0, coverage.col1 - coverage.col0));
  return {
    add: (block) => accumulateBlock(log, coverage, block, nodata, remainder, covered),
    take: () => {
      const batch = { runs: Float64Array.from(log.runs), rows: Float64Array.from(log.rows) };
      log = { runs: [], rows: [] };
      return batch;
    },
  };
}

/**
 * Records what one decoded block adds to the zone sums. Nodata and NaN cells are skipped.
 *
 * With `remainder`, `outside` is computed independently of the zone sums, from each cell's total
 * covered share (clamped to 1), so that the mass audit "zones + outside = grid total" fails when
 * zones overlap instead of holding by construction. `covered` is scratch space of the coverage
 * window's width, all zeros on entry and on return.
 */
export function accumulateBlock(
  log: ContributionLog,
  coverage: PackedCoverage,
  block: RasterBlock,
  nodata: number | null,
  remainder: boolean,
  covered = new Float64Array(Math.max(0, coverage.col1 - coverage.col0)),
): void {
  const { data, width, height, row0, col0 } = block;
  const nodataValue = nodata === null ? NaN : data instanceof Float32Array ? Math.fround(nodata) : nodata;
  const blockCol1 = col0 + width;
  const { runs, fractions, rowStart } = coverage;
  const winCol0 = coverage.col0;

  for (let r = 0; r < height; r++) {
    const gridRow = row0 + r;
    const base = r * width - col0; // data index of grid column c is base + c
    let rowTotal = 0;
    if (remainder) {
      for (let i = r * width, end = i + width; i < end; i++) {
        const v = data[i];
        // biome-ignore lint/suspicious/noSelfCompare: v === v is false only for NaN (skipped like nodata)
        if (v === v && v !== nodataValue) rowTotal += v;
      }
    }
    if (gridRow < coverage.row0 || gridRow >= coverage.row1) {
      if (remainder) log.rows.push(rowTotal, rowTotal);
      continue;
    }
    const k0 = rowStart[gridRow - coverage.row0];
    const k1 = rowStart[gridRow - coverage.row0 + 1];
    for (let k = k0; k < k1; k++) {
      const runCol0 = runs[4 * k + 1];
      const c0 = Math.max(runCol0, col0);
      const c1 = Math.min(runs[4 * k + 2], blockCol1);
      if (c1 <= c0) continue;
      const offset = runs[4 * k + 3] - runCol0; // fraction of column c is fractions[offset + c]
      const whole = runs[4 * k + 3] < 0;
      let sum = 0;
      let cov = 0;
      let cells = 0;
      for (let c = c0; c < c1; c++) {
        const v = data[base + c];
        // biome-ignore lint/suspicious/noSelfCompare: v !== v is true only for NaN (skipped like nodata)
        if (v !== v || v === nodataValue) continue;
        const f = whole ? 1 : fractions[offset + c];
        if (f <= 0) continue;
        sum += v * f;
        cov += f;
        cells++;
        if (remainder) covered[c - winCol0] += f;
      }
      log.runs.push(runs[4 * k], sum, cov, cells);
    }
    if (!remainder) continue;
    // Outside = row total minus each covered cell's value times its (clamped) covered share.
    // A cell in several runs is counted at its first visit, which also clears its scratch slot.
    let outside = rowTotal;
    for (let k = k0; k < k1; k++) {
      const c0 = Math.max(runs[4 * k + 1], col0);
      const c1 = Math.min(runs[4 * k + 2], blockCol1);
      for (let c = c0; c < c1; c++) {
        const share = covered[c - winCol0];
        if (share === 0) continue;
        covered[c - winCol0] = 0;
        outside -= data[base + c] * Math.min(share, 1);
      }
    }
    log.rows.push(rowTotal, outside);
  }
}
