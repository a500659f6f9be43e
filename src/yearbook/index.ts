import { statSync } from 'node:fs';
import { writeFileAtomic } from '../common/atomicWrite.ts';
import { formatCsv } from '../common/csv.ts';
import type { TextEncoding } from '../common/encoding.ts';
import { CgerError } from '../common/errors.ts';
import { DEFAULT_SAMPLE_CODES, provinceName } from '../common/provinces.ts';
import { BASE_COLUMNS, CAPITAL_COLUMNS, DEFAULT_DCP_COLUMNS, ENERGY_COLUMNS } from '../panel/columns.ts';
import { type ColumnCoverage, coverage } from './coverage.ts';
import { readUserMap, type UserMap } from './indicators.ts';
import { type Layout, type Observation, readGrid } from './layouts.ts';
import { type Conflict, groupConflicts, mergeObservations, type Preference } from './merge.ts';
import { readGridFile } from './sources.ts';

export { type ColumnCoverage, coverageLines } from './coverage.ts';
/**
 * The yearbook stage: statistics-portal exports and other sheets (CSV in any common encoding,
 * .xlsx) -> the long yearbook table that `cger panel` reads (docs/yearbook.md).
 */
export { PORTAL_INDICATORS } from './indicators.ts';
export type { Preference } from './merge.ts';

export interface ImportOptions {
  files: string[];
  out: string;
  map?: string;
  prefer?: Preference;
  encoding?: TextEncoding;
}

export interface ImportResult {
  out: string;
  files: { path: string; layout: Layout; encoding: string; values: number }[];
  rows: number;
  columns: string[];
  coverage: ColumnCoverage[];
  conflicts: { province: string; year: number; column: string; kept: { value: number; file: string }; other: { value: number; file: string } }[];
  /** The conflicts grouped per province, column and pair of files, one line each. */
  conflict_summary: string[];
}

const CATALOGUE_ORDER = [...BASE_COLUMNS, ...CAPITAL_COLUMNS, ...ENERGY_COLUMNS, ...DEFAULT_DCP_COLUMNS].map((c) => c.name);

function columnOrder(columns: Set<string>): string[] {
  const known = CATALOGUE_ORDER.filter((c) => columns.has(c));
  return [...known, ...[...columns].filter((c) => !CATALOGUE_ORDER.includes(c)).sort()];
}

/** One row per province and year, in code and year order; province spelt as panel.csv spells it. */
export function yearbookTable(cells: readonly Observation[]): { header: string[]; rows: (string | number | null)[][] } {
  const columns = columnOrder(new Set(cells.map((c) => c.column)));
  const byKey = new Map<string, Map<string, number>>();
  for (const c of cells) {
    const key = `${c.code}/${c.year}`;
    if (!byKey.has(key)) byKey.set(key, new Map());
    byKey.get(key)!.set(c.column, c.value);
  }
  const keys = [...byKey.keys()].sort();
  const rows = keys.map((key) => {
    const [code, year] = key.split('/');
    const vals = byKey.get(key)!;
    return [provinceName(code), Number(year), ...columns.map((c) => vals.get(c) ?? null)];
  });
  return { header: ['province', 'year', ...columns], rows };
}

const conflictView = (c: Conflict) => ({
  province: c.province,
  year: c.year,
  column: c.column,
  kept: { value: c.kept.value, file: c.kept.source },
  other: { value: c.other.value, file: c.other.source },
});

/** Reads every file, merges them and writes the yearbook CSV (the `cger yearbook import` command). */
export async function runImport(opts: ImportOptions): Promise<ImportResult> {
  if (opts.files.length === 0) throw new CgerError('no input files');
  const user: UserMap = opts.map ? readUserMap(opts.map) : new Map();
  const batches = [];
  const files: ImportResult['files'] = [];
  for (const path of opts.files) {
    const grid = await readGridFile(path, opts.encoding);
    const { layout, observations } = readGrid(grid, user);
    batches.push({ file: path, mtimeMs: statSync(path).mtimeMs, observations });
    files.push({ path, layout, encoding: grid.encoding, values: observations.length });
  }
  const { cells, conflicts } = mergeObservations(batches, opts.prefer ?? 'error');
  if (cells.length === 0) throw new CgerError(`no values in ${opts.files.join(', ')}`);
  const table = yearbookTable(cells);
  writeFileAtomic(opts.out, formatCsv(table.header, table.rows));
  return {
    out: opts.out,
    files,
    rows: table.rows.length,
    columns: table.header.slice(2),
    coverage: coverage(cells, DEFAULT_SAMPLE_CODES, table.header.slice(2)),
    conflicts: conflicts.map(conflictView),
    conflict_summary: groupConflicts(conflicts),
  };
}
