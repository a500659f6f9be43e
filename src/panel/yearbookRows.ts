import type { CsvTable } from '../common/csv.ts';
import { didYouMean, findProvince, provinceName } from '../common/provinces.ts';
import { readCell } from './cells.ts';
import { columnSpec } from './columns.ts';
import type { PanelConfig } from './config.ts';
import type { Problems } from './problems.ts';

/** One yearbook row after validation: its file line and its numeric cells (null = missing). */
export interface ObservedRow {
  line: number;
  values: Record<string, number | null>;
}

/** province code -> year -> row, for the sample provinces. */
export type ObservedRows = Map<string, Map<number, ObservedRow>>;

/** Why a value is impossible for its column, or null when it is allowed. */
export function checkValue(col: string, v: number): string | null {
  const spec = columnSpec(col);
  if (spec.rule === 'positive' && !(v > 0)) return `${v} is not positive (${col} must be > 0)`;
  if (spec.rule === 'nonnegative' && v < 0) return `${v} is negative (${col} must be >= 0)`;
  if (spec.max !== undefined && v > spec.max) return `${v} is larger than the possible maximum ${spec.max} (${spec.unit})`;
  return null;
}

function unknownProvince(name: string): string {
  return `column province: unknown province ${JSON.stringify(name)}${didYouMean(name)}`;
}

/**
 * Parses and validates every row: province spelling, year, duplicates, numbers and their allowed
 * values. Rows of provinces outside the sample are left out (named in `outside`), and so are rows
 * of years outside `years` (listed in `outOfRange`, e.g. a mistyped 2051).
 */
export function readRows(table: CsvTable, numericColumns: readonly string[], config: PanelConfig, years: { from: number; to: number }, problems: Problems) {
  const sample = new Set(config.sample.provinces);
  const rows: ObservedRows = new Map();
  const outside = new Set<string>();
  const outOfRange = new Map<number, number[]>();
  for (const rec of table.records) {
    const prov = findProvince(rec.values.province ?? '');
    if (!prov) {
      problems.add(unknownProvince(rec.values.province ?? ''), rec.line);
      continue;
    }
    const yearText = (rec.values.year ?? '').normalize('NFKC').replace(/年$/, '');
    if (!/^\d{4}$/.test(yearText)) {
      problems.add(`column year: ${JSON.stringify(rec.values.year ?? '')} is not a year`, rec.line);
      continue;
    }
    const year = Number(yearText);
    if (!sample.has(prov.code)) {
      outside.add(prov.en);
      continue;
    }
    if (year < years.from || year > years.to) {
      outOfRange.set(year, [...(outOfRange.get(year) ?? []), rec.line]);
      continue;
    }
    const perProv = rows.get(prov.code) ?? new Map<number, ObservedRow>();
    rows.set(prov.code, perProv);
    const dup = perProv.get(year);
    const where = `line ${rec.line} (${prov.en} ${year})`;
    if (dup) {
      problems.add(`line ${rec.line}: duplicate of line ${dup.line} (${prov.en} ${year})`);
      continue;
    }
    const values: Record<string, number | null> = {};
    for (const col of numericColumns) {
      const cell = rec.values[col] ?? '';
      const parsed = readCell(cell);
      values[col] = parsed.kind === 'number' ? parsed.value : null;
      if (parsed.kind === 'bad') {
        problems.add(`${where}, column ${col}: ${JSON.stringify(cell)} is not a number`);
        continue;
      }
      const bad = parsed.kind === 'number' ? checkValue(col, parsed.value) : null;
      if (bad) problems.add(`${where}, column ${col}: ${bad}`);
    }
    perProv.set(year, { line: rec.line, values });
  }
  if (table.records.some((r) => (r.values.province ?? '').includes('\uFFFD'))) {
    problems.add(
      'province names hold bytes that are not text in the encoding the file was read with: check --encoding (GBK files are detected when it is omitted)',
    );
  }
  for (const code of config.sample.provinces) {
    if (!rows.has(code)) problems.add(`no rows for sample province ${provinceName(code)} (${code})`);
  }
  return { rows, outside, outOfRange };
}
