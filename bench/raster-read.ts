/**
 * Raster reader benchmark on one synthetic ODIAC month (see bench/zonal-gen.ts), over the rows of
 * China's bounding box (from boundaries/cn-provinces-ctamap2023.geojson):
 *   floor: single-core native inflate of exactly those strips (zlib.inflateSync, read time excluded)
 *   read:  readBlocks over the same window with N threads (default 2), file read included
 * Prints seconds, MB/s and peak RSS; run each mode in its own process so RSS is its own.
 * Worker start-up (once per process) is timed separately from the read.
 *
 * "both" alternates floor and read `reps` times in one process (after worker start-up) and
 * reports the best of each, which is the fairer comparison on a shared, noisy machine.
 *
 * Run: node --import tsx bench/raster-read.ts <month.tif|.tif.gz> [floor|read|both] [threads] [reps]
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { readBlocks, readRasterInfo, warmUpDecoders, type CellWindow, type Grid } from '../src/raster/index.ts';
import GeoTIFF, { fromFile } from 'geotiff';

const here = new URL('..', import.meta.url);

function chinaRows(grid: Grid): CellWindow {
  const geo = JSON.parse(readFileSync(new URL('boundaries/cn-provinces-ctamap2023.geojson', here), 'utf8'));
  let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      minLon = Math.min(minLon, c[0]); maxLon = Math.max(maxLon, c[0]);
      minLat = Math.min(minLat, c[1]); maxLat = Math.max(maxLat, c[1]);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const f of geo.features) visit(f.geometry.coordinates);
  return {
    row0: Math.max(0, Math.floor((grid.originY - maxLat) / grid.cellHeight)),
    row1: Math.min(grid.height, Math.ceil((grid.originY - minLat) / grid.cellHeight)),
    col0: Math.max(0, Math.floor((minLon - grid.originX) / grid.cellWidth)),
    col1: Math.min(grid.width, Math.ceil((maxLon - grid.originX) / grid.cellWidth)),
  };
}

const mb = (bytes: number) => bytes / 1e6;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function floor(path: string, window: CellWindow): Promise<number> {
  const tiff: GeoTIFF = await fromFile(path);
  const dir = (await tiff.getImage()).fileDirectory;
  const offsets = Array.from((await dir.loadValue('StripOffsets')) as ArrayLike<number>, Number);
  const counts = Array.from((await dir.loadValue('StripByteCounts')) as ArrayLike<number>, Number);
  const rowsPerStrip = Number((await dir.loadValue('RowsPerStrip')) ?? 1);
  const handle = await open(path, 'r');
  let inflateMs = 0, inBytes = 0, outBytes = 0, cpuUs = 0, sizedMs = 0;
  const stripBytes = rowsPerStrip * Number(await dir.loadValue('ImageWidth')) * 4;
  // Read ~64 MB of strips at a time (not timed), inflate them one by one (timed).
  const first = Math.floor(window.row0 / rowsPerStrip);
  const last = Math.ceil(window.row1 / rowsPerStrip);
  for (let s = first; s < last;) {
    let e = s;
    while (e < last && offsets[e] + counts[e] - offsets[s] < 64e6) e++;
    e = Math.max(e, s + 1);
    const buf = Buffer.allocUnsafe(offsets[e - 1] + counts[e - 1] - offsets[s]);
    await handle.read(buf, 0, buf.length, offsets[s]);
    const t = performance.now();
    const c0 = process.cpuUsage();
    for (let i = s; i < e; i++) {
      outBytes += inflateSync(buf.subarray(offsets[i] - offsets[s], offsets[i] - offsets[s] + counts[i])).length;
    }
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
    inflateMs += performance.now() - t;
    // The same with zlib's output buffer sized to the strip (one allocation, as the reader does).
    const t2 = performance.now();
    for (let i = s; i < e; i++) inflateSync(buf.subarray(offsets[i] - offsets[s], offsets[i] - offsets[s] + counts[i]), { chunkSize: stripBytes });
    sizedMs += performance.now() - t2;
    inBytes += buf.length;
    s = e;
  }
  await handle.close();
  await tiff.close();
  console.log(`floor (inflateSync, 1 thread): ${(inflateMs / 1000).toFixed(2)} s (CPU ${(cpuUs / 1e6).toFixed(2)} s) for ${last - first} strips, ${mb(inBytes).toFixed(0)} MB -> ${mb(outBytes).toFixed(0)} MB (${(mb(outBytes) / (inflateMs / 1000)).toFixed(0)} MB/s out); with output sized to the strip: ${(sizedMs / 1000).toFixed(2)} s; peak RSS ${peakRssMb().toFixed(0)} MB`);
  return inflateMs / 1000;
}

async function read(path: string, window: CellWindow, threads: number): Promise<number> {
  let blocks = 0, cells = 0, sum = 0, inBytes = 0;
  // Worker start-up happens once per process (the aggregate overlaps it with coverage): timed apart.
  const tw = performance.now();
  const cw = process.cpuUsage();
  await warmUpDecoders(threads);
  const cpuWarm = process.cpuUsage(cw);
  console.log(`worker start-up (${threads} threads, once per process): ${((performance.now() - tw) / 1000).toFixed(2)} s, CPU ${((cpuWarm.user + cpuWarm.system) / 1e6).toFixed(2)} s`);
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await readBlocks(path, (b) => {
    blocks++;
    cells += b.data.length;
    // Touch the window's columns as a consumer would (cheap: one pass, no per-cell work beyond a sum).
    const d = b.data;
    for (let r = 0; r < b.height; r++) {
      const base = r * b.width;
      for (let c = Math.max(window.col0 - b.col0, 0); c < Math.min(window.col1 - b.col0, b.width); c++) sum += d[base + c];
    }
  }, { window, threads, onBytes: (n) => (inBytes += n), onNotice: (m) => console.log(`notice: ${m}`) });
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`readBlocks (${threads} threads): ${s.toFixed(2)} s (CPU of all threads ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), ${blocks} blocks, ${mb(inBytes).toFixed(0)} MB read -> ${mb(cells * 4).toFixed(0)} MB decoded (${(mb(cells * 4) / s).toFixed(0)} MB/s out), window sum ${sum.toExponential(6)}; peak RSS ${peakRssMb().toFixed(0)} MB`);
  return s;
}

const [path, mode = 'both', threadsArg = '2', repsArg = '1'] = process.argv.slice(2);
if (!path) {
  console.error('usage: node --import tsx bench/raster-read.ts <month.tif|.tif.gz> [floor|read|both] [threads]');
  process.exit(2);
}
const info = await readRasterInfo(path);
const window = chinaRows(info.grid);
console.log(`${path}: ${info.grid.width} x ${info.grid.height}, ${info.layout.kind} ${info.layout.blockWidth}x${info.layout.blockHeight}, compression ${info.layout.compression}; China window rows ${window.row0}-${window.row1}, cols ${window.col0}-${window.col1}`);
let bestFloor = Infinity;
let bestRead = Infinity;
for (let r = 0; r < Number(repsArg); r++) {
  if (mode !== 'read' && !info.layout.gzipped) bestFloor = Math.min(bestFloor, await floor(path, window));
  if (mode !== 'floor') bestRead = Math.min(bestRead, await read(path, window, Number(threadsArg)));
}
if (Number.isFinite(bestFloor) && Number.isFinite(bestRead)) {
  console.log(`best of ${repsArg}: floor ${bestFloor.toFixed(2)} s, read ${bestRead.toFixed(2)} s, ratio read / floor ${(bestRead / bestFloor).toFixed(2)}`);
}
