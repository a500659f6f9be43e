// Temporary (not committed): demo steps 1-3 with the year zips unpacked by hand, until ingest reads zips.
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './src/common/csv.ts';
import { runIngest } from './src/ingest/index.ts';
import { defaultPanelConfig, synthYearbook } from './src/panel/index.ts';
import { openZones } from './src/zonal/index.ts';
import { chinaWindowGrid, writeSyntheticRelease, DEMO_BOUNDARIES } from './src/demo/index.ts';
import { readZipEntries } from './test/demo/zipEntries.ts';
const work = process.argv[2]; const y0 = Number(process.argv[3] ?? 2011), y1 = Number(process.argv[4] ?? 2014);
const years: number[] = []; for (let y = y0; y <= y1; y++) years.push(y);
const config = defaultPanelConfig(); config.sample.yearFrom = y0; config.sample.yearTo = y1;
const synth = synthYearbook(42, config);
const planted = new Map<string, Map<number, number>>();
for (const { values } of parseCsv(synth.co2Csv).records) { if (!planted.has(values.zone_id)) planted.set(values.zone_id, new Map()); planted.get(values.zone_id)!.set(Number(values.year), Number(values.co2_t)); }
let t = performance.now();
const engine = await openZones(DEMO_BOUNDARIES, { cacheDir: join(work, 'cache') });
const grid = chinaWindowGrid(); const coverage = await engine.coverage(grid);
const t1 = performance.now();
await writeSyntheticRelease({ root: join(work, 'rasters'), release: '2099', grid, coverage, co2: planted, years, months: [1,2,3,4,5,6,7,8,9,10,11,12], seed: 42, level: 1 });
const t2 = performance.now();
console.log('coverage', ((t1 - t) / 1000).toFixed(1), 's; rasters', ((t2 - t1) / 1000).toFixed(1), 's');
const unz = join(work, 'unzipped');
for (const y of years) {
  const d = join(work, 'rasters', 'odiac2099', '1km_tiff', String(y)); const o = join(unz, 'odiac2099', '1km_tiff', String(y)); mkdirSync(o, { recursive: true });
  for (const f of readdirSync(d)) { if (f.endsWith('.zip')) for (const [n, b] of await readZipEntries(join(d, f))) writeFileSync(join(o, n), b); else writeFileSync(join(o, f), readFileSync(join(d, f))); }
}
t = performance.now();
const r = await runIngest({ source: unz, releases: ['2099'], years, zones: { path: DEMO_BOUNDARIES, idField: 'id', nameField: 'name', method: 'exact' }, dbPath: join(work, 'out', 'cger.sqlite'), outDir: join(work, 'out'), downloadDir: join(work, 'dl'), concurrency: 1, wait: false, allowPartialYear: false, quiet: true }, openZones);
console.log('ingest', ((performance.now() - t) / 1000).toFixed(1), 's exit', r.exitCode);
let worst = 0;
for (const { values } of parseCsv(readFileSync(join(work, 'out', 'province_year.csv'), 'utf8')).records) { const w = planted.get(values.zone_id)?.get(Number(values.year)); if (w !== undefined) worst = Math.max(worst, Math.abs(Number(values.co2_t) - w) / w); }
console.log('max rel error', worst);
