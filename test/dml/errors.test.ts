import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../src/common/csv.ts';
import { buildDesign } from '../../src/dml/design.ts';
import { type DmlSpec, estimateDml, type PanelData } from '../../src/dml/index.ts';
import { compileWhere } from '../../src/dml/where.ts';
import { tempDir } from '../helpers.ts';

// Small panel: 6 provinces x 4 years; line numbers in messages are file lines (header = 1).
const header = ['province', 'year', 'coastal', 'region', 'y', 'd', 'x1', 'x2'];
const rows = Array.from({ length: 24 }, (_, i) => [
  `p${Math.floor(i / 4)}`,
  2011 + (i % 4),
  i < 8 ? 1 : 0,
  i < 12 ? 'east' : 'west',
  Math.sin(i) + i / 10,
  Math.cos(i * 1.7),
  i % 5,
  (i * 7) % 11,
]);
const panel = (r: (string | number)[][]): PanelData => ({ ...parseCsv(formatCsv(header, r)), source: 'panel.csv' });
const data = panel(rows);
const base: DmlSpec = { y: 'y', d: 'd', x: ['x1', 'x2'], learner: 'ols', folds: 2 };
const dir = tempDir('dml-err');

test('constant treatment is an error naming the column', async () => {
  const r = rows.map((row) => row.map((v, j) => (j === 5 ? 0.3 : v)));
  await assert.rejects(estimateDml(panel(r), base, { threads: 1 }), /treatment 'd' is constant \(0.3\) in the 24 observations used/);
});

test('missing or non-numeric values: every problem column at once, with counts and lines', async () => {
  const r = rows.map((row, i) => row.map((v, j) => (j === 6 && (i === 3 || i === 10) ? (i === 3 ? '' : 'n/a') : v)));
  await assert.rejects(
    estimateDml(panel(r), base, { threads: 1 }),
    /1 column has missing or non-numeric values in panel.csv:\n {2}control 'x1': 1 missing \(line 5\), 1 non-numeric \('n\/a' at line 12\)/,
  );
  const two = rows.map((row, i) => row.map((v, j) => ((j === 6 && (i === 3 || i === 4)) || (j === 4 && i === 20) ? '' : v)));
  await assert.rejects(
    estimateDml(panel(two), base, { threads: 1 }),
    /2 columns have missing or non-numeric values in panel.csv:\n {2}outcome 'y': 1 missing \(line 22\)\n {2}control 'x1': 2 missing \(lines 5, 6\)\n\(--drop-missing drops the rows with missing values\)/,
  );
  await assert.rejects(estimateDml(data, { ...base, x: ['x1', 'x9'] }, { threads: 1 }), /control \(--x\) column 'x9' is not in panel.csv/);
});

test('fewer observations than folds, or clusters than folds', async () => {
  await assert.rejects(
    estimateDml(data, { ...base, where: 'year==2011 && coastal==1', folds: 3 }, { threads: 1 }),
    /only 2 observations after --where 'year==2011 && coastal==1', fewer than --folds 3/,
  );
  await assert.rejects(estimateDml(data, { ...base, cluster: 'province', folds: 7 }, { threads: 1 }), /only 6 clusters of 'province', fewer than --folds 7/);
});

test('a cluster larger than a fold allows is an error naming it', async () => {
  const r = rows.map((row, i) => row.map((v, j) => (j === 0 && i < 10 ? 'big' : v)));
  await assert.rejects(
    estimateDml(panel(r), { ...base, cluster: 'province', folds: 3 }, { threads: 1 }),
    /cluster 'big' of 'province' has 10 of 24 observations, more than one fold of 8.0 allows at --folds 3/,
  );
});

test('fold files: wrong length, bad values, split clusters, mismatched --reps', async () => {
  const write = (name: string, head: string[], values: (number | string)[][]): string => {
    const path = join(dir, name);
    writeFileSync(path, formatCsv(head, values));
    return path;
  };
  const short = write('short.csv', ['fold'], [[0], [1]]);
  await assert.rejects(estimateDml(data, { ...base, folds: undefined, foldFile: short }, { threads: 1 }), /has 2 rows; expected one per observation \(24\)/);
  const bad = write(
    'bad.csv',
    ['fold'],
    rows.map((_, i) => [i === 5 ? 'x' : i % 2]),
  );
  await assert.rejects(estimateDml(data, { ...base, folds: undefined, foldFile: bad }, { threads: 1 }), /bad.csv line 7: fold 'x' is not a fold number/);
  const split = write(
    'split.csv',
    ['fold'],
    rows.map((_, i) => [i % 2]),
  );
  await assert.rejects(
    estimateDml(data, { ...base, folds: undefined, foldFile: split, cluster: 'province' }, { threads: 1 }),
    /cluster 'p0' is split across folds 0 and 1 in repetition 0/,
  );
  const two = write(
    'two.csv',
    ['fold_0', 'fold_1'],
    rows.map((_, i) => [i % 2, (i >> 1) % 2]),
  );
  await assert.rejects(estimateDml(data, { ...base, folds: undefined, reps: 3, foldFile: two }, { threads: 1 }), /has 2 repetition\(s\) but --reps 3/);
  const gap = write(
    'gap.csv',
    ['fold'],
    rows.map((_, i) => [i % 2 ? 2 : 0]),
  );
  await assert.rejects(estimateDml(data, { ...base, folds: undefined, foldFile: gap }, { threads: 1 }), /fold 1 of repetition 0 has no observations/);
  // A fold file for the whole data also serves a --where subsample.
  const whole = write(
    'whole.csv',
    ['fold'],
    rows.map((_, i) => [i % 2]),
  );
  const sub = await estimateDml(data, { ...base, folds: undefined, foldFile: whole, where: 'region=="east"' }, { threads: 1 });
  assert.equal(sub.n_obs, 12);
});

