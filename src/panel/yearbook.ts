import { type CsvTable, parseCsv } from '../common/csv.ts';
import type { PanelConfig } from './config.ts';
import { formatLines, Problems } from './problems.ts';
import { type ColumnPlan, planColumns } from './yearbookColumns.ts';
import { checkGdpComponents, deriveCapital, deriveEnergy, deriveTelegraph, type ProvinceYears } from './yearbookDerive.ts';
import { type FilledCell, fillColumn } from './yearbookFill.ts';
import { type ObservedRows, readRows } from './yearbookRows.ts';

export { perpetualInventory } from './yearbookDerive.ts';
export type { FilledCell } from './yearbookFill.ts';

/** The yearbook after validation, gap filling and derivation, for the sample provinces. */
export interface YearbookData {
  /** province code -> year -> column -> value, for every sample year (complete for `columns`). */
  values: Map<string, ProvinceYears>;
  /** Yearbook columns with a value for every sample province-year, derived ones included. */
  columns: Set<string>;
  /** Columns the panel could use that the yearbook lacks -> what is missing (e.g. "capital_stock (or investment)"). */
  absent: Map<string, string>;
  /** DCP indicators of the year before the sample, when the yearbook has them all (for the lagged instrument). */
  preSampleIndicators: Map<string, Record<string, number>>;
  /** Raw yearbook columns carried into panel.csv (everything but province and year). */
  rawColumns: string[];
  filled: FilledCell[];
  /** How capital stock and energy were obtained (null when they could not be). */
  derivations: { capital_stock: string | null; energy_total: string | null };
  /** Non-fatal remarks (e.g. rows for provinces outside the sample). */
  notes: string[];
  /** Remarks the user should see (e.g. rows of years outside the ones used). */
  warnings: string[];
}

export interface YearbookOptions {
  extrapolate: boolean;
}

/** The years a yearbook row can serve: the investment base year or the year before the sample, to the last sample year. */
function usableYears(plan: ColumnPlan, config: PanelConfig) {
  const from = config.sample.yearFrom - 1;
  return { from: plan.capital === 'investment' ? Math.min(config.capital.baseYear, from) : from, to: config.sample.yearTo };
}

/** Fills, derives and checks the series of one sample province. */
function provinceSeries(
  code: string,
  rows: ObservedRows,
  plan: ColumnPlan,
  config: PanelConfig,
  options: YearbookOptions,
  filled: FilledCell[],
  problems: Problems,
): ProvinceYears {
  const { yearFrom, yearTo } = config.sample;
  const settings = { maxConsecutive: config.gaps.maxConsecutive, extrapolate: options.extrapolate };
  const perYear: ProvinceYears = new Map();
  for (let y = yearFrom; y <= yearTo; y++) perYear.set(y, {});
  for (const col of plan.sampleColumns) {
    for (const [y, v] of fillColumn(rows, code, col, yearFrom, yearTo, settings, filled, problems)) perYear.get(y)![col] = v;
  }
  for (const col of plan.carriedColumns) {
    for (let y = yearFrom; y <= yearTo; y++) {
      const v = rows.get(code)!.get(y)?.values[col];
      if (v !== null && v !== undefined) perYear.get(y)![col] = v;
    }
  }
  const own = rows.get(code)!;
  if (plan.telegraph) deriveTelegraph(code, own, perYear, problems);
  if (plan.capital === 'investment' && config.capital.baseYear <= yearFrom) {
    deriveCapital(code, fillColumn(rows, code, 'investment', config.capital.baseYear, yearTo, settings, filled, problems), perYear, config, problems);
  }
  if (plan.energy === 'fuels') deriveEnergy(perYear, plan.fuels, config.energy.coefficients);
  checkGdpComponents(code, own, perYear, config.checks.gdpComponentsTolerance, problems);
  return perYear;
}

