import type { Polygon, Zone, ZoneSet } from '../boundaries/index.ts';
import type { Grid } from '../raster/types.ts';
import { coverageFromRows, emptyCoverage } from './packed.ts';
import type { Coverage, CoverageMethod, CoverageRun } from './types.ts';

/**
 * Covered shares within this distance of 0 or 1 are snapped to 0 or 1: the accumulation below
 * sums a handful of doubles per cell, so cells outside or inside come out 0 or 1 +/- rounding
 * noise (at most 1e-14 for the provinces at 1 km), while genuine partial shares that close to
 * 0 or 1 start around 1e-12.
 */
const SNAP = 1e-13;

/** Full stretches shorter than this stay inside a fractions run (fewer, longer runs). */
const MIN_FULL_RUN = 4;

/** A zone's cells on the grid: rows [row0, row1), cols [col0, col1). */
interface Window {
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

/**
 * Computes, for every zone, the covered share of each grid cell (method `exact`) or whether the
 * cell's centre lies inside (method `center`), as runs per grid row. Zones are processed one at a
 * time in a dense buffer over the zone's bounding window, clipped to the grid.
 */
export function computeCoverage(zoneSet: ZoneSet, grid: Grid, method: CoverageMethod): Coverage {
  const zones = zoneSet.zones;
  const perZone: { window: Window; runs: CoverageRun[][] }[] = [];
  let buffer = new Float64Array(0);
  zones.forEach((zone, index) => {
    const rings = toGridRings(zone, grid);
    const window = zoneWindow(rings, grid);
    if (window === null) return;
    const width = window.col1 - window.col0;
    const height = window.row1 - window.row0;
    const size = height * (width + 1);
    if (buffer.length < size) buffer = new Float64Array(size);
    else buffer.fill(0, 0, size);
    for (const ring of rings) {
      for (let i = 0; i + 3 < ring.length; i += 2) {
        const x0 = ring[i] - window.col0,
          y0 = ring[i + 1] - window.row0;
        const x1 = ring[i + 2] - window.col0,
          y1 = ring[i + 3] - window.row0;
        if (method === 'exact') addEdgeArea(buffer, width, height, x0, y0, x1, y1);
        else addEdgeCrossings(buffer, width, height, x0, y0, x1, y1);
      }
    }
    perZone.push({ window, runs: extractRuns(buffer, window, index, method) });
  });
  return assemble(zoneSet, grid, method, perZone);
}

/**
 * Rings in grid units (u = column, v = row, v growing downwards), as flat [u0, v0, u1, v1, ...],
 * oriented so that the accumulated winding is +1 inside: outer rings run clockwise in (u, v)
 * (counter-clockwise with y up), holes the other way. Zones from loadZones are already oriented;
 * this makes the result independent of that.
 */
function toGridRings(zone: Zone, grid: Grid): Float64Array[] {
  const rings: Float64Array[] = [];
  for (const poly of zone.geometry as Polygon[]) {
    poly.forEach((ring, k) => {
      const n = ring.length;
      const flat = new Float64Array(n * 2);
      let area2 = 0;
      for (let i = 0; i < n; i++) {
        flat[2 * i] = (ring[i][0] - grid.originX) / grid.cellWidth;
        flat[2 * i + 1] = (grid.originY - ring[i][1]) / grid.cellHeight;
        if (i > 0) area2 += flat[2 * i - 2] * flat[2 * i + 1] - flat[2 * i] * flat[2 * i - 1];
      }
      const outer = k === 0;
      if (outer ? area2 > 0 : area2 < 0) {
        for (let i = 0, j = n - 1; i < j; i++, j--) {
          const u = flat[2 * i],
            v = flat[2 * i + 1];
          flat[2 * i] = flat[2 * j];
          flat[2 * i + 1] = flat[2 * j + 1];
          flat[2 * j] = u;
          flat[2 * j + 1] = v;
        }
      }
      rings.push(flat);
    });
  }
  return rings;
}

function zoneWindow(rings: Float64Array[], grid: Grid): Window | null {
  let u0 = Infinity,
    u1 = -Infinity,
    v0 = Infinity,
    v1 = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i += 2) {
      const u = ring[i],
        v = ring[i + 1];
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
  }
  const window = {
    col0: Math.max(0, Math.floor(u0)),
    col1: Math.min(grid.width, Math.ceil(u1)),
    row0: Math.max(0, Math.floor(v0)),
    row1: Math.min(grid.height, Math.ceil(v1)),
  };
  return window.col1 > window.col0 && window.row1 > window.row0 ? window : null;
}

