import { formatCsv } from '../common/csv.ts';

export interface DescriptiveRow {
  variable: string;
  N: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** N, mean, sample standard deviation (n - 1), min and max of each variable, ignoring missing values. */
export function describe(records: readonly Record<string, unknown>[], variables: readonly string[]): DescriptiveRow[] {
  return variables.map((variable) => {
    const xs = records.map((r) => r[variable]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const n = xs.length;
    const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
    const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
    return { variable, N: n, mean, sd, min: n ? Math.min(...xs) : NaN, max: n ? Math.max(...xs) : NaN };
  });
}

export function descriptiveCsv(rows: readonly DescriptiveRow[]): string {
  return formatCsv(
    ['variable', 'N', 'mean', 'sd', 'min', 'max'],
    rows.map((r) => [r.variable, r.N, r.mean, r.sd, r.min, r.max]),
  );
}

/** Four significant digits, plain notation for ordinary magnitudes. */
function round(x: number): string {
  if (!Number.isFinite(x)) return '';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

export function descriptiveMarkdown(rows: readonly DescriptiveRow[], title: string): string {
  const lines = [`# ${title}`, '', '| Variable | N | Mean | SD | Min | Max |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.variable} | ${r.N} | ${round(r.mean)} | ${round(r.sd)} | ${round(r.min)} | ${round(r.max)} |`);
  return lines.join('\n') + '\n';
}
