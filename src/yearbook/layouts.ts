import { CgerError } from '../common/errors.ts';
import { didYouMean, findProvince } from '../common/provinces.ts';
import { readCell } from '../panel/cells.ts';
import { Problems } from '../panel/problems.ts';
import { mapIndicator, type UserMap } from './indicators.ts';
import { convert } from './units.ts';

/** A sheet as rows of trimmed cell texts; `line` is the 1-based line (CSV) or row (Excel). */
export interface Grid {
  source: string;
  rows: { line: number; cells: string[] }[];
}

/** One value for the yearbook: province code, year, column, and where it came from. */
export interface Observation {
  code: string;
  year: number;
  column: string;
  value: number;
  source: string;
  line: number;
}

export type Layout = 'by-indicator' | 'by-region' | 'long';

const norm = (s: string) => s.normalize('NFKC').trim();
/** "数据库：分省年度数据" -> ["数据库", "分省年度数据"]; null when the cell is not a "key：value" header line. */
function headerLine(cell: string): [string, string] | null {
  const m = /^([^:]{1,8}):(.*)$/.exec(norm(cell));
  return m ? [m[1].trim(), m[2].trim()] : null;
}
const yearOf = (cell: string): number | null => {
  const m = /^(\d{4})\s*年?$/.exec(norm(cell));
  return m ? Number(m[1]) : null;
};
const isFooter = (first: string) => /^(注|数据来源|资料来源)/.test(norm(first));

function cellValue(text: string, factor: number, what: string, line: number, problems: Problems): number | null {
  const c = readCell(text);
  if (c.kind === 'bad') {
    problems.add(`${what}: ${JSON.stringify(text)} is not a number`, line);
    return null;
  }
  return c.kind === 'number' ? convert(c.value, factor) : null;
}

function province(name: string, line: number, problems: Problems): string | null {
  const p = findProvince(name);
  if (!p) problems.add(`unknown province ${JSON.stringify(name)}${didYouMean(name)}`, line);
  return p?.code ?? null;
}

/**
 * Reads a portal export or a long table: finds the header lines (数据库：, 指标：, 地区：, 时间：),
 * the table's header row (地区 or 指标 followed by years), the data rows and the footer.
 */
export function readGrid(grid: Grid, user: UserMap): { layout: Layout; observations: Observation[] } {
  const meta = new Map<string, string>();
  const problems = new Problems();
  const observations: Observation[] = [];
  const headerIndex = grid.rows.findIndex((r) => {
    const first = norm(r.cells[0] ?? '');
    if (first === 'province' && r.cells.map(norm).includes('year')) return true;
    return (first === '地区' || first === '指标') && r.cells.slice(1).some((c) => yearOf(c) !== null);
  });
  if (headerIndex < 0) {
    throw new CgerError(
      `${grid.source}: not a statistics-portal export (no "地区,2023年,..." or "指标,2023年,..." row) nor a long table (province, year, columns)`,
    );
  }
  for (const r of grid.rows.slice(0, headerIndex)) {
    const kv = headerLine(r.cells[0] ?? '');
    if (kv) meta.set(kv[0], kv[1]);
  }
  const header = grid.rows[headerIndex].cells.map(norm);
  const body = grid.rows.slice(headerIndex + 1);
  const end = body.findIndex((r) => isFooter(r.cells[0] ?? '') || r.cells.every((c) => norm(c) === ''));
  const data = end < 0 ? body : body.slice(0, end);
  const add = (code: string | null, year: number, column: string, text: string, factor: number, line: number, what: string) => {
    const v = cellValue(text, factor, what, line, problems);
    if (code && v !== null) observations.push({ code, year, column, value: v, source: grid.source, line });
  };

  let layout: Layout;
  if (header[0] === 'province') {
    layout = 'long';
    const yearCol = header.indexOf('year');
    const columns = header.map((h, j) => ({ h, j })).filter(({ h, j }) => j !== 0 && j !== yearCol && h !== '' && h !== 'source');
    for (const r of data) {
      const code = province(r.cells[0] ?? '', r.line, problems);
      const year = yearOf(r.cells[yearCol] ?? '');
      if (year === null) {
        problems.add(`column year: ${JSON.stringify(r.cells[yearCol] ?? '')} is not a year`, r.line);
        continue;
      }
      for (const { h, j } of columns) {
        const own = user.get(h);
        add(code, year, own?.column ?? h, r.cells[j] ?? '', own?.factor ?? 1, r.line, `column ${h}`);
      }
    }
  } else {
    const years = header.map(yearOf);
    if (header[0] === '地区') {
      layout = 'by-indicator';
      const label = meta.get('指标');
      if (!label) throw new CgerError(`${grid.source}: by-indicator export without a "指标：<name>(<unit>)" line above the table`);
      const m = mapIndicator(label, user, grid.source);
      for (const r of data) {
        const code = province(r.cells[0] ?? '', r.line, problems);
        years.forEach((y, j) => {
          if (y !== null) add(code, y, m.column, r.cells[j] ?? '', m.factor, r.line, `${y}`);
        });
      }
    } else {
      layout = 'by-region';
      const region = meta.get('地区');
      if (!region) throw new CgerError(`${grid.source}: by-region export without a "地区：<province>" line above the table`);
      const code = province(region, 1, problems);
      for (const r of data) {
        const m = mapIndicator(r.cells[0] ?? '', user, `${grid.source} line ${r.line}`);
        years.forEach((y, j) => {
          if (y !== null) add(code, y, m.column, r.cells[j] ?? '', m.factor, r.line, `${y}`);
        });
      }
    }
  }
  problems.throwIfAny(grid.source, 'problem(s)');
  return { layout, observations };
}