/**
 * Exact coverage by signed-area accumulation (as font rasterizers do). Every piece of an edge
 * inside one cell adds, to that cell, its signed height times the share of the cell to the right
 * of the piece, and to the next cell the rest of its height; a prefix sum along the row then gives
 * each cell the signed area to the right of all edges on its left: the covered share.
 * Pieces left of the window give their whole height to column 0; pieces right of it are dropped.
 * `buf` has `width + 1` columns per row.
 */
function addEdgeArea(buf: Float64Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  if (y0 === y1) return;
  const stride = width + 1;
  const down = y1 > y0;
  const top = down ? y0 : y1; // smaller v
  const bottom = down ? y1 : y0;
  const sign = down ? 1 : -1;
  const dxdy = (x1 - x0) / (y1 - y0);
  const rowStart = Math.max(0, Math.floor(top));
  const rowEnd = Math.min(height, Math.ceil(bottom));
  for (let r = rowStart; r < rowEnd; r++) {
    const ya = Math.max(top, r);
    const yb = Math.min(bottom, r + 1);
    if (yb <= ya) continue;
    // x where the edge enters and leaves the row band (exact end points where the band holds them)
    const xa = ya === y0 ? x0 : ya === y1 ? x1 : x0 + (ya - y0) * dxdy;
    const xb = yb === y0 ? x0 : yb === y1 ? x1 : x0 + (yb - y0) * dxdy;
    addRowPiece(buf, r * stride, width, Math.min(xa, xb), Math.max(xa, xb), sign * (yb - ya));
  }
}

/** Adds a straight piece spanning x in [xl, xr] within one row band, of signed height `dy`. */
function addRowPiece(buf: Float64Array, base: number, width: number, xl: number, xr: number, dy: number): void {
  if (xr <= 0) {
    buf[base] += dy;
    return;
  }
  if (xl >= width) return;
  if (xl === xr || Math.floor(xl) === Math.floor(xr) || xr === Math.floor(xl) + 1) {
    addCellPiece(buf, base, (xl + xr) / 2, dy);
    return;
  }
  // Split at each column line; each part's height is proportional to its x extent.
  const span = xr - xl;
  let x = xl;
  if (x < 0) {
    buf[base] += dy * (-x / span);
    x = 0;
  }
  const end = Math.min(xr, width);
  while (x < end) {
    const next = Math.min(Math.floor(x) + 1, end);
    addCellPiece(buf, base, (x + next) / 2, dy * ((next - x) / span));
    x = next;
  }
}

function addCellPiece(buf: Float64Array, base: number, xMid: number, dy: number): void {
  const c = Math.floor(xMid);
  if (c < 0) {
    buf[base] += dy;
    return;
  }
  const right = xMid - c; // share of the cell left of the piece
  buf[base + c] += dy * (1 - right);
  buf[base + c + 1] += dy * right;
}

/**
 * Cell-centre rule: at each row's centre line v = r + 0.5 an edge crossing at u = x changes the
 * winding of the cells whose centre is right of x (u_c > x, GDAL's rasterization convention);
 * rows are half-open (an edge covers the centre lines in [min v, max v)).
 */
