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

const QUOTE = 0x22,
  COMMA = 0x2c,
  LF = 0x0a,
  CR = 0x0d;

/** Index of the first `,`, `"`, CR or LF at or after `from` (text.length when none). */
function nextSpecial(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === QUOTE || c === LF || c === CR) return i;
  }
  return text.length;
}

/**
 * Parses CSV text into records with their line numbers (quoted fields, embedded commas/newlines, BOM); blank lines are skipped.
 * Fields are cut out of the text with slice: a field grown a character at a time is a rope of
 * one-character strings, many times the size of its text. A quote opens a quoted stretch wherever
 * it appears in a field; `""` inside one is a literal quote.
 */
export function parseCsvLines(text: string): CsvLine[] {
  const n = text.length;
  const rows: CsvLine[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let field = '';
      for (;;) {
        const k = nextSpecial(text, i);
        field += text.slice(i, k);
        i = k;
        if (i >= n || text.charCodeAt(i) !== QUOTE) break;
        // A quoted stretch, up to its closing quote (or the end of the text).
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          const end = q < 0 ? n : q;
          for (let c = text.indexOf('\n', j); c >= 0 && c < end; c = text.indexOf('\n', c + 1)) line++;
          field += text.slice(j, end);
          if (q < 0) {
            j = n;
            break;
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        i = j;
      }
      cells.push(field);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      i++;
      if (c === COMMA) continue;
      if (c === CR && text.charCodeAt(i) === LF) i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: start, cells });
  }
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
  // Every record starts as a copy of one object that already has all the columns: V8 keeps such
  // objects compact, while adding 20-odd properties by computed name turns each into a hash table.
  const template: Record<string, string> = Object.fromEntries(header.map((h) => [h, '']));
  const records = rows.slice(1).map((r) => {
    const values = { ...template };
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
