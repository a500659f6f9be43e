import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/common/csv.ts';
import { CgerError } from '../../src/common/errors.ts';
import { runBattery, type BatterySpec, type PanelData } from '../../src/dml/index.ts';
import { synthPanelCsv } from './synthPanel.ts';
import { tempDir } from '../helpers.ts';

/** The synthetic panel without TFEE, and with iv empty for the first year (a yearbook without 2010 DCP indicators). */
function partialPanel(): PanelData {
  const table = parseCsv(synthPanelCsv(7));
  const header = table.header.filter((h) => h !== 'TFEE');
  const records = table.records.map((r) => {
    const values = { ...r.values };
    delete values.TFEE;
    if (values.year === '2011') values.iv = '';
    return { line: r.line, values };
  });
  return { header, records, source: 'partial.csv' };
}

const spec: BatterySpec = {
  defaults: { y: 'CEE', d: 'DCP', x: ['lngdp', 'lnpop', 'green'], learner: 'ols', fe: ['year'] },
  tables: [
    { id: 'base', title: 'Base', models: [{ label: '(1) CEE' }, { label: '(2) IV', z: 'iv' }] },
    { id: 'mech', title: 'Mechanisms', models: [{ label: '(1) TFEE', y: 'TFEE' }, { label: '(2) ISU', y: 'ISU' }] },
  ],
};

test('battery on partial data: cells without their columns are skipped with reasons; the IV cell runs on the rows that have iv', async () => {
  const out = tempDir('battery-skip');
  const result = await runBattery({ data: partialPanel(), spec, outDir: out, quiet: true });
  assert.deepEqual(result.estimates.map((e) => `${e.table} ${e.column} ${e.n_obs}`), ['base (1) CEE 360', 'base (2) IV 330', 'mech (2) ISU 360']);
  assert.deepEqual(result.skipped, [{ table: 'mech', column: '(1) TFEE', skipped: 'column TFEE not in the data' }]);
  const saved = JSON.parse(readFileSync(join(out, 'estimates.json'), 'utf8'));
  assert.equal(saved.length, 4);
  assert.deepEqual(saved[3], result.skipped[0]);
  assert.match(readFileSync(join(out, 'base.md'), 'utf8'), /\(2\) IV: 2012-2022, 330 rows \(iv missing on 30 rows\)\./);
  const mech = readFileSync(join(out, 'mech.md'), 'utf8');
  assert.match(mech, /Not estimated: \(1\) TFEE \(column TFEE not in the data\)\./);
  assert.ok(!mech.includes('| (1) TFEE |'));
  assert.match(readFileSync(join(out, 'mech.tex'), 'utf8'), /Not estimated: \(1\) TFEE/);
});

test('battery: --strict fails before fitting; nothing runnable is an error listing every reason; spec mistakes stay errors', async () => {
  const out = tempDir('battery-strict');
  await assert.rejects(runBattery({ data: partialPanel(), spec, outDir: out, quiet: true, strict: true }),
    (err: unknown) => err instanceof CgerError && /--strict: 1 battery cell\(s\) cannot run:\n  mech column 1 '\(1\) TFEE': column TFEE not in the data/.test(err.message));
  const none: BatterySpec = { defaults: { y: 'TFEE', d: 'DCP', x: ['lngdp'], learner: 'ols' }, tables: [{ id: 't', title: 'T', models: [{ label: 'a' }, { label: 'b', z: 'nope' }] }] };
  await assert.rejects(runBattery({ data: partialPanel(), spec: none, outDir: out, quiet: true }),
    (err: unknown) => err instanceof CgerError && /no battery cell can run on partial\.csv:\n  t column 1 'a': column TFEE not in the data\n  t column 2 'b': columns TFEE, nope not in the data/.test(err.message));
  const broken: BatterySpec = { tables: [{ id: 't', title: 'T', models: [{ label: 'a', y: 'CEE', d: 'DCP' }] }] };
  await assert.rejects(runBattery({ data: partialPanel(), spec: broken, outDir: out, quiet: true }), /y, d and x must be set/);
});
