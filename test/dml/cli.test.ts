import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/dml.ts';
import { createRng } from '../../src/common/random.ts';
import { tempDir } from '../helpers.ts';
import { synthPanelCsv } from './synthPanel.ts';

const dir = tempDir('dml-cli');
const panel = join(dir, 'panel.csv');
writeFileSync(panel, synthPanelCsv(3));

/** Runs `cger dml ...` in-process and returns what it printed on stdout. */
async function cger(...args: string[]): Promise<string> {
  const program = new Command().name('cger').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'cger', 'dml', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const X = 'lngdp,lnpop,green,human,ind,edu';

test('cger dml --json prints the documented fields', async () => {
  const json = JSON.parse(
    await cger('--data', panel, '--y', 'CEE', '--d', 'DCP', '--x', X, '--learner', 'ols', '--cluster', 'province', '--reps', '2', '--json', '--threads', '1'),
  );
  for (const key of ['theta', 'se', 't', 'p', 'ci_lower', 'ci_upper', 'n_obs', 'n_clusters', 'learner', 'folds', 'reps', 'seed']) assert.ok(key in json, key);
  assert.equal(json.n_obs, 360);
  assert.equal(json.n_clusters, 30);
  assert.equal(json.reps, 2);
  assert.equal(json.learner, 'ols');
  assert.ok(Math.abs(json.t - json.theta / json.se) < 1e-12);
});

test('cger dml prints a DoubleML-style summary; --trees and --param reach the learner', async () => {
  const text = await cger(
    '--data',
    panel,
    '--y',
    'CIWB',
    '--d',
    'DCP',
    '--x',
    X,
    '--trees',
    '30',
    '--param',
    'min_samples_leaf=2',
    '--fe',
    'year',
    '--threads',
    '1',
  );
  assert.match(text, /DoubleMLPLR Object/);
  assert.match(text, /Learner ml_l \(E\[CIWB\|X\]\): rf \(trees=30, max_features=0, min_samples_leaf=2/);
  assert.match(text, /No\. Observations: 360/);
  assert.match(text, /^DCP\s+-?\d+\.\d+/m);
});

test('cger dml: missing arguments and bad values are one-line errors', async () => {
  await assert.rejects(cger('--data', panel, '--d', 'DCP', '--x', X), /--y is required/);
  await assert.rejects(cger('--data', panel, '--y', 'CEE', '--d', 'DCP', '--x', X, '--param', 'trees'), /--param "trees": expected name=number/);
  await assert.rejects(cger('--data', panel, '--y', 'CEE', '--d', 'DCP', '--x', X, '--folds', '1'), /--folds: "1" is not a whole number >= 2/);
  await assert.rejects(cger('--battery', '--data', panel, '--fe', 'year'), /--battery takes its models from the spec; edit the spec instead of passing --fe/);
  await assert.rejects(cger('--data', join(dir, 'nope.csv'), '--y', 'CEE', '--d', 'DCP', '--x', X), /cannot read data file .*nope.csv: ENOENT/);
});

test('cger dml --battery spec.json --out dir writes the tables', async () => {
  const spec = join(dir, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      defaults: { y: 'CEE', d: 'DCP', x: X.split(','), learner: 'ols' },
      tables: [{ id: 'mini', title: 'Mini', models: [{ label: '(1)' }, { label: '(2)', fe: ['province', 'year'] }] }],
    }),
  );
  const out = join(dir, 'tables');
  const text = await cger('--battery', spec, '--data', panel, '--out', out, '--quiet', '--threads', '1');
  assert.match(text, /2 estimates in .* s; wrote 5 files/);
  assert.deepEqual(readdirSync(out).sort(), ['estimates.json', 'mini.csv', 'mini.md', 'mini.tex', 'tables.json']);
  const estimates = JSON.parse(readFileSync(join(out, 'estimates.json'), 'utf8'));
  assert.equal(estimates[0].data_sha256, createHash('sha256').update(readFileSync(panel)).digest('hex'), 'provenance: the data file checksum');
});

