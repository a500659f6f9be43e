import type { CsvTable } from '../common/csv.ts';
import { isMissingCell, readCell } from './cells.ts';
import { BASE_COLUMNS } from './columns.ts';
import type { PanelConfig } from './config.ts';

/**
 * Which yearbook columns a file offers and where capital stock and energy come from. A column is
 * present when the header has it and at least one cell holds a value; absent columns are not
 * errors: the variables that need them are left out of the panel (see derived.ts).
 */
export interface ColumnPlan {
  /** Columns filled over every sample year (present ones among the study's and the indicators). */
  sampleColumns: string[];
  indicators: string[];
  capital: 'capital_stock' | 'investment' | null;
  energy: 'energy_total' | 'fuels' | null;
  fuels: string[];
  telegraph: boolean;
  /** Numeric columns not filled over the sample, carried into panel.csv as they are. */
  carriedColumns: string[];
  /** Extra columns with text, left out. */
  textColumns: string[];
  /** Numeric columns read from each row (everything but province, year and text columns). */
  numericColumns: string[];
  /** For each column the panel could use but does not have: what is missing. */
  absent: Map<string, string>;
}

export function planColumns(table: CsvTable, config: PanelConfig): ColumnPlan {
  const header = new Set(table.header);
  const present = (col: string) => header.has(col) && table.records.some((r) => !isMissingCell(r.values[col] ?? ''));
  const absent = new Map<string, string>();
  const fuels = Object.keys(config.energy.coefficients);
  const capital = present('capital_stock') ? 'capital_stock' : present('investment') ? 'investment' : null;
  if (!capital) absent.set('capital_stock', 'capital_stock (or investment)');
  const missingFuels = fuels.filter((f) => !present(f));
  const energy = present('energy_total') ? 'energy_total' : missingFuels.length === 0 ? 'fuels' : null;
  if (!energy) absent.set('energy_total', `energy_total (or all fuels; missing ${missingFuels.join(', ')})`);

  const wanted = new Set<string>(BASE_COLUMNS.map((c) => c.name).filter((c) => c !== 'telegraph_1907'));
  for (const c of [...config.tfee.inputs, ...config.tfee.good, ...config.tfee.bad]) {
    if (c !== 'capital_stock' && c !== 'energy_total') wanted.add(c);
  }
  const indicators = config.dcp.indicators.map((i) => i.column);
  for (const c of [...wanted, ...indicators, 'telegraph_1907']) if (!present(c)) absent.set(c, c);
  const sampleColumns = [...wanted, ...indicators].filter((c) => present(c));
  if (capital === 'capital_stock') sampleColumns.push('capital_stock');
  if (energy === 'energy_total') sampleColumns.push('energy_total');
  if (energy === 'fuels') sampleColumns.push(...fuels);

  const known = new Set([...wanted, ...indicators, 'telegraph_1907', 'investment', 'capital_stock', 'energy_total', ...fuels]);
  const extras = table.header.filter((h) => h !== 'province' && h !== 'year' && !known.has(h));
  const textColumns = extras.filter((h) => table.records.some((r) => readCell(r.values[h] ?? '').kind === 'bad'));
  const numericColumns = table.header.filter((h) => h !== 'province' && h !== 'year' && !textColumns.includes(h));
  return {
    sampleColumns: [...new Set(sampleColumns)],
    indicators,
    capital,
    energy,
    fuels,
    telegraph: present('telegraph_1907'),
    carriedColumns: numericColumns.filter((c) => !sampleColumns.includes(c) && c !== 'telegraph_1907' && c !== 'investment'),
    textColumns,
    numericColumns,
    absent,
  };
}
