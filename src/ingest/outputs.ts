import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { formatCsv } from '../common/csv.ts';
import { CO2_PER_C } from '../odiac/index.ts';
import { sumYears } from '../zonal/index.ts';
import type { Store } from './store.ts';

export const OUTPUT_FILES = {
  month: 'province_month.csv',
  year: 'province_year.csv',
  report: 'ingest_report.json',
} as const;

export interface MonthProblem {
  release: string;
  year: number;
  month: number;
  file: string | null;
  status: 'failed' | 'quarantined' | 'missing';
  error: string;
}

/** Everything the outputs are built from; all of it comes from the store or the source listing, never from a run's timings. */
export interface OutputSpec {
  release: string;
  zoneSet: { id: number; path: string; hash: string; method: string };
  /** Years in scope (ascending): a year is complete when all 12 months are done. */
  years: number[];
  /** Months the source does not offer for the release (not in its checksum lists). */
  missing: MonthProblem[];
  allowPartialYear: boolean;
  cgerVersion: string;
}

export interface IngestReport {
  cger_version: string;
  release: string;
  zones: { path: string; hash: string; method: string };
  years: { year: number; months_done: number; complete: boolean; in_year_output: boolean }[];
  months_done: number;
  failed: MonthProblem[];
  missing: MonthProblem[];
  outputs: { month: string; year: string };
}

/**
 * Builds the output tables of one release and zone set from the store. Zones with no valid cell
 * on the raster in a month (outside the grid) get no row. Years need 12 done months to appear in
 * the year table unless partial years are allowed.
 */
export async function buildOutputs(store: Pick<Store, 'zoneMonths' | 'months'>, spec: OutputSpec): Promise<BuiltOutputs> {
  const inYears = (y: number) => spec.years.includes(y);
  const rows = (await store.zoneMonths(spec.release, spec.zoneSet.id)).filter((r) => inYears(r.year));
  const months = (await store.months(spec.release, spec.zoneSet.id)).filter((r) => inYears(r.year));
  const doneByYear = new Map<number, number>();
  for (const r of months) if (r.status === 'done') doneByYear.set(r.year, (doneByYear.get(r.year) ?? 0) + 1);
  const failed = months
    .filter((r) => r.status !== 'done')
    .map(
      (r): MonthProblem => ({
        release: spec.release,
        year: r.year,
        month: r.month,
        file: r.name,
        status: r.status as 'failed' | 'quarantined',
        error: r.error ?? '',
      }),
    );

  const monthCsv = formatCsv(
    ['release', 'zone_id', 'zone_name', 'year', 'month', 'sum_tC', 'co2_t', 'coverage'],
    rows.map((r) => [spec.release, r.zoneId, r.zoneName, r.year, r.month, r.sumTc, r.sumTc * CO2_PER_C, r.coverage]),
  );

  const years: IngestReport['years'] = [];
  for (const year of spec.years) {
    const done = doneByYear.get(year) ?? 0;
    const complete = done === 12;
    years.push({ year, months_done: done, complete, in_year_output: done > 0 && (complete || spec.allowPartialYear) });
  }
  const included = new Set(years.filter((y) => y.in_year_output).map((y) => y.year));
  // Rows come ordered by month within the year, so each zone's total is summed in month order.
  const annual = sumYears(
    rows.filter((r) => included.has(r.year)).map((r) => ({ zoneId: r.zoneId, zoneName: r.zoneName, zoneRank: r.zoneIndex, year: r.year, sum: r.sumTc })),
  );
  const yearCsv = formatCsv(
    ['release', 'zone_id', 'zone_name', 'year', 'months', 'sum_tC', 'co2_t'],
    annual.map((a) => [spec.release, a.zone_id, a.zone_name, a.year, a.months, a.sum_tC, a.co2_t]),
  );

  const report: IngestReport = {
    cger_version: spec.cgerVersion,
    release: spec.release,
    zones: { path: spec.zoneSet.path, hash: spec.zoneSet.hash, method: spec.zoneSet.method },
    years,
    months_done: [...doneByYear.values()].reduce((a, b) => a + b, 0),
    failed,
    missing: spec.missing.filter((m) => inYears(m.year)),
    outputs: { month: OUTPUT_FILES.month, year: OUTPUT_FILES.year },
  };
  return { monthCsv, yearCsv, report };
}

/** Writes a file atomically unless it already holds exactly this content (a run with nothing new leaves outputs untouched). */
function writeIfChanged(path: string, data: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === data) return false;
  writeFileAtomic(path, data);
  return true;
}

export interface BuiltOutputs {
  monthCsv: string;
  yearCsv: string;
  report: IngestReport;
}

export function writeOutputs(outDir: string, built: BuiltOutputs): string[] {
  const changed: string[] = [];
  const files: [string, string][] = [
    [OUTPUT_FILES.month, built.monthCsv],
    [OUTPUT_FILES.year, built.yearCsv],
    [OUTPUT_FILES.report, JSON.stringify(built.report, null, 2) + '\n'],
  ];
  for (const [name, data] of files) if (writeIfChanged(join(outDir, name), data)) changed.push(name);
  return changed;
}

/** Removes temporary files a killed run left next to the outputs (writeFileAtomic names them `.<name>.<pid>.tmp`). */
export function removeStaleTemps(outDir: string): void {
  if (!existsSync(outDir)) return;
  const names = Object.values(OUTPUT_FILES);
  for (const entry of readdirSync(outDir)) {
    if (names.some((n) => entry.startsWith(`.${n}.`) && entry.endsWith('.tmp'))) rmSync(join(outDir, entry), { force: true });
  }
}
