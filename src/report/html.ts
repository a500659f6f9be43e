import type { CsvTable } from '../common/csv.ts';
import type { Provenance, TableFile } from './inputs.ts';
import { esc, formatNumber } from './svg.ts';

/** One titled section of the report; `body` is trusted HTML built by this module's helpers. */
export interface Section {
  id: string;
  title: string;
  body: string;
}

const CSS = `
body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:1180px;margin:0 auto;padding:16px 24px 48px;line-height:1.4}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:36px}
h3{font-size:15px;margin:18px 0 6px}.lead{color:#555;margin:0 0 12px}
nav ol{columns:2;font-size:14px}nav a{color:#08519c}
table{border-collapse:collapse;font-size:13px;margin:8px 0 4px}
th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #444;background:#f4f4f4}
.note{font-size:12px;color:#555;max-width:900px}.scroll{overflow-x:auto}
.maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:18px}
.maps svg,.chart svg{max-width:100%;height:auto;border:1px solid #e4e4e4}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;font-size:14px}dl.kv dt{font-weight:bold}dl.kv dd{margin:0;word-break:break-all}
.headline{background:#f2f7fc;border:1px solid #c6dbef;padding:10px 14px;margin:12px 0}
.ok{color:#006d2c}.bad{color:#a50f15;font-weight:bold}code{font-size:12px}
`;

export function renderPage(title: string, lead: string, sections: Section[]): string {
  const nav = `<nav><ol>${sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join('')}</ol></nav>`;
  const body = sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.body}\n</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="lead">${lead}</p>
${nav}
${body}
</body>
</html>
`;
}

/** Key-value list. Values are escaped. */
export function keyValues(rows: Array<[string, string]>): string {
  return `<dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** A plain table; cells are escaped. */
export function htmlTable(header: string[], rows: string[][], cls = ''): string {
  const head = `<thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}>${head}${body}</table></div>`;
}

/**
 * A table written by panel or dml, shown as it is: text cells (coefficients with stars, t-values
 * in parentheses) and short numbers verbatim, full-precision numbers rounded to 4 significant digits.
 */
export function csvTableHtml(file: TableFile): string {
  const { table } = file;
  const header = table.header.map((h, i) => (i === 0 && h === 'row' ? '' : h));
  const rows = table.records.map((r) => table.header.map((h) => humanCell(r.values[h] ?? '')));
  return (
    `<h3 id="${esc(file.id)}">${esc(file.title)}</h3>${htmlTable(header, rows, `result-table ${file.id}`)}` +
    (file.note ? `<p class="note">${esc(file.note)}</p>` : '')
  );
}

function humanCell(cell: string): string {
  const trimmed = cell.trim();
  const m = /^-?(\d+)(?:\.(\d+))?(e[-+]?\d+)?$/i.exec(trimmed);
  if (!m) return cell;
  // Already short (as a human table writes it): keep; full precision: 4 significant digits.
  const significant = (m[1] + (m[2] ?? '')).replace(/^0+/, '').length;
  return significant <= 6 && !m[3] ? trimmed : formatNumber(Number(trimmed), 4);
}

export function provenanceHtml(p: Provenance, extra: Array<[string, string]>): string {
  const done = p.files.filter((f) => f.status === 'done');
  const notDone = p.files.filter((f) => f.status !== 'done');
  const kv = keyValues([
    ['ODIAC release', p.release],
    ['Boundary file', p.zones.path],
    ['Boundary hash', p.zones.hash],
    ['Coverage method', p.zones.method],
    ['Ingest cger version', p.cgerVersion],
    ['Raster files', `${done.length} summed${notDone.length ? `, ${notDone.length} failed or quarantined` : ''}`],
    ...extra,
  ]);
  const runs = p.runs.length
    ? `<h3>Ingest runs</h3>${htmlTable(
        ['run', 'started (UTC)', 'finished (UTC)', 'status', 'months processed', 'cger'],
        p.runs.map((r) => [String(r.id), r.startedAt, r.finishedAt ?? '', r.status, String(r.processed), r.cgerVersion]),
      )}`
    : '';
  const files =
    `<details><summary>Raster files and MD5 checksums (${p.files.length})</summary>` +
    htmlTable(
      ['year', 'month', 'file', 'MD5', 'bytes', 'status'],
      p.files.map((f) => [
        String(f.year),
        String(f.month).padStart(2, '0'),
        f.name,
        f.md5,
        f.size === null ? '' : String(f.size),
        f.status + (f.error ? `: ${f.error}` : ''),
      ]),
      'files',
    ) +
    '</details>';
  return kv + runs + files;
}

export function auditHtml(p: Provenance, tolerance: number): string {
  if (p.audit.length === 0) return '<p>No mass audit recorded in the ingest store.</p>';
  const worst = Math.max(...p.audit.map((a) => a.maxRelError));
  const verdict =
    worst <= tolerance
      ? `<p class="ok">Every month passes: zone sums + mass outside all zones = grid total, largest relative difference ${worst.toExponential(2)} (tolerance ${tolerance.toExponential(0)}).</p>`
      : `<p class="bad">Largest relative difference ${worst.toExponential(2)} exceeds the tolerance ${tolerance.toExponential(0)}.</p>`;
  const rows = p.audit.map((a) => [
    String(a.year),
    String(a.months),
    formatNumber(a.gridTotal / 1e6, 6),
    formatNumber(a.zonesTotal / 1e6, 6),
    formatNumber(a.outside / 1e6, 4),
    a.gridTotal ? `${((a.outside / a.gridTotal) * 100).toFixed(3)}%` : '',
    a.maxRelError.toExponential(2),
  ]);
  return (
    verdict +
    htmlTable(
      ['year', 'months', 'grid total (Mt C)', 'in provinces (Mt C)', 'outside provinces (Mt C)', 'outside share', 'max relative difference'],
      rows,
      'audit',
    ) +
    '<p class="note">Sums of the raster values (tonne carbon per cell per month) over the months ingested. "Outside provinces" is mass on cells (or cell shares) covered by no province: sea, neighbouring countries.</p>'
  );
}

/** Table of a panel column by province (rows) and year (columns), e.g. for quick checks. */
export function panelColumn(panel: CsvTable, column: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const r of panel.records) {
    const v = Number(r.values[column]);
    if (r.values[column] === '' || !Number.isFinite(v)) continue;
    const id = r.values.province_code;
    if (!out.has(id)) out.set(id, new Map());
    out.get(id)!.set(Number(r.values.year), v);
  }
  return out;
}
