import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/dml.ts';
import { synthPanelCsv } from './synthPanel.ts';
import { tempDir } from '../helpers.ts';

const dir = tempDir('dml-cli');
const panel = join(dir, 'panel.csv');
writeFileSync(panel, synthPanelCsv(3));

/** Runs `cger dml ...` in-process and returns what it printed on stdout. */
async function cger(...args: string[]): Promise<string> {
  const program = new Command().name('cger').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'cger', 'dml', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const X = 'lngdp,lnpop,green,human,ind,edu';

test('cger dml --json prints the documented fields', async () => {
  const json = JSON.parse(await cger('--data', panel, '--y', 'CEE', '--d', 'DCP', '--x', X, '--learner', 'ols', '--cluster', 'province', '--reps', '2', '--json', '--threads', '1'));
  for (const key of ['theta', 'se', 't', 'p', 'ci_lower', 'ci_upper', 'n_obs', 'n_clusters', 'learner', 'folds', 'reps', 'seed']) assert.ok(key in json, key);
  assert.equal(json.n_obs, 360);
  assert.equal(json.n_clusters, 30);
  assert.equal(json.reps, 2);
  assert.equal(json.learner, 'ols');
  assert.ok(Math.abs(json.t - json.theta / json.se) < 1e-12);
});

test('cger dml prints a DoubleML-style summary; --trees and --param reach the learner', async () => {
  const text = await cger('--data', panel, '--y', 'CIWB', '--d', 'DCP', '--x', X, '--trees', '30', '--param', 'min_samples_leaf=2', '--fe', 'year', '--threads', '1');
  assert.match(text, /DoubleMLPLR Object/);
  assert.match(text, /Learner ml_l \(E\[CIWB\|X\]\): rf \(trees=30, max_features=1, min_samples_leaf=2/);
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
  writeFileSync(spec, JSON.stringify({
    defaults: { y: 'CEE', d: 'DCP', x: X.split(','), learner: 'ols' },
    tables: [{ id: 'mini', title: 'Mini', models: [{ label: '(1)' }, { label: '(2)', fe: ['province', 'year'] }] }],
  }));
  const out = join(dir, 'tables');
  const text = await cger('--battery', spec, '--data', panel, '--out', out, '--quiet', '--threads', '1');
  assert.match(text, /2 estimates in .* s; wrote 5 files/);
  assert.deepEqual(readdirSync(out).sort(), ['estimates.json', 'mini.csv', 'mini.md', 'mini.tex', 'tables.json']);
  const estimates = JSON.parse(readFileSync(join(out, 'estimates.json'), 'utf8'));
  assert.equal(estimates[0].data_sha256, createHash('sha256').update(readFileSync(panel)).digest('hex'), 'provenance: the data file checksum');
});
