import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as polyclip from 'polyclip-ts';
import { loadZones, type Polygon, type ZoneSet } from '../../src/boundaries/index.ts';
import type { Grid } from '../../src/raster/types.ts';
import { computeCoverage } from '../../src/zonal/coverage.ts';
import type { Coverage } from '../../src/zonal/types.ts';
import { BOUNDARIES, denseFractions, FIXTURES, readExpected, readFixtureRaster, relDiff, WGS84, type ZoneTotals, zoneTotals } from './coverageHelpers.ts';

const GEOJSON = BOUNDARIES + 'cn-provinces-ctamap2023.geojson';

// ---------------------------------------------------------------------------------------------
// Fixtures: exactextract and an independent exact method, both on jjj_*.tif

const LAYOUTS = [
  'jjj_strip_deflate.tif',
  'jjj_tile256_lzw_pred3.tif',
  'jjj_strip16_none.tif',
  'jjj_tile512_deflate_pred3_bigtiff.tif',
  'jjj_strip_deflate_gz.tif.gz',
];

let shipped: Promise<ZoneSet> | undefined;
/** The shipped GeoJSON provinces, loaded once for the whole file. */
const shippedZones = () => (shipped ??= loadZones(GEOJSON, { targetCrs: WGS84 }));

/** Checks naive sums over the coverage against the expected CSV; returns the exact totals. */
async function checkAgainstExpected(tifs: string[], expectedCsv: string, zoneSet: ZoneSet) {
  const expected = readExpected(FIXTURES + 'jjj/' + expectedCsv);
  let coverages: { exact: Coverage; center: Coverage } | undefined;
  let exact = new Map<string, ZoneTotals>();
  for (const tif of tifs) {
    const raster = await readFixtureRaster(FIXTURES + 'jjj/' + tif);
    // every layout is on the same grid, so the coverage is computed once
    if (coverages) assert.deepEqual(raster.grid, coverages.exact.grid, `${tif}: grid`);
    coverages ??= { exact: computeCoverage(zoneSet, raster.grid, 'exact'), center: computeCoverage(zoneSet, raster.grid, 'center') };
    exact = zoneTotals(coverages.exact, raster);
    const center = zoneTotals(coverages.center, raster);
    for (const e of expected) {
      const x = exact.get(e.id)!;
      assert.ok(relDiff(x.sum, e.exact_sum) < 1e-8, `${tif} ${e.id}: sum ${x.sum} vs exactextract ${e.exact_sum}`);
      assert.ok(relDiff(x.sum, e.exact_sum_ref) < 1e-8, `${tif} ${e.id}: sum ${x.sum} vs ref ${e.exact_sum_ref}`);
      assert.ok(relDiff(x.coverage, e.exact_coverage) < 1e-8, `${tif} ${e.id}: coverage ${x.coverage} vs ${e.exact_coverage}`);
      assert.ok(relDiff(x.coverage, e.exact_coverage_ref) < 1e-8, `${tif} ${e.id}: coverage ${x.coverage} vs ref ${e.exact_coverage_ref}`);
      const c = center.get(e.id)!;
      assert.equal(c.cells, e.center_count, `${tif} ${e.id}: centre count`);
      assert.ok(relDiff(c.sum, e.center_sum) < 1e-9, `${tif} ${e.id}: centre sum ${c.sum} vs ${e.center_sum}`);
    }
    // Zones not listed in the expected file do not touch the window.
    const listed = new Set(expected.map((e) => e.id));
    for (const [id, t] of exact) if (!listed.has(id)) assert.equal(t.cells, 0, `${id} should not touch the window`);
  }
  return exact;
}

test('exact and centre sums match the reference tools on every jjj layout', async () => {
  await checkAgainstExpected(LAYOUTS, 'jjj.expected.csv', await shippedZones());
});

test('nodata and NaN cells are skipped (jjj_nodata_nan.tif)', async () => {
  await checkAgainstExpected(['jjj_nodata_nan.tif'], 'jjj_nodata_nan.expected.csv', await shippedZones());
});

test('the Albers GBK shapefile gives the GeoJSON sums (1e-7) and matches the references', async () => {
  const fromShp = await loadZones(BOUNDARIES + 'cn-provinces-albers', { targetCrs: WGS84, nameField: '地名' });
  assert.equal(fromShp.zones.find((z) => z.id === '110000')?.name, '北京市');
  const exactShp = await checkAgainstExpected(['jjj_strip_deflate.tif'], 'jjj.expected.csv', fromShp);
  const exactJson = await checkAgainstExpected(['jjj_strip_deflate.tif'], 'jjj.expected.csv', await shippedZones());
  let compared = 0;
  for (const [id, t] of exactJson) {
    if (t.cells === 0) continue;
    const s = exactShp.get(id)!;
    assert.ok(relDiff(s.sum, t.sum) < 1e-7, `${id}: shapefile ${s.sum} vs GeoJSON ${t.sum}`);
    assert.ok(relDiff(s.coverage, t.coverage) < 1e-7, `${id}: coverage`);
    compared++;
  }
  assert.equal(compared, 5);
});

