import { formatCsv } from '../common/csv.ts';
import type { DmlEstimate } from './estimate.ts';
import { learnerLabel } from './learners/index.ts';

/** What a table shows in parentheses under each coefficient. */
export type TableStat = 't' | 'se';

/**
 * Regression tables in the study's layout: per treatment a coefficient row (with significance
 * stars) and a t (or standard error) row in parentheses, then N, learner, K and the specification rows. The same grid
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

/** The learners' labels, e.g. "RF", or "OLS/Logit" when the nuisance functions use different ones. */
function learnerCell(e: DmlEstimate): string {
  return [...new Set(Object.values(e.nuisances).map((n) => learnerLabel(n.learner)))].join('/');
}

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

export function tableGrid(columns: TableColumn[], stat: TableStat = 't'): TableGrid {
  const header = ['row', ...columns.map((c) => c.label)];
  const rows: string[][] = [];
  const row = (label: string, cell: (c: TableColumn) => string): void => {
    rows.push([label, ...columns.map(cell)]);
  };
  const treatments = [...new Set(columns.map((c) => c.estimate.d))];
  for (const d of treatments) {
    row(d, (c) => (c.estimate.d === d ? `${c.estimate.theta.toFixed(4)}${stars(c.estimate.p)}` : ''));
    row(`(${stat})`, (c) => (c.estimate.d !== d ? '' : stat === 't' ? `(${c.estimate.t.toFixed(2)})` : `(${c.estimate.se.toFixed(4)})`));
  }
  row('N', (c) => String(c.estimate.n_obs));
  row('Learner', (c) => learnerCell(c.estimate));
  row('K', (c) => String(c.estimate.folds));
  if (columns.some((c) => c.estimate.reps > 1)) row('Repetitions', (c) => String(c.estimate.reps));
  if (columns.some((c) => c.estimate.z)) {
    row('Instrument', (c) => c.estimate.z ?? 'No');
    row('First-stage F', (c) => (c.estimate.first_stage ? c.estimate.first_stage.f.toFixed(2) : ''));
  }
  if (columns.some((c) => c.estimate.model === 'irm'))
    row('Model', (c) => (c.estimate.model === 'irm' ? `IRM (${c.estimate.score})` : c.estimate.model.toUpperCase()));
  row('Controls', controlsCell);
  row('Province FE', (c) => (hasFe(c.fe, PROVINCE_FE) ? 'Yes' : 'No'));
  row('Year FE', (c) => (hasFe(c.fe, ['year']) ? 'Yes' : 'No'));
  const otherFe = [...new Set(columns.flatMap((c) => c.fe))].filter((f) => !PROVINCE_FE.includes(f) && f !== 'year');
  for (const fe of otherFe) row(`${fe} FE`, (c) => (c.fe.includes(fe) ? 'Yes' : 'No'));
  if (columns.some((c) => c.cluster)) row('Clustered by', (c) => c.cluster ?? 'No');
  if (columns.some((c) => c.sample)) row('Sample', (c) => c.sample ?? 'Full');
  return { header, rows };
}

export function tableNote(stat: TableStat = 't'): string {
  return (
    `${stat === 't' ? 't statistics' : 'Standard errors'} in parentheses; *** p<0.01, ** p<0.05, * p<0.1. ` +
    'Partially linear DML (partialling-out score; PLIV with an instrument; IRM for a binary treatment), cross-fitted over K folds.'
  );
}

export const TABLE_NOTE = tableNote('t');

/** Omitted-variable-bias bounds of each column (blank where the model has none: PLIV, clustered). */
export function sensitivityGrid(columns: TableColumn[]): TableGrid {
  const header = ['row', ...columns.map((c) => c.label)];
  const rows: string[][] = [];
  const num = (v: number): string => v.toFixed(4);
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
  const row = (label: string, cell: (s: NonNullable<DmlEstimate['sensitivity']>, e: DmlEstimate) => string): void => {
    rows.push([label, ...columns.map((c) => (c.estimate.sensitivity ? cell(c.estimate.sensitivity, c.estimate) : ''))]);
  };
  row('Estimate', (_, e) => `${num(e.theta)}${stars(e.p)}`);
  row('Scenario cf_y, cf_d, rho', (s) => `${s.cf_y}, ${s.cf_d}, ${s.rho}`);
  row('Bound lower', (s) => num(s.theta_lower));
  row('Bound upper', (s) => num(s.theta_upper));
  row('CI lower', (s) => num(s.ci_lower));
  row('CI upper', (s) => num(s.ci_upper));
  row('RV', (s) => pct(s.rv));
  row('RVa', (s) => pct(s.rva));
  row('N', (_, e) => String(e.n_obs));
  return { header, rows };
}

export const SENSITIVITY_NOTE =
  'Bounds on the coefficient and on its confidence interval (one-sided, level 0.95) if an unobserved ' +
  "confounder explained a share cf_y of the outcome's residual variance and cf_d of the treatment's (rho: its adversity). " +
  'RV: the equal strength cf_y = cf_d at which the bound reaches 0; RVa: the same for the confidence bound.';

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
  return s.replace(
    /[\\{}&%$#_^~]/g,
    (ch) =>
      ({
        '\\': '\\textbackslash{}',
        '{': '\\{',
        '}': '\\}',
        '&': '\\&',
        '%': '\\%',
        $: '\\$',
        '#': '\\#',
        _: '\\_',
        '^': '\\^{}',
        '~': '\\~{}',
      })[ch]!,
  );
}

/** A real minus sign for negative numbers, stars as superscripts. */
function latexCell(s: string): string {
  const m = /^(-?\d+\.\d+)(\*{1,3})$/.exec(s);
  const text = m ? `${m[1]}$^{${m[2]}}$` : latexEscape(s);
  return text.replace(/(^|[(\s])-(?=\d)/g, (_, before: string) => `${before}$-$`);
}

/** LaTeX numbers its tables: a "Table 4." prefix of the title is left to it. */
export function latexCaption(title: string): string {
  return title.replace(/^Table\s+\d+[.:]\s*/i, '');
}

export function tableLatex(title: string, id: string, grid: TableGrid, note: string): string {
  const k = grid.header.length - 1;
  const lines = [
    '% needs \\usepackage{booktabs}',
    '\\begin{table}[htbp]',
    '\\centering',
    `\\caption{${latexEscape(latexCaption(title))}}`,
    `\\label{tab:${id}}`,
    `\\begin{tabular}{l${'c'.repeat(k)}}`,
    '\\toprule',
    `${['', ...grid.header.slice(1)].map(latexEscape).join(' & ')} \\\\`,
    '\\midrule',
  ];
  const specStart = grid.rows.findIndex((r) => r[0] === 'N');
  grid.rows.forEach((r, i) => {
    if (i === specStart && i > 0) lines.push('\\midrule');
    lines.push(`${r.map((cell, j) => (j === 0 && (cell === '(t)' || cell === '(se)') ? '' : latexCell(cell))).join(' & ')} \\\\`);
  });
  lines.push('\\bottomrule', '\\end{tabular}', '', `\\par\\footnotesize ${latexEscape(note).replace(/</g, '$<$')}`, '\\end{table}', '');
  return lines.join('\n');
}