function addEdgeCrossings(buf: Float64Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  if (y0 === y1) return;
  const stride = width + 1;
  const w = y1 > y0 ? 1 : -1;
  const top = Math.min(y0, y1),
    bottom = Math.max(y0, y1);
  // rows whose centre r + 0.5 lies in [top, bottom)
  const rowStart = Math.max(0, Math.ceil(top - 0.5));
  const rowEnd = Math.min(height, Math.ceil(bottom - 0.5));
  const dxdy = (x1 - x0) / (y1 - y0);
  for (let r = rowStart; r < rowEnd; r++) {
    const x = x0 + (r + 0.5 - y0) * dxdy;
    const c = Math.floor(x - 0.5) + 1; // first column whose centre is right of x
    if (c >= width) continue;
    buf[r * stride + Math.max(0, c)] += w;
  }
}

/** Prefix-sums each row of the buffer and cuts it into runs (all-full runs without fractions). */
function extractRuns(buf: Float64Array, win: Window, zone: number, method: CoverageMethod): CoverageRun[][] {
  const width = win.col1 - win.col0;
  const stride = width + 1;
  const rows: CoverageRun[][] = [];
  const f = new Float64Array(width);
  for (let r = 0; r < win.row1 - win.row0; r++) {
    let acc = 0;
    for (let c = 0, i = r * stride; c < width; c++, i++) {
      acc += buf[i];
      f[c] = method === 'center' ? (acc !== 0 ? 1 : 0) : acc < SNAP ? 0 : acc > 1 - SNAP ? 1 : acc;
    }
    const runs: CoverageRun[] = [];
    const emit = (c0: number, c1: number, full: boolean) =>
      runs.push({
        zone,
        col0: win.col0 + c0,
        col1: win.col0 + c1,
        fractions: full ? null : f.slice(c0, c1),
      });
    let c = 0;
    while (c < width) {
      if (f[c] === 0) {
        c++;
        continue;
      }
      const start = c;
      while (c < width && f[c] > 0) c++;
      const end = c;
      let pending = start; // start of cells not yet emitted
      for (let k = start; k < end; ) {
        if (f[k] !== 1) {
          k++;
          continue;
        }
        let e = k;
        while (e < end && f[e] === 1) e++;
        if (e - k >= MIN_FULL_RUN || (k === start && e === end)) {
          if (k > pending) emit(pending, k, false);
          emit(k, e, true);
          pending = e;
        }
        k = e;
      }
      if (end > pending) emit(pending, end, false);
    }
    rows.push(runs);
  }
  return rows;
}

function assemble(zoneSet: ZoneSet, grid: Grid, method: CoverageMethod, perZone: { window: Window; runs: CoverageRun[][] }[]): Coverage {
  const used = perZone.filter((z) => z.runs.some((row) => row.length > 0));
  const zones = zoneSet.zones.map((z) => ({ id: z.id, name: z.name }));
  if (used.length === 0) return emptyCoverage(grid, method, zones);
  let row0 = Infinity,
    row1 = -Infinity,
    col0 = Infinity,
    col1 = -Infinity;
  for (const { window: w, runs } of used) {
    runs.forEach((row, r) => {
      if (row.length === 0) return;
      row0 = Math.min(row0, w.row0 + r);
      row1 = Math.max(row1, w.row0 + r + 1);
      col0 = Math.min(col0, row[0].col0);
      col1 = Math.max(col1, row[row.length - 1].col1);
    });
  }
  const rows: CoverageRun[][] = Array.from({ length: row1 - row0 }, () => []);
  for (const { window: w, runs } of used) {
    runs.forEach((row, r) => {
      if (row.length > 0) rows[w.row0 + r - row0].push(...row);
    });
  }
  for (const row of rows) row.sort((a, b) => a.col0 - b.col0 || a.zone - b.zone);
  return coverageFromRows({ grid, method, zones, row0, row1, col0, col1 }, rows);
}
