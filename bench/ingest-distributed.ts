/**
 * `npm run bench:ingest-distributed`: throughput of a distributed ingest (PostgreSQL store and
 * pg-boss queue) with 1 vs 2 `cger worker` processes, each `--threads 1`, on 24 months in the
 * shipped layout (a Float32 GeoTIFF with 1-row uncompressed strips, gzipped as a whole).
 *
 * The months are generated on demand under $CGER_BENCH_DIR/distributed (default
 * /tmp/ingest/bench/distributed; reused when already there), gzipped at level 1 so that
 * generating them stays short (reading inflates at much the same speed). By default each month is a window
 * of the ODIAC lattice over China (54N-18N, 73E-135E: 4320 x 7440 cells, 129 MB raw) rather than
 * the global grid (3.7 GB raw a month, 89 GB for 24): the per-month work (gunzip, md5, decoding,
 * sums, commit) has the same shape, the disk and the shared machine are spared.
 * CGER_BENCH_FULL=1 uses the global grid instead.
 *
 * Runs: the embedded SQLite ingest once (the reference outputs; it also warms this host's
 * coverage cache, which the workers share), then alternately 1 and 2 workers, CGER_BENCH_REPS
 * times each (default 2), every run on a fresh database: enqueue, workers with --until-empty,
 * collect, outputs compared byte for byte with the reference. Prints, best of the repetitions,
 * the wall time (worker start to last exit) and the processing window (first claim to last
 * commit, from the queue's own timestamps), and the throughput ratios 2 workers / 1 worker.
 * A real server is started with initdb (as the test suite does) unless CGER_BENCH_DB names one
 * (a postgres:// URL of a maintenance database where this bench may create databases).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { createRng, mixSeed } from '../src/common/random.ts';
import { collectIngest, enqueueIngest, type IngestOptions } from '../src/ingest/index.ts';
import { Tag } from '../src/raster/tags.ts';
import { encodeHeader, encodeIfd, geographicGeoKeys, type TiffField } from '../src/raster/tiffEncode.ts';
import { openZones } from '../src/zonal/index.ts';
import { startPostgres } from '../test/ingest/postgresServer.ts';

const root = join(process.env.CGER_BENCH_DIR ?? '/tmp/ingest/bench', 'distributed');
const full = process.env.CGER_BENCH_FULL === '1';
const reps = Number(process.env.CGER_BENCH_REPS ?? 2);
const release = '2098';
const years = [2015, 2016];
const CELL = 1 / 120;
// Window over China on the lattice: first row at 54N, first column at 73E.
const grid = full ? { row0: 0, col0: 0, rows: 21600, cols: 43200 } : { row0: (90 - 54) * 120, col0: (180 + 73) * 120, rows: 4320, cols: 7440 };
const zonesPath = 'boundaries/cn-provinces-ctamap2023.geojson';
const monthName = (year: number, m: number) => `odiac${release}_1km_excl_intl_${String(year % 100).padStart(2, '0')}${String(m).padStart(2, '0')}.tif.gz`;

/** Lognormal values with rare bright point sources, drawn once; rows pick from them (generating stays cheap). */
const POOL_SIZE = 1 << 16;
const pool = (() => {
  const rng = createRng(7);
  return Float32Array.from({ length: POOL_SIZE }, () => Math.exp(-1 + 2 * rng.normal()) * (rng.next() < 1e-4 ? 1000 : 1));
})();
/** "Sea" columns and rows (zeros), as a coarse checkerboard of the lattice. */
const seaColumn = Uint8Array.from({ length: grid.cols }, (_, c) => Number(Math.sin((grid.col0 + c) / 840) < -0.6));

/** Row `row` of the window: zeros over "sea", pool values over ~75% of "land" cells, deterministic in the seed. */
function fillRow(out: Float32Array, row: number, seed: number): void {
  out.fill(0);
  if (Math.cos((grid.row0 + row) / 600) < -0.8) return;
  const rng = createRng(mixSeed(seed, row));
  for (let c = 0; c < out.length; c++) {
    const u = rng.next();
    if (seaColumn[c] || u < 0.25) continue;
    out[c] = pool[Math.floor(u * 4 * POOL_SIZE) & (POOL_SIZE - 1)];
  }
}