// ---------------------------------------------------------------------------------------------
// Repaired invalid geometry vs the shipped (GEOS make_valid) file, on synthetic values

/** A grid of ODIAC cells over a bounding box. */
function odiacGridOver(bbox: [number, number, number, number]): Grid {
  const col0 = Math.floor((bbox[0] + 180) * 120) - 2,
    col1 = Math.ceil((bbox[2] + 180) * 120) + 2;
  const row0 = Math.floor((90 - bbox[3]) * 120) - 2,
    row1 = Math.ceil((90 - bbox[1]) * 120) + 2;
  return {
    width: col1 - col0,
    height: row1 - row0,
    originX: -180 + col0 / 120,
    originY: 90 - row0 / 120,
    cellWidth: 1 / 120,
    cellHeight: 1 / 120,
    crs: WGS84,
  };
}

function bboxOf(polys: Polygon[]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of polys)
    for (const [x, y] of p[0]) {
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    }
  return b;
}

/** Coverage-weighted sum of a deterministic pseudo-random field, and the covered area in cells. */
function syntheticTotals(coverage: Coverage, zone: number) {
  let sum = 0,
    area = 0;
  coverage.rows.forEach((runs, r) => {
    for (const run of runs) {
      if (run.zone !== zone) continue;
      for (let c = run.col0; c < run.col1; c++) {
        const f = run.fractions === null ? 1 : run.fractions[c - run.col0];
        const value = 1 + (((coverage.row0 + r) * 7919 + c * 104729) % 1000) / 10;
        sum += value * f;
        area += f;
      }
    }
  });
  return { sum, area };
}

const polygonArea = (polys: Polygon[]) => polys.reduce((sum, poly) => sum + poly.reduce((t, r, k) => t + (k === 0 ? 1 : -1) * shoelace(r.slice(0, -1)), 0), 0);

/**
 * Area (deg²) covered by more than one part of a raw feature: the sum of the parts' areas minus
 * the area of their union (polygon clipping, independent of cger's coverage code; each part is
 * first made simple on its own, as one part of 210000 is a bow-tie).
 */
function overlapOfParts(id: string): number {
  const doc = JSON.parse(readFileSync(FIXTURES + 'bad/cn-provinces-raw-invalid.geojson', 'utf8'));
  const geometry = doc.features.find((f: any) => f.properties.id === id).geometry;
  if (geometry.type !== 'MultiPolygon') return 0;
  const parts: Polygon[] = geometry.coordinates;
  return parts.reduce((sum, p) => sum + polygonArea(polyclip.union(p) as Polygon[]), 0) - polygonArea(polyclip.union(parts[0], ...parts.slice(1)) as Polygon[]);
}

