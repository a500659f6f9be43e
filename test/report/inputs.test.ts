import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../src/common/csv.ts';
import { csvTableHtml } from '../../src/report/html.ts';
import { checkInputs, defaultPaths, readInputs, readProvinceYear } from '../../src/report/inputs.ts';

test('missing inputs are listed all at once, each with the command that writes it and its option where there is one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cger-report-'));
  try {
    const message = await readInputs(defaultPaths(dir)).then(
      () => '',
      (err: Error) => err.message,
    );
    assert.equal(
      message,
      [
        'report: 8 inputs are missing:',
        `  ${join(dir, 'province_year.csv')}: province-year CO2 table (run \`cger ingest\`)`,
        `  ${join(dir, 'ingest_report.json')}: ingest report (run \`cger ingest\`)`,
        `  ${join(dir, 'cger.sqlite')}: ingest store (run \`cger ingest\`, or point --db at it)`,
        `  ${join(dir, 'panel.csv')}: panel (run \`cger panel\`, or point --panel at it)`,
        `  ${join(dir, 'panel_meta.json')}: panel metadata (run \`cger panel\`)`,
        `  ${join(dir, 'tables', 'table3_descriptive.csv')}: Table 3 (descriptive statistics) (run \`cger panel\`)`,
        `  ${join(dir, 'tables', 'tables.json')}: captions of the regression tables (run \`cger dml --battery\`, or point --tables at it)`,
        `  ${join(dir, 'tables', 'estimates.json')}: DML estimates (run \`cger dml --battery\`, or point --tables at it)`,
      ].join('\n'),
    );
    writeFileSync(join(dir, 'panel.csv'), 'province_code,year\n');
    assert.throws(
      () => checkInputs(defaultPaths(dir)),
      (err: Error) => err.message.startsWith('report: 7 inputs are missing:') && !err.message.includes('panel.csv:'),
    );
    writeFileSync(join(dir, 'province_year.csv'), 'release,zone_id,zone_name,year,months,sum_tC,co2_t\n2099,110000,Beijing,2011,12,1,x\n');
    assert.throws(() => readProvinceYear(join(dir, 'province_year.csv')), /province_year\.csv line 2, column co2_t: expected a number, got "x"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tables are shown as written: text cells verbatim, long numbers rounded, HTML escaped', () => {
  const table = parseCsv('row,(1) CEE,(2) <b>\nDCP,0.4213***,-1.9\n(t),(6.80),(-2.33)\nmean,0.123456789,12\n');
  const html = csvTableHtml({ id: 'table4_baseline', title: 'Table 4. Baseline & more', note: 't in parentheses', table });
  assert.match(html, /<th><\/th><th>\(1\) CEE<\/th><th>\(2\) &lt;b&gt;<\/th>/);
  assert.match(html, /<td>0\.4213\*\*\*<\/td><td>-1\.9<\/td>/);
  assert.match(html, /<td>\(6\.80\)<\/td>/);
  assert.match(html, /<td>0\.1235<\/td><td>12<\/td>/);
  assert.match(html, /Table 4\. Baseline &amp; more/);
});
