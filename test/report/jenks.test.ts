import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/common/random.ts';
import { classOf, naturalBreaks } from '../../src/report/jenks.ts';

function sse(values: number[]): number {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return values.reduce((s, x) => s + (x - mean) ** 2, 0);
}

/** Least total within-class SSE over every split of sorted values into k contiguous classes. */
function bruteForceBest(sorted: number[], k: number): number {
  let best = Infinity;
  const walk = (start: number, left: number, total: number): void => {
    if (left === 1) {
      best = Math.min(best, total + sse(sorted.slice(start)));
      return;
    }
    for (let end = start + 1; end <= sorted.length - left + 1; end++) walk(end, left - 1, total + sse(sorted.slice(start, end)));
  };
  walk(0, k, 0);
  return best;
}

function classSse(values: number[], upper: number[]): number {
  let total = 0;
  let lower = -Infinity;
  for (const u of upper) {
    const members = values.filter((v) => v > lower && v <= u);
    if (members.length) total += sse(members);
    lower = u;
  }
  return total;
}

test('natural breaks of a hand case with five obvious groups', () => {
  const values = [80, 1, 2, 4, 5, 7, 9, 10, 20, 21, 22, 50, 51];
  const classes = naturalBreaks(values, 5);
  assert.deepEqual(classes.upper, [5, 10, 22, 51, 80]);
  assert.equal(classes.min, 1);
  assert.deepEqual(
    [1, 5, 6, 10, 22, 23, 51, 80].map((v) => classOf(classes, v)),
    [0, 0, 1, 1, 2, 3, 3, 4],
  );
});

test('natural breaks minimise the within-class sum of squares (brute force, seeded cases)', () => {
  const rng = createRng(42);
  for (let trial = 0; trial < 60; trial++) {
    const n = 6 + rng.int(7);
    const values = Array.from({ length: n }, () => Math.round(Math.exp(rng.normal() * 1.5) * 100) / 10);
    const sorted = [...values].sort((a, b) => a - b);
    if (new Set(values).size < 5) continue;
    const { upper } = naturalBreaks(values, 5);
    assert.equal(upper.length, 5);
    assert.ok(Math.abs(classSse(sorted, upper) - bruteForceBest(sorted, 5)) < 1e-9, `case ${sorted.join(',')}`);
  }
});

test('fewer distinct values than classes give one class per value', () => {
  assert.deepEqual(naturalBreaks([3, 1, 3, 2], 5).upper, [1, 2, 3]);
  assert.throws(() => naturalBreaks([NaN], 5), /no finite values/);
});
