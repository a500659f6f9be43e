import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../../src/common/csv.ts';
import { contourSvg, type DmlSpec, estimateDml, loadPanel, type PanelData, parseScenario, sensitivityBenchmark } from '../../src/dml/index.ts';
import { DEFAULT_SCENARIO, sensitivityBounds } from '../../src/dml/sensitivity.ts';
import { synthPanelCsv } from './synthPanel.ts';

const dir = fileURLToPath(new URL('../fixtures/dml-irm/', import.meta.url));
const data = loadPanel(`${dir}irm_data.csv`);
const spec: DmlSpec = {
  y: 'y',
  d: 'd',
  x: Array.from({ length: 10 }, (_, j) => `X${j + 1}`),
  foldFile: `${dir}folds.csv`,
  learner: 'ols',
  sensitivity: DEFAULT_SCENARIO,
};

test('robustness values: at cf_y = cf_d = rv the bound reaches the null; more confounding widens the bounds', async () => {
  const e = await estimateDml(data, spec, { threads: 1 });
  const s = e.sensitivity!;
  const at = (v: number) => sensitivityBounds(e.sensitivityInputs!, v, v, 1, 0.95, e.n_obs);
  assert.ok(Math.abs(at(s.rv).theta_lower) < 1e-12, `theta_lower at rv: ${at(s.rv).theta_lower}`);
  assert.ok(Math.abs(at(s.rva).ci_lower) < 1e-12, `ci_lower at rva: ${at(s.rva).ci_lower}`);
  // No confounding: the bounds are the estimate and the one-sided 95% interval.
  const none = at(0);
  assert.equal(none.theta_lower, e.theta);
  assert.ok(Math.abs(none.ci_lower - (e.theta - 1.6448536269514722 * e.se)) < 1e-12);
  const wider = await estimateDml(data, { ...spec, sensitivity: parseScenario('cf_y=0.1,cf_d=0.1') }, { threads: 1 });
  assert.ok(wider.sensitivity!.theta_lower < s.theta_lower && wider.sensitivity!.theta_upper > s.theta_upper);
  // rho scales the bias: rho = 0 gives the estimate itself.
  const rho0 = await estimateDml(data, { ...spec, sensitivity: parseScenario('rho=0') }, { threads: 1 });
  assert.equal(rho0.sensitivity!.theta_lower, e.theta);
  assert.equal(rho0.sensitivity!.rv, 1);
});

test('sensitivity scenario parsing and model limits are clear errors', async () => {
  assert.throws(() => parseScenario('cf_y=1'), /cf_y=1 must be in \[0, 1\)/);
  assert.throws(() => parseScenario('cfy=0.1'), /expected cf_y=, cf_d=, rho=, level= or null=/);
  const panel: PanelData = { ...parseCsv(synthPanelCsv(3)), source: 'panel.csv' };
  const base: DmlSpec = { y: 'CEE', d: 'DCP', x: ['lngdp', 'lnpop'], learner: 'ols', sensitivity: DEFAULT_SCENARIO };
  await assert.rejects(estimateDml(panel, { ...base, z: 'iv' }, { threads: 1 }), /sensitivity analysis is available for PLR and IRM, not PLIV/);
  await assert.rejects(estimateDml(panel, { ...base, cluster: 'province' }, { threads: 1 }), /not available/);
});

test('benchmark: a noise control calibrates to ~0; a real confounder to more; the contour plot marks both', async () => {
  const e = await estimateDml(data, spec, { threads: 1 });
  const strong = await sensitivityBenchmark(data, spec, e, ['X2'], { threads: 1 });
  const weak = await sensitivityBenchmark(data, spec, e, ['X10'], { threads: 1 });
  assert.ok(strong.cf_y > weak.cf_y && strong.cf_d > weak.cf_d, JSON.stringify({ strong, weak }));
  for (const b of [strong, weak]) {
    assert.ok(b.cf_y >= 0 && b.cf_y <= 1 && b.cf_d >= 0 && b.cf_d <= 1 && Math.abs(b.rho) <= 1);
    assert.ok(b.bounds.theta_lower <= e.theta && e.theta <= b.bounds.theta_upper);
  }
  await assert.rejects(sensitivityBenchmark(data, spec, e, ['nope']), /'nope' not among the controls/);
  const svg = contourSvg(e, { title: 'd on y', benchmarks: [{ label: 'X2', cf_y: strong.cf_y, cf_d: strong.cf_d }] });
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.match(svg, /estimate 0\.625/);
  assert.match(svg, /scenario \(0\.03, 0\.03\): 0\.543/);
  assert.match(svg, /X2: /);
  assert.match(svg, /stroke="#c00"/, 'the null contour is drawn');
  // Every element closed: as many opening as closing or self-closed tags.
  const open = (svg.match(/<(path|text|circle|title|svg)[\s>]/g) ?? []).length;
  const closed = (svg.match(/<\/(path|text|circle|title|svg)>/g) ?? []).length + (svg.match(/<(path|circle)[^>]*\/>/g) ?? []).length;
  assert.equal(open, closed);
});

test('IRM shares folds, clusters and repetitions with PLR; repeated splits aggregate the bounds like theta', async () => {
  const panel: PanelData = { ...parseCsv(synthPanelCsv(3)), source: 'panel.csv' };
  const base: DmlSpec = { y: 'CEE', d: 'env_reg_high', x: ['lngdp', 'lnpop', 'green'], model: 'irm', learner: 'ols', learners: { m: 'logit' } };
  const clustered = await estimateDml(panel, { ...base, cluster: 'province', reps: 2 }, { threads: 1 });
  assert.equal(clustered.n_clusters, 30);
  assert.equal(clustered.rep_estimates.length, 2);
  assert.ok(Number.isFinite(clustered.se) && clustered.se > 0);
  const reps = await estimateDml(panel, { ...base, reps: 3, sensitivity: DEFAULT_SCENARIO }, { threads: 1 });
  const per = reps.sensitivityInputs!.map((r) => sensitivityBounds([r], 0.03, 0.03, 1, 0.95, reps.n_obs).theta_lower).sort((a, b) => a - b);
  assert.equal(reps.sensitivity!.theta_lower, per[1]);
});

test('PLR with a classifier for a 0/1 treatment (--learner-m logit); a non-binary one is an error', async () => {
  const panel: PanelData = { ...parseCsv(synthPanelCsv(3)), source: 'panel.csv' };
  const e = await estimateDml(panel, { y: 'CEE', d: 'env_reg_high', x: ['lngdp', 'lnpop'], learner: 'ols', learners: { m: 'logit' } }, { threads: 1 });
  assert.equal(e.nuisances.ml_m.task, 'classification');
  assert.ok(Number.isFinite(e.theta));
  await assert.rejects(
    estimateDml(panel, { y: 'CEE', d: 'DCP', x: ['lngdp'], learner: 'ols', learners: { m: 'logit' } }, { threads: 1 }),
    /ml_m uses the classifier 'logit' but its target is .* at line 2, not 0\/1/,
  );
});
