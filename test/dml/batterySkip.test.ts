import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatCsv, formatCsvRecords, parseCsv } from '../../src/common/csv.ts';
import { CgerError } from '../../src/common/errors.ts';
import { type BatterySpec, loadBatterySpec, type PanelData, runBattery } from '../../src/dml/index.ts';
import { buildPanel, defaultPanelConfig, synthYearbook } from '../../src/panel/index.ts';
import { tempDir } from '../helpers.ts';
import { synthPanelCsv } from './synthPanel.ts';

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
    {
      id: 'mech',
      title: 'Mechanisms',
      models: [
        { label: '(1) TFEE', y: 'TFEE' },
        { label: '(2) ISU', y: 'ISU' },
      ],
    },
  ],
};

test('battery on partial data: cells without their columns are skipped with reasons; the IV cell runs on the rows that have iv', async () => {
  const out = tempDir('battery-skip');
  const result = await runBattery({ data: partialPanel(), spec, outDir: out, quiet: true });
  assert.deepEqual(
    result.estimates.map((e) => `${e.table} ${e.column} ${e.n_obs}`),
    ['base (1) CEE 360', 'base (2) IV 330', 'mech (2) ISU 360'],
  );
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
  await assert.rejects(
    runBattery({ data: partialPanel(), spec, outDir: out, quiet: true, strict: true }),
    (err: unknown) =>
      err instanceof CgerError && /--strict: 1 battery cell\(s\) cannot run:\n {2}mech column 1 '\(1\) TFEE': column TFEE not in the data/.test(err.message),
  );
  const none: BatterySpec = {
    defaults: { y: 'TFEE', d: 'DCP', x: ['lngdp'], learner: 'ols' },
    tables: [{ id: 't', title: 'T', models: [{ label: 'a' }, { label: 'b', z: 'nope' }] }],
  };
  await assert.rejects(
    runBattery({ data: partialPanel(), spec: none, outDir: out, quiet: true }),
    (err: unknown) =>
      err instanceof CgerError &&
      /no battery cell can run on partial\.csv:\n {2}t column 1 'a': column TFEE not in the data\n {2}t column 2 'b': columns TFEE, nope not in the data/.test(
        err.message,
      ),
  );
  const broken: BatterySpec = { tables: [{ id: 't', title: 'T', models: [{ label: 'a', y: 'CEE', d: 'DCP' }] }] };
  await assert.rejects(runBattery({ data: partialPanel(), spec: broken, outDir: out, quiet: true }), /y, d and x must be set/);
});

test('a yearbook without energy, life expectancy, env_reg and telegraph: the panel and every battery cell it allows; the rest skipped with reasons', async () => {
  const config = defaultPanelConfig();
  const { yearbookCsv, co2Csv } = synthYearbook(5, config);
  const drop = ['life_expectancy', 'env_reg', 'telegraph_1907', 'coal_raw', 'coke', 'crude_oil', 'gasoline', 'kerosene', 'diesel', 'fuel_oil', 'natural_gas'];
  const yb = parseCsv(yearbookCsv);
  const header = yb.header.filter((h) => !drop.includes(h));
  const panel = await buildPanel({
    yearbookText: formatCsv(
      header,
      yb.records.map((r) => header.map((h) => r.values[h])),
    ),
    yearbookPath: 'yb.csv',
    co2Text: co2Csv,
    co2Path: 'co2.csv',
    config,
    configSource: { path: null, sha256: null },
    extrapolate: false,
  });
  const data: PanelData = { ...parseCsv(formatCsvRecords(panel.header, panel.records)), source: 'panel.csv' };
  const spec = loadBatterySpec();
  spec.defaults!.learner_params = { rf: { trees: 5 }, gbm: { trees: 5 } };
  const result = await runBattery({ data, spec, outDir: tempDir('battery-partial'), quiet: true });
  assert.deepEqual(
    result.skipped.map((c) => `${c.table} ${c.column}`),
    [
      'table4_baseline (3) CIWB',
      'table4_baseline (4) CIWB',
      'table7_learners_iv (3) IV',
      'table8_mechanisms (1) TFEE',
      'table8_mechanisms (2) TFEE',
      'table11_env_reg (1) High regulation',
      'table11_env_reg (2) Low regulation',
    ],
  );
  assert.equal(result.skipped[0].skipped, 'column CIWB not in the data');
  assert.match(result.skipped[5].skipped, /no column 'env_reg_high'/);
  assert.equal(result.estimates.length, spec.tables.reduce((n, t) => n + t.models.length, 0) - 7);
  assert.ok(result.estimates.every((e) => Number.isFinite(e.theta) && e.n_obs > 0));
});
