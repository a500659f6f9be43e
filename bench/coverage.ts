/**
 * Coverage of the shipped provinces on the full ODIAC grid (43200 x 21600, 30"): time, peak
 * memory, runs and cells, for both methods, and a second run through the cache.
 * Run: npm run bench:coverage
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZones } from '../src/boundaries/index.ts';
import type { Grid } from '../src/raster/types.ts';
import { loadOrComputeCoverage } from '../src/zonal/cache.ts';
import { computeCoverage } from '../src/zonal/coverage.ts';
import type { Coverage } from '../src/zonal/types.ts';

const grid: Grid = {
  width: 43200,
  height: 21600,
  originX: -180,
  originY: 90,
  cellWidth: 1 / 120,
  cellHeight: 1 / 120,
  crs: { epsg: 4326, definition: 'EPSG:4326' },
};
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0) + ' MB';
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

function describe(cov: Coverage): string {
  let runs = 0,
    fullRuns = 0,
    cells = 0,
    partialCells = 0,
    area = 0;
  for (const row of cov.rows) {
    for (const run of row) {
      runs++;
      cells += run.col1 - run.col0;
      if (run.fractions === null) {
        fullRuns++;
        area += run.col1 - run.col0;
        continue;
      }
      for (const f of run.fractions) {
        area += f;
        if (f < 1) partialCells++;
      }
    }
  }
  return (
    `window ${cov.row1 - cov.row0} x ${cov.col1 - cov.col0} cells, ${runs} runs (${fullRuns} full), ` +
    `${cells} cells (${partialCells} partial), covered area ${area.toFixed(3)} cells`
  );
}

let t = performance.now();
const zoneSet = await loadZones('boundaries/cn-provinces-ctamap2023.geojson', { targetCrs: grid.crs });
console.log(`load ${zoneSet.zones.length} zones: ${(performance.now() - t).toFixed(0)} ms`);
for (const method of ['exact', 'center'] as const) {
  t = performance.now();
  const cov = computeCoverage(zoneSet, grid, method);
  const ms = performance.now() - t;
  console.log(`${method}: ${ms.toFixed(0)} ms; ${describe(cov)}; heap ${mb(process.memoryUsage().heapUsed)}`);
}
const cacheDir = mkdtempSync(join(tmpdir(), 'cger-bench-coverage-'));
try {
  t = performance.now();
  await loadOrComputeCoverage(zoneSet, grid, 'exact', { cacheDir });
  const first = performance.now() - t;
  t = performance.now();
  await loadOrComputeCoverage(zoneSet, grid, 'exact', { cacheDir });
  const second = performance.now() - t;
  console.log(`cache: compute + write ${first.toFixed(0)} ms, read ${second.toFixed(0)} ms (x${(first / second).toFixed(1)} faster)`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
clearInterval(sampler);
console.log(`peak RSS ${mb(peakRss)}`);
