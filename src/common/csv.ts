import { readFileSync } from 'node:fs';
import { decodeText, type TextEncoding } from './encoding.ts';
import { CgerError } from './errors.ts';

/**
 * Minimal RFC 4180 CSV: written as UTF-8 with a header row, `.` decimals, full-precision numbers;
 * read in any encoding of ./encoding.ts.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** Formats one value: numbers at full (shortest round-trip) precision, empty for null/NaN. */
export function formatCsvValue(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header.map(formatCsvValue).join(',')];
  for (const row of rows) lines.push(row.map(formatCsvValue).join(','));
  return lines.join('\n') + '\n';
}

/** Formats records, taking columns in `header` order. */
export function formatCsvRecords(header: readonly string[], records: readonly Record<string, CsvValue>[]): string {
  return formatCsv(
    header,
    records.map((r) => header.map((h) => r[h])),
  );
}

/** One CSV record and the 1-based line it starts on. */
export interface CsvLine {
  line: number;
  cells: string[];
}

/** Parses CSV text into records with their line numbers (quoted fields, embedded commas/newlines, BOM); blank lines are skipped. */
export function parseCsvLines(text: string): CsvLine[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: CsvLine[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1,
    start = 1;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) rows.push({ line: start, cells: row });
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      start = ++line;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Parses CSV text into rows of strings. */
export function parseCsvRows(text: string): string[][] {
  return parseCsvLines(text).map((r) => r.cells);
}

export interface CsvTable {
  header: string[];
  /** Records keyed by header name; `line` is the 1-based line number in the file (header = 1). */
  records: { line: number; values: Record<string, string> }[];
}

/** Parses CSV text with a header row into records. */
export function parseCsv(text: string): CsvTable {
  const rows = parseCsvLines(text);
  const header = (rows[0]?.cells ?? []).map((h) => h.trim());
  const records = rows.slice(1).map((r) => {
    const values: Record<string, string> = {};
    header.forEach((h, j) => {
      values[h] = (r.cells[j] ?? '').trim();
    });
    return { line: r.line, values };
  });
  return { header, records };
}

/** A CSV file as read from disk: the table, its path and the encoding it was decoded with. */
export interface CsvFile extends CsvTable {
  source: string;
  encoding: TextEncoding;
  /** The file's bytes, for provenance hashes. */
  bytes: Buffer;
}

/** Reads a text file in the given or the detected encoding; `what` names it in the error. */
export function readTextFile(path: string, what: string, encoding?: TextEncoding): { text: string; encoding: TextEncoding; bytes: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CgerError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { ...decodeText(bytes, encoding), bytes };
}

/** The one reader of CSV inputs (yearbook, CO2, dml data): encoding detection, then parseCsv. */
export function readCsvFile(path: string, what: string, encoding?: TextEncoding): CsvFile {
  const { text, encoding: used, bytes } = readTextFile(path, what, encoding);
  return { ...parseCsv(text), source: path, encoding: used, bytes };
}
