import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTROPY_SHIFT, entropyIndex } from '../../src/panel/entropy.ts';
import { pcaIndex } from '../../src/panel/pca.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** -(1/ln n) sum p ln p of the shifted normalised values, written out for a hand calculation. */
function handEntropy(xNorm: number[]): number {
  const shifted = xNorm.map((x) => x + 1e-4);
  const total = shifted.reduce((a, b) => a + b, 0);
  return -shifted.reduce((acc, x) => acc + (x / total) * Math.log(x / total), 0) / Math.log(xNorm.length);
}

test('entropy weights and DCP of a 3 x 3 panel follow the DESIGN convention by hand', () => {
  // A (benefit): 0, 1, 2 -> x' = 0, 0.5, 1.  B (cost): 4, 4, 8 -> x' = (8 - x) / 4 = 1, 1, 0.
  // C constant -> x' = 0 and weight 0.
  const rows = [
    [0, 4, 7],
    [1, 4, 7],
    [2, 8, 7],
  ];
  const fit = entropyIndex(rows, ['+', '-', '+']);
  assert.equal(ENTROPY_SHIFT, 1e-4);
  const eA = handEntropy([0, 0.5, 1]);
  const eB = handEntropy([1, 1, 0]);
  // Worked numbers: A: x'' = 0.0001, 0.5001, 1.0001 (sum 1.5003), p = 0.0000667, 0.33333, 0.66660,
  // sum p ln p = -0.637195, e_A = 0.637195 / ln 3 = 0.58000 (5 digits); B: x'' = 1.0001, 1.0001, 0.0001 (sum 2.0003),
  // sum p ln p = -0.693657, e_B = 0.631394.
  close(fit.entropy[0], eA);
  close(fit.entropy[1], eB);
  assert.ok(Math.abs(eA - 0.580002) < 1e-5 && Math.abs(eB - 0.631394) < 1e-5, `${eA} ${eB}`);
  const wA = (1 - eA) / (2 - eA - eB),
    wB = (1 - eB) / (2 - eA - eB);
  close(fit.weights[0], wA);
  close(fit.weights[1], wB);
  assert.equal(fit.weights[2], 0);
  close(
    fit.weights.reduce((a, b) => a + b, 0),
    1,
  );
  // DCP = sum_j w_j x'_ij with the unshifted x'.
  close(fit.index[0], wA * 0 + wB * 1);
  close(fit.index[1], wA * 0.5 + wB * 1);
  close(fit.index[2], wA * 1 + wB * 0);
  for (const v of fit.index) assert.ok(v >= 0 && v <= 1);
});

test('a cost indicator is the benefit indicator of its negation; flipping the direction changes the ranking', () => {
  const rows = [
    [3, 10],
    [5, 2],
    [9, 6],
    [4, 4],
    [7, 8],
  ];
  const asCost = entropyIndex(rows, ['+', '-']);
  const negated = entropyIndex(
    rows.map(([a, b]) => [a, -b]),
    ['+', '+'],
  );
  asCost.index.forEach((v, i) => close(v, negated.index[i]));
  asCost.weights.forEach((w, j) => close(w, negated.weights[j]));
  // As a benefit indicator, the row with the most of B (row 0) gains; as a cost indicator it loses.
  const asBenefit = entropyIndex(rows, ['+', '+']);
  // Row 0: A = 3 is the minimum (x' = 0); B = 10 is the maximum: x' = 1 as a benefit, 0 as a cost.
  close(asBenefit.index[0], asBenefit.weights[1]);
  assert.equal(asCost.index[0], 0);
  assert.ok(asBenefit.index[0] > asCost.index[0]);
});

test('weights sum to 1 and DCP spans [0, 1] on a larger pooled panel', () => {
  const rows = Array.from({ length: 40 }, (_, i) => [i, Math.sqrt(i + 1), (i * 7) % 13, 100 - (i * i) / 20]);
  rows.push([100, 100, 100, -1000], [-1, 0, -5, 1000]); // best and worst on every indicator
  const fit = entropyIndex(rows, ['+', '+', '+', '-']);
  close(
    fit.weights.reduce((a, b) => a + b, 0),
    1,
  );
  assert.ok(Math.min(...fit.index) >= 0 && Math.max(...fit.index) <= 1);
  close(fit.index[40], 1);
  assert.equal(fit.index[41], 0);
});

test('DCP_pca: perfectly correlated indicators load equally, explain all variance and give the min-max index', () => {
  const a = [1, 2, 4, 8, 3];
  const rows = a.map((x) => [x, 10 - 2 * x]); // the second is a cost indicator aligned with the first
  const ref = a.map((x) => x / 8);
  const pca = pcaIndex(rows, ['+', '-'], ref);
  close(pca.varianceShare, 1, 1e-9);
  close(Math.abs(pca.loadings[0]), Math.SQRT1_2, 1e-9);
  close(pca.loadings[0], pca.loadings[1], 1e-9);
  assert.ok(pca.loadings[0] > 0, 'sign aligned with the entropy index');
  a.forEach((x, i) => close(pca.index[i], (x - 1) / 7, 1e-9));
  // With a reference running the other way the sign flips.
  const flipped = pcaIndex(
    rows,
    ['+', '-'],
    ref.map((r) => -r),
  );
  a.forEach((x, i) => close(flipped.index[i], 1 - (x - 1) / 7, 1e-9));
});
