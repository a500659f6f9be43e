import { formatCsv } from '../common/csv.ts';
import type { DmlEstimate } from './estimate.ts';

/**
 * Regression tables in the study's layout: per treatment a coefficient row (with significance
 * stars) and a t row in parentheses, then N, learner, K and the specification rows. The same grid
 * is written as CSV (first column `row`, one column per model), Markdown and LaTeX.
 */
export interface TableColumn {
  label: string;
  estimate: DmlEstimate;
  fe: string[];
  winsorize: number;
  squares: boolean;
  cluster: string | null;
  /** Human label of the subsample, or null for the full sample. */
  sample: string | null;
}

export interface TableGrid {
  header: string[];
  rows: string[][];
}

const LEARNER_LABELS: Record<string, string> = { rf: 'RF', gbm: 'GBM', svr: 'SVR', lasso: 'Lasso', ols: 'OLS' };

export function stars(p: number): string {
  return p < 0.01 ? '***' : p < 0.05 ? '**' : p < 0.1 ? '*' : '';
}

function controlsCell(col: TableColumn): string {
  if (col.estimate.controls.length === 0) return 'No';
  const notes = [];
  if (col.winsorize > 0) notes.push(`winsorised ${+(col.winsorize * 100).toFixed(4)}%`);
  if (col.squares) notes.push('with squares');
  return notes.length ? `Yes (${notes.join(', ')})` : 'Yes';
}

const hasFe = (fe: string[], names: string[]): boolean => fe.some((f) => names.includes(f));
const PROVINCE_FE = ['province', 'province_code'];

export function tableGrid(columns: TableColumn[]): TableGrid {
  const header = ['row', ...columns.map((c) => c.label)];
  const rows: string[][] = [];
  const row = (label: string, cell: (c: TableColumn) => string): void => { rows.push([label, ...columns.map(cell)]); };
  const treatments = [...new Set(columns.map((c) => c.estimate.d))];
  for (const d of treatments) {
    row(d, (c) => (c.estimate.d === d ? `${c.estimate.theta.toFixed(4)}${stars(c.estimate.p)}` : ''));
    row('(t)', (c) => (c.estimate.d === d ? `(${c.estimate.t.toFixed(2)})` : ''));
  }
  row('N', (c) => String(c.estimate.n_obs));
  row('Learner', (c) => LEARNER_LABELS[c.estimate.learner]);
  row('K', (c) => String(c.estimate.folds));
  if (columns.some((c) => c.estimate.reps > 1)) row('Repetitions', (c) => String(c.estimate.reps));
  if (columns.some((c) => c.estimate.z)) row('Instrument', (c) => c.estimate.z ?? 'No');
  row('Controls', controlsCell);
  row('Province FE', (c) => (hasFe(c.fe, PROVINCE_FE) ? 'Yes' : 'No'));
  row('Year FE', (c) => (hasFe(c.fe, ['year']) ? 'Yes' : 'No'));
  const otherFe = [...new Set(columns.flatMap((c) => c.fe))].filter((f) => !PROVINCE_FE.includes(f) && f !== 'year');
  for (const fe of otherFe) row(`${fe} FE`, (c) => (c.fe.includes(fe) ? 'Yes' : 'No'));
  if (columns.some((c) => c.cluster)) row('Clustered by', (c) => c.cluster ?? 'No');
  if (columns.some((c) => c.sample)) row('Sample', (c) => c.sample ?? 'Full');
  return { header, rows };
}

export const TABLE_NOTE = 't statistics in parentheses; *** p<0.01, ** p<0.05, * p<0.1. '
  + 'Partially linear DML (partialling-out score; PLIV with an instrument), cross-fitted over K folds.';

export function tableCsv(grid: TableGrid): string {
  return formatCsv(grid.header, grid.rows);
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|');

export function tableMarkdown(title: string, grid: TableGrid, note: string): string {
  const lines = [`**${title}**`, ''];
  const header = ['', ...grid.header.slice(1)];
  lines.push(`| ${header.map(mdCell).join(' | ')} |`);
  lines.push(`|${header.map((_, i) => (i === 0 ? ':---' : ':---:')).join('|')}|`);
  for (const r of grid.rows) lines.push(`| ${r.map(mdCell).join(' | ')} |`);
  lines.push('', note, '');
  return lines.join('\n');
}

export function latexEscape(s: string): string {
  return s.replace(/[\\{}&%$#_^~]/g, (ch) => ({
    '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', '&': '\\&', '%': '\\%', '$': '\\$', '#': '\\#',
    '_': '\\_', '^': '\\^{}', '~': '\\~{}',
  })[ch]!);
}

function latexCell(s: string): string {
  const m = /^(-?\d+\.\d+)(\*{1,3})$/.exec(s);
  return m ? `${m[1]}$^{${m[2]}}$` : latexEscape(s);
}

export function tableLatex(title: string, id: string, grid: TableGrid, note: string): string {
  const k = grid.header.length - 1;
  const lines = [
    '\\begin{table}[htbp]',
    '\\centering',
    `\\caption{${latexEscape(title)}}`,
    `\\label{tab:${id}}`,
    `\\begin{tabular}{l${'c'.repeat(k)}}`,
    '\\hline',
    `${['', ...grid.header.slice(1)].map(latexEscape).join(' & ')} \\\\`,
    '\\hline',
  ];
  const specStart = grid.rows.findIndex((r) => r[0] === 'N');
  grid.rows.forEach((r, i) => {
    if (i === specStart) lines.push('\\hline');
    lines.push(`${r.map((cell, j) => (j === 0 && cell === '(t)' ? '' : latexCell(cell))).join(' & ')} \\\\`);
  });
  lines.push('\\hline', '\\end{tabular}', '', `\\par\\footnotesize ${latexEscape(note).replace(/</g, '$<$')}`, '\\end{table}', '');
  return lines.join('\n');
}
