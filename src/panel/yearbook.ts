import { CgerError } from '../common/errors.ts';
import { parseCsv } from '../common/csv.ts';
import type { PanelConfig } from './config.ts';
import { columnSpec, BASE_COLUMNS } from './columns.ts';
import { fillSeries } from './gaps.ts';
import { findProvince, provinceByCode } from './provinces.ts';

/** One filled cell, as listed in panel_meta.json. */
export interface FilledCell {
  province_code: string;
  province: string;
  year: number;
  column: string;
  value: number;
  method: 'interpolated' | 'extrapolated';
}

/** The yearbook after validation, gap filling and derivation, for the sample provinces. */
export interface YearbookData {
  /** province code -> year -> column -> value, for every sample year (complete). */
  values: Map<string, Map<number, Record<string, number>>>;
  /** DCP indicators of the year before the sample, when the yearbook has them all (for the lagged instrument). */
  preSampleIndicators: Map<string, Record<string, number>>;
  /** Raw yearbook columns carried into panel.csv (everything but province and year). */
  rawColumns: string[];
  filled: FilledCell[];
  /** How capital stock and energy were obtained. */
  derivations: { capital_stock: string; energy_total: string };
  /** Non-fatal remarks (e.g. rows for provinces outside the sample). */
  notes: string[];
}

export interface YearbookOptions {
  extrapolate: boolean;
}

/** Cells that mean "no value" in a yearbook extract. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', '-', '--', '…', '...', 'null']);

const label = (code: string) => `${provinceByCode(code)?.en ?? code} (${code})`;

/** Collects yearbook problems so that all of them are reported together. */
class Problems {
  readonly list: string[] = [];
  add(msg: string): void { this.list.push(msg); }
  throwIfAny(file: string): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 200);
    const more = this.list.length > shown.length ? `\n  ... and ${this.list.length - shown.length} more` : '';
    throw new CgerError(`${file}: ${this.list.length} problem(s) in the yearbook:\n  ${shown.join('\n  ')}${more}`);
  }
}

/**
 * The columns the panel needs, given the configuration and what the file offers. Of the
 * alternatives, capital_stock and energy_total win when they hold any value; otherwise investment
 * (perpetual inventory) and the fuels are used.
 */
function requiredColumns(header: Set<string>, hasData: (col: string) => boolean, config: PanelConfig, problems: Problems) {
  const fuels = Object.keys(config.energy.coefficients);
  const capital = hasData('capital_stock') || !header.has('investment') ? 'capital_stock' : 'investment';
  const energy = hasData('energy_total') || fuels.some((f) => !header.has(f)) ? 'energy_total' : 'fuels';
  const sampleColumns = new Set<string>(BASE_COLUMNS.map((c) => c.name).filter((c) => c !== 'telegraph_1907'));
  for (const c of [...config.tfee.inputs, ...config.tfee.good, ...config.tfee.bad]) {
    if (c !== 'capital_stock' && c !== 'energy_total') sampleColumns.add(c);
  }
  const indicators = config.dcp.indicators.map((i) => i.column);
  if (capital === 'capital_stock') sampleColumns.add('capital_stock');
  if (energy === 'energy_total') sampleColumns.add('energy_total');
  else for (const f of fuels) sampleColumns.add(f);
  const missing = [...sampleColumns, ...indicators, 'telegraph_1907'].filter((c) => !header.has(c));
  if (!header.has('province')) missing.unshift('province');
  if (!header.has('year')) missing.unshift('year');
  const uniqueMissing = [...new Set(missing)].map((c) => c === 'capital_stock' ? 'capital_stock (or investment)' : c === 'energy_total' ? `energy_total (or all of ${fuels.join(', ')})` : c);
  if (uniqueMissing.length) problems.add(`missing column(s): ${uniqueMissing.join(', ')}`);
  return { sampleColumns: [...sampleColumns], indicators, capital, energy, fuels };
}

