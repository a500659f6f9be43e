import { provinceName } from '../common/provinces.ts';
import type { Observation } from './layouts.ts';

/** Per column: the years with any value, and the sample province-years inside that span without one. */
export interface ColumnCoverage {
  column: string;
  year_from: number;
  year_to: number;
  provinces: number;
  values: number;
  missing: { province: string; year: number }[];
}

export function coverage(cells: readonly Observation[], sampleCodes: readonly string[], columns: readonly string[]): ColumnCoverage[] {
  return columns.map((column) => {
    const own = cells.filter((c) => c.column === column);
    const years = own.map((c) => c.year);
    const from = Math.min(...years),
      to = Math.max(...years);
    const have = new Set(own.map((c) => `${c.code}/${c.year}`));
    const missing: ColumnCoverage['missing'] = [];
    for (const code of sampleCodes) {
      for (let y = from; y <= to; y++) if (!have.has(`${code}/${y}`)) missing.push({ province: provinceName(code), year: y });
    }
    return { column, year_from: from, year_to: to, provinces: new Set(own.map((c) => c.code)).size, values: own.length, missing };
  });
}

/** Missing province-years as runs per province: "Tianjin 2010-2023, Hainan 2015". */
function missingRuns(missing: ColumnCoverage['missing']): string[] {
  const runs: string[] = [];
  let i = 0;
  while (i < missing.length) {
    let j = i;
    while (j + 1 < missing.length && missing[j + 1].province === missing[i].province && missing[j + 1].year === missing[j].year + 1) j++;
    runs.push(`${missing[i].province} ${missing[i].year}${j > i ? `-${missing[j].year}` : ''}`);
    i = j + 1;
  }
  return runs;
}

/** One stderr line per column: "gdp: 2010-2023, 31 provinces, 434 values, complete" or the missing province-years. */
export function coverageLines(report: readonly ColumnCoverage[]): string[] {
  return report.map((c) => {
    const head = `${c.column}: ${c.year_from}-${c.year_to}, ${c.provinces} provinces, ${c.values} values`;
    if (c.missing.length === 0) return `${head}, complete for the sample provinces`;
    const runs = missingRuns(c.missing);
    return `${head}, ${c.missing.length} sample province-year(s) missing: ${runs.slice(0, 6).join(', ')}${runs.length > 6 ? `, ... (${runs.length - 6} more provinces or runs)` : ''}`;
  });
}