/** Writes a month in the shipped layout: header and IFD first, then the uncompressed rows, all through one gzip stream. */
async function writeShippedMonth(path: string, seed: number): Promise<void> {
  const { rows, cols } = grid;
  const order = { littleEndian: true, bigTiff: false };
  const fields = (offsets: number[]): TiffField[] => [
    { tag: Tag.ImageWidth, type: 'LONG', values: [cols] },
    { tag: Tag.ImageLength, type: 'LONG', values: [rows] },
    { tag: Tag.BitsPerSample, type: 'SHORT', values: [32] },
    { tag: Tag.Compression, type: 'SHORT', values: [1] },
    { tag: Tag.Photometric, type: 'SHORT', values: [1] },
    { tag: Tag.StripOffsets, type: 'LONG', values: offsets },
    { tag: Tag.SamplesPerPixel, type: 'SHORT', values: [1] },
    { tag: Tag.RowsPerStrip, type: 'LONG', values: [1] },
    { tag: Tag.StripByteCounts, type: 'LONG', values: new Array<number>(rows).fill(cols * 4) },
    { tag: Tag.PlanarConfiguration, type: 'SHORT', values: [1] },
    { tag: Tag.SampleFormat, type: 'SHORT', values: [3] },
    { tag: Tag.ModelPixelScale, type: 'DOUBLE', values: [CELL, CELL, 0] },
    { tag: Tag.ModelTiepoint, type: 'DOUBLE', values: [0, 0, 0, -180 + grid.col0 * CELL, 90 - grid.row0 * CELL, 0] },
    { tag: Tag.GeoKeyDirectory, type: 'SHORT', values: geographicGeoKeys(4326) },
  ];
  const ifdLength = encodeIfd(fields(new Array<number>(rows).fill(0)), order, 8).length;
  const dataStart = 8 + ifdLength;
  const ifd = encodeIfd(fields(Array.from({ length: rows }, (_, r) => dataStart + r * cols * 4)), order, 8);
  async function* bytes() {
    yield encodeHeader(order, 8);
    yield ifd;
    const values = new Float32Array(cols);
    for (let r = 0; r < rows; r++) {
      fillRow(values, r, seed);
      yield Buffer.from(values.buffer.slice(0));
    }
  }
  await pipeline(Readable.from(bytes()), createGzip({ level: 1 }), createWriteStream(`${path}.tmp`));
  renameSync(`${path}.tmp`, path);
}

