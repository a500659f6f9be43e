import { join } from 'node:path';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { createRng, mixSeed } from '../common/random.ts';
import { CO2_PER_C, checksumListName, monthFileName, yearDir, yearZipName } from '../odiac/index.ts';
import type { Grid } from '../raster/types.ts';
import { type EncodedFile, encodeStripGeoTiff } from '../raster/writer.ts';
import type { Coverage } from '../zonal/index.ts';
import { writeYearZip } from './yearZip.ts';

/**
 * Synthetic ODIAC release for the demo, laid out as ODIAC ships releases since 2024: per year,
 * one zip of the twelve monthly `.tif.gz` (uncompressed Float32 GeoTIFFs with one-row strips,
 * gzipped as a whole) next to the md5 list of those `.tif.gz`. The grids are a China window of
 * the ODIAC lattice whose exact province sums equal planted annual CO2 totals.
 *
 * Each province's carbon sits only on cells lying wholly inside it (coverage runs with
 * `fractions === null`), so an exact zonal sum is the plain sum of those cells: the planted
 * totals are recovered by construction, up to the float32 rounding of the cell values, which is
 * corrected so that the float32 values add up (in double) to each month's target.
 */

/** The demo window: China's bounding box (lon 73.5-135.1, lat 18.1-53.6) snapped outward to the ODIAC lattice. */
export function chinaWindowGrid(): Grid {
  const cells = 120;
  const col0 = Math.floor((73.5 + 180) * cells);
  const col1 = Math.ceil((135.1 + 180) * cells);
  const row0 = Math.floor((90 - 53.6) * cells);
  const row1 = Math.ceil((90 - 18.1) * cells);
  return {
    width: col1 - col0,
    height: row1 - row0,
    originX: -180 + col0 / cells,
    originY: 90 - row0 / cells,
    cellWidth: 1 / cells,
    cellHeight: 1 / cells,
    crs: { epsg: 4326, definition: 'EPSG:4326' },
  };
}

export interface SyntheticReleaseOptions {
  /** Root of the source tree: each year goes to <root>/odiac<release>/1km_tiff/<YYYY>/. */
  root: string;
  release: string;
  grid: Grid;
  coverage: Coverage;
  /** Planted annual CO2 (tonnes) per zone id and year; zones absent get a small background. */
  co2: Map<string, Map<number, number>>;
  years: number[];
  /** Months written per year (1-12); the year's carbon is spread over these months. */
  months: number[];
  seed: number;
  /** Share of a province's interior cells that emit. */
  density?: number;
  /** zlib level of the gzip (1: fastest). */
  level?: number;
  onFile?: (info: { year: number; month: number; name: string; bytes: number }) => void;
}

export interface SyntheticMonth {
  year: number;
  month: number;
  /** The monthly `.tif.gz` name (an entry of the year's zip). */
  name: string;
  /** The year zip holding it. */
  zip: string;
  md5: string;
  bytes: number;
}

export interface SyntheticRelease {
  dir: string;
  files: SyntheticMonth[];
  /** Carbon (t) placed per zone id, year and month, as the exact double sum of the float32 cells. */
  placed: Map<string, Map<number, number>>;
  /** Carbon placed on cells covered by no zone (a few "foreign" point sources), per year. */
  outside: Map<number, number>;
}

interface EmittingCells {
  /** Row-major cell index (row * width + col), ascending. */
  index: Int32Array;
  zone: Int32Array;
  weight: Float64Array;
}