test('repaired invalid features cover what the shipped make_valid file covers', async () => {
  const raw = await loadZones(FIXTURES + 'bad/cn-provinces-raw-invalid.geojson', { targetCrs: WGS84, onWarning: () => {} });
  const shipped = await shippedZones();
  for (const id of ['210000', '350000', '450000', '620000', '640000']) {
    const i = raw.zones.findIndex((z) => z.id === id);
    const grid = odiacGridOver(bboxOf(shipped.zones[i].geometry));
    const one = (set: ZoneSet): ZoneSet => ({ ...set, zones: [set.zones[i]] });
    const a = syntheticTotals(computeCoverage(one(raw), grid, 'exact'), 0);
    const b = syntheticTotals(computeCoverage(one(shipped), grid, 'exact'), 0);
    // The shipped file (GEOS make_valid, linework) drops the area where two parts of 350000 and
    // 450000 overlap; cger counts it once. Everything else agrees to rounding.
    const overlapCells = overlapOfParts(id) * 14400; // deg² -> cells
    assert.ok(Math.abs(a.area - b.area - overlapCells) < 1e-6, `${id}: area ${a.area} vs ${b.area} + overlap ${overlapCells}`);
    assert.ok(relDiff(a.sum, b.sum) < (overlapCells > 0 ? 1e-6 : 1e-10), `${id}: sum ${a.sum} vs ${b.sum}`);
    if (id === '350000' || id === '450000') assert.ok(overlapCells > 0.01, `${id} has overlapping parts`);
    else assert.equal(overlapCells, 0);
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-computable geometry

/** A small grid with non-square cells, so row/column mix-ups show. */
const SMALL: Grid = { width: 8, height: 12, originX: 10, originY: 20, cellWidth: 0.5, cellHeight: 0.25, crs: WGS84 };

function zoneSetOf(zones: { id: string; geometry: Polygon[] }[]): ZoneSet {
  return { zones: zones.map((z) => ({ ...z, name: z.id })), sourceCrs: WGS84, hash: 'test', path: 'test', repaired: [] };
}

const shoelace = (pts: number[][]) => {
  let a = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x0, y0] = pts[i];
    const [x1, y1] = pts[(i + 1) % pts.length];
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
};

/** Area of a simple polygon inside an axis-aligned box (Sutherland-Hodgman clipping). */
function clippedArea(ring: number[][], x0: number, y0: number, x1: number, y1: number): number {
  let pts = ring.slice(0, -1);
  const clip = (inside: (p: number[]) => boolean, cut: (a: number[], b: number[]) => number[]) => {
    const out: number[][] = [];
    pts.forEach((p, i) => {
      const q = pts[(i + 1) % pts.length];
      if (inside(p)) {
        out.push(p);
        if (!inside(q)) out.push(cut(p, q));
      } else if (inside(q)) out.push(cut(p, q));
    });
    pts = out;
  };
  const atX = (x: number) => (a: number[], b: number[]) => [x, a[1] + ((x - a[0]) * (b[1] - a[1])) / (b[0] - a[0])];
  const atY = (y: number) => (a: number[], b: number[]) => [a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]), y];
  clip((p) => p[0] >= x0, atX(x0));
  clip((p) => p[0] <= x1, atX(x1));
  clip((p) => p[1] >= y0, atY(y0));
  clip((p) => p[1] <= y1, atY(y1));
  return pts.length < 3 ? 0 : shoelace(pts);
}

/** Reference covered share of every cell of `grid` for polygons with holes. */
function referenceFractions(grid: Grid, polys: Polygon[]): Float64Array {
  const out = new Float64Array(grid.width * grid.height);
  const cellArea = grid.cellWidth * grid.cellHeight;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const x0 = grid.originX + c * grid.cellWidth,
        y1 = grid.originY - r * grid.cellHeight;
      let a = 0;
      for (const poly of polys) {
        poly.forEach((ring, k) => {
          const part = clippedArea(ring, x0, y1 - grid.cellHeight, x0 + grid.cellWidth, y1);
          a += k === 0 ? part : -part;
        });
      }
      out[r * grid.width + c] = a / cellArea;
    }
  }
  return out;
}

const ring = (...pts: [number, number][]): [number, number][] => [...pts, pts[0]];

function assertFractions(actual: Float64Array, expected: Float64Array, label: string, inUnitRange = true) {
  for (let i = 0; i < expected.length; i++) {
    if (inUnitRange) assert.ok(actual[i] >= 0 && actual[i] <= 1, `${label}: fraction ${actual[i]} out of [0, 1] at ${i}`);
    assert.ok(Math.abs(actual[i] - expected[i]) < 1e-12, `${label}: cell ${i} ${actual[i]} vs ${expected[i]}`);
  }
}

const TRIANGLE: Polygon = [ring([10.31, 17.4], [13.7, 17.9], [11.2, 19.85])];
// clockwise outer ring and counter-clockwise hole: orientation must not matter
const SQUARE_WITH_HOLE: Polygon = [
  ring([10.15, 17.1], [10.15, 19.6], [13.9, 19.6], [13.9, 17.1]),
  ring([11.05, 17.8], [12.6, 17.8], [12.6, 19.3], [11.05, 19.3]),
];

test('exact fractions equal the analytic areas: triangle, square with a hole, multipolygon', () => {
  const cases: [string, Polygon[], number][] = [
    ['triangle', [TRIANGLE], shoelace(TRIANGLE[0].slice(0, -1))],
    ['square with hole', [SQUARE_WITH_HOLE], 3.75 * 2.5 - 1.55 * 1.5],
    [
      'two parts',
      [[ring([10.05, 17.05], [10.95, 17.05], [10.95, 17.7])], [ring([12.2, 18.1], [13.95, 18.1], [13.95, 19.93], [12.2, 19.93])]],
      (0.9 * 0.65) / 2 + 1.75 * 1.83,
    ],
  ];
  for (const [label, polys, area] of cases) {
    const cov = computeCoverage(zoneSetOf([{ id: 'z', geometry: polys }]), SMALL, 'exact');
    const fr = denseFractions(cov, 0);
    assertFractions(fr, referenceFractions(SMALL, polys), label);
    const total = fr.reduce((s, f) => s + f, 0) * SMALL.cellWidth * SMALL.cellHeight;
    assert.ok(Math.abs(total - area) < 1e-12, `${label}: total area ${total} vs ${area}`);
    for (const row of cov.rows)
      for (const run of row)
        if (run.fractions === null) {
          for (let c = run.col0; c < run.col1; c++) assert.equal(fr[(cov.row0 + cov.rows.indexOf(row)) * SMALL.width + c], 1);
        }
  }
});

