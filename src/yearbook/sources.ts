import { extname } from 'node:path';
import { readSheet } from 'read-excel-file/node';
import { parseCsvLines, readTextFile } from '../common/csv.ts';
import type { TextEncoding } from '../common/encoding.ts';
import { CgerError, errorMessage } from '../common/errors.ts';
import type { Grid } from './layouts.ts';

/** A cell of a spreadsheet as text: numbers at full precision, dates as ISO days. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).trim();
}

/** The first sheet of an .xlsx workbook as a grid (rows numbered as Excel numbers them). */
async function readXlsx(path: string): Promise<Grid> {
  let data: unknown[][];
  try {
    data = (await readSheet(path)) as unknown[][];
  } catch (err) {
    throw new CgerError(`cannot read Excel file ${path}: ${errorMessage(err)}`);
  }
  return { source: path, rows: data.map((row, i) => ({ line: i + 1, cells: row.map(cellText) })) };
}

/** Reads a CSV (any encoding of common/encoding.ts) or an .xlsx file as a grid of cell texts. */
export async function readGridFile(path: string, encoding?: TextEncoding): Promise<Grid & { encoding: TextEncoding | 'xlsx' }> {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx') return { ...(await readXlsx(path)), encoding: 'xlsx' };
  if (ext === '.xls') {
    throw new CgerError(
      `${path}: the old Excel .xls format is not read (no maintained reader for it); open it in Excel or LibreOffice and save as .xlsx or CSV`,
    );
  }
  const { text, encoding: used } = readTextFile(path, 'file', encoding);
  const rows = parseCsvLines(text).map((r) => ({ line: r.line, cells: r.cells.map((c) => c.trim()) }));
  return { source: path, rows, encoding: used };
}
