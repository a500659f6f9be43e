import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CgerError } from '../common/errors.ts';
import { parseCsv, type CsvTable } from '../common/csv.ts';
import { openStore, type StoredAuditYear, type StoredMonth, type StoredRun } from '../ingest/index.ts';

/**
 * Everything a report is built from, read from the outputs of ingest, panel and dml. Nothing is
 * recomputed here: the report shows what those stages wrote, with their provenance.
 */
export interface ReportPaths {
  /** Ingest's year table (release, zone_id, zone_name, year, months, sum_tC, co2_t). */
  provinceYear: string;
  ingestReport: string;
  /** Ingest store (SQLite): file md5s, zone set hash, monthly mass audits, runs. */
  db: string;
  panel: string;
  panelMeta: string;
  /** Directory of table3_descriptive.csv, table4..11 CSV/MD and estimates.json. */
  tables: string;
}

export function defaultPaths(outDir: string): ReportPaths {
  return {
    provinceYear: join(outDir, 'province_year.csv'),
    ingestReport: join(outDir, 'ingest_report.json'),
    db: join(outDir, 'cger.sqlite'),
    panel: join(outDir, 'panel.csv'),
    panelMeta: join(outDir, 'panel_meta.json'),
    tables: join(outDir, 'tables'),
  };
}

export interface ProvinceYear { zoneId: string; zoneName: string; year: number; months: number; co2: number }

export type FileProvenance = StoredMonth;

export type AuditYear = StoredAuditYear;

export interface Provenance {
  release: string;
  cgerVersion: string;
  zones: { path: string; hash: string; method: string };
  files: FileProvenance[];
  runs: StoredRun[];
  audit: AuditYear[];
}

export interface TableFile {
  id: string;
  title: string;
  note: string;
  table: CsvTable;
}

export interface ReportInputs {
  paths: ReportPaths;
  provinceYear: ProvinceYear[];
  provenance: Provenance;
  panel: CsvTable;
  panelMeta: Record<string, unknown>;
  descriptive: TableFile | null;
  regressions: TableFile[];
  estimates: Array<Record<string, unknown>>;
}

function readText(path: string, what: string, producer: string): string {
  if (!existsSync(path)) throw new CgerError(`${what} not found: ${path} (run \`${producer}\` first, or point the report at it)`);
  return readFileSync(path, 'utf8');
}

function readJson(path: string, what: string, producer: string): Record<string, unknown> {
  const text = readText(path, what, producer);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CgerError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function num(table: string, line: number, column: string, value: string | undefined): number {
  const v = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(v)) {
    throw new CgerError(`${table} line ${line}, column ${column}: expected a number, got "${value ?? ''}"`);
  }
  return v;
}

function requireColumns(table: CsvTable, path: string, columns: string[]): void {
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length) throw new CgerError(`${path}: missing column(s) ${missing.join(', ')}`);
}

export function readProvinceYear(path: string): ProvinceYear[] {
  const table = parseCsv(readText(path, 'province-year CO2 table', 'cger ingest'));
  requireColumns(table, path, ['zone_id', 'zone_name', 'year', 'months', 'co2_t']);
  return table.records.map(({ line, values }) => ({
    zoneId: values.zone_id,
    zoneName: values.zone_name,
    year: num(path, line, 'year', values.year),
    months: num(path, line, 'months', values.months),
    co2: num(path, line, 'co2_t', values.co2_t),
  }));
}

/** Reads the ingest store read-only: the files behind `release` and the zone set, with their audits. */
export function readProvenance(dbPath: string, ingestReportPath: string): Provenance {
  const report = readJson(ingestReportPath, 'ingest report', 'cger ingest');
  const release = String(report.release ?? '');
  const zones = report.zones as Provenance['zones'] | undefined;
  if (!release || !zones?.hash) throw new CgerError(`${ingestReportPath}: no release or zone set recorded`);
  const store = openStore(dbPath, { readonly: true });
  try {
    const zoneSet = store.findZoneSet(zones.hash, zones.method);
    if (!zoneSet) throw new CgerError(`${dbPath}: no zone set with hash ${zones.hash} (${zones.method}); the store does not match ${ingestReportPath}`);
    const years = ((report.years as Array<{ year: number }>) ?? []).map((y) => y.year);
    const inYears = (y: number) => years.length === 0 || years.includes(y);
    const files = store.months(release, zoneSet.id).filter((f) => inYears(f.year));
    const audit = store.auditByYear(release, zoneSet.id).filter((a) => inYears(a.year));
    return { release, cgerVersion: String(report.cger_version ?? ''), zones, files, runs: store.runs(), audit };
  } catch (err) {
    if (err instanceof CgerError) throw err;
    throw new CgerError(`cannot read the ingest store ${dbPath}: ${(err as Error).message}`);
  } finally {
    store.close();
  }
}

/** Title and note of a dml/panel table from its Markdown twin (`**title**` first, note last). */
function readTableFile(dir: string, id: string): TableFile {
  const csvPath = join(dir, `${id}.csv`);
  const table = parseCsv(readText(csvPath, 'table', 'cger dml --battery'));
  let title = id;
  let note = '';
  const mdPath = join(dir, `${id}.md`);
  if (existsSync(mdPath)) {
    const lines = readFileSync(mdPath, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const bold = lines[0]?.match(/^\*\*(.+)\*\*$/) ?? lines[0]?.match(/^#+\s*(.+)$/);
    if (bold) title = bold[1];
    const last = lines[lines.length - 1];
    if (last && !last.startsWith('|') && last !== lines[0]) note = last.replace(/^_|_$/g, '').replace(/^\*|\*$/g, '');
  }
  return { id, title, note, table };
}

/** Regression tables table4* .. table11*, in table-number order. */
function regressionTableIds(dir: string): string[] {
  if (!existsSync(dir)) throw new CgerError(`tables directory not found: ${dir} (run \`cger dml --battery\` first)`);
  return readdirSync(dir)
    .map((f) => f.match(/^(table(\d+)_[\w-]+)\.csv$/))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) >= 4)
    .sort((a, b) => Number(a[2]) - Number(b[2]) || a[1].localeCompare(b[1]))
    .map((m) => m[1]);
}

export function readInputs(paths: ReportPaths): ReportInputs {
  const provinceYear = readProvinceYear(paths.provinceYear);
  const provenance = readProvenance(paths.db, paths.ingestReport);
  const panel = parseCsv(readText(paths.panel, 'panel', 'cger panel'));
  requireColumns(panel, paths.panel, ['province_code', 'year', 'CEE', 'CIWB', 'DCP']);
  const panelMeta = existsSync(paths.panelMeta) ? readJson(paths.panelMeta, 'panel metadata', 'cger panel') : {};
  const descriptiveId = existsSync(paths.tables)
    ? readdirSync(paths.tables).find((f) => /^table3_[\w-]+\.csv$/.test(f))?.replace(/\.csv$/, '')
    : undefined;
  const regressions = regressionTableIds(paths.tables).map((id) => readTableFile(paths.tables, id));
  if (regressions.length === 0) throw new CgerError(`no regression tables (table4_*.csv ...) in ${paths.tables} (run \`cger dml --battery\` first)`);
  const estimatesPath = join(paths.tables, 'estimates.json');
  const estimates = existsSync(estimatesPath) ? (JSON.parse(readFileSync(estimatesPath, 'utf8')) as Array<Record<string, unknown>>) : [];
  return {
    paths, provinceYear, provenance, panel, panelMeta,
    descriptive: descriptiveId ? readTableFile(paths.tables, descriptiveId) : null,
    regressions, estimates,
  };
}