/** The year before the sample, for the lagged instrument: used only if every indicator is there. */
function preSample(rows: ObservedRows, plan: ColumnPlan, year: number): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  if (plan.indicators.some((c) => !plan.sampleColumns.includes(c))) return out;
  for (const [code, byYear] of rows) {
    const pre = byYear.get(year);
    if (pre && plan.indicators.every((c) => pre.values[c] !== null && pre.values[c] !== undefined)) {
      out.set(code, Object.fromEntries(plan.indicators.map((c) => [c, pre.values[c] as number])));
    }
  }
  return out;
}

function derivations(plan: ColumnPlan, config: PanelConfig): YearbookData['derivations'] {
  const { baseYear, depreciation, initialGrowthYears } = config.capital;
  return {
    capital_stock:
      plan.capital === 'capital_stock'
        ? 'capital_stock column of the yearbook'
        : plan.capital === 'investment'
          ? `perpetual inventory K_t = (1 - ${depreciation}) K_(t-1) + I_t from ${baseYear}, K_${baseYear} = I_${baseYear} / (g + d), g = mean annual growth of investment ${baseYear}-${baseYear + initialGrowthYears}`
          : null,
    energy_total:
      plan.energy === 'energy_total'
        ? 'energy_total column of the yearbook (10k tce)'
        : plan.energy === 'fuels'
          ? `sum of ${plan.fuels.join(', ')} x coefficients ${JSON.stringify(config.energy.coefficients)} (10k tce)`
          : null,
  };
}

/**
 * Reads and validates a yearbook CSV (one row per province and year), fills small gaps within
 * each province, derives capital stock (perpetual inventory) and total energy (standard coal),
 * and checks that GDP components add up. Columns the file lacks are reported in `absent`.
 */
export function readYearbook(input: string | CsvTable, file: string, config: PanelConfig, options: YearbookOptions): YearbookData {
  const table = typeof input === 'string' ? parseCsv(input) : input;
  const problems = new Problems();
  const missingKeys = ['province', 'year'].filter((c) => !table.header.includes(c));
  if (missingKeys.length) problems.add(`missing column(s): ${missingKeys.join(', ')}`);
  problems.throwIfAny(file);

  const plan = planColumns(table, config);
  if (plan.capital === 'investment' && config.capital.baseYear > config.sample.yearFrom) {
    problems.add(`capital.base_year ${config.capital.baseYear} is after the first sample year ${config.sample.yearFrom}: the perpetual inventory cannot start`);
  }
  const years = usableYears(plan, config);
  const { rows, outside, outOfRange } = readRows(table, plan.numericColumns, config, years, problems);
  problems.throwIfAny(file);

  const filled: FilledCell[] = [];
  const values = new Map<string, ProvinceYears>();
  for (const code of config.sample.provinces) values.set(code, provinceSeries(code, rows, plan, config, options, filled, problems));
  problems.throwIfAny(file);

  const columns = new Set(plan.sampleColumns);
  if (plan.telegraph) columns.add('telegraph_1907');
  if (plan.capital) columns.add('capital_stock');
  if (plan.energy) columns.add('energy_total');
  const notes: string[] = [];
  if (plan.textColumns.length) notes.push(`non-numeric extra columns not carried into the panel: ${plan.textColumns.join(', ')}`);
  if (outside.size) notes.push(`rows for provinces outside the sample ignored: ${[...outside].sort().join(', ')}`);
  const warnings = [...outOfRange]
    .sort(([a], [b]) => a - b)
    .map(([year, lines]) => `${lines.length} row(s) of year ${year} ignored, outside the years used (${years.from}-${years.to}): lines ${formatLines(lines)}`);
  return {
    values,
    columns,
    absent: plan.absent,
    preSampleIndicators: preSample(rows, plan, config.sample.yearFrom - 1),
    rawColumns: plan.numericColumns.filter((c) => c !== 'capital_stock' && c !== 'energy_total'),
    filled,
    derivations: derivations(plan, config),
    notes,
    warnings,
  };
}
