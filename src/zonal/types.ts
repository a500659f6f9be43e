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
 * Coverage of a set of zones on a grid, computed once per (grid, boundary file, method) and
 * reused for every month. `rows[r - row0]` lists the runs of grid row r, sorted by col0.
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
  rows: CoverageRun[][];
}