/** Picks, per zone, a seeded share of its interior cells with heavy-tailed weights, plus foreign sources. */
function pickCells(grid: Grid, coverage: Coverage, density: number, seed: number): { cells: EmittingCells; foreign: Int32Array } {
  const rng = createRng(mixSeed(seed, 1));
  const index: number[] = [];
  const zone: number[] = [];
  const weight: number[] = [];
  const interior = new Float64Array(coverage.zones.length);
  const picked = new Float64Array(coverage.zones.length);
  const r0 = Math.max(coverage.row0, 0);
  const r1 = Math.min(coverage.row1, grid.height);
  // Geometric gaps between picked cells: one random draw per picked cell, not per cell.
  const gap = () => Math.floor(Math.log(1 - rng.next()) / Math.log(1 - density));
  let skip = gap();
  const interiorRuns = (visit: (z: number, c0: number, c1: number, r: number) => void) => {
    for (let r = r0; r < r1; r++) {
      for (const run of coverage.rows[r - coverage.row0]) {
        if (run.fractions === null) visit(run.zone, Math.max(run.col0, 0), Math.min(run.col1, grid.width), r);
      }
    }
  };
  interiorRuns((z, c0, c1, r) => {
    interior[z] += c1 - c0;
    for (let c = c0; c < c1; c++) {
      if (skip-- > 0) continue;
      skip = gap();
      index.push(r * grid.width + c);
      zone.push(z);
      weight.push(Math.exp(1.3 * rng.normal()));
      picked[z]++;
    }
  });
  // Small units may draw no cell: they emit from all their interior cells.
  const unpicked = new Set([...interior.keys()].filter((z) => interior[z] > 0 && picked[z] === 0));
  if (unpicked.size) {
    interiorRuns((z, c0, c1, r) => {
      if (!unpicked.has(z)) return;
      for (let c = c0; c < c1; c++) {
        index.push(r * grid.width + c);
        zone.push(z);
        weight.push(1);
      }
    });
  }
  const order = index.map((_, i) => i).sort((a, b) => index[a] - index[b]);

  // Foreign point sources: cells no zone touches.
  const foreign = new Set<number>();
  for (let tries = 0; foreign.size < 300 && tries < 100000; tries++) {
    const r = rng.int(grid.height);
    const c = rng.int(grid.width);
    const runs = r >= coverage.row0 && r < coverage.row1 ? coverage.rows[r - coverage.row0] : [];
    if (!runs.some((run) => c >= run.col0 && c < run.col1)) foreign.add(r * grid.width + c);
  }
  return {
    cells: {
      index: Int32Array.from(order, (i) => index[i]),
      zone: Int32Array.from(order, (i) => zone[i]),
      weight: Float64Array.from(order, (i) => weight[i]),
    },
    foreign: Int32Array.from([...foreign].sort((a, b) => a - b)),
  };
}

/** Monthly shares of a year's carbon over `months`: a winter peak plus seeded noise, summing to 1. */
function monthlyShares(months: number[], rng: ReturnType<typeof createRng>): number[] {
  const raw = months.map((m) => Math.max(0.2, 1 + 0.12 * Math.cos(((m - 1) / 12) * 2 * Math.PI) + 0.04 * rng.normal()));
  const total = raw.reduce((s, x) => s + x, 0);
  return raw.map((x) => x / total);
}

/**
 * Float32 values proportional to `shares` whose double-precision sum equals `target` as closely
 * as float32 allows. The rounding residual first goes into the largest cell (leaving at most half
 * its float32 spacing), then into the smallest cell that can take it without turning negative,
 * whose spacing is much finer: the sum ends within about 1e-12 of the target, relatively.
 */
export function float32Spread(target: number, shares: Float64Array, out: Float32Array): void {
  let shareTotal = 0;
  for (let i = 0; i < shares.length; i++) shareTotal += shares[i];
  let largest = 0;
  for (let i = 0; i < shares.length; i++) {
    out[i] = Math.fround((target * shares[i]) / shareTotal);
    if (out[i] > out[largest]) largest = i;
  }
  const residual = (): number => {
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i];
    return target - sum;
  };
  for (let pass = 0; pass < 6; pass++) {
    const r = residual();
    if (r === 0) return;
    let cell = largest;
    if (pass > 0) {
      for (let i = 0; i < out.length; i++) if (out[i] >= 4 * Math.abs(r) && out[i] < out[cell]) cell = i;
    }
    out[cell] = Math.fround(out[cell] + r);
  }
}

