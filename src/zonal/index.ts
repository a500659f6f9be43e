import { hashBoundaries, loadZones, type ZoneSet } from '../boundaries/index.ts';
import { CgerError } from '../common/errors.ts';
import { checkOdiacLattice } from '../odiac/index.ts';
import { type RasterInfo, reduceBlocks } from '../raster/index.ts';
import type { Crs, Grid, RasterInput } from '../raster/types.ts';
import { loadOrComputeCoverage } from './cache.ts';
import { readCheckedZones, writeCheckedZones } from './checkedZones.ts';
import { coverageRowEnds } from './packed.ts';
import {
  addContributions,
  createAccumulator,
  packCoverage,
  ZONE_SUMS_MODULE,
  type ZoneAccumulator,
  type ZoneContributions,
  type ZoneSumsInit,
} from './sums.ts';
import type { Coverage, CoverageMethod, ZoneInfo } from './types.ts';

export { type AnnualRow, sumYears, type ZoneMonthSum } from './aggregate.ts';
export type { Coverage, CoverageMethod, CoverageRun, ZoneInfo } from './types.ts';

export interface ZoneSums {
  id: string;
  name: string;
  /** Sum of value x covered fraction over valid cells (tonne C for ODIAC). */
  sum: number;
  /** Sum of covered fractions over valid cells. */
  coverage: number;
  /** Valid cells with a covered fraction > 0. */
  cells: number;
}

export interface RasterSums {
  path: string;
  grid: Grid;
  nodata: number | null;
  /** One entry per zone, in zone order (sorted by id). */
  zones: ZoneSums[];
  /** What lies in the grid but in no zone (null unless `fullGrid`). */
  outside: number | null;
  /** Sum of every valid cell of the grid (null unless `fullGrid`). */
  gridTotal: number | null;
}

export interface SumRasterOptions {
  /** Decode every block, not only those under the zones, and total `outside` and `gridTotal`. */
  fullGrid?: boolean;
  threads?: number;
  onBytes?: (n: number) => void;
  onNotice?: (message: string) => void;
  /** Refuse grids that are not the ODIAC 30 arc-second lattice (cells of 1/120 degree from -180, 90). */
  requireOdiacLattice?: boolean;
}

export interface OpenZonesOptions {
  idField?: string;
  nameField?: string;
  method?: CoverageMethod;
  /** Where coverage, and what checking the boundaries found, are cached between runs (default: no disk cache). */
  cacheDir?: string;
  strict?: boolean;
  onWarning?: (message: string) => void;
}

/** A boundary file ready to sum rasters: coverage computed once per grid and reused. */
export interface ZoneEngine {
  path: string;
  /** sha256 of the boundary file(s). */
  hash: string;
  method: CoverageMethod;
  zones: ZoneInfo[];
  /** Sums a raster file, or a gzipped TIFF given as a stream (e.g. a zip archive's entry). */
  sumRaster(raster: RasterInput, opts?: SumRasterOptions): Promise<RasterSums>;
  coverage(grid: Grid): Promise<Coverage>;
  /** Throws a CgerError (exit code 2) when no zone has a cell on `grid`, so a run can stop before it sums anything. */
  checkTouches(grid: Grid, gridLabel: string): Promise<void>;
}

