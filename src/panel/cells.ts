/**
 * How a yearbook cell is read as a number. Rules, in order:
 * 1. NFKC folds full-width digits, signs, commas and points (１２，３４５．６ -> 12,345.6);
 *    surrounding spaces are dropped.
 * 2. Missing markers give no value: empty, NA, N/A, NaN, -, --, …, ..., null, and the statistics
 *    portal's 空, 无 and —.
 * 3. Thousands separators are accepted only in groups of three after 1-3 leading digits
 *    (11,788.26 and 1,234,567); any other comma is an error (a decimal comma is ambiguous).
 * 4. What remains must be a plain decimal number (optional sign, optional exponent).
 */
export type CellValue = { kind: 'number'; value: number } | { kind: 'missing' } | { kind: 'bad' };

const MISSING = new Set(['', 'na', 'n/a', 'nan', '-', '--', '…', '...', '……', 'null', '空', '无', '—', '——']);
const PLAIN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const THOUSANDS = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;

export function isMissingCell(text: string): boolean {
  return MISSING.has(text.normalize('NFKC').trim().toLowerCase());
}

export function readCell(text: string): CellValue {
  const t = text.normalize('NFKC').trim();
  if (MISSING.has(t.toLowerCase())) return { kind: 'missing' };
  const plain = THOUSANDS.test(t) ? t.replace(/,/g, '') : t;
  if (!PLAIN.test(plain)) return { kind: 'bad' };
  const value = Number(plain);
  return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'bad' };
}
