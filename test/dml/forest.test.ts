import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/common/random.ts';
import { createExecutor, fitPredict } from '../../src/dml/executor.ts';
import { binFeatures, MAX_BINS } from '../../src/dml/learners/bins.ts';
import { EXACT_MAX_ROWS, featuresPerSplit, forestPredictionSum } from '../../src/dml/learners/forest.ts';
import { buildBinnedTree } from '../../src/dml/learners/histTree.ts';
import { resolveLearnerParams } from '../../src/dml/learners/index.ts';
import { addTreePredictions, presort, type Tree } from '../../src/dml/learners/tree.ts';
import { naiveTreePredict } from './naiveCart.ts';

test('bins: at most 255 per feature, ordered by value, equal values in one bin, one bin per value when few', () => {
  const rng = createRng(3);
  const n = 5000;
  const continuous = Float64Array.from({ length: n }, () => rng.normal());
  const rounded = Float64Array.from(continuous, (v) => Math.round(v * 10) / 10);
  const tied = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : rng.normal()));
  const b = binFeatures([continuous, rounded, tied], n);
  assert.equal(b.bins[0], MAX_BINS);
  assert.equal(b.bins[1], new Set(rounded).size, 'one bin per distinct value');
  for (let j = 0; j < 3; j++) {
    const col = [continuous, rounded, tied][j];
    const sizes = new Int32Array(b.bins[j]);
    for (let i = 0; i < n; i++) {
      const code = b.codes[i * 3 + j];
      sizes[code]++;
      assert.ok(col[i] >= b.binMin[j][code] && col[i] <= b.binMax[j][code], `feature ${j} row ${i} inside its bin`);
      if (code > 0) assert.ok(col[i] > b.binMax[j][code - 1], 'bins ordered by value');
    }
    assert.ok(
      sizes.every((s) => s > 0),
      'no empty bin',
    );
    if (j === 0) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, 'equal-count bins for distinct values');
  }
  const zeroCodes = new Set(
    Array.from({ length: n }, (_, i) => i)
      .filter((i) => tied[i] === 0)
      .map((i) => b.codes[i * 3 + 2]),
  );
  assert.equal(zeroCodes.size, 1, 'a third of the rows tied at 0 share one bin');
});

/** Every split sits halfway between the largest value of its node's rows going left and the smallest going right. */
function assertMidpointThresholds(tree: Tree, rows: number[][]): void {
  const visit = (node: number, members: number[][]): void => {
    if (tree.left[node] < 0) return;
    const f = tree.feature[node],
      thr = tree.threshold[node];
    const goLeft = members.filter((r) => r[f] <= thr),
      goRight = members.filter((r) => r[f] > thr);
    const a = Math.max(...goLeft.map((r) => r[f])),
      b = Math.min(...goRight.map((r) => r[f]));
    assert.equal(thr, (a + b) / 2 < b ? (a + b) / 2 : a, `node ${node}: threshold ${thr} between ${a} and ${b}`);
    visit(tree.left[node], goLeft);
    visit(tree.right[node], goRight);
  };
  visit(0, rows);
}

for (const n of [400, 6000]) {
  // 400 rows: every node marks the bins it fills; 6,000: the top nodes scan every bin instead.
  test(`binned tree: same fit as a plain CART search when no feature has more than 255 values (${n} rows)`, () => {
    const rng = createRng(8);
    const draw = () => {
      const cat = rng.int(3);
      // x0: 120 common even values and rare odd ones, so a node's bins are often empty between two of its values.
      const x0 = (2 * rng.int(120) + (rng.next() < 0.02 ? 1 : 0)) / 100;
      return [x0, Math.round(rng.normal() * 10) / 10, cat === 1 ? 1 : 0, cat === 2 ? 1 : 0];
    };
    const rows = Array.from({ length: n }, draw);
    const y = rows.map((r) => 2 * r[0] + 2 * r[2] - r[3] + 0.5 * r[1] * r[0] + 0.1 * rng.normal());
    const w = Array.from({ length: n }, () => 0);
    for (let s = 0; s < n; s++) w[rng.int(n)]++;
    // All four features, and the first three (the unrolled three-feature histogram pass).
    for (const p of [4, 3]) {
      const train = rows.map((r) => r.slice(0, p));
      const test = train.filter((_, i) => w[i] > 0);
      const cols = (m: number[][]): Float64Array[] => Array.from({ length: p }, (_, j) => Float64Array.from(m, (r) => r[j]));
      const data = binFeatures(cols(train), n);
      assert.ok(data.bins[0] > 50 && data.bins[0] <= MAX_BINS, 'every value its own bin');
      for (const [maxDepth, minLeaf] of [
        [4, 3],
        [7, 2],
        [3, 1],
      ]) {
        const tree = buildBinnedTree(data, Float64Array.from(y), Float64Array.from(w), { maxDepth, minSamplesLeaf: minLeaf, maxFeatures: p }, createRng(1));
        const out = new Float64Array(test.length);
        addTreePredictions(tree, cols(test), test.length, out);
        assertMidpointThresholds(tree, test);
        const expected = naiveTreePredict(train, y, w, test, maxDepth, minLeaf);
        expected.forEach((e, i) => assert.ok(Math.abs(out[i] - e) < 1e-9, `${p} features, depth ${maxDepth}, leaf ${minLeaf}, row ${i}: ${out[i]} vs ${e}`));
        assert.ok(new Set(expected).size > 6, 'the comparison is not trivial');
      }
    }
  });
}

