import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { formatCsvRecords, parseCsv } from '../../src/common/csv.ts';
import { loadBatterySpec, runBattery } from '../../src/dml/index.ts';
import { buildPanel, defaultPanelConfig, synthYearbook, THETA_CEE } from '../../src/panel/index.ts';
import { tempDir } from '../helpers.ts';
import { assertTablesParse } from './tableChecks.ts';

// The whole path: synthetic yearbook (planted effect of DCP on CEE) -> panel stage -> battery.
test('end to end: synthetic yearbook -> panel -> battery recovers the planted CEE effect', async (t) => {
  const config = defaultPanelConfig();
  const synth = synthYearbook(3, config);
  const panel = await buildPanel({
    yearbookText: synth.yearbookCsv,
    yearbookPath: 'synth-yearbook.csv',
    co2Text: synth.co2Csv,
    co2Path: 'synth-co2.csv',
    config,
    configSource: { path: null, sha256: null },
    extrapolate: false,
  });
  const data = { ...parseCsv(formatCsvRecords(panel.header, panel.records)), source: 'synthetic panel' };
  const spec = loadBatterySpec();
  spec.defaults!.learner_params = { rf: { trees: 25 }, gbm: { trees: 30 } };
  const out = tempDir('dml-e2e');
  const { estimates } = await runBattery({ data, spec, outDir: out, quiet: true, threads: 2 });
  assert.equal(readdirSync(out).length, 8 * 3 + 2 + 4); // tables, estimates.json, tables.json, Table 4's sensitivity (3 + contour)
  assert.equal(estimates.length, 23);
  assertTablesParse(out, [...new Set(estimates.map((e) => e.table))], estimates);
  for (const column of ['(1) CEE', '(2) CEE']) {
    const e = estimates.find((x) => x.table === 'table4_baseline' && x.column === column)!;
    t.diagnostic(`${column}: theta ${e.theta.toFixed(4)} [${e.ci_lower.toFixed(4)}, ${e.ci_upper.toFixed(4)}], planted ${THETA_CEE}`);
    assert.ok(e.ci_lower < THETA_CEE && THETA_CEE < e.ci_upper, `${column}: 95% CI [${e.ci_lower}, ${e.ci_upper}] misses ${THETA_CEE}`);
  }
});
