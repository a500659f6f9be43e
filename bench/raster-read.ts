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
import { type CellWindow, readBlocks, readRasterInfo, warmUpDecoders } from '../src/raster/index.ts';
import { chinaRows, floor, mb, peakRssMb } from './floor.ts';

async function read(path: string, window: CellWindow, threads: number): Promise<number> {
  let blocks = 0,
    cells = 0,
    sum = 0,
    inBytes = 0;
  // Worker start-up happens once per process (the aggregate overlaps it with coverage): timed apart.
  const tw = performance.now();
  const cw = process.cpuUsage();
  await warmUpDecoders(threads);
  const cpuWarm = process.cpuUsage(cw);
  console.log(
    `worker start-up (${threads} threads, once per process): ${((performance.now() - tw) / 1000).toFixed(2)} s, CPU ${((cpuWarm.user + cpuWarm.system) / 1e6).toFixed(2)} s`,
  );
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await readBlocks(
    path,
    (b) => {
      blocks++;
      cells += b.data.length;
      // Touch the window's columns as a consumer would (cheap: one pass, no per-cell work beyond a sum).
      const d = b.data;
      for (let r = 0; r < b.height; r++) {
        const base = r * b.width;
        for (let c = Math.max(window.col0 - b.col0, 0); c < Math.min(window.col1 - b.col0, b.width); c++) sum += d[base + c];
      }
    },
    { window, threads, onBytes: (n) => (inBytes += n), onNotice: (m) => console.log(`notice: ${m}`) },
  );
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `readBlocks (${threads} threads): ${s.toFixed(2)} s (CPU of all threads ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), ${blocks} blocks, ${mb(inBytes).toFixed(0)} MB read -> ${mb(cells * 4).toFixed(0)} MB decoded (${(mb(cells * 4) / s).toFixed(0)} MB/s out), window sum ${sum.toExponential(6)}; peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  return s;
}

const [path, mode = 'both', threadsArg = '2', repsArg = '1'] = process.argv.slice(2);
if (!path) {
  console.error('usage: node --import tsx bench/raster-read.ts <month.tif|.tif.gz> [floor|read|both] [threads]');
  process.exit(2);
}
const info = await readRasterInfo(path);
const window = chinaRows(info.grid);
console.log(
  `${path}: ${info.grid.width} x ${info.grid.height}, ${info.layout.kind} ${info.layout.blockWidth}x${info.layout.blockHeight}, compression ${info.layout.compression}; China window rows ${window.row0}-${window.row1}, cols ${window.col0}-${window.col1}`,
);
let bestFloor = Infinity;
let bestRead = Infinity;
for (let r = 0; r < Number(repsArg); r++) {
  if (mode !== 'read' && !info.layout.gzipped) bestFloor = Math.min(bestFloor, (await floor(path, window)).sizedSeconds);
  if (mode !== 'floor') bestRead = Math.min(bestRead, await read(path, window, Number(threadsArg)));
}
if (Number.isFinite(bestFloor) && Number.isFinite(bestRead)) {
  console.log(`best of ${repsArg}: floor ${bestFloor.toFixed(2)} s, read ${bestRead.toFixed(2)} s, ratio read / floor ${(bestRead / bestFloor).toFixed(2)}`);
}
