/** The ODIAC grid: the global 30 arc-second lattice through (-180, 90), EPSG:4326. */
import { CgerError } from '../common/errors.ts';
import type { Grid } from '../raster/types.ts';

/** ODIAC cells: 1/120 degree, edges on the lattice through (-180, 90). */
export const ODIAC_CELL = 1 / 120;

/** The whole ODIAC grid: 43200 x 21600 cells from (-180, 90). */
export const ODIAC_GLOBAL_GRID: Grid = {
  width: 43200,
  height: 21600,
  originX: -180,
  originY: 90,
  cellWidth: ODIAC_CELL,
  cellHeight: ODIAC_CELL,
  crs: { epsg: 4326, definition: '+proj=longlat +datum=WGS84 +no_defs' },
};

/** Relative tolerance for "the same" cell size / lattice position (GDAL writes 1/120 as a double). */
const TOLERANCE = 1e-6;

function offLattice(value: number, origin: number): number {
  const k = (value - origin) / ODIAC_CELL;
  return Math.abs(k - Math.round(k));
}

/** Why `grid` is not on the ODIAC lattice, or null when it is. */
export function odiacLatticeProblem(grid: Grid): string | null {
  if (grid.crs.epsg !== 4326) return `CRS is ${grid.crs.epsg ? `EPSG:${grid.crs.epsg}` : grid.crs.definition}, not EPSG:4326`;
  if (Math.abs(grid.cellWidth / ODIAC_CELL - 1) > TOLERANCE || Math.abs(grid.cellHeight / ODIAC_CELL - 1) > TOLERANCE) {
    return `cells are ${grid.cellWidth} x ${grid.cellHeight} degrees, not 1/120 degree (30 arc-seconds)`;
  }
  if (offLattice(grid.originX, -180) > TOLERANCE * 1000 || offLattice(grid.originY, 90) > TOLERANCE * 1000) {
    return `origin (${grid.originX}, ${grid.originY}) is not on the 1/120 degree lattice through (-180, 90)`;
  }
  return null;
}

/** Whether cells are 1/120 degree, EPSG:4326, aligned to the (-180, 90) lattice (any window of it). */
export function isOdiacLattice(grid: Grid): boolean {
  return odiacLatticeProblem(grid) === null;
}

/** Throws a CgerError naming `path` when its grid is not on the ODIAC lattice. */
export function checkOdiacLattice(grid: Grid, path: string): void {
  const problem = odiacLatticeProblem(grid);
  if (problem) throw new CgerError(`${path}: not the ODIAC 1 km grid: ${problem}`);
}
