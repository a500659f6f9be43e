import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPaths, readInputs, readProvinceYear } from '../../src/report/inputs.ts';
import { csvTableHtml } from '../../src/report/html.ts';
import { unitsOf } from '../../src/report/index.ts';
import { parseCsv } from '../../src/common/csv.ts';

test('missing inputs name the file and the command that makes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cger-report-'));
  try {
    assert.throws(() => readInputs(defaultPaths(dir)), (err: Error) => err.message.includes(join(dir, 'province_year.csv')) && err.message.includes('cger ingest'));
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

test('units are read from panel metadata in its usual layouts', () => {
  assert.equal(unitsOf({ units: { CEE: '10k yuan per t CO2' } }, 'CEE'), '10k yuan per t CO2');
  assert.equal(unitsOf({ columns: [{ name: 'DCP', units: 'index' }] }, 'DCP'), 'index');
  assert.equal(unitsOf({ variables: { CIWB: { unit: 't' } } }, 'CIWB'), 't');
  assert.equal(unitsOf({}, 'CEE'), null);
});
