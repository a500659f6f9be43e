import { CgerError } from '../common/errors.ts';
import { readCsvFile, type CsvTable } from '../common/csv.ts';
import { compileWhere } from './where.ts';
import type { Features } from './learners/types.ts';

/** A data set as read from CSV; `source` names it in error messages. */
export interface PanelData extends CsvTable {
  source: string;
}

export function loadPanel(path: string): PanelData {
  const { header, records, source } = readCsvFile(path, 'data file');
  if (header.length === 0 || records.length === 0) throw new CgerError(`${path} has no data rows`);
  return { header, records, source };
}

/** What goes into one estimation sample (the variables, not the learner or the folds). */
export interface DesignSpec {
  y: string;
  d: string;
  x: string[];
  z?: string;
  /** Columns whose categories enter as dummy controls (first category dropped). */
  fe?: string[];
  /** Winsorise each control at this share in both tails (0 = off). */
  winsorize?: number;
  /** Add the square of each control. */
  squares?: boolean;
  where?: string;
  cluster?: string;
}

export interface Design {
  n: number;
  y: Float64Array;
  d: Float64Array;
  z?: Float64Array;
  /** Controls as the learners see them (after winsorising, squares, dummies). */
  x: Features;
  controlNames: string[];
  /** Row index (0-based, in data order) of each observation of the sample. */
  rows: number[];
  /** 1-based file line of each observation, for messages. */
  lines: number[];
  /** Cluster index per observation and the cluster names, when clustered. */
  cluster?: Int32Array;
  clusterNames?: string[];
}

function requireColumn(data: PanelData, column: string, role: string): void {
  if (!data.header.includes(column)) {
    throw new CgerError(`${role} column '${column}' is not in ${data.source} (columns: ${data.header.join(', ')})`);
  }
}

function listLines(lines: number[]): string {
  return lines.length <= 5 ? lines.join(', ') : `${lines.slice(0, 5).join(', ')} and ${lines.length - 5} more`;
}

function numericColumn(data: PanelData, rows: number[], column: string, role: string): Float64Array {
  const out = new Float64Array(rows.length);
  const bad: number[] = [];
  rows.forEach((r, i) => {
    const text = data.records[r].values[column];
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) bad.push(data.records[r].line);
    out[i] = v;
  });
  if (bad.length > 0) {
    throw new CgerError(`${role} column '${column}' has missing or non-numeric values in ${data.source} at line(s) ${listLines(bad)}`);
  }
  return out;
}

function textColumn(data: PanelData, rows: number[], column: string, role: string): string[] {
  const out = rows.map((r) => data.records[r].values[column]);
  const bad = rows.filter((_, i) => out[i] === '').map((r) => data.records[r].line);
  if (bad.length > 0) throw new CgerError(`${role} column '${column}' has missing values in ${data.source} at line(s) ${listLines(bad)}`);
  return out;
}

/** Quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function winsorize(values: Float64Array, share: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const lo = quantile(sorted, share), hi = quantile(sorted, 1 - share);
  return values.map((v) => Math.min(hi, Math.max(lo, v)));
}

/** Categories in a stable order: numerically when all are numbers, else as text. */
function sortedCategories(values: string[]): string[] {
  const unique = [...new Set(values)];
  const numeric = unique.every((v) => Number.isFinite(Number(v)));
  return unique.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Selects the sample, checks it, and builds the outcome, treatment, instrument and controls. */
export function buildDesign(data: PanelData, spec: DesignSpec): Design {
  requireColumn(data, spec.y, 'outcome (--y)');
  requireColumn(data, spec.d, 'treatment (--d)');
  if (spec.z) requireColumn(data, spec.z, 'instrument (--z)');
  for (const x of spec.x) requireColumn(data, x, 'control (--x)');
  for (const fe of spec.fe ?? []) requireColumn(data, fe, 'fixed effect (--fe)');
  if (spec.cluster) requireColumn(data, spec.cluster, 'cluster (--cluster)');
  const used = [spec.y, spec.d, ...(spec.z ? [spec.z] : []), ...spec.x];
  const dup = used.find((c, i) => used.indexOf(c) !== i);
  if (dup) throw new CgerError(`column '${dup}' is used twice among outcome, treatment, instrument and controls`);
  const share = spec.winsorize ?? 0;
  if (!(share >= 0 && share < 0.5)) throw new CgerError(`--winsorize ${share} must be in [0, 0.5)`);

  let rows = data.records.map((_, i) => i);
  if (spec.where) {
    const keep = compileWhere(spec.where, data.header);
    rows = rows.filter((r) => keep(data.records[r].values));
    if (rows.length === 0) throw new CgerError(`--where '${spec.where}' selects no rows of ${data.source}`);
  }
  const n = rows.length;
  const y = numericColumn(data, rows, spec.y, 'outcome');
  const d = numericColumn(data, rows, spec.d, 'treatment');
  const z = spec.z ? numericColumn(data, rows, spec.z, 'instrument') : undefined;
  if (d.every((v) => v === d[0])) throw new CgerError(`treatment '${spec.d}' is constant (${d[0]}) in the ${n} observations used; its effect cannot be estimated`);
  if (z && z.every((v) => v === z[0])) throw new CgerError(`instrument '${spec.z}' is constant (${z[0]}) in the ${n} observations used`);

  const cols: Float64Array[] = [];
  const controlNames: string[] = [];
  for (const x of spec.x) {
    const raw = numericColumn(data, rows, x, 'control');
    cols.push(share > 0 ? winsorize(raw, share) : raw);
    controlNames.push(x);
  }
  if (spec.squares) {
    for (let j = 0, p = cols.length; j < p; j++) {
      cols.push(cols[j].map((v) => v * v));
      controlNames.push(`${controlNames[j]}^2`);
    }
  }
  for (const fe of spec.fe ?? []) {
    const values = textColumn(data, rows, fe, 'fixed effect');
    for (const category of sortedCategories(values).slice(1)) {
      cols.push(Float64Array.from(values, (v) => (v === category ? 1 : 0)));
      controlNames.push(`${fe}=${category}`);
    }
  }
  const design: Design = {
    n, y, d, z, x: { n, cols }, controlNames, rows, lines: rows.map((r) => data.records[r].line),
  };
  if (spec.cluster) {
    const values = textColumn(data, rows, spec.cluster, 'cluster');
    const names = sortedCategories(values);
    const index = new Map(names.map((name, i) => [name, i]));
    design.cluster = Int32Array.from(values, (v) => index.get(v)!);
    design.clusterNames = names;
  }
  return design;
}
