import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, parseCsvRows } from '../../src/common/csv.ts';
import { type BatterySpec, loadBatterySpec, type PanelData, runBattery, withTrees } from '../../src/dml/index.ts';
import { latexCaption } from '../../src/dml/tables.ts';
import { tempDir } from '../helpers.ts';
import { synthPanelCsv } from './synthPanel.ts';

const data: PanelData = { ...parseCsv(synthPanelCsv(5)), source: 'panel.csv' };

const spec: BatterySpec = {
  defaults: { y: 'CEE', d: 'DCP', x: ['lngdp', 'lnpop'], learner: 'ols', where: 'year>=2013' },
  tables: [
    {
      id: 'table4_small',
      title: 'Table 4. Small',
      sensitivity: true,
      models: [
        { label: '(1) All' },
        { label: '(2) Coastal', where: 'coastal==1' },
        { label: '(3) Clustered', cluster: 'province' },
        { label: '(4) IRM', model: 'irm', d: 'env_reg_high', learners: { m: 'logit' } },
      ],
    },
  ],
};

test("battery: a model's where adds to the defaults' (&&); clustering and IRM in a spec; sensitivity table", async () => {
  const out = tempDir('tables');
  const { estimates } = await runBattery({ data, spec, outDir: out, quiet: true, threads: 1, tableStat: 'se' });
  const [all, coastal, clustered, irm] = estimates;
  assert.equal(all.n_obs, 30 * 10);
  assert.equal(coastal.options.where, '(year>=2013) && (coastal==1)');
  assert.equal(coastal.n_obs, data.records.filter((r) => Number(r.values.year) >= 2013 && r.values.coastal === '1').length);
  assert.equal(clustered.n_clusters, 30);
  assert.equal(irm.model, 'irm');
  assert.deepEqual(irm.learners, { ml_g0: 'ols', ml_g1: 'ols', ml_m: 'logit' });
  // Standard errors in parentheses, real minus signs, booktabs, LaTeX numbering its own caption.
  const rows = parseCsvRows(readFileSync(join(out, 'table4_small.csv'), 'utf8'));
  const seRow = rows[rows.findIndex((r) => r[0] === 'DCP') + 1];
  assert.equal(seRow[0], '(se)');
  assert.equal(seRow[1], `(${all.se.toFixed(4)})`);
  assert.equal(rows.find((r) => r[0] === 'Learner')![4], 'OLS/Logit');
  const tex = readFileSync(join(out, 'table4_small.tex'), 'utf8');
  assert.match(tex, /\\caption\{Small\}/);
  assert.match(tex, /\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
  assert.ok(!/\\hline/.test(tex));
  assert.match(readFileSync(join(out, 'table4_small.md'), 'utf8'), /^Standard errors in parentheses/m);
  // Sensitivity: bounds for PLR and IRM, blank for the clustered column.
  const sens = parseCsvRows(readFileSync(join(out, 'table4_small_sensitivity.csv'), 'utf8'));
  const lower = sens.find((r) => r[0] === 'Bound lower')!;
  assert.equal(lower[1], all.sensitivity!.theta_lower.toFixed(4));
  assert.equal(lower[3], '');
  assert.ok(irm.sensitivity && clustered.sensitivity === null);
  const rv = sens.find((r) => r[0] === 'RV')!;
  assert.equal(rv[1], `${(all.sensitivity!.rv * 100).toFixed(2)}%`);
  const sensTex = readFileSync(join(out, 'table4_small_sensitivity.tex'), 'utf8');
  if (sens.flat().some((c) => /^-\d/.test(c))) assert.match(sensTex, /\$-\$\d/);
  assert.ok(!/(^|[ (&])-\d/m.test(sensTex.replace(/\$-\$/g, '')), 'no hyphen-minus before a number');
  assert.match(readFileSync(join(out, 'table4_small_sensitivity_contour.svg'), 'utf8'), /^<svg /);
});

test('withTrees sizes every forest and boosting run, also those set per table or model', () => {
  const resized = withTrees(loadBatterySpec(), 7);
  assert.equal(resized.defaults!.learner_params!.rf.trees, 7);
  assert.equal(resized.defaults!.learner_params!.gbm.trees, 7);
  const custom = withTrees({ tables: [{ id: 't', title: 'T', models: [{ label: 'a', learner_params: { gbm: { trees: 500, max_depth: 2 } } }] }] }, 9);
  assert.deepEqual(custom.tables[0].models[0].learner_params, { gbm: { trees: 9, max_depth: 2 } });
});

test('LaTeX captions leave the numbering to LaTeX', () => {
  assert.equal(latexCaption('Table 4. Baseline regression'), 'Baseline regression');
  assert.equal(latexCaption('Baseline'), 'Baseline');
});
