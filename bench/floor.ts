/**
 * Shared by the raster and zonal benchmarks: China's bounding window on a grid, the single-core
 * native-inflate floor for the strips of that window, and the gunzip floor of a .tif.gz.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, inflateSync } from 'node:zlib';
import type GeoTIFF from 'geotiff';
import { fromFile } from 'geotiff';
import type { CellWindow, Grid } from '../src/raster/index.ts';

const here = new URL('..', import.meta.url);

export function chinaRows(grid: Grid): CellWindow {
  const geo = JSON.parse(readFileSync(new URL('boundaries/cn-provinces-ctamap2023.geojson', here), 'utf8'));
  let minLat = Infinity,
    maxLat = -Infinity,
    minLon = Infinity,
    maxLon = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      minLon = Math.min(minLon, c[0]);
      maxLon = Math.max(maxLon, c[0]);
      minLat = Math.min(minLat, c[1]);
      maxLat = Math.max(maxLat, c[1]);
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

export const mb = (bytes: number) => bytes / 1e6;
export const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * Seconds to inflate, on one core, the window's strips (those holding a row `needed` accepts, when
 * given): with zlib's defaults, and with zlib's output sized to the strip.
 */
export async function floor(
  path: string,
  window: CellWindow,
  needed: (row: number) => boolean = () => true,
): Promise<{ seconds: number; sizedSeconds: number; strips: number }> {
  const tiff: GeoTIFF = await fromFile(path);
  const dir = (await tiff.getImage()).fileDirectory;
  const offsets = Array.from((await dir.loadValue('StripOffsets')) as ArrayLike<number>, Number);
  const counts = Array.from((await dir.loadValue('StripByteCounts')) as ArrayLike<number>, Number);
  const rowsPerStrip = Number((await dir.loadValue('RowsPerStrip')) ?? 1);
  const handle = await open(path, 'r');
  let inflateMs = 0,
    inBytes = 0,
    outBytes = 0,
    cpuUs = 0,
    sizedMs = 0;
  const stripBytes = rowsPerStrip * Number(await dir.loadValue('ImageWidth')) * 4;
  const strips: number[] = [];
  for (let s = Math.floor(window.row0 / rowsPerStrip); s < Math.ceil(window.row1 / rowsPerStrip); s++) {
    const rows = Array.from({ length: rowsPerStrip }, (_, k) => s * rowsPerStrip + k).filter((r) => r >= window.row0 && r < window.row1);
    if (rows.some(needed)) strips.push(s);
  }
  // Read ~64 MB of strips at a time (not timed), inflate them one by one (timed).
  for (let i = 0; i < strips.length; ) {
    let j = i + 1;
    while (j < strips.length && offsets[strips[j]] + counts[strips[j]] - offsets[strips[i]] < 64e6) j++;
    const base = offsets[strips[i]];
    const buf = Buffer.allocUnsafe(offsets[strips[j - 1]] + counts[strips[j - 1]] - base);
    await handle.read(buf, 0, buf.length, base);
    const strip = (s: number) => buf.subarray(offsets[s] - base, offsets[s] - base + counts[s]);
    const t = performance.now();
    const c0 = process.cpuUsage();
    for (let k = i; k < j; k++) outBytes += inflateSync(strip(strips[k])).length;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
    inflateMs += performance.now() - t;
    // The same with zlib's output buffer sized to the strip (one allocation per strip).
    const t2 = performance.now();
    for (let k = i; k < j; k++) inflateSync(strip(strips[k]), { chunkSize: stripBytes });
    sizedMs += performance.now() - t2;
    for (let k = i; k < j; k++) inBytes += counts[strips[k]];
    i = j;
  }
  await handle.close();
  await tiff.close();
  console.log(
    `floor (inflateSync, 1 thread): ${(inflateMs / 1000).toFixed(2)} s (CPU ${(cpuUs / 1e6).toFixed(2)} s) for ${strips.length} strips, ${mb(inBytes).toFixed(0)} MB -> ${mb(outBytes).toFixed(0)} MB (${(mb(outBytes) / (inflateMs / 1000)).toFixed(0)} MB/s out); with output sized to the strip: ${(sizedMs / 1000).toFixed(2)} s; peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  return { seconds: inflateMs / 1000, sizedSeconds: sizedMs / 1000, strips: strips.length };
}

/**
 * Node's own gunzip stream decompressing `path` up to byte `endByte` of its content (the whole
 * stream by default): wall and CPU seconds (CPU of the whole process: zlib runs on libuv's thread
 * pool), and the bytes it produced. `chunkSize` as zlib takes it (default zlib's 16 KB).
 */
export async function gunzipFloor(path: string, endByte = Infinity, chunkSize?: number): Promise<{ seconds: number; cpuSeconds: number; bytes: number }> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const input = createReadStream(path, chunkSize ? { highWaterMark: chunkSize } : {});
  let bytes = 0;
  try {
    for await (const chunk of input.pipe(createGunzip({ chunkSize })) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes >= endByte) break;
    }
  } finally {
    input.destroy();
  }
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes };
}
