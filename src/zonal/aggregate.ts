import { statSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { CgerError, errorMessage } from '../common/errors.ts';
import { CO2_PER_C, parseOdiacName } from '../odiac/index.ts';
import type { RasterSums, SumRasterOptions, ZoneEngine } from './index.ts';

export interface RasterResult extends RasterSums {
  year: number | null;
  month: number | null;
  /** Ids of the zones that have cells on this raster's grid. */
  touching: Set<string>;
}

export interface RasterFailure {
  path: string;
  message: string;
}

export interface AggregateOptions extends Omit<SumRasterOptions, 'onBytes'> {
  /** Rasters summed at once (each also decodes on worker threads). */
  concurrency?: number;
  onRasterDone?: (path: string, bytes: number) => void;
}

/**
 * Sums every raster over the engine's zones. A raster that fails is reported, not thrown,
 * so the good ones still produce rows. Results come back in the order the paths were given.
 */
export async function aggregateRasters(
  engine: ZoneEngine,
  paths: string[],
  opts: AggregateOptions = {},
): Promise<{ results: RasterResult[]; failures: RasterFailure[] }> {
  const limit = pLimit(Math.max(1, opts.concurrency ?? 2));
  const outcomes = await Promise.all(
    paths.map((path) =>
      limit(async () => {
        let bytes = 0;
        try {
          checkIsFile(path);
          const sums = await engine.sumRaster(path, {
            ...opts,
            onBytes: (n) => {
              bytes += n;
            },
          });
          const coverage = await engine.coverage(sums.grid);
          const touching = new Set<string>();
          const { runs } = coverage.packed;
          for (let k = 0; k < runs.length; k += 4) touching.add(coverage.zones[runs[k]].id);
          const name = parseOdiacName(path);
          opts.onRasterDone?.(path, bytes);
          return { ok: true as const, result: { ...sums, year: name?.year ?? null, month: name?.month ?? null, touching } };
        } catch (err) {
          opts.onRasterDone?.(path, bytes);
          return { ok: false as const, failure: { path, message: errorMessage(err) } };
        }
      }),
    ),
  );
  const results: RasterResult[] = [];
  const failures: RasterFailure[] = [];
  for (const o of outcomes) o.ok ? results.push(o.result) : failures.push(o.failure);
  return { results, failures };
}

/** A raster path must name a file (a directory is a likely slip: the files in it were meant). */
function checkIsFile(path: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    return; // opening it says what is wrong
  }
  if (isDirectory) throw new CgerError(`${path}: is a directory, not a raster file (give the files in it, e.g. ${join(path, '*.tif.gz')})`);
}

export interface AnnualRow {
  zone_id: string;
  zone_name: string;
  year: number;
  months: number;
  sum_tC: number;
  co2_t: number;
}

/**
 * Sums monthly results into one row per zone and year. Months must come from ODIAC names;
 * a month given twice is an error, and so is a year with missing months unless `allowPartialYear`.
 */
export function annualTotals(results: RasterResult[], allowPartialYear = false): AnnualRow[] {
  const monthsByYear = new Map<number, Map<number, string>>();
  for (const r of results) {
    if (r.year === null || r.month === null) {
      throw new CgerError(`${r.path}: --annual needs ODIAC file names (odiac<REL>_1km_excl_intl_<YYMM>.tif[.gz]) to know the month`);
    }
    const months = monthsByYear.get(r.year) ?? new Map<number, string>();
    const twin = months.get(r.month);
    if (twin !== undefined) throw new CgerError(`${r.path}: month ${r.year}-${pad2(r.month)} is also given by ${twin}`);
    months.set(r.month, r.path);
    monthsByYear.set(r.year, months);
  }
  if (!allowPartialYear) {
    for (const [year, months] of monthsByYear) {
      if (months.size < 12) {
        const missing = Array.from({ length: 12 }, (_, i) => i + 1)
          .filter((m) => !months.has(m))
          .map((m) => `${year}-${pad2(m)}`);
        throw new CgerError(`year ${year} is missing ${missing.length} month(s): ${missing.join(', ')} (use --allow-partial-year to sum it anyway)`);
      }
    }
  }
  const zoneOrder = new Map(results[0]?.zones.map((z, i) => [z.id, i]) ?? []);
  const months = results.flatMap((r) =>
    r.zones.filter((z) => r.touching.has(z.id)).map((z) => ({ zoneId: z.id, zoneName: z.name, zoneRank: zoneOrder.get(z.id)!, year: r.year!, sum: z.sum })),
  );
  return sumYears(months);
}

/** A zone's sum in one month, what annual totals are summed from. */
export interface ZoneMonthSum {
  zoneId: string;
  zoneName: string;
  zoneRank: number;
  year: number;
  sum: number;
}

/**
 * One row per zone and year from monthly zone sums (aggregate --annual and ingest both use it).
 * Each total is summed in the order the months are given, so the same months in the same order
 * give the same bits; rows come by year, then zone rank.
 */
export function sumYears(months: Iterable<ZoneMonthSum>): AnnualRow[] {
  const rows = new Map<string, AnnualRow & { rank: number }>();
  for (const m of months) {
    const key = `${m.zoneId}\u0000${m.year}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { zone_id: m.zoneId, zone_name: m.zoneName, year: m.year, months: 0, sum_tC: 0, co2_t: 0, rank: m.zoneRank }));
    row.months++;
    row.sum_tC += m.sum;
  }
  const ordered = [...rows.values()].sort((a, b) => a.year - b.year || a.rank - b.rank);
  return ordered.map(({ rank: _rank, ...row }) => ({ ...row, co2_t: row.sum_tC * CO2_PER_C }));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