async function md5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function prepareSource(): Promise<string> {
  const source = join(root, full ? 'source-full' : 'source');
  for (const year of years) {
    const dir = join(source, `odiac${release}`, '1km_tiff', String(year));
    mkdirSync(dir, { recursive: true });
    const listPath = join(dir, `odiac${release}_1km_checksum_${year}.md5.txt`);
    if (existsSync(listPath)) continue;
    const lines: string[] = [];
    for (let m = 1; m <= 12; m++) {
      const path = join(dir, monthName(year, m));
      const t0 = performance.now();
      await writeShippedMonth(path, year * 100 + m);
      lines.push(`${await md5(path)}  ${monthName(year, m)}`);
      console.log(`${monthName(year, m)}: generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    writeFileSync(listPath, lines.join('\n') + '\n');
  }
  return source;
}

/** Runs `cger <args>`; resolves with its stdout. */
function runCger(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cger.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`cger ${args[0]} exited ${code}: ${stderr}`))));
  });
}

const OUTPUTS = ['province_month.csv', 'province_year.csv', 'ingest_report.json'];

const source = await prepareSource();
console.log(
  `24 months in the shipped layout, ${grid.rows} x ${grid.cols} cells each${full ? ' (global grid)' : ' (window over China)'}; ${availableParallelism()} cores`,
);

// The single-process SQLite run: reference outputs, and this host's coverage cache for the workers.
const refDir = join(root, 'reference');
rmSync(refDir, { recursive: true, force: true });
let t0 = performance.now();
await runCger(['ingest', '--source', source, '--zones', zonesPath, '--db', join(refDir, 'cger.sqlite'), '--out-dir', join(refDir, 'output'), '--quiet']);
console.log(`SQLite ingest, one process (${availableParallelism()} decoding threads): ${((performance.now() - t0) / 1000).toFixed(1)} s`);

let maintenanceUrl = process.env.CGER_BENCH_DB;
let stopServer = () => {};
if (!maintenanceUrl) {
  const started = await startPostgres();
  if ('skip' in started) throw new Error(`no PostgreSQL server: ${started.skip} (or set CGER_BENCH_DB)`);
  maintenanceUrl = started.server.url;
  stopServer = started.server.stop;
}

async function freshDatabase(name: string): Promise<string> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(maintenanceUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** First claim to last commit, from pg-boss's own timestamps. */
async function processingWindow(db: string): Promise<number> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  const { rows } = await client.query(
    `SELECT extract(epoch FROM max(completed_on) - min(started_on)) AS s FROM pgboss.job WHERE name = 'cger-ingest-month' AND state = 'completed'`,
  );
  await client.end();
  return Number(rows[0].s);
}

async function distributedRun(workers: number, rep: number): Promise<{ wall: number; window: number; cpu: number }> {
  const db = await freshDatabase(`bench_${workers}w_${rep}`);
  const work = join(root, `run-${workers}w`);
  rmSync(work, { recursive: true, force: true });
  const options: IngestOptions = {
    source,
    releases: 'latest',
    years: null,
    zones: { path: zonesPath, idField: 'id', nameField: 'name', method: 'exact' },
    dbPath: db,
    outDir: join(work, 'output'),
    downloadDir: join(work, 'rasters'),
    concurrency: 1,
    wait: false,
    allowPartialYear: false,
    quiet: true,
  };
  const planned = await enqueueIngest({ ...options, db, queue: { attempts: 3, timeoutSeconds: 900 } }, openZones);
  if (planned.enqueued !== 24) throw new Error(`enqueued ${planned.enqueued} months, expected 24`);
  const start = performance.now();
  const summaries = await Promise.all(
    Array.from({ length: workers }, () =>
      runCger(['worker', '--db', db, '--until-empty', '--threads', '1', '--poll', '0.5', '--cache-dir', join(refDir, 'cache'), '--quiet', '--json']),
    ),
  );
  const cpu = summaries.reduce((sum, out) => sum + (JSON.parse(out) as { cpuSeconds: number }).cpuSeconds, 0);
  const wall = (performance.now() - start) / 1000;
  const window = await processingWindow(db);
  const collected = await collectIngest({ db, outDir: options.outDir, allowPartialYear: false, wait: false, quiet: true });
  if (collected.report.months_done !== 24 || collected.exitCode !== 0)
    throw new Error(`collect: ${collected.report.months_done} months done, exit ${collected.exitCode}`);
  for (const name of OUTPUTS) {
    if (!readFileSync(join(options.outDir, name)).equals(readFileSync(join(refDir, 'output', name)))) throw new Error(`${name} differs from the SQLite run`);
  }
  return { wall, window, cpu };
}

const best = { 1: { wall: Infinity, window: Infinity }, 2: { wall: Infinity, window: Infinity } };
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const workers of [1, 2] as const) {
      t0 = performance.now();
      const r = await distributedRun(workers, rep);
      console.log(
        `run ${rep + 1}, ${workers} worker(s): wall ${r.wall.toFixed(1)} s, processing window ${r.window.toFixed(1)} s, workers' CPU ${r.cpu.toFixed(1)} s ` +
          `(${(r.cpu / r.wall).toFixed(2)} cores busy on average), outputs byte-identical to the SQLite run`,
      );
      best[workers] = { wall: Math.min(best[workers].wall, r.wall), window: Math.min(best[workers].window, r.window) };
    }
  }
} finally {
  stopServer();
}
const rate = (s: number) => (24 / s) * 60;
console.log(
  `best of ${reps}: 1 worker ${best[1].wall.toFixed(1)} s wall (${rate(best[1].wall).toFixed(1)} months/min), ` +
    `2 workers ${best[2].wall.toFixed(1)} s wall (${rate(best[2].wall).toFixed(1)} months/min)`,
);
console.log(
  `throughput ratio 2 workers / 1 worker: ${(best[1].wall / best[2].wall).toFixed(3)} (wall, incl. worker start-up), ` +
    `${(best[1].window / best[2].window).toFixed(3)} (processing window)`,
);
