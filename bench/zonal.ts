/**
 * `npm run bench:zonal`: cger aggregate on full-size ODIAC months (43200 x 21600 Float32),
 * generated deterministically by bench/zonal-gen.ts outside git, in two layouts:
 *
 * deflate: 1-row DEFLATE strips (a plain .tif). Prints, for the 34 provinces of
 * boundaries/cn-provinces-ctamap2023.geojson:
 *   - the single-core native-inflate floor for the strips cger reads, those holding a zone cell
 *     (zlib defaults, and the stricter floor with zlib's output sized to the strip),
 *   - cger's wall time for one month (the real CLI from the compiled dist/, which the npm script
 *     builds first; caches warm, and cold), the ratios, and peak RSS,
 *   - 12 months in one run vs 12 single runs.
 *
 * shipped: what ODIAC ships, an uncompressed 1-row-strip TIFF gzipped as a whole (.tif.gz).
 * Prints the floor (Node's own gunzip stream up to the end of the last strip a province touches),
 * cger's time on the .tif.gz and the ratio (goal <= 1.1), a 12-month --annual run per month,
 * --remainder, and the same month unzipped (plain .tif).
 *
 * Months 02-12 are hard links to month 01 unless --distinct (each month then takes minutes to
 * generate); the page cache treats both modes alike, so the comparison stays fair.
 * --baseline <checkout> also runs another checkout's CLI (its dist/ built) alternately with this
 * one, as "before", and checks that both write the same CSV bytes.
 *
 * Run: npm run bench:zonal [-- --dir /tmp/cger-bench] [--distinct] [--reps 3] [--layouts deflate,shipped] [--baseline ../other]
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { GunzipCursor, parseGzipHead } from '../src/raster/gunzipCursor.ts';
import { readRasterInfo } from '../src/raster/index.ts';
import { openZones } from '../src/zonal/index.ts';
import { coverageRowEnds } from '../src/zonal/packed.ts';
import { chinaRows, floor, gunzipFloor } from './floor.ts';
import { generateOdiacMonth, generateShippedMonth } from './zonal-gen.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/cger-bench' },
    distinct: { type: 'boolean' },
    reps: { type: 'string', default: '3' },
    layouts: { type: 'string', default: 'deflate,shipped' },
    baseline: { type: 'string' },
  },
});
const layouts = new Set(args.layouts!.split(','));
const dir = args.dir!;
const reps = Number(args.reps);
const zones = join(repo, 'boundaries/cn-provinces-ctamap2023.geojson');
const cacheDir = join(dir, 'cache');
mkdirSync(dir, { recursive: true });

/** Twelve month paths in `folder`; month 01 generated when missing, the others linked to it unless --distinct. */
async function monthFiles(folder: string, ext: string, generate: (path: string, seed: number) => Promise<number>): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const months = Array.from({ length: 12 }, (_, i) => join(folder, `odiac2099_1km_excl_intl_11${String(i + 1).padStart(2, '0')}${ext}`));
  for (const [i, path] of months.entries()) {
    if (existsSync(path)) continue;
    if (i > 0 && !args.distinct) {
      linkSync(months[0], path);
      continue;
    }
    const t = performance.now();
    process.stderr.write(`generating ${path} ...\n`);
    await generate(path, i + 1);
    process.stderr.write(`  ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }
  return months;
}

interface Run {
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
}

/** Runs the real CLI of `checkout` under /usr/bin/time; returns wall seconds and peak RSS (MB). */
function aggregate(files: string[], opts: { checkout?: string; out?: string; extra?: string[] } = {}): Run {
  const timeFile = join(dir, 'time.txt');
  execFileSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %M %U %S',
      '-o',
      timeFile,
      process.execPath,
      join(opts.checkout ?? repo, 'bin/cger.js'),
      'aggregate',
      '--zones',
      zones,
      '--quiet',
      '--cache-dir',
      cacheDir,
      '--out',
      opts.out ?? join(dir, 'out.csv'),
      ...(opts.extra ?? []),
      ...files,
    ],
    { stdio: 'inherit' },
  );
  const [seconds, kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { seconds, cpuSeconds: user + sys, rssMb: kb / 1024 };
}

const best = (a: Run, b: Run) => (b.seconds < a.seconds ? b : a);
const none: Run = { seconds: Infinity, cpuSeconds: Infinity, rssMb: 0 };
const fmt = (r: Run) => `${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s), peak RSS ${r.rssMb.toFixed(0)} MB`;
const print = (rows: string[][]) => {
  for (const [k, v] of rows) console.log(`${k.padEnd(72)} ${v}`);
};

if (layouts.has('deflate')) await benchDeflate();
if (layouts.has('shipped')) await benchShipped();

async function benchDeflate(): Promise<void> {
  const months = await monthFiles(dir, '.tif', (path, seed) => generateOdiacMonth(path, { seed }));
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
  let one = none;
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
  print(rows);
}

/** End (in the decompressed stream) of the last strip holding a needed row. */
async function lastNeededByte(path: string, needed: (row: number) => boolean): Promise<{ end: number; row: number }> {
  const cursor = new GunzipCursor(path);
  try {
    const { parsed } = await parseGzipHead(cursor, path);
    const { offsets, byteCounts, blockHeight, height } = parsed!.layout;
    for (let row = height - 1; row >= 0; row--) {
      const strip = Math.floor(row / blockHeight);
      if (needed(row)) return { end: offsets[strip] + byteCounts[strip], row };
    }
    return { end: 0, row: -1 };
  } finally {
    await cursor.close();
  }
}

async function benchShipped(): Promise<void> {
  const folder = join(dir, 'shipped');
  const months = await monthFiles(folder, '.tif.gz', (path, seed) => generateShippedMonth(path, { seed }));
  const plain = join(folder, 'plain', 'odiac2099_1km_excl_intl_1101.tif');
  if (!existsSync(plain)) {
    mkdirSync(join(folder, 'plain'), { recursive: true });
    await pipeline(createReadStream(months[0]), createGunzip(), createWriteStream(plain));
  }
  const info = await readRasterInfo(months[0]);
  const rowEnds = coverageRowEnds(await (await openZones(zones, { cacheDir })).coverage(info.grid));
  const needed = (row: number) => (rowEnds.colEnd[row - rowEnds.row0] ?? 0) > 0;
  const last = await lastNeededByte(months[0], needed);
  const whole = await gunzipFloor(months[0]);
  console.log(
    `shipped month: ${info.grid.width} x ${info.grid.height}, compression ${info.layout.compression}, ` +
      `strips of ${info.layout.blockHeight} row(s); last needed row ${last.row}, ` +
      `ends at byte ${last.end} of ${whole.bytes} (${((100 * last.end) / whole.bytes).toFixed(0)}%)`,
  );
  const before = args.baseline;
  const outNew = join(dir, 'shipped-new.csv');
  const outOld = join(dir, 'shipped-before.csv');
  aggregate([months[0]]); // coverage cache warm
  // Floors, cger and the baseline alternate, best of `reps` each (wall and CPU each at its best).
  const strictChunk = 1 << 20;
  let floorDefault = { seconds: Infinity, cpuSeconds: Infinity };
  let floorStrict = { seconds: Infinity, cpuSeconds: Infinity };
  const bestFloor = (a: typeof floorDefault, b: typeof floorDefault) => ({
    seconds: Math.min(a.seconds, b.seconds),
    cpuSeconds: Math.min(a.cpuSeconds, b.cpuSeconds),
  });
  let one = none,
    oneBefore = none,
    plainRun = none,
    plainBefore = none;
  for (let r = 0; r < reps; r++) {
    floorDefault = bestFloor(floorDefault, await gunzipFloor(months[0], last.end));
    one = best(one, aggregate([months[0]], { out: outNew }));
    if (before) oneBefore = best(oneBefore, aggregate([months[0]], { checkout: before, out: outOld }));
    floorStrict = bestFloor(floorStrict, await gunzipFloor(months[0], last.end, strictChunk));
    plainRun = best(plainRun, aggregate([plain]));
    if (before) plainBefore = best(plainBefore, aggregate([plain], { checkout: before }));
  }
  const sameCsv = before ? readFileSync(outNew).equals(readFileSync(outOld)) : null;
  const annualArgs = { extra: ['--annual'] };
  const annual = aggregate(months, { ...annualArgs, out: join(dir, 'annual-new.csv') });
  const annualBefore = before ? aggregate(months, { ...annualArgs, checkout: before, out: join(dir, 'annual-before.csv') }) : none;
  const sameAnnual = before ? readFileSync(join(dir, 'annual-new.csv')).equals(readFileSync(join(dir, 'annual-before.csv'))) : null;
  const remainder = aggregate([months[0]], { extra: ['--remainder'], out: join(dir, 'remainder-new.csv') });
  const remainderBefore = before ? aggregate([months[0]], { extra: ['--remainder'], checkout: before, out: join(dir, 'remainder-before.csv') }) : none;
  const sameRemainder = before ? readFileSync(join(dir, 'remainder-new.csv')).equals(readFileSync(join(dir, 'remainder-before.csv'))) : null;
  const floorText = (f: typeof floorDefault) => `${f.seconds.toFixed(2)} s (CPU ${f.cpuSeconds.toFixed(2)} s)`;
  const ratios = (r: Run) =>
    `${(r.seconds / floorDefault.seconds).toFixed(3)} (CPU ${(r.cpuSeconds / floorDefault.cpuSeconds).toFixed(3)}); ` +
    `to the stricter floor ${(r.seconds / floorStrict.seconds).toFixed(3)} (CPU ${(r.cpuSeconds / floorStrict.cpuSeconds).toFixed(3)})`;
  const rows = [
    [`Node's gunzip, whole stream (${(whole.bytes / 1e6).toFixed(0)} MB out)`, `${whole.seconds.toFixed(2)} s`],
    [`floor: Node's gunzip stream up to the last needed strip (row ${last.row})`, floorText(floorDefault)],
    [`stricter floor: the same with 1 MB chunks (as cger reads)`, floorText(floorStrict)],
    ['cger aggregate, one .tif.gz month, coverage cached (whole CLI run)', fmt(one)],
    ['ratio cger / gunzip floor (goal <= 1.1)', ratios(one)],
    ['12 months --annual in one run', `${fmt(annual)} (${(annual.seconds / 12).toFixed(2)} s per month)`],
    ['ratio per month in the 12-month run / one month (goal <= 1)', (annual.seconds / 12 / one.seconds).toFixed(3)],
    ['one .tif.gz month with --remainder (whole stream)', fmt(remainder)],
    ['the same month unzipped (plain .tif, page-cached)', fmt(plainRun)],
  ];
  if (before) {
    rows.push(
      ['before: cger aggregate, one .tif.gz month', fmt(oneBefore)],
      ['before: ratio cger / gunzip floor', ratios(oneBefore)],
      ['before: 12 months --annual in one run', `${fmt(annualBefore)} (${(annualBefore.seconds / 12).toFixed(2)} s per month)`],
      ['before: one .tif.gz month with --remainder', fmt(remainderBefore)],
      ['before: the same month unzipped (plain .tif)', fmt(plainBefore)],
      ['CSV bytes identical to before (one month, --annual, --remainder)', `${sameCsv}, ${sameAnnual}, ${sameRemainder}`],
    );
  }
  print(rows);
}