test('cger dml --model irm: per-role learners, sensitivity and tuning reach the JSON; a plot file is written', async () => {
  const plot = join(dir, 'sens.svg');
  const json = JSON.parse(
    await cger(
      '--data',
      panel,
      '--y',
      'CEE',
      '--d',
      'env_reg_high',
      '--x',
      X,
      '--model',
      'irm',
      '--score',
      'ATTE',
      '--learner',
      'ols',
      '--learner-m',
      'gbm',
      '--param',
      'gbm.trees=20',
      '--tune',
      '--tune-grid',
      'gbm.max_depth=1,2',
      '--tune-folds',
      '3',
      '--sensitivity',
      'cf_y=0.05,cf_d=0.02',
      '--sensitivity-plot',
      plot,
      '--json',
      '--threads',
      '1',
    ),
  );
  assert.equal(json.model, 'irm');
  assert.equal(json.score, 'ATTE');
  assert.equal(json.trimming, 0.01);
  assert.deepEqual(Object.keys(json.nuisances), ['ml_g0', 'ml_g1', 'ml_m']);
  assert.equal(json.nuisances.ml_m.learner, 'gbm');
  assert.equal(json.nuisances.ml_m.task, 'classification');
  assert.equal(json.nuisances.ml_m.params.trees, 20);
  assert.equal(json.nuisances.ml_m.tuned.length, 5);
  for (const t of json.nuisances.ml_m.tuned) {
    assert.ok([1, 2].includes(t.params.max_depth));
    assert.ok(t.cv_loss > 0 && t.cv_loss < 1, 'log-loss');
  }
  for (const key of ['cf_y', 'cf_d', 'rho', 'level', 'theta_lower', 'theta_upper', 'ci_lower', 'ci_upper', 'rv', 'rva'])
    assert.ok(key in json.sensitivity, key);
  assert.equal(json.sensitivity.cf_y, 0.05);
  assert.equal(json.sensitivity_plot, plot);
  assert.match(readFileSync(plot, 'utf8'), /^<svg /);
  assert.ok(!('sensitivityInputs' in json));
  await assert.rejects(
    cger('--data', panel, '--y', 'CEE', '--d', 'DCP', '--x', X, '--model', 'irm', '--learner', 'ols', '--learner-m', 'logit'),
    /needs a binary 0\/1 treatment; 'DCP' is/,
  );
});

test('PLIV reports the first-stage F and warns for a pure-noise instrument', async () => {
  const rows = synthPanelCsv(3).trim().split('\n');
  const rng = createRng(11);
  const noisy = join(dir, 'noise.csv');
  writeFileSync(noisy, [rows[0] + ',noise', ...rows.slice(1).map((r) => `${r},${rng.normal()}`)].join('\n') + '\n');
  const strong = JSON.parse(
    await cger('--data', noisy, '--y', 'CEE', '--d', 'DCP', '--z', 'iv', '--x', X, '--learner', 'ols', '--json', '--quiet', '--threads', '1'),
  );
  assert.ok(strong.first_stage.f > 10, `iv: F ${strong.first_stage.f}`);
  assert.ok(!strong.warnings.some((w: string) => /weak instrument/.test(w)));
  const weak = JSON.parse(
    await cger('--data', noisy, '--y', 'CEE', '--d', 'DCP', '--z', 'noise', '--x', X, '--learner', 'ols', '--json', '--quiet', '--threads', '1'),
  );
  assert.ok(weak.first_stage.f < 10, `noise: F ${weak.first_stage.f}`);
  assert.ok(weak.warnings.some((w: string) => /weak instrument: first-stage F of the residualised instrument is \d+\.\d\d \(< 10\)/.test(w)));
  const text = await cger('--data', noisy, '--y', 'CEE', '--d', 'DCP', '--z', 'noise', '--x', X, '--learner', 'ols', '--threads', '1');
  assert.match(text, /effective F \d+\.\d\d/);
  assert.match(text, /Warnings:\n {2}- weak instrument/);
});
