// Test helpers for coverage: an independent GeoTIFF decode (the `geotiff` package) and the
// zonal sums done naively cell by cell, so coverage tests don't depend on src/raster or sums.ts.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import { parseCsv } from '../../src/common/csv.ts';
import type { Grid } from '../../src/raster/types.ts';
import type { Coverage } from '../../src/zonal/types.ts';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
export const BOUNDARIES = new URL('../../boundaries/', import.meta.url).pathname;
export const WGS84 = { epsg: 4326, definition: 'EPSG:4326' };

export interface FixtureRaster {
  grid: Grid;
  data: Float32Array;
  nodata: number | null;
}

export async function readFixtureRaster(path: string): Promise<FixtureRaster> {
  let bytes: Uint8Array = readFileSync(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  const tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const image = await tiff.getImage();
  const [originX, originY] = image.getOrigin();
  const [resX, resY] = image.getResolution();
  const grid: Grid = {
    width: image.getWidth(),
    height: image.getHeight(),
    originX,
    originY,
    cellWidth: resX,
    cellHeight: -resY,
    crs: WGS84,
  };
  const [data] = (await image.readRasters()) as unknown as Float32Array[];
  return { grid, data, nodata: image.getGDALNoData() };
}

export interface ZoneTotals {
  sum: number;
  coverage: number;
  cells: number;
}

/** Sum of value x fraction, sum of fractions and count of cells per zone id, skipping nodata/NaN. */
export function zoneTotals(coverage: Coverage, raster: FixtureRaster): Map<string, ZoneTotals> {
  const totals = coverage.zones.map(() => ({ sum: 0, coverage: 0, cells: 0 }));
  const nodata = raster.nodata === null ? NaN : Math.fround(raster.nodata);
  coverage.rows.forEach((runs, r) => {
    const row = coverage.row0 + r;
    for (const run of runs) {
      for (let c = run.col0; c < run.col1; c++) {
        const v = raster.data[row * raster.grid.width + c];
        const f = run.fractions === null ? 1 : run.fractions[c - run.col0];
        if (Number.isNaN(v) || v === nodata || f <= 0) continue;
        const t = totals[run.zone];
        t.sum += v * f;
        t.coverage += f;
        t.cells++;
      }
    }
  });
  return new Map(coverage.zones.map((z, i) => [z.id, totals[i]]));
}

/** Dense covered share per cell for one zone (for small test grids). */
export function denseFractions(coverage: Coverage, zone: number): Float64Array {
  const { width, height } = coverage.grid;
  const out = new Float64Array(width * height);
  coverage.rows.forEach((runs, r) => {
    for (const run of runs) {
      if (run.zone !== zone) continue;
      for (let c = run.col0; c < run.col1; c++) {
        out[(coverage.row0 + r) * width + c] += run.fractions === null ? 1 : run.fractions[c - run.col0];
      }
    }
  });
  return out;
}

export interface ExpectedRow {
  id: string;
  exact_sum: number;
  exact_coverage: number;
  exact_sum_ref: number;
  exact_coverage_ref: number;
  center_sum: number;
  center_count: number;
}

export function readExpected(path: string): ExpectedRow[] {
  return parseCsv(readFileSync(path, 'utf8')).records.map(({ values: v }) => ({
    id: v.id,
    exact_sum: Number(v.exact_sum),
    exact_coverage: Number(v.exact_coverage),
    exact_sum_ref: Number(v.exact_sum_ref),
    exact_coverage_ref: Number(v.exact_coverage_ref),
    center_sum: Number(v.center_sum),
    center_count: Number(v.center_count),
  }));
}

export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}