test('where: comparisons, text values, && || ! and parentheses; syntax errors are explained', () => {
  const cols = ['coastal', 'region', 'year'];
  const rec = { coastal: '1', region: 'east', year: '2015' };
  assert.equal(compileWhere('coastal==1', cols)(rec), true);
  assert.equal(compileWhere('region=="west" || (year>=2015 && !(coastal!=1))', cols)(rec), true);
  assert.equal(compileWhere("region='east' && year<2015", cols)(rec), false);
  assert.equal(compileWhere('year = 2015', cols)(rec), true);
  assert.throws(() => compileWhere('coast==1', cols), /no column 'coast'/);
  assert.throws(() => compileWhere('coastal==', cols), /expected a value after 'coastal =='/);
  assert.throws(() => compileWhere('(coastal==1', cols), /missing \)/);
});

test('design: fixed-effect dummies drop the first category; winsorising clips at the quantiles', () => {
  const d = buildDesign(data, { y: 'y', d: 'd', x: ['x2'], fe: ['province', 'year'], winsorize: 0.1, squares: true });
  assert.deepEqual(d.controlNames, [
    'x2',
    'x2^2',
    'province=p1',
    'province=p2',
    'province=p3',
    'province=p4',
    'province=p5',
    'year=2012',
    'year=2013',
    'year=2014',
  ]);
  // Quantiles by linear interpolation between order statistics (numpy's default), computed here.
  const raw = rows.map((r) => Number(r[7]));
  const sorted = [...raw].sort((a, b) => a - b);
  const q = (p: number): number => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
  };
  const clipped = raw.map((v) => Math.min(q(0.9), Math.max(q(0.1), v)));
  assert.ok(
    clipped.some((v, i) => v !== raw[i]),
    'some values are clipped',
  );
  assert.deepEqual(Array.from(d.x.cols[0]), clipped);
  assert.deepEqual(
    Array.from(d.x.cols[1]),
    Array.from(d.x.cols[0], (v) => v * v),
  );
  assert.deepEqual(
    Array.from(d.x.cols[2]),
    rows.map((r) => (r[0] === 'p1' ? 1 : 0)),
  );
});

test('--drop-missing drops rows listwise and records how many', async () => {
  const two = rows.map((row, i) => row.map((v, j) => ((j === 6 && (i === 3 || i === 4)) || (j === 4 && i === 20) ? '' : v)));
  const e = await estimateDml(panel(two), { ...base, dropMissing: true }, { threads: 1 });
  assert.equal(e.n_obs, 21);
  assert.equal(e.dropped_missing, 3);
  assert.ok(e.warnings.some((w) => /3 row\(s\) with missing values dropped/.test(w)));
  // Same as deleting those rows by hand.
  const kept = rows.filter((_, i) => ![3, 4, 20].includes(i));
  const manual = await estimateDml(panel(kept), base, { threads: 1 });
  assert.equal(e.theta, manual.theta);
});

test('constant and collinear controls are omitted and noted', async () => {
  const h = [...header, 'const', 'x1x2'];
  const r = rows.map((row) => [...row, 5, 2 * Number(row[6]) - Number(row[7])]);
  const data2: PanelData = { ...parseCsv(formatCsv(h, r)), source: 'panel.csv' };
  const e = await estimateDml(data2, { ...base, x: ['x1', 'const', 'x2', 'x1x2'] }, { threads: 1 });
  assert.deepEqual(e.controls, ['x1', 'x2']);
  assert.deepEqual(e.omitted_controls, [
    { name: 'const', reason: 'constant' },
    { name: 'x1x2', reason: 'collinear' },
  ]);
  const plain = await estimateDml(data, base, { threads: 1 });
  assert.ok(Math.abs(e.theta - plain.theta) < 1e-12);
});

test('a fold with fewer training rows than controls is warned about', async () => {
  const e = await estimateDml(data, { ...base, fe: ['province', 'year'], folds: 2 }, { threads: 1 });
  assert.equal(e.controls.length, 2 + 5 + 3);
  assert.ok(!e.warnings.some((w) => /fewer than the/.test(w)));
  const small = await estimateDml(data, { ...base, fe: ['province', 'year'], where: 'year<=2012', folds: 2 }, { threads: 1 });
  assert.ok(
    small.warnings.some((w) => /trains on 6 rows, fewer than the 8 controls \(incl. fixed-effect dummies\)/.test(w)),
    small.warnings.join('; '),
  );
});