export async function writeSyntheticRelease(opts: SyntheticReleaseOptions): Promise<SyntheticRelease> {
  const { grid, coverage } = opts;
  const { cells, foreign } = pickCells(grid, coverage, opts.density ?? 0.01, opts.seed);
  const zoneIds = coverage.zones.map((z) => z.id);
  const zoneCount = zoneIds.length;

  // Zones without a planted series (outside the study's sample) get a small steady background.
  const planted = [...opts.co2.values()].flatMap((m) => [...m.values()]);
  const background = planted.length ? (planted.reduce((s, x) => s + x, 0) / planted.length) * 0.02 : 1e6;

  // Cells of each zone, to spread a zone's month total over them.
  const members: number[][] = Array.from({ length: zoneCount }, () => []);
  for (let i = 0; i < cells.index.length; i++) members[cells.zone[i]].push(i);

  const placed = new Map<string, Map<number, number>>();
  const outside = new Map<number, number>();
  const files: SyntheticRelease['files'] = [];
  // Two months are gzipped at once (zlib runs off the main thread) while the next month's cells are drawn.
  const limit = pLimit(2);

  /** The month's file: its cells' values in the order of `cells.index` and of `foreign`. */
  const encodeMonth = (values: Float32Array, foreignValues: Float32Array) => {
    const row = new Float32Array(grid.width);
    // Rows are requested in order: walk the sorted cell lists alongside.
    let next = 0;
    let nextForeign = 0;
    return encodeStripGeoTiff({ grid, gzip: true, level: opts.level, runLength: true }, (r) => {
      row.fill(0);
      const end = (r + 1) * grid.width;
      for (; next < cells.index.length && cells.index[next] < end; next++) row[cells.index[next] - r * grid.width] = values[next];
      for (; nextForeign < foreign.length && foreign[nextForeign] < end; nextForeign++) row[foreign[nextForeign] - r * grid.width] = foreignValues[nextForeign];
      return row;
    });
  };

  for (const year of opts.years) {
    const dir = join(opts.root, yearDir(opts.release, year));
    const zipPath = join(dir, yearZipName(opts.release, year));
    const encoded: Array<Promise<{ month: number; name: string; file: EncodedFile }>> = [];
    // One monthly profile per zone and year, drawn before any month so it does not depend on the months' order.
    const shares = zoneIds.map((_, z) => monthlyShares(opts.months, createRng(mixSeed(opts.seed, 2, year, z))));
    for (const [mi, month] of opts.months.entries()) {
      const noise = createRng(mixSeed(opts.seed, 3, year, month));
      const values = new Float32Array(cells.index.length);
      for (let z = 0; z < zoneCount; z++) {
        const idx = members[z];
        if (idx.length === 0) continue;
        const annualCo2 = opts.co2.get(zoneIds[z])?.get(year) ?? background;
        const target = (annualCo2 / CO2_PER_C) * shares[z][mi];
        const w = new Float64Array(idx.length);
        for (let k = 0; k < idx.length; k++) w[k] = cells.weight[idx[k]] * Math.max(0.05, 1 + 0.15 * noise.normal());
        const out = new Float32Array(idx.length);
        float32Spread(target, w, out);
        let sum = 0;
        for (let k = 0; k < idx.length; k++) {
          values[idx[k]] = out[k];
          sum += out[k];
        }
        if (!placed.has(zoneIds[z])) placed.set(zoneIds[z], new Map());
        const byYear = placed.get(zoneIds[z])!;
        byYear.set(year, (byYear.get(year) ?? 0) + sum);
      }
      const foreignValues = new Float32Array(foreign.length);
      let foreignSum = 0;
      for (let k = 0; k < foreign.length; k++) {
        foreignValues[k] = Math.fround(2000 * Math.exp(noise.normal()));
        foreignSum += foreignValues[k];
      }
      outside.set(year, (outside.get(year) ?? 0) + foreignSum);
      const name = monthFileName(opts.release, year, month);
      encoded.push(
        limit(async () => {
          const file = await encodeMonth(values, foreignValues);
          opts.onFile?.({ year, month, name, bytes: file.bytes.length });
          return { month, name, file };
        }),
      );
    }
    const months = await Promise.all(encoded);
    for (const { month, name, file } of months) files.push({ year, month, name, zip: zipPath, md5: file.md5, bytes: file.bytes.length });
    await writeYearZip(
      zipPath,
      months.map(({ name, file }) => ({ name, bytes: file.bytes })),
    );
    writeFileAtomic(join(dir, checksumListName(opts.release, year)), months.map(({ name, file }) => `${file.md5}  ${name}\n`).join(''));
  }
  return { dir: join(opts.root, `odiac${opts.release}`), files, placed, outside };
}