export async function openZones(path: string, opts: OpenZonesOptions = {}): Promise<ZoneEngine> {
  const method = opts.method ?? 'exact';
  const warn = opts.onWarning ?? (() => {});
  const load = (targetCrs: Crs, onWarning?: (m: string) => void) =>
    loadZones(path, { idField: opts.idField, nameField: opts.nameField, strict: opts.strict, targetCrs, onWarning });
  const lonLatCrs: Crs = { epsg: 4326, definition: '+proj=longlat +datum=WGS84 +no_defs' };
  const zoneSets = new Map<string, Promise<ZoneSet>>();
  const coverages = new Map<string, Promise<Coverage>>();

  // The boundaries are checked (and their problems reported) before any raster work: loaded in
  // lon/lat, or what that found taken from the cache. A strict run where repairs are on record
  // loads the file again, to fail with the full message.
  const cache =
    opts.cacheDir === undefined ? null : { dir: opts.cacheDir, key: { path, hash: hashBoundaries(path), idField: opts.idField, nameField: opts.nameField } };
  let checked = cache && readCheckedZones(cache.dir, cache.key);
  if (checked && !(opts.strict && checked.repaired.length > 0)) {
    checked.warnings.forEach(warn);
  } else {
    const warnings: string[] = [];
    const lonLat = await load(lonLatCrs, (m) => {
      warnings.push(m);
      warn(m);
    });
    zoneSets.set(crsKey(lonLatCrs), Promise.resolve(lonLat));
    checked = { hash: lonLat.hash, zones: lonLat.zones.map((z) => ({ id: z.id, name: z.name })), warnings, repaired: lonLat.repaired };
    if (cache) writeCheckedZones(cache.dir, { ...cache.key, hash: lonLat.hash }, checked);
  }
  const { hash, zones } = checked;

  const zonesIn = (crs: Crs): Promise<ZoneSet> => {
    const key = crsKey(crs);
    let set = zoneSets.get(key);
    if (!set) zoneSets.set(key, (set = load(crs)));
    return set;
  };

  const coverage = (grid: Grid): Promise<Coverage> => {
    const key = JSON.stringify([grid.width, grid.height, grid.originX, grid.originY, grid.cellWidth, grid.cellHeight, crsKey(grid.crs)]);
    let cov = coverages.get(key);
    if (!cov) {
      cov = loadOrComputeCoverage({ hash, zones, load: () => zonesIn(grid.crs) }, grid, method, { cacheDir: opts.cacheDir });
      cov.catch(() => coverages.delete(key)); // a failure is reported by the caller, not kept
      coverages.set(key, cov);
    }
    return cov;
  };

  /** The coverage of a raster's grid; running out of memory for it is the raster's error. */
  const coverageOf = async (grid: Grid, rasterPath: string): Promise<Coverage> => {
    try {
      return await coverage(grid);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new CgerError(
        `${rasterPath}: the boundaries cover too many of its ${grid.width} x ${grid.height} cells of ${grid.cellWidth} x ${grid.cellHeight} to compute their coverage (${err.message})`,
      );
    }
  };

  const sumRaster = async (raster: RasterInput, sumOpts: SumRasterOptions = {}): Promise<RasterSums> => {
    const rasterPath = typeof raster === 'string' ? raster : raster.name;
    let planned: { cov: Coverage; acc: ZoneAccumulator } | undefined;
    // The header is parsed once: what to read follows from the grid's coverage.
    const info: RasterInfo = await reduceBlocks(
      raster,
      async (header) => {
        if (sumOpts.requireOdiacLattice) checkOdiacLattice(header.grid, rasterPath);
        const cov = await coverageOf(header.grid, rasterPath);
        planned = { cov, acc: createAccumulator(cov.zones.length) };
        if (!sumOpts.fullGrid && cov.row1 <= cov.row0) return null;
        const init: ZoneSumsInit = { coverage: packCoverage(cov), nodata: header.nodata, remainder: !!sumOpts.fullGrid };
        const reduction = { module: ZONE_SUMS_MODULE, init };
        if (sumOpts.fullGrid) return { reduction };
        // Zones only: the rows of the zones, each decoded only as far as its rightmost zone cell.
        const window = { row0: cov.row0, row1: cov.row1, col0: cov.col0, col1: cov.col1 };
        return { reduction, window, rowEnds: coverageRowEnds(cov) };
      },
      (part: ZoneContributions) => addContributions(planned!.acc, part),
      { threads: sumOpts.threads, onBytes: sumOpts.onBytes, onNotice: sumOpts.onNotice },
    );
    // reduceBlocks plans once the header is read, before any block.
    const { cov, acc } = planned!;
    return {
      path: rasterPath,
      grid: info.grid,
      nodata: info.nodata,
      zones: cov.zones.map((z, i) => ({ id: z.id, name: z.name, sum: acc.sum[i], coverage: acc.coverage[i], cells: acc.cells[i] })),
      outside: sumOpts.fullGrid ? acc.outside : null,
      gridTotal: sumOpts.fullGrid ? acc.gridTotal : null,
    };
  };

  const checkTouches = async (grid: Grid, gridLabel: string): Promise<void> => {
    const cov = await coverageOf(grid, gridLabel);
    if (cov.packed.runs.length === 0) throw new CgerError(noOverlapMessage(path, gridLabel, grid), 2);
  };

  return {
    path,
    hash,
    method,
    zones,
    sumRaster,
    coverage,
    checkTouches,
  };
}

/** What to say when no zone of `zonesPath` has a cell on the grid of `rasterPath`. */
export function noOverlapMessage(zonesPath: string, rasterPath: string, grid: Grid): string {
  const x1 = grid.originX + grid.width * grid.cellWidth;
  const y0 = grid.originY - grid.height * grid.cellHeight;
  const crs = grid.crs.epsg !== undefined ? `EPSG:${grid.crs.epsg}` : 'its CRS';
  return `${rasterPath}: no zone of ${zonesPath} touches a cell of this raster (it covers x ${grid.originX}..${x1}, y ${y0}..${grid.originY} in ${crs}): wrong boundaries, wrong raster, or a wrong CRS?`;
}

function crsKey(crs: Crs): string {
  return crs.epsg !== undefined ? `EPSG:${crs.epsg}` : crs.definition;
}
