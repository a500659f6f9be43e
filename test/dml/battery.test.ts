import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../src/common/csv.ts';
import {
  type BatteryEstimate,
  type BatterySpec,
  type BatteryTable,
  checkBatterySpec,
  loadBatterySpec,
  type PanelData,
  runBattery,
} from '../../src/dml/index.ts';
import { tempDir } from '../helpers.ts';
import { synthPanelCsv } from './synthPanel.ts';
import { assertTablesParse } from './tableChecks.ts';

const data: PanelData = { ...parseCsv(synthPanelCsv(7)), source: 'synthetic-panel.csv' };

/** The shipped spec with small forests so the test stays fast (the bench runs it at full size). */
function smallSpec(): BatterySpec {
  const spec = loadBatterySpec();
  spec.defaults!.learner_params = { rf: { trees: 20 }, gbm: { trees: 20 } };
  return spec;
}

const TABLES = [
  'table4_baseline',
  'table5_robustness',
  'table6_folds',
  'table7_learners_iv',
  'table8_mechanisms',
  'table9_coastal',
  'table10_regions',
  'table11_env_reg',
];

test('battery: the default spec runs on a synthetic panel and every table file parses', async () => {
  const out = tempDir('battery');
  const result = await runBattery({ data, spec: smallSpec(), outDir: out, quiet: true, threads: 2 });
  const files = readdirSync(out).sort();
  const sensitivity = [
    'table4_baseline_sensitivity.csv',
    'table4_baseline_sensitivity.md',
    'table4_baseline_sensitivity.tex',
    'table4_baseline_sensitivity_contour.svg',
  ];
  assert.deepEqual(files, [...TABLES.flatMap((t) => [`${t}.csv`, `${t}.md`, `${t}.tex`]), ...sensitivity, 'estimates.json', 'tables.json'].sort());
  // tables.json: each table's caption in the spec's order (the sensitivity companion after Table 4), as its Markdown twin prints it.
  const captions: BatteryTable[] = JSON.parse(readFileSync(join(out, 'tables.json'), 'utf8'));
  assert.deepEqual(
    captions.map((c) => c.id),
    [...TABLES.slice(0, 1), 'table4_baseline_sensitivity', ...TABLES.slice(1)],
  );
  for (const c of captions) assert.ok(readFileSync(join(out, `${c.id}.md`), 'utf8').includes(c.title) && c.note !== '', c.id);

  const estimates: BatteryEstimate[] = JSON.parse(readFileSync(join(out, 'estimates.json'), 'utf8'));
  assert.equal(estimates.length, 23);
  assert.deepEqual(estimates, JSON.parse(JSON.stringify(result.estimates)));
  for (const e of estimates) {
    for (const key of ['theta', 'se', 't', 'p', 'ci_lower', 'ci_upper'] as const) assert.ok(Number.isFinite(e[key]), `${e.table} ${e.column} ${key}`);
    assert.ok(e.ci_lower < e.theta && e.theta < e.ci_upper);
  }
  const byCol = (table: string, column: string): BatteryEstimate => estimates.find((e) => e.table === table && e.column === column)!;
  // Spec semantics reach the estimates.
  assert.equal(byCol('table4_baseline', '(1) CEE').options.fe.length, 0);
  assert.equal(byCol('table4_baseline', '(1) CEE').n_obs, 360);
  assert.equal(byCol('table4_baseline', '(2) CEE').options.controls.length, 6 + 29 + 11);
  assert.equal(byCol('table4_baseline', '(3) CIWB').y, 'CIWB');
  assert.equal(byCol('table5_robustness', '(1) PCA index').d, 'DCP_pca');
  assert.equal(byCol('table5_robustness', '(3) Squared controls').options.controls.length, 12 + 29 + 11);
  assert.equal(byCol('table6_folds', '(2) K = 8').K, 8);
  assert.equal(byCol('table7_learners_iv', '(1) SVR').learner, 'svr');
  assert.equal(byCol('table7_learners_iv', '(3) IV').model, 'pliv');
  assert.equal(byCol('table8_mechanisms', '(4) ISU').learner, 'gbm');
  assert.equal(byCol('table9_coastal', '(1) Coastal').n_obs, 11 * 12);
  assert.equal(byCol('table10_regions', '(2) Central').n_obs, 8 * 12);
  const high = byCol('table11_env_reg', '(1) High regulation').n_obs,
    low = byCol('table11_env_reg', '(2) Low regulation').n_obs;
  assert.equal(high + low, 360);

  assertTablesParse(out, TABLES, estimates);
});

test('battery: same inputs give byte-identical outputs, whatever the thread count', async () => {
  const spec: BatterySpec = {
    defaults: { y: 'CEE', d: 'DCP', x: ['lngdp', 'lnpop', 'green'], learner_params: { rf: { trees: 60 } } },
    tables: [
      {
        id: 't',
        title: 'T',
        models: [
          { label: '(1)', fe: ['year'] },
          { label: '(2)', learner: 'gbm', cluster: 'province' },
        ],
      },
    ],
  };
  const a = tempDir('battery-a'),
    b = tempDir('battery-b');
  await runBattery({ data, spec, outDir: a, quiet: true, threads: 1 });
  await runBattery({ data, spec, outDir: b, quiet: true, threads: 2 });
  for (const f of readdirSync(a)) assert.equal(readFileSync(join(a, f), 'utf8'), readFileSync(join(b, f), 'utf8'), f);
});

test('battery spec: mistakes are reported with their place', async () => {
  const base = { defaults: { y: 'CEE', d: 'DCP', x: ['lngdp'] }, tables: [{ id: 't', title: 'T', models: [{ label: '(1)' }] }] };
  assert.throws(
    () => checkBatterySpec({ ...base, tables: [{ id: 't', title: 'T', models: [{ label: '(1)', lerner: 'rf' }] }] }),
    /tables\[0\]\.models\[0\]: unknown key 'lerner'/,
  );
  assert.throws(() => checkBatterySpec({ ...base, defaults: { ...base.defaults, folds: 1 } }), /defaults\.folds: expected an integer >= 2/);
  assert.throws(
    () => checkBatterySpec({ ...base, defaults: { ...base.defaults, learner_params: { rf: { tres: 5 } } } }),
    /defaults\.learner_params\.rf: unknown key 'tres'/,
  );
  const out = tempDir('battery-bad');
  await assert.rejects(
    runBattery({
      data,
      outDir: out,
      quiet: true,
      spec: { ...base, tables: [{ id: 't', title: 'T', models: [{ label: '(1) X', where: 'region=="north"' }] }] },
    }),
    /t column 1 '\(1\) X': --where 'region=="north"' selects no rows/,
  );
  assert.deepEqual(readdirSync(out), [], 'nothing is written when the spec fails its checks');
});
