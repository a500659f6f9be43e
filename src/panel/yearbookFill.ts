import { provinceName } from '../common/provinces.ts';
import { fillSeries } from './gaps.ts';
import type { Problems } from './problems.ts';
import { checkValue, type ObservedRows } from './yearbookRows.ts';

/** One filled cell, as listed in panel_meta.json. */
export interface FilledCell {
  province_code: string;
  province: string;
  year: number;
  column: string;
  value: number;
  method: 'interpolated' | 'extrapolated';
}

export interface FillSettings {
  maxConsecutive: number;
  extrapolate: boolean;
}

/**
 * Fills one column of one province over from..to (small gaps interpolated, edges extrapolated on
 * request), recording each filled cell and reporting the years that stay missing.
 */
export function fillColumn(
  rows: ObservedRows,
  code: string,
  col: string,
  from: number,
  to: number,
  settings: FillSettings,
  filled: FilledCell[],
  problems: Problems,
): Map<number, number> {
  const byYear = rows.get(code)!;
  const observed = new Map<number, number | null>();
  for (const [y, r] of byYear) observed.set(y, r.values[col] ?? null);
  const res = fillSeries(observed, from, to, settings.maxConsecutive, settings.extrapolate);
  const name = provinceName(code);
  for (const f of res.filled) {
    const bad = checkValue(col, f.value);
    if (bad) problems.add(`${name} (${code}) ${f.year}, column ${col}: ${f.method} value ${bad}`);
    filled.push({ province_code: code, province: name, year: f.year, column: col, value: f.value, method: f.method });
  }
  for (const u of res.unfilled) {
    const r = byYear.get(u.year);
    problems.add(`${r ? `line ${r.line} (${name} ${u.year})` : `${name} (${code}) ${u.year} (no row)`}, column ${col}: missing, ${u.reason}`);
  }
  return res.values;
}