test('zones that tile a region sum to the region (mass conservation)', () => {
  const [x0, y0, x1, y1] = [10.1, 17.2, 13.3, 19.7];
  const p: [number, number] = [11.77, 18.61];
  const corners: [number, number][] = [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
  const zones = corners.map((a, i) => ({ id: `t${i}`, geometry: [[ring(a, corners[(i + 1) % 4], p)]] }));
  const cov = computeCoverage(zoneSetOf(zones), SMALL, 'exact');
  const total = new Float64Array(SMALL.width * SMALL.height);
  zones.forEach((_, i) =>
    denseFractions(cov, i).forEach((f, k) => {
      total[k] += f;
    }),
  );
  assertFractions(total, referenceFractions(SMALL, [[ring([x0, y0], [x1, y0], [x1, y1], [x0, y1])]]), 'union of the fan', false);
  // and the runs of each row are sorted by column and do not overlap
  for (const row of cov.rows) for (let k = 1; k < row.length; k++) assert.ok(row[k].col0 >= row[k - 1].col0);
});

test('zones partly outside the grid are clipped; zones wholly outside have no runs', () => {
  const partly: Polygon = [ring([9.3, 16.5], [11.2, 16.9], [11.45, 18.3], [9.6, 20.7])];
  const outside: Polygon = [ring([30, 30], [31, 30], [31, 31])];
  const cov = computeCoverage(
    zoneSetOf([
      { id: 'a', geometry: [partly] },
      { id: 'b', geometry: [outside] },
    ]),
    SMALL,
    'exact',
  );
  assertFractions(denseFractions(cov, 0), referenceFractions(SMALL, [partly]), 'partly outside');
  assert.deepEqual(cov.zones, [
    { id: 'a', name: 'a' },
    { id: 'b', name: 'b' },
  ]);
  assert.ok(cov.rows.every((row) => row.every((run) => run.zone === 0)));
  assert.ok(cov.row0 >= 0 && cov.row1 <= SMALL.height && cov.col0 >= 0 && cov.col1 <= SMALL.width);
  const none = computeCoverage(zoneSetOf([{ id: 'b', geometry: [outside] }]), SMALL, 'exact');
  assert.equal(none.rows.length, 0);
});

test('centre method: a cell counts when its centre is inside; centres on an east or north edge count', () => {
  // Reference by point-in-polygon on each centre (no centre lies on an edge of these shapes).
  for (const polys of [[TRIANGLE], [SQUARE_WITH_HOLE]]) {
    const cov = computeCoverage(zoneSetOf([{ id: 'z', geometry: polys }]), SMALL, 'center');
    const fr = denseFractions(cov, 0);
    for (let r = 0; r < SMALL.height; r++)
      for (let c = 0; c < SMALL.width; c++) {
        const x = 10 + (c + 0.5) * 0.5,
          y = 20 - (r + 0.5) * 0.25;
        let inside = false;
        for (const poly of polys)
          for (const rg of poly)
            for (let i = 0; i + 1 < rg.length; i++) {
              const [ax, ay] = rg[i],
                [bx, by] = rg[i + 1];
              if (ay > y !== by > y && x < ax + ((y - ay) * (bx - ax)) / (by - ay)) inside = !inside;
            }
        assert.equal(fr[r * SMALL.width + c], inside ? 1 : 0, `cell ${r},${c}`);
      }
  }
  // A rectangle whose edges pass exactly through cell centres (in grid units: u 0.5..2.5, v 1.5..3.5):
  // centres on the east and north edges are in, on the west and south edges out (half-open, as GDAL).
  const tie: Polygon = [ring([10.25, 19.625], [11.25, 19.625], [11.25, 19.125], [10.25, 19.125])];
  const cov = computeCoverage(zoneSetOf([{ id: 'z', geometry: [tie] }]), SMALL, 'center');
  const cells: string[] = [];
  cov.rows.forEach((row, r) =>
    row.forEach((run) => {
      for (let c = run.col0; c < run.col1; c++) cells.push(`${cov.row0 + r},${c}`);
    }),
  );
  assert.deepEqual(cells, ['1,1', '1,2', '2,1', '2,2']);
});
