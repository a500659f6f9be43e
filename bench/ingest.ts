/**
 * `npm run bench:ingest`: ingest throughput on full-size ODIAC months.
 *
 * Generates 12 full 43200 x 21600 DEFLATE-strip months (plain .tif, ~2 GB each) with a checksum
 * list under $CGER_BENCH_DIR (default /tmp/ingest/bench; reused when already there), times one
 * month through the engine alone (`sumRaster` with the full grid, coverage already computed),
 * then ingests the 12 months from the directory into a fresh store and prints months per minute,
 * MB/s and the ratio of the ingest time to 12 x the single-month time.
 * CGER_BENCH_MONTHS=n uses fewer months (the ratio is then against n x the single month).
 * CGER_BENCH_DISTINCT=k generates only k distinct months (seeds 1..k) and fills the others with
 * copies of them (separate files, same decoding work), for a machine where generating takes long.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runIngest } from '../src/ingest/index.ts';
import { openZones } from '../src/zonal/index.ts';
import { generateOdiacMonth } from './zonal-gen.ts';

const root = process.env.CGER_BENCH_DIR ?? '/tmp/ingest/bench';
const monthCount = Number(process.env.CGER_BENCH_MONTHS ?? 12);
const distinct = Math.min(monthCount, Number(process.env.CGER_BENCH_DISTINCT ?? monthCount));
const release = '2098';
const year = 2015;
const yearDir = join(root, 'source', `odiac${release}`, '1km_tiff', String(year));
const zonesPath = 'boundaries/cn-provinces-ctamap2023.geojson';
const name = (m: number) => `odiac${release}_1km_excl_intl_${String(year % 100).padStart(2, '0')}${String(m).padStart(2, '0')}.tif`;

async function md5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function prepareMonths(): Promise<number> {
  mkdirSync(yearDir, { recursive: true });
  const listPath = join(yearDir, `odiac${release}_1km_checksum_${year}.md5.txt`);
  const listed = new Map<string, string>();
  if (existsSync(listPath)) for (const line of readFileSync(listPath, 'utf8').split('\n').filter(Boolean)) listed.set(line.slice(34), line.slice(0, 32));
  let bytes = 0;
  for (let m = 1; m <= monthCount; m++) {
    const path = join(yearDir, name(m));
    if (!existsSync(path) || !listed.has(name(m))) {
      const fs = statfsSync(root);
      if (fs.bavail * fs.bsize < 3e9) throw new Error(`less than 3 GB free under ${root}; free some space or set CGER_BENCH_DIR`);
      const t0 = performance.now();
      if (m <= distinct) await generateOdiacMonth(path, { seed: m });
      else copyFileSync(join(yearDir, name(((m - 1) % distinct) + 1)), path);
      listed.set(name(m), await md5(path));
      writeFileSync(listPath, [...listed].map(([n, h]) => `${h}  ${n}`).join('\n') + '\n');
      const how = m <= distinct ? `generated (seed ${m})` : `copied from month ${((m - 1) % distinct) + 1}`;
      console.log(`${name(m)}: ${how}, ${(statSync(path).size / 1e9).toFixed(2)} GB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    bytes += statSync(path).size;
  }
  return bytes;
}

const bytes = await prepareMonths();
console.log(`${monthCount} months (${distinct} distinct), ${(bytes / 1e9).toFixed(2)} GB, ${availableParallelism()} cores`);

// Engine alone on one month, coverage computed beforehand (the ingest computes it once too).
const engine = await openZones(zonesPath, { idField: 'id', nameField: 'name' });
const first = join(yearDir, name(1));
let t0 = performance.now();
const warm = await engine.sumRaster(first, { fullGrid: true });
const firstMs = performance.now() - t0;
t0 = performance.now();
await engine.sumRaster(first, { fullGrid: true });
const singleMs = performance.now() - t0;
t0 = performance.now();
await engine.sumRaster(first, {});
const bboxMs = performance.now() - t0;
console.log(
  `single month, engine only: ${(singleMs / 1000).toFixed(1)} s with the full grid decoded (as ingest does, for the mass audit), ` +
    `${(bboxMs / 1000).toFixed(1)} s decoding only China's rows (cger aggregate's default); ` +
    `first call incl. coverage: ${(firstMs / 1000).toFixed(1)} s; grid ${warm.grid.width}x${warm.grid.height}`,
);

const storeDir = join(root, 'store');
rmSync(storeDir, { recursive: true, force: true });
t0 = performance.now();
const summary = await runIngest(
  {
    source: join(root, 'source'),
    releases: 'latest',
    years: null,
    zones: { path: zonesPath, idField: 'id', nameField: 'name', method: 'exact' },
    dbPath: join(storeDir, 'cger.sqlite'),
    outDir: join(storeDir, 'output'),
    downloadDir: join(storeDir, 'rasters'),
    concurrency: 1,
    wait: false,
    allowPartialYear: false,
    quiet: false,
  },
  openZones,
);
const ingestMs = performance.now() - t0;
if (summary.processed !== monthCount || summary.exitCode !== 0)
  throw new Error(`ingest processed ${summary.processed} of ${monthCount} months (exit ${summary.exitCode})`);

const minutes = ingestMs / 60_000;
console.log(`ingest of ${monthCount} months (cold store and coverage, md5 checks, audit, outputs): ${(ingestMs / 1000).toFixed(1)} s`);
console.log(`  throughput: ${(monthCount / minutes).toFixed(2)} months/min, ${(bytes / 1e6 / (ingestMs / 1000)).toFixed(1)} MB/s`);
console.log(
  `  ratio to ${monthCount} x single-month sumRaster: ${(ingestMs / (monthCount * singleMs)).toFixed(3)} (full grid), ` +
    `${(ingestMs / (monthCount * bboxMs)).toFixed(3)} (China rows only)`,
);
