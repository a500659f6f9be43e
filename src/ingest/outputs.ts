import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { formatCsv } from '../common/csv.ts';
import { CO2_PER_C } from '../odiac/index.ts';
import type { Store } from './store.ts';

/** tonnes CO2 per tonne carbon. */

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

interface MonthRow { zone_id: string; zone_name: string; year: number; month: number; sum_tc: number; coverage: number }

/**
 * Builds the output tables of one release and zone set from the store. Zones with no valid cell
 * on the raster in a month (outside the grid) get no row. Years need 12 done months to appear in
 * the year table unless partial years are allowed.
 */
export function buildOutputs(store: Store, spec: OutputSpec): { monthCsv: string; yearCsv: string; report: IngestReport } {
  const { db } = store;
  const inYears = (y: number) => spec.years.includes(y);
  const rows = (db.prepare(
    `SELECT m.zone_id, z.zone_name, m.year, m.month, m.sum_tc, m.coverage
       FROM zone_month m JOIN zones z ON z.zone_set_id = m.zone_set_id AND z.zone_id = m.zone_id
      WHERE m.release = ? AND m.zone_set_id = ? AND m.cells > 0
      ORDER BY m.year, m.month, z.zone_index`,
  ).all(spec.release, spec.zoneSet.id) as MonthRow[]).filter((r) => inYears(r.year));

  const doneMonths = (db.prepare(
    `SELECT year, month FROM files WHERE release = ? AND zone_set_id = ? AND status = 'done'`,
  ).all(spec.release, spec.zoneSet.id) as { year: number; month: number }[]).filter((r) => inYears(r.year));
  const doneByYear = new Map<number, number>();
  for (const r of doneMonths) doneByYear.set(r.year, (doneByYear.get(r.year) ?? 0) + 1);

  const failed = (db.prepare(
    `SELECT year, month, name, status, error FROM files
      WHERE release = ? AND zone_set_id = ? AND status != 'done' ORDER BY year, month`,
  ).all(spec.release, spec.zoneSet.id) as { year: number; month: number; name: string; status: 'failed' | 'quarantined'; error: string }[])
    .filter((r) => inYears(r.year))
    .map((r): MonthProblem => ({ release: spec.release, year: r.year, month: r.month, file: r.name, status: r.status, error: r.error }));

  const monthCsv = formatCsv(
    ['release', 'zone_id', 'zone_name', 'year', 'month', 'sum_tC', 'co2_t', 'coverage'],
    rows.map((r) => [spec.release, r.zone_id, r.zone_name, r.year, r.month, r.sum_tc, r.sum_tc * CO2_PER_C, r.coverage]),
  );

  const yearRows: (string | number)[][] = [];
  const years: IngestReport['years'] = [];
  for (const year of spec.years) {
    const done = doneByYear.get(year) ?? 0;
    const complete = done === 12;
    const included = done > 0 && (complete || spec.allowPartialYear);
    years.push({ year, months_done: done, complete, in_year_output: included });
    if (!included) continue;
    // Rows arrive ordered by month within the year, so each zone's total is summed in month order.
    const byZone = new Map<string, { name: string; months: number; sum: number }>();
    for (const r of rows) {
      if (r.year !== year) continue;
      const acc = byZone.get(r.zone_id) ?? { name: r.zone_name, months: 0, sum: 0 };
      acc.months++;
      acc.sum += r.sum_tc;
      byZone.set(r.zone_id, acc);
    }
    for (const [zoneId, z] of byZone) yearRows.push([spec.release, zoneId, z.name, year, z.months, z.sum, z.sum * CO2_PER_C]);
  }
  const yearCsv = formatCsv(['release', 'zone_id', 'zone_name', 'year', 'months', 'sum_tC', 'co2_t'], yearRows);

  const report: IngestReport = {
    cger_version: spec.cgerVersion,
    release: spec.release,
    zones: { path: spec.zoneSet.path, hash: spec.zoneSet.hash, method: spec.zoneSet.method },
    years,
    months_done: doneMonths.length,
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

export function writeOutputs(outDir: string, built: ReturnType<typeof buildOutputs>): string[] {
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