function checkValue(col: string, v: number): string | null {
  const spec = columnSpec(col);
  if (spec.rule === 'positive' && !(v > 0)) return `${v} is not positive (${col} must be > 0)`;
  if (spec.rule === 'nonnegative' && v < 0) return `${v} is negative (${col} must be >= 0)`;
  if (spec.max !== undefined && v > spec.max) return `${v} is larger than the possible maximum ${spec.max} (${spec.unit})`;
  return null;
}

/**
 * Reads and validates a yearbook CSV (one row per province and year), fills small gaps within
 * each province, and derives capital stock (perpetual inventory) and total energy (standard coal).
 */
export function readYearbook(text: string, file: string, config: PanelConfig, options: YearbookOptions): YearbookData {
  const table = parseCsv(text);
  const problems = new Problems();
  const header = new Set(table.header);
  const hasData = (col: string) => header.has(col) && table.records.some((r) => !MISSING.has((r.values[col] ?? '').toLowerCase()));
  const need = requiredColumns(header, hasData, config, problems);
  problems.throwIfAny(file);
  const notes: string[] = [];
  // Known columns must be numeric; any other column is carried when all its cells are numbers, else left out (e.g. notes, source).
  const known = new Set([...need.sampleColumns, ...need.indicators, 'telegraph_1907', 'investment', 'capital_stock', 'energy_total',
    ...Object.keys(config.energy.coefficients)]);
  const isNumberText = (cell: string) => /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cell);
  const textColumns = table.header.filter((h) => h !== 'province' && h !== 'year' && !known.has(h)
    && table.records.some((r) => !MISSING.has((r.values[h] ?? '').toLowerCase()) && !isNumberText(r.values[h])));
  if (textColumns.length) notes.push(`non-numeric extra columns not carried into the panel: ${textColumns.join(', ')}`);
  const numericColumns = table.header.filter((h) => h !== 'province' && h !== 'year' && !textColumns.includes(h));
  const sample = new Set(config.sample.provinces);
  // code -> year -> {line, values}
  const rows = new Map<string, Map<number, { line: number; values: Record<string, number | null> }>>();
  const outside = new Set<string>();

  for (const rec of table.records) {
    const where = `line ${rec.line}`;
    const prov = findProvince(rec.values.province ?? '');
    if (!prov) { problems.add(`${where}, column province: unknown province ${JSON.stringify(rec.values.province ?? '')}`); continue; }
    const yearText = rec.values.year ?? '';
    const year = Number(yearText);
    if (!/^\d{4}$/.test(yearText)) { problems.add(`${where}, column year: ${JSON.stringify(yearText)} is not a year`); continue; }
    if (!sample.has(prov.code)) { outside.add(prov.en); continue; }
    const perProv = rows.get(prov.code) ?? new Map();
    rows.set(prov.code, perProv);
    const dup = perProv.get(year);
    if (dup) { problems.add(`${where}: duplicate of line ${dup.line} (${prov.en} ${year})`); continue; }
    const values: Record<string, number | null> = {};
    for (const col of numericColumns) {
      const cell = rec.values[col] ?? '';
      if (MISSING.has(cell.toLowerCase())) { values[col] = null; continue; }
      const v = Number(cell);
      if (!Number.isFinite(v) || !isNumberText(cell)) {
        problems.add(`${where} (${prov.en} ${year}), column ${col}: ${JSON.stringify(cell)} is not a number`);
        values[col] = null;
        continue;
      }
      const bad = checkValue(col, v);
      if (bad) problems.add(`${where} (${prov.en} ${year}), column ${col}: ${bad}`);
      values[col] = v;
    }
    perProv.set(year, { line: rec.line, values });
  }
  if (outside.size) notes.push(`rows for provinces outside the sample ignored: ${[...outside].sort().join(', ')}`);
  for (const code of config.sample.provinces) {
    if (!rows.has(code)) problems.add(`no rows for sample province ${label(code)}`);
  }
  problems.throwIfAny(file);

  const { yearFrom, yearTo } = config.sample;
  const filled: FilledCell[] = [];
  const result = new Map<string, Map<number, Record<string, number>>>();
  const preSampleIndicators = new Map<string, Record<string, number>>();

  /** Fills one column of one province over from..to, recording fills and reporting what stays missing. */
  const series = (code: string, col: string, from: number, to: number): Map<number, number> => {
    const byYear = rows.get(code)!;
    const observed = new Map<number, number | null>();
    for (const [y, r] of byYear) observed.set(y, r.values[col] ?? null);
    const res = fillSeries(observed, from, to, config.gaps.maxConsecutive, options.extrapolate);
    for (const f of res.filled) {
      const bad = checkValue(col, f.value);
      if (bad) problems.add(`${label(code)} ${f.year}, column ${col}: ${f.method} value ${bad}`);
      filled.push({ province_code: code, province: provinceByCode(code)!.en, year: f.year, column: col, value: f.value, method: f.method });
    }
    for (const u of res.unfilled) {
      const r = byYear.get(u.year);
      problems.add(`${r ? `line ${r.line} (${provinceByCode(code)!.en} ${u.year})` : `${label(code)} ${u.year} (no row)`}, column ${col}: missing, ${u.reason}`);
    }
    return res.values;
  };

  if (need.capital === 'investment' && config.capital.baseYear > yearFrom) {
    problems.add(`capital.base_year ${config.capital.baseYear} is after the first sample year ${yearFrom}: the perpetual inventory cannot start`);
  }
  for (const code of config.sample.provinces) {
    const perYear = new Map<number, Record<string, number>>();
    for (let y = yearFrom; y <= yearTo; y++) perYear.set(y, {});
    const set = (col: string, vals: Map<number, number>) => {
      for (const [y, v] of vals) perYear.get(y)![col] = v;
    };
    const modelColumns = [...need.sampleColumns, ...need.indicators];
    for (const col of modelColumns) set(col, series(code, col, yearFrom, yearTo));

    // Raw columns that are not required are carried as they are (no filling).
    for (const col of numericColumns) {
      if (modelColumns.includes(col) || col === 'telegraph_1907' || col === 'investment') continue;
      for (let y = yearFrom; y <= yearTo; y++) {
        const v = rows.get(code)!.get(y)?.values[col];
        if (v !== null && v !== undefined) perYear.get(y)![col] = v;
      }
    }

    // Telegraph offices in 1907: one cross-sectional value per province, repeated on every row.
    const tele = [...rows.get(code)!.values()].map((r) => ({ line: r.line, v: r.values.telegraph_1907 })).filter((r) => r.v !== null && r.v !== undefined);
    const distinct = [...new Set(tele.map((t) => t.v))];
    if (tele.length === 0) problems.add(`${label(code)}, column telegraph_1907: no value in any row`);
    else if (distinct.length > 1) problems.add(`${label(code)}, column telegraph_1907: differs between rows (lines ${tele.map((t) => `${t.line}=${t.v}`).join(', ')}); it is a 1907 cross-section`);
    else for (const rec of perYear.values()) rec.telegraph_1907 = distinct[0] as number;

    // Capital stock: given, or by perpetual inventory from the base year.
    if (need.capital === 'investment') {
      const { baseYear, depreciation, initialGrowthYears } = config.capital;
      if (baseYear <= yearFrom) {
        const inv = series(code, 'investment', baseYear, yearTo);
        if (inv.size === yearTo - baseYear + 1) {
          const k = perpetualInventory(inv, baseYear, yearTo, depreciation, initialGrowthYears);
          if (!k.ok) problems.add(`${label(code)}, column investment: ${k.message}`);
          else for (let y = yearFrom; y <= yearTo; y++) {
            perYear.get(y)!.capital_stock = k.stock.get(y)!;
            perYear.get(y)!.investment = inv.get(y)!;
          }
        }
      }
    }
    // Energy: given, or the fuels converted to standard coal.
    if (need.energy === 'fuels') {
      for (const rec of perYear.values()) {
        rec.energy_total = need.fuels.reduce((acc, f) => acc + (rec[f] ?? NaN) * config.energy.coefficients[f], 0);
      }
    }
    // GDP components should add up to GDP.
    for (const [y, rec] of perYear) {
      const sum = rec.gdp_primary + rec.gdp_secondary + rec.gdp_tertiary;
      if (Number.isFinite(sum) && rec.gdp > 0 && Math.abs(sum / rec.gdp - 1) > config.checks.gdpComponentsTolerance) {
        const r = rows.get(code)!.get(y);
        problems.add(`${r ? `line ${r.line}` : label(code)} (${provinceByCode(code)!.en} ${y}), columns gdp_primary+gdp_secondary+gdp_tertiary: sum ${sum} differs from gdp ${rec.gdp} by ${(100 * (sum / rec.gdp - 1)).toFixed(1)}% (tolerance ${100 * config.checks.gdpComponentsTolerance}%)`);
      }
    }
    result.set(code, perYear);

    // The year before the sample, for the lagged instrument: used only if every indicator is there.
    const pre = rows.get(code)!.get(yearFrom - 1);
    if (pre && need.indicators.every((c) => pre.values[c] !== null && pre.values[c] !== undefined)) {
      preSampleIndicators.set(code, Object.fromEntries(need.indicators.map((c) => [c, pre.values[c] as number])));
    }
  }
  problems.throwIfAny(file);

  const rawColumns = numericColumns.filter((c) => c !== 'capital_stock' && c !== 'energy_total');
  return {
    values: result,
    preSampleIndicators,
    rawColumns,
    filled,
    derivations: {
      capital_stock: need.capital === 'capital_stock'
        ? 'capital_stock column of the yearbook'
        : `perpetual inventory K_t = (1 - ${config.capital.depreciation}) K_(t-1) + I_t from ${config.capital.baseYear}, K_${config.capital.baseYear} = I_${config.capital.baseYear} / (g + d), g = mean annual growth of investment ${config.capital.baseYear}-${config.capital.baseYear + config.capital.initialGrowthYears}`,
      energy_total: need.energy === 'energy_total'
        ? 'energy_total column of the yearbook (10k tce)'
        : `sum of ${need.fuels.join(', ')} x coefficients ${JSON.stringify(config.energy.coefficients)} (10k tce)`,
    },
    notes,
  };
}

