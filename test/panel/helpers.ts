import { formatCsv, parseCsvRows } from '../../src/common/csv.ts';
import { defaultPanelConfig, type PanelConfig } from '../../src/panel/config.ts';
import { synthYearbook } from '../../src/panel/synth.ts';

/** The default configuration restricted to a few provinces and years (small, fast tests). */
export function smallConfig(provinces = ['110000', '120000', '130000'], yearFrom = 2011, yearTo = 2013): PanelConfig {
  const cfg = defaultPanelConfig();
  cfg.sample = { provinces, yearFrom, yearTo };
  return cfg;
}

/** A table of strings with helpers to edit cells by province, year and column. */
export class CsvEdit {
  header: string[];
  rows: string[][];
  constructor(text: string) {
    const all = parseCsvRows(text);
    this.header = all[0];
    this.rows = all.slice(1);
  }
  rowIndex(province: string, year: number): number {
    const p = this.header.indexOf('province'),
      y = this.header.indexOf('year');
    const i = this.rows.findIndex((r) => r[p] === province && r[y] === String(year));
    if (i < 0) throw new Error(`no row ${province} ${year}`);
    return i;
  }
  /** 1-based file line of a row (header = line 1). */
  line(province: string, year: number): number {
    return this.rowIndex(province, year) + 2;
  }
  get(province: string, year: number, column: string): string {
    return this.rows[this.rowIndex(province, year)][this.header.indexOf(column)];
  }
  set(province: string, year: number, column: string, value: string): this {
    this.rows[this.rowIndex(province, year)][this.header.indexOf(column)] = value;
    return this;
  }
  dropColumn(column: string): this {
    const j = this.header.indexOf(column);
    this.header.splice(j, 1);
    for (const r of this.rows) r.splice(j, 1);
    return this;
  }
  text(): string {
    return formatCsv(this.header, this.rows);
  }
}

export function synthSmall(seed = 3, cfg = smallConfig()) {
  return { cfg, ...synthYearbook(seed, cfg) };
}
