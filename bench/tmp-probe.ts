import { openZones } from '../src/zonal/index.ts';
import { readRasterInfo } from '../src/raster/index.ts';
import { coverageRowEnds } from '../src/zonal/packed.ts';
import { gunzipFloor } from './floor.ts';
const F = process.argv[2];
const zones = await openZones(new URL('../boundaries/cn-provinces-ctamap2023.geojson', import.meta.url).pathname, { cacheDir: '/tmp/w10b-bench/c' });
const info = await readRasterInfo(F);
const cov = await zones.coverage(info.grid);
const rowEnds = coverageRowEnds(cov);
let lastRow = 0; for (let i = 0; i < rowEnds.colEnd.length; i++) if (rowEnds.colEnd[i] > 0) lastRow = rowEnds.row0 + i;
const end = 8 + 0 + (lastRow + 1) * info.grid.width * 4; // approx (IFD small vs 3.7GB)
for (let r = 0; r < 3; r++) {
  const f = await gunzipFloor(F, end);
  const t = performance.now(); const c0 = process.cpuUsage();
  const s = await zones.sumRaster(F, {});
  const c = process.cpuUsage(c0);
  console.log(`floor ${f.seconds.toFixed(2)} s; sumRaster ${((performance.now() - t) / 1000).toFixed(2)} s (main CPU ${((c.user + c.system) / 1e6).toFixed(2)} s) sum0 ${s.zones[0].sum}`);
}
