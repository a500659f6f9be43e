import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CsvTable, parseCsv } from '../common/csv.ts';
import { CgerError, errorMessage } from '../common/errors.ts';
import { isSqliteLoadError, sqliteMissingMessage } from '../common/sqlite.ts';
import type { BatteryEstimate, BatteryTable, SkippedCell } from '../dml/index.ts';
import type { Store, StoredAuditYear, StoredMonth, StoredRun } from '../ingest/index.ts';
import { type PanelMeta, panelPaths } from '../panel/index.ts';

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
  /** Directory of dml's table4..11 CSVs, tables.json and estimates.json. */
  tables: string;
}

export function defaultPaths(outDir: string): ReportPaths {
  return {
    provinceYear: join(outDir, 'province_year.csv'),
    ingestReport: join(outDir, 'ingest_report.json'),
    db: join(outDir, 'cger.sqlite'),
    panel: join(outDir, 'panel.csv'),
    tables: join(outDir, 'tables'),
  };
}

export interface ProvinceYear {
  zoneId: string;
  zoneName: string;
  year: number;
  months: number;
  co2: number;
}

export type FileProvenance = StoredMonth;

export type AuditYear = StoredAuditYear;

export interface Provenance {
  release: string;
  cgerVersion: string;
  zones: { path: string; hash: string; method: string };
  files: FileProvenance[];
  runs: StoredRun[];
  audit: AuditYear[];
  /** Why the store's files, runs and audits are not shown (null when they are). */
  storeNote: string | null;
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
  panelMeta: PanelMeta;
  descriptive: TableFile;
  regressions: TableFile[];
  /** dml's sensitivity companions of the regression tables, with their contour plots when drawn. */
  sensitivity: { table: TableFile; contourSvg: string | null }[];
  estimates: BatteryEstimate[];
}

/** One file the report reads: where it is, what writes it, and the option that points elsewhere (if any). */
interface InputFile {
  path: string;
  what: string;
  producer: string;
  option?: string;
}

/** The files behind `paths`, each with the command that writes it. */
function inputFiles(paths: ReportPaths): InputFile[] {
  const panel = panelPaths(paths.panel);
  return [
    { path: paths.provinceYear, what: 'province-year CO2 table', producer: 'cger ingest' },
    { path: paths.ingestReport, what: 'ingest report', producer: 'cger ingest' },
    { path: paths.db, what: 'ingest store', producer: 'cger ingest', option: '--db' },
    { path: paths.panel, what: 'panel', producer: 'cger panel', option: '--panel' },
    { path: panel.meta, what: 'panel metadata', producer: 'cger panel' },
    { path: panel.tableCsv, what: 'Table 3 (descriptive statistics)', producer: 'cger panel' },
    { path: join(paths.tables, 'tables.json'), what: 'captions of the regression tables', producer: 'cger dml --battery', option: '--tables' },
    { path: join(paths.tables, 'estimates.json'), what: 'DML estimates', producer: 'cger dml --battery', option: '--tables' },
  ];
}

/** Throws one error listing every input that is not there, or returns when all are. */
export function checkInputs(paths: ReportPaths): void {
  const missing = inputFiles(paths).filter((f) => !existsSync(f.path));
  if (missing.length === 0) return;
  const lines = missing.map((f) => `  ${f.path}: ${f.what} (run \`${f.producer}\`${f.option ? `, or point ${f.option} at it` : ''})`);
  throw new CgerError(`report: ${missing.length} input${missing.length > 1 ? 's are' : ' is'} missing:\n${lines.join('\n')}`);
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new CgerError(`${what} ${path} is not valid JSON: ${errorMessage(err)}`);
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
  const table = parseCsv(readFileSync(path, 'utf8'));
  requireColumns(table, path, ['zone_id', 'zone_name', 'year', 'months', 'co2_t']);
  return table.records.map(({ line, values }) => ({
    zoneId: values.zone_id,
    zoneName: values.zone_name,
    year: num(path, line, 'year', values.year),
    months: num(path, line, 'months', values.months),
    co2: num(path, line, 'co2_t', values.co2_t),
  }));
}

/**
 * Reads the ingest store read-only: the files behind `release` and the zone set, with their audits.
 * Where the SQLite binding is not installed, the rest of the report is still written, saying so.
 */
