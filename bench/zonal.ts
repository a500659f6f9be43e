/**
 * `npm run bench:zonal`: cger aggregate on full-size ODIAC months (43200 x 21600 Float32, 1-row
 * DEFLATE strips; generated deterministically by bench/zonal-gen.ts outside git).
 *
 * Prints, for the 34 provinces of boundaries/cn-provinces-ctamap2023.geojson:
 *   - the single-core native-inflate floor for the strips cger reads, those holding a zone cell
 *     (zlib defaults, and the stricter floor with zlib's output sized to the strip),
 *   - cger's wall time for one month (the real CLI from the compiled dist/, which the npm script
 *     builds first; caches warm, and cold), the ratios, and peak RSS,
 *   - 12 months in one run vs 12 single runs.
 * Months 02-12 are hard links to month 01 unless --distinct (each month then takes ~2 min to
 * generate); the page cache treats both modes alike, so the comparison stays fair.
 *
 * Run: npm run bench:zonal [-- --dir /tmp/cger-bench] [--distinct] [--reps 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readRasterInfo } from '../src/raster/index.ts';
import { openZones } from '../src/zonal/index.ts';
import { coverageRowEnds } from '../src/zonal/packed.ts';
import { chinaRows, floor } from './floor.ts';
import { generateOdiacMonth } from './zonal-gen.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { dir: { type: 'string', default: '/tmp/cger-bench' }, distinct: { type: 'boolean' }, reps: { type: 'string', default: '3' } },
});
const dir = args.dir!;
const reps = Number(args.reps);
const zones = join(repo, 'boundaries/cn-provinces-ctamap2023.geojson');
const cacheDir = join(dir, 'cache');
mkdirSync(dir, { recursive: true });

const months = Array.from({ length: 12 }, (_, i) => join(dir, `odiac2099_1km_excl_intl_11${String(i + 1).padStart(2, '0')}.tif`));
for (const [i, path] of months.entries()) {
  if (existsSync(path)) continue;
  if (i > 0 && !args.distinct) { linkSync(months[0], path); continue; }
  const t = performance.now();
  process.stderr.write(`generating ${path} ...\n`);
  await generateOdiacMonth(path, { seed: i + 1 });
  process.stderr.write(`  ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}

/** Runs the real CLI under /usr/bin/time; returns wall seconds and peak RSS (MB). */
function aggregate(files: string[]): { seconds: number; rssMb: number } {
  const timeFile = join(dir, 'time.txt');
  execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, process.execPath, join(repo, 'bin/cger.js'), 'aggregate',
    '--zones', zones, '--quiet', '--cache-dir', cacheDir, '--out', join(dir, 'out.csv'), ...files], { stdio: 'inherit' });
  const [seconds, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { seconds, rssMb: kb / 1024 };
}

const info = await readRasterInfo(months[0]);
const window = chinaRows(info.grid);
// The strips cger must read: those with a cell in a zone (rows of the window with coverage runs).
const rowEnds = coverageRowEnds(await (await openZones(zones, { cacheDir })).coverage(info.grid));
const needed = (row: number) => (rowEnds.colEnd[row - rowEnds.row0] ?? 0) > 0;
console.log(`month: ${info.grid.width} x ${info.grid.height}, strips of ${info.layout.blockHeight} row(s); zones' rows ${window.row0}-${window.row1}`);

rmSync(cacheDir, { recursive: true, force: true });
const cold = aggregate([months[0]]);
// Floor and cger alternate, best of `reps` each: this machine's speed drifts by 20-30% over minutes.
let floorDefault = Infinity;
let floorSized = Infinity;
let floorStrips = 0;
let one = { seconds: Infinity, rssMb: 0 };
for (let r = 0; r < reps; r++) {
  const f = await floor(months[0], window, needed);
  floorDefault = Math.min(floorDefault, f.seconds);
  floorSized = Math.min(floorSized, f.sizedSeconds);
  floorStrips = f.strips;
  const run = aggregate([months[0]]);
  if (run.seconds < one.seconds) one = run;
}
let singles = 0;
for (const m of months) singles += aggregate([m]).seconds;
const batch = aggregate(months);

const rows = [
  [`single-core inflate floor, the ${floorStrips} strips read (zlib defaults)`, `${floorDefault.toFixed(2)} s`],
  [`single-core inflate floor, the ${floorStrips} strips read (output sized)`, `${floorSized.toFixed(2)} s`],
  ['cger aggregate, one month, coverage cached (whole CLI run)', `${one.seconds.toFixed(2)} s, peak RSS ${one.rssMb.toFixed(0)} MB`],
  ['cger aggregate, one month, cold (boundaries checked, coverage computed)', `${cold.seconds.toFixed(2)} s, peak RSS ${cold.rssMb.toFixed(0)} MB`],
  ['ratio cger / floor (sized, the stricter; goal <= 0.9)', (one.seconds / floorSized).toFixed(3)],
  ['ratio cger / floor (zlib defaults; goal <= 0.9)', (one.seconds / floorDefault).toFixed(3)],
  ['12 single runs (sum)', `${singles.toFixed(2)} s`],
  ['12 months in one run', `${batch.seconds.toFixed(2)} s, peak RSS ${batch.rssMb.toFixed(0)} MB`],
  ['ratio one run / 12 single runs (goal < 0.6)', (batch.seconds / singles).toFixed(3)],
];
for (const [k, v] of rows) console.log(`${k.padEnd(72)} ${v}`);
