import type { Grid } from '../raster/types.ts';

export type CoverageMethod = 'exact' | 'center';

/** One zone (province) as the zonal engine sees it. */
export interface ZoneInfo {
  id: string;
  name: string;
}

/**
 * A horizontal run of cells of one zone within one grid row: cols [col0, col1).
 * `fractions` holds each cell's covered share (length col1 - col0), or is null when every
 * cell of the run is fully covered (interior runs; keeps memory small at 1 km).
 */
export interface CoverageRun {
  zone: number;
  col0: number;
  col1: number;
  fractions: Float64Array | null;
}

/**
 * The runs of a coverage in typed arrays: what the cache stores and the summation reads (cheap
 * to load and to send to worker threads; structured cloning the run objects of the 34 provinces
 * takes ~250 ms, these arrays a few).
 */
export interface PackedRuns {
  /** The runs of window row i (grid row row0 + i) are runs k in [rowStart[i], rowStart[i + 1]). */
  rowStart: Int32Array;
  /** Four ints per run k at 4k: zone, col0, col1, offset of the run's first fraction, or -1 when fully covered. */
  runs: Int32Array;
  fractions: Float64Array;
}

/**
 * Coverage of a set of zones on a grid, computed once per (grid, boundary file, method) and
 * reused for every month.
 */
export interface Coverage {
  grid: Grid;
  method: CoverageMethod;
  zones: ZoneInfo[];
  /** Bounding window of all zones' cells on the grid. */
  row0: number;
  row1: number;
  col0: number;
  col1: number;
  packed: PackedRuns;
  /** The same runs as objects: `rows[r - row0]` lists the runs of grid row r, sorted by col0 (built on first use when the coverage came from the cache). */
  readonly rows: CoverageRun[][];
}