export async function readProvenance(dbPath: string, ingestReportPath: string): Promise<Provenance> {
  const report = readJson<Record<string, unknown>>(ingestReportPath, 'ingest report');
  const release = String(report.release ?? '');
  const zones = report.zones as Provenance['zones'] | undefined;
  if (!release || !zones?.hash) throw new CgerError(`${ingestReportPath}: no release or zone set recorded`);
  const base = { release, cgerVersion: String(report.cger_version ?? ''), zones };
  let store: Store;
  try {
    // The ingest stage (and its native SQLite binding) loads only when a store is there to read.
    const { openStore } = await import('../ingest/index.ts');
    store = openStore(dbPath, { readonly: true });
  } catch (err) {
    if (!isSqliteLoadError(err)) throw new CgerError(`cannot read the ingest store ${dbPath}: ${errorMessage(err)}`);
    return { ...base, files: [], runs: [], audit: [], storeNote: `ingest store not read: ${sqliteMissingMessage(err)}` };
  }
  try {
    const zoneSet = await store.findZoneSet(zones.hash, zones.method);
    if (!zoneSet) throw new CgerError(`${dbPath}: no zone set with hash ${zones.hash} (${zones.method}); the store does not match ${ingestReportPath}`);
    const years = ((report.years as Array<{ year: number }>) ?? []).map((y) => y.year);
    const inYears = (y: number) => years.length === 0 || years.includes(y);
    const files = (await store.months(release, zoneSet.id)).filter((f) => inYears(f.year));
    const audit = (await store.auditByYear(release, zoneSet.id)).filter((a) => inYears(a.year));
    return { ...base, files, runs: await store.runs(), audit, storeNote: null };
  } catch (err) {
    if (err instanceof CgerError) throw err;
    throw new CgerError(`cannot read the ingest store ${dbPath}: ${errorMessage(err)}`);
  } finally {
    store.close();
  }
}

/** panel_meta.json, checked for the parts the report shows. */
function readPanelMeta(path: string): PanelMeta {
  const meta = readJson<PanelMeta>(path, 'panel metadata');
  const ok =
    meta &&
    typeof meta === 'object' &&
    typeof meta.units === 'object' &&
    meta.units !== null &&
    typeof meta.sample?.rows === 'number' &&
    typeof meta.inputs === 'object' &&
    meta.inputs !== null;
  if (!ok) throw new CgerError(`${path}: not the panel metadata \`cger panel\` writes (units, sample.rows and inputs expected)`);
  return meta;
}

/** dml's tables as tables.json lists them (cells in `<id>.csv`), in the battery's order: estimates and their sensitivity companions. */
function readBatteryTables(dir: string): Pick<ReportInputs, 'regressions' | 'sensitivity'> {
  const path = join(dir, 'tables.json');
  const captions = readJson<BatteryTable[]>(path, 'table captions');
  if (!Array.isArray(captions) || captions.length === 0) throw new CgerError(`${path}: no tables listed (run \`cger dml --battery\`)`);
  const missing = captions.map((c) => join(dir, `${c.id}.csv`)).filter((p) => !existsSync(p));
  if (missing.length) throw new CgerError(`${path} lists tables whose CSV is missing: ${missing.join(', ')} (run \`cger dml --battery\` again)`);
  const table = (c: BatteryTable): TableFile => ({ id: c.id, title: c.title, note: c.note, table: parseCsv(readFileSync(join(dir, `${c.id}.csv`), 'utf8')) });
  const contour = (c: BatteryTable): string | null => {
    const svg = c.contour ? join(dir, c.contour) : null;
    return svg && existsSync(svg) ? readFileSync(svg, 'utf8') : null;
  };
  return {
    regressions: captions.filter((c) => c.kind !== 'sensitivity').map(table),
    sensitivity: captions.filter((c) => c.kind === 'sensitivity').map((c) => ({ table: table(c), contourSvg: contour(c) })),
  };
}

export async function readInputs(paths: ReportPaths): Promise<ReportInputs> {
  checkInputs(paths);
  const panelFiles = panelPaths(paths.panel);
  const provinceYear = readProvinceYear(paths.provinceYear);
  const provenance = await readProvenance(paths.db, paths.ingestReport);
  const panel = parseCsv(readFileSync(paths.panel, 'utf8'));
  requireColumns(panel, paths.panel, ['province_code', 'year', 'CEE', 'CIWB', 'DCP']);
  const panelMeta = readPanelMeta(panelFiles.meta);
  const descriptive: TableFile = {
    id: 'table3_descriptive',
    title: `Table 3. Descriptive statistics (N = ${panelMeta.sample.rows})`,
    note: '',
    table: parseCsv(readFileSync(panelFiles.tableCsv, 'utf8')),
  };
  const { regressions, sensitivity } = readBatteryTables(paths.tables);
  const saved = readJson<(BatteryEstimate | SkippedCell)[]>(join(paths.tables, 'estimates.json'), 'DML estimates');
  if (!Array.isArray(saved)) throw new CgerError(`${join(paths.tables, 'estimates.json')}: expected a list of estimates`);
  // Cells the battery could not run are listed after the estimates; the tables' notes say why.
  const estimates = saved.filter((e): e is BatteryEstimate => !('skipped' in e));
  return { paths, provinceYear, provenance, panel, panelMeta, descriptive, regressions, sensitivity, estimates };
}
