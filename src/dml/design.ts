import { type CsvTable, readCsvFile } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import type { Features } from './learners/types.ts';
import { compileWhere } from './where.ts';

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
  /** Drop rows with a missing value in any column used (listwise deletion) instead of failing. */
  dropMissing?: boolean;
}

/** A control left out of the design, as Stata notes "omitted because of collinearity". */
export interface OmittedControl {
  name: string;
  reason: 'constant' | 'collinear';
}

export interface Design {
  n: number;
  /** Column names of outcome, treatment and instrument. */
  names: { y: string; d: string; z?: string };
  y: Float64Array;
  d: Float64Array;
  z?: Float64Array;
  /** Controls as the learners see them (after winsorising, squares, dummies). */
  x: Features;
  controlNames: string[];
  /** Controls dropped because they are constant or a linear combination of earlier ones. */
  omitted: OmittedControl[];
  /** Rows of the (--where) sample dropped for missing values with dropMissing. */
  droppedMissing: number;
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

/** Cells that count as missing: empty or NA. */
const isMissing = (text: string | undefined): boolean => text === undefined || text === '' || text === 'NA';

interface ColumnProblem {
  column: string;
  role: string;
  missing: number[];
  bad: { line: number; text: string }[];
}

/** Every missing or non-numeric cell of the used columns, column by column. */
function columnProblems(data: PanelData, rows: number[], columns: { column: string; role: string; numeric: boolean }[]): ColumnProblem[] {
  const out: ColumnProblem[] = [];
  for (const { column, role, numeric } of columns) {
    const p: ColumnProblem = { column, role, missing: [], bad: [] };
    for (const r of rows) {
      const text = data.records[r].values[column];
      if (isMissing(text)) p.missing.push(data.records[r].line);
      else if (numeric && !Number.isFinite(Number(text))) p.bad.push({ line: data.records[r].line, text });
    }
    if (p.missing.length + p.bad.length > 0) out.push(p);
  }
  return out;
}

function describeProblems(source: string, problems: ColumnProblem[], offerDrop: boolean): string {
  const parts = problems.map((p) => {
    const what: string[] = [];
    if (p.missing.length) what.push(`${p.missing.length} missing (line${p.missing.length > 1 ? 's' : ''} ${listLines(p.missing)})`);
    if (p.bad.length) what.push(`${p.bad.length} non-numeric ('${p.bad[0].text}' at line ${listLines(p.bad.map((b) => b.line))})`);
    return `  ${p.role} '${p.column}': ${what.join(', ')}`;
  });
  const anyMissing = problems.some((p) => p.missing.length > 0);
  return (
    `${problems.length} column${problems.length > 1 ? 's have' : ' has'} missing or non-numeric values in ${source}:\n${parts.join('\n')}` +
    (offerDrop && anyMissing ? '\n(--drop-missing drops the rows with missing values)' : '')
  );
}

const numericColumn = (data: PanelData, rows: number[], column: string): Float64Array => Float64Array.from(rows, (r) => Number(data.records[r].values[column]));

const textColumn = (data: PanelData, rows: number[], column: string): string[] => rows.map((r) => data.records[r].values[column]);

/**
 * Drops constant controls and controls that are linear combinations of the intercept and earlier
 * controls (Gram-Schmidt on centred columns, in order), as regression software notes "omitted".
 */
function omitDegenerate(cols: Float64Array[], names: string[], n: number): { cols: Float64Array[]; names: string[]; omitted: OmittedControl[] } {
  const basis: Float64Array[] = [];
  const keep: number[] = [];
  const omitted: OmittedControl[] = [];
  cols.forEach((col, j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[i];
    mean /= n;
    const r = Float64Array.from(col, (v) => v - mean);
    let norm0 = 0;
    for (let i = 0; i < n; i++) norm0 += r[i] * r[i];
    const scale = Math.max(...col.map(Math.abs));
    if (!(norm0 > n * (1e-12 * Math.max(scale, 1e-300)) ** 2)) {
      omitted.push({ name: names[j], reason: 'constant' });
      return;
    }
    for (const q of basis) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i] * r[i];
      for (let i = 0; i < n; i++) r[i] -= dot * q[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += r[i] * r[i];
    if (norm <= 1e-10 * norm0) {
      omitted.push({ name: names[j], reason: 'collinear' });
      return;
    }
    const inv = 1 / Math.sqrt(norm);
    basis.push(r.map((v) => v * inv));
    keep.push(j);
  });
  return { cols: keep.map((j) => cols[j]), names: keep.map((j) => names[j]), omitted };
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function winsorize(values: Float64Array, share: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const lo = quantile(sorted, share),
    hi = quantile(sorted, 1 - share);
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
  const roles = [spec.y, spec.d, ...(spec.z ? [spec.z] : []), ...spec.x];
  const dup = roles.find((c, i) => roles.indexOf(c) !== i);
  if (dup) throw new CgerError(`column '${dup}' is used twice among outcome, treatment, instrument and controls`);
  const share = spec.winsorize ?? 0;
  if (!(share >= 0 && share < 0.5)) throw new CgerError(`--winsorize ${share} must be in [0, 0.5)`);

  let rows = data.records.map((_, i) => i);
  if (spec.where) {
    const keep = compileWhere(spec.where, data.header);
    rows = rows.filter((r) => keep(data.records[r].values));
    if (rows.length === 0) throw new CgerError(`--where '${spec.where}' selects no rows of ${data.source}`);
  }
  const used = [
    { column: spec.y, role: 'outcome', numeric: true },
    { column: spec.d, role: 'treatment', numeric: true },
    ...(spec.z ? [{ column: spec.z, role: 'instrument', numeric: true }] : []),
    ...spec.x.map((column) => ({ column, role: 'control', numeric: true })),
    ...(spec.fe ?? []).map((column) => ({ column, role: 'fixed effect', numeric: false })),
    ...(spec.cluster ? [{ column: spec.cluster, role: 'cluster', numeric: false }] : []),
  ];
  let problems = columnProblems(data, rows, used);
  let droppedMissing = 0;
  if (problems.length > 0 && spec.dropMissing) {
    const drop = new Set(problems.flatMap((p) => p.missing));
    const kept = rows.filter((r) => !drop.has(data.records[r].line));
    droppedMissing = rows.length - kept.length;
    rows = kept;
    if (rows.length === 0)
      throw new CgerError(`every row of ${data.source}${spec.where ? ` selected by --where '${spec.where}'` : ''} has a missing value in a column used`);
    problems = columnProblems(data, rows, used);
  }
  if (problems.length > 0) throw new CgerError(describeProblems(data.source, problems, !spec.dropMissing));
  const n = rows.length;
  const y = numericColumn(data, rows, spec.y);
  const d = numericColumn(data, rows, spec.d);
  const z = spec.z ? numericColumn(data, rows, spec.z) : undefined;
  if (d.every((v) => v === d[0]))
    throw new CgerError(`treatment '${spec.d}' is constant (${d[0]}) in the ${n} observations used; its effect cannot be estimated`);
  if (z?.every((v) => v === z[0])) throw new CgerError(`instrument '${spec.z}' is constant (${z[0]}) in the ${n} observations used`);

  const cols: Float64Array[] = [];
  const controlNames: string[] = [];
  for (const x of spec.x) {
    const raw = numericColumn(data, rows, x);
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
    const values = textColumn(data, rows, fe);
    for (const category of sortedCategories(values).slice(1)) {
      cols.push(Float64Array.from(values, (v) => (v === category ? 1 : 0)));
      controlNames.push(`${fe}=${category}`);
    }
  }
  const kept = omitDegenerate(cols, controlNames, n);
  const design: Design = {
    n,
    names: { y: spec.y, d: spec.d, z: spec.z },
    y,
    d,
    z,
    x: { n, cols: kept.cols },
    controlNames: kept.names,
    omitted: kept.omitted,
    droppedMissing,
    rows,
    lines: rows.map((r) => data.records[r].line),
  };
  if (spec.cluster) {
    const values = textColumn(data, rows, spec.cluster);
    const names = sortedCategories(values);
    const index = new Map(names.map((name, i) => [name, i]));
    design.cluster = Int32Array.from(values, (v) => index.get(v)!);
    design.clusterNames = names;
  }
  return design;
}