test('max_features: a share (0 < x < 1, floored as scikit-learn does), a count (>= 1) or 0 = all', () => {
  assert.equal(featuresPerSplit(0, 20), 20);
  assert.equal(featuresPerSplit(1, 20), 1);
  assert.equal(featuresPerSplit(0.15, 20), 3);
  assert.equal(featuresPerSplit(1 / 3, 20), 6);
  assert.equal(featuresPerSplit(0.01, 20), 1);
  assert.equal(featuresPerSplit(3, 20), 3);
  assert.equal(featuresPerSplit(50, 20), 20);
  assert.equal(resolveLearnerParams('rf', { max_features: 3 }).max_features, 3);
});

test('binned forest: same out-of-sample fit as the exact forest above the row threshold', () => {
  const rng = createRng(21);
  const n = EXACT_MAX_ROWS + 1000,
    nTest = 500,
    p = 5;
  const draw = (m: number) => {
    const cols = Array.from({ length: p }, () => Float64Array.from({ length: m }, () => rng.normal()));
    const truth = Float64Array.from({ length: m }, (_, i) => Math.sin(cols[0][i] * cols[1][i]) + Math.exp(cols[2][i]) / (1 + Math.exp(cols[2][i])));
    return { x: { n: m, cols }, truth, y: Float64Array.from(truth, (t) => t + 0.3 * rng.normal()) };
  };
  const train = draw(n),
    test = draw(nTest);
  const params = { trees: 40, maxFeatures: 2, minSamplesLeaf: 3, maxDepth: 7, bootstrap: 1 };
  const r2 = (sum: Float64Array): number => {
    const mean = test.truth.reduce((a, b) => a + b) / nTest;
    let sse = 0,
      sst = 0;
    for (let i = 0; i < nTest; i++) {
      sse += (test.truth[i] - sum[i] / params.trees) ** 2;
      sst += (test.truth[i] - mean) ** 2;
    }
    return 1 - sse / sst;
  };
  const exact = r2(forestPredictionSum(presort(train.x.cols, n), train.y, test.x, params, 5, 0, params.trees));
  const binned = r2(forestPredictionSum(binFeatures(train.x.cols, n), train.y, test.x, params, 5, 0, params.trees));
  assert.ok(exact > 0.4, `exact R^2 ${exact}`);
  assert.ok(Math.abs(binned - exact) < 0.02, `binned R^2 ${binned} vs exact ${exact}`);
});

test('binned forest: byte-identical for any number of threads; probabilities on a 0/1 target', async () => {
  const rng = createRng(22);
  const n = EXACT_MAX_ROWS + 200;
  const cols = Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => rng.normal()));
  const d = Float64Array.from({ length: n }, (_, i) => (cols[0][i] + rng.normal() > 0 ? 1 : 0));
  const test = { n: 50, cols: cols.map((c) => c.slice(0, 50)) };
  const params = resolveLearnerParams('rf', { trees: 60, max_features: 2, max_depth: 7, min_samples_leaf: 3 });
  const one = createExecutor(1),
    two = createExecutor(2);
  try {
    const a = await fitPredict(one, 'rf', params, { n, cols }, d, test, 4);
    const b = await fitPredict(two, 'rf', params, { n, cols }, d, test, 4);
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.ok(
      a.every((v) => v >= 0 && v <= 1),
      'probabilities',
    );
    const hi = a.filter((_, i) => test.cols[0][i] > 1),
      lo = a.filter((_, i) => test.cols[0][i] < -1);
    assert.ok(Math.min(...hi) > Math.max(...lo), 'higher x1, higher propensity');
  } finally {
    await two.close();
  }
});

test('random: addCounts draws the same stream as int calls', () => {
  const a = createRng(77),
    b = createRng(77);
  const counts = new Float64Array(37),
    expected = new Float64Array(37);
  a.addCounts(1000, counts);
  for (let s = 0; s < 1000; s++) expected[b.int(37)] += 1;
  assert.deepEqual(Array.from(counts), Array.from(expected));
  assert.equal(a.next(), b.next());
});