/**
 * Perpetual inventory: K_base = I_base / (g + d), K_t = (1 - d) K_(t-1) + I_t, where g is the
 * geometric mean annual growth of investment over the first `growthYears` years (Hall & Jones 1999;
 * Young 2003 use this starting stock).
 */
export function perpetualInventory(
  investment: ReadonlyMap<number, number>, baseYear: number, lastYear: number, depreciation: number, growthYears: number,
): { ok: true; stock: Map<number, number>; growth: number } | { ok: false; message: string } {
  const endYear = Math.min(baseYear + growthYears, lastYear);
  const i0 = investment.get(baseYear)!, i1 = investment.get(endYear)!;
  if (!(i0 > 0) || !(i1 > 0)) return { ok: false, message: `investment in ${baseYear} and ${endYear} must be positive to start the perpetual inventory` };
  const growth = endYear > baseYear ? Math.pow(i1 / i0, 1 / (endYear - baseYear)) - 1 : 0;
  if (!(growth + depreciation > 0.01)) {
    return { ok: false, message: `investment growth ${baseYear}-${endYear} (${(100 * growth).toFixed(1)}%/yr) plus depreciation is below 1%: the starting stock I/(g+d) would be meaningless` };
  }
  const stock = new Map<number, number>();
  let k = i0 / (growth + depreciation);
  stock.set(baseYear, k);
  for (let y = baseYear + 1; y <= lastYear; y++) {
    k = (1 - depreciation) * k + investment.get(y)!;
    stock.set(y, k);
  }
  return { ok: true, stock, growth };
}
