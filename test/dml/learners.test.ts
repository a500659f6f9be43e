import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomForestRegression } from 'ml-random-forest';
import { createRng, type Rng } from '../../src/common/random.ts';
import { createExecutor, fitPredict } from '../../src/dml/executor.ts';
import { resolveLearnerParams } from '../../src/dml/learners/index.ts';
import { fitSvr, predictSvr } from '../../src/dml/learners/svr.ts';
import { addTreePredictions, buildTree, presort } from '../../src/dml/learners/tree.ts';
import type { Features } from '../../src/dml/learners/types.ts';
import { naiveTreePredict } from './naiveCart.ts';

function sample(rng: Rng, n: number, p: number, f: (x: number[]) => number, noise: number) {
  const rows = Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
  const x: Features = { n, cols: Array.from({ length: p }, (_, j) => Float64Array.from(rows, (r) => r[j])) };
  const truth = Float64Array.from(rows, f);
  return { rows, x, truth, y: truth.map((v) => v + noise * rng.normal()) };
}

function r2(truth: Float64Array, pred: ArrayLike<number>): number {
  const mean = truth.reduce((a, b) => a + b) / truth.length;
  let sse = 0,
    sst = 0;
  truth.forEach((t, i) => {
    sse += (t - pred[i]) ** 2;
    sst += (t - mean) ** 2;
  });
  return 1 - sse / sst;
}

const friedman = (x: number[]): number => Math.sin(x[0] * x[1]) + (x[2] - 0.5) ** 2 + 0.5 * x[0];

test('tree: same fit as a plain CART search, with bootstrap weights and dummy features', () => {
  const rng = createRng(5);
  const n = 60;
  // Two continuous features, a one-hot group of 3 categories (2 dummies) and a binary feature.
  const draw = (): number[] => {
    const cat = rng.int(3);
    return [rng.normal(), rng.normal(), cat === 1 ? 1 : 0, cat === 2 ? 1 : 0, rng.int(2) * 2 - 1];
  };
  const rows = Array.from({ length: n }, draw);
  const y = rows.map((r) => r[0] + 2 * r[2] - r[3] + 0.5 * r[4] * r[1] + 0.1 * rng.normal());
  const w = Array.from({ length: n }, () => 0);
  for (let s = 0; s < n; s++) w[rng.int(n)]++;
  // Compared on the in-bag rows: where two features give the same partition of a node, which one
  // a search picks is a floating-point tie that only shows on points between them.
  const test = rows.filter((_, i) => w[i] > 0);
  const cols = (m: number[][]): Float64Array[] => Array.from({ length: 5 }, (_, j) => Float64Array.from(m, (r) => r[j]));
  const ps = presort(cols(rows), n);
  assert.equal(ps.binary.length, 3, 'dummies are recognised as two-valued');
  for (const [maxDepth, minLeaf] of [
    [4, 3],
    [6, 2],
    [3, 1],
  ]) {
    const tree = buildTree(ps, Float64Array.from(y), Float64Array.from(w), { maxDepth, minSamplesLeaf: minLeaf, maxFeatures: 5 }, createRng(1));
    const out = new Float64Array(test.length);
    addTreePredictions(tree, cols(test), test.length, out);
    const expected = naiveTreePredict(rows, y, w, test, maxDepth, minLeaf);
    expected.forEach((e, i) => assert.ok(Math.abs(out[i] - e) < 1e-12, `depth ${maxDepth}, leaf ${minLeaf}, row ${i}: ${out[i]} vs ${e}`));
    assert.ok(new Set(expected).size > 4, 'leaves hold several rows (the comparison is not trivial)');
  }
});

test('rf: out-of-sample fit comparable to ml-random-forest on the same problem', async () => {
  const rng = createRng(11);
  const train = sample(rng, 300, 3, friedman, 0.3);
  const test = sample(rng, 200, 3, friedman, 0);
  const exec = createExecutor(1);
  const ours = await fitPredict(exec, 'rf', resolveLearnerParams('rf', { trees: 100 }), train.x, train.y, test.x, 3);
  const ref = new RandomForestRegression({ nEstimators: 100, maxFeatures: 1.0, replacement: false, useSampleBagging: true, seed: 3, noOOB: true });
  ref.train(train.rows, Array.from(train.y));
  const theirs = ref.predict(test.rows);
  const a = r2(test.truth, ours),
    b = r2(test.truth, theirs);
  assert.ok(a > 0.7, `cger forest R^2 ${a}`);
  assert.ok(Math.abs(a - b) < 0.1, `cger R^2 ${a} vs ml-random-forest ${b}`);
});

test('rf: results do not depend on the number of threads', async () => {
  const rng = createRng(12);
  const train = sample(rng, 120, 4, friedman, 0.3);
  const test = sample(rng, 30, 4, friedman, 0);
  const params = resolveLearnerParams('rf', { trees: 120, max_features: 0.5 });
  const one = createExecutor(1),
    two = createExecutor(2);
  try {
    const a = await fitPredict(one, 'rf', params, train.x, train.y, test.x, 9);
    const b = await fitPredict(two, 'rf', params, train.x, train.y, test.x, 9);
    assert.deepEqual(Array.from(a), Array.from(b));
  } finally {
    await two.close();
  }
});

test('gbm and lasso learn their targets; lasso recovers a sparse linear model', async () => {
  const rng = createRng(13);
  const exec = createExecutor(1);
  const train = sample(rng, 300, 3, friedman, 0.3);
  const test = sample(rng, 200, 3, friedman, 0);
  const gbm = await fitPredict(exec, 'gbm', resolveLearnerParams('gbm'), train.x, train.y, test.x, 1);
  assert.ok(r2(test.truth, gbm) > 0.8, `gbm R^2 ${r2(test.truth, gbm)}`);
  const linear = (x: number[]): number => 3 * x[0] - 2 * x[4];
  const lt = sample(rng, 200, 10, linear, 0.5),
    le = sample(rng, 100, 10, linear, 0);
  const lasso = await fitPredict(exec, 'lasso', resolveLearnerParams('lasso'), lt.x, lt.y, le.x, 1);
  assert.ok(r2(le.truth, lasso) > 0.97, `lasso R^2 ${r2(le.truth, lasso)}`);
});

test('ols: min-norm solution, an all-zero control gets no weight', async () => {
  const exec = createExecutor(1);
  const x: Features = { n: 4, cols: [Float64Array.from([0, 1, 2, 3]), new Float64Array(4)] };
  const y = Float64Array.from([1, 3, 5, 7]);
  const test: Features = { n: 2, cols: [Float64Array.from([10, -1]), Float64Array.from([1, 5])] };
  const pred = await fitPredict(exec, 'ols', {}, x, y, test, 0);
  assert.ok(Math.abs(pred[0] - 21) < 1e-12 && Math.abs(pred[1] + 1) < 1e-12, `got ${Array.from(pred)}`);
});

test('svr: the SMO solution satisfies the epsilon-SVR optimality (KKT) conditions', () => {
  const rng = createRng(14);
  const train = sample(rng, 80, 2, (x) => Math.sin(2 * x[0]) + 0.3 * x[1], 0.1);
  const c = 1,
    eps = 0.1;
  const model = fitSvr(train.x, train.y, c, eps, 0.5, 1e-6, 1e6);
  const f = predictSvr(model, train.x, train.x);
  let free = 0;
  for (let i = 0; i < train.x.n; i++) {
    const r = train.y[i] - f[i];
    const b = model.beta[i];
    assert.ok(Math.abs(b) <= c + 1e-12, `|beta| <= C at ${i}`);
    if (Math.abs(b) < 1e-9) assert.ok(Math.abs(r) <= eps + 1e-4, `inactive row ${i} inside the tube (r = ${r})`);
    else if (Math.abs(b) < c - 1e-9) {
      free++;
      assert.ok(Math.abs(Math.abs(r) - eps) < 1e-4 && Math.sign(r) === Math.sign(b), `free row ${i} on the tube (r = ${r})`);
    } else assert.ok(Math.abs(r) >= eps - 1e-4 && Math.sign(r) === Math.sign(b), `bounded row ${i} outside the tube (r = ${r})`);
  }
  assert.ok(free > 0, 'some support vectors are free');
  assert.ok(Math.abs(model.beta.reduce((a, v) => a + v, 0)) < 1e-9, 'sum of beta is 0');
  const test = sample(rng, 100, 2, (x) => Math.sin(2 * x[0]) + 0.3 * x[1], 0);
  assert.ok(r2(test.truth, predictSvr(model, train.x, test.x)) > 0.8);
});

test('learner parameters: defaults, overrides and clear errors', () => {
  assert.equal(resolveLearnerParams('rf').trees, 500);
  assert.equal(resolveLearnerParams('rf', { trees: 50 }).trees, 50);
  assert.throws(() => resolveLearnerParams('rf', { tress: 50 }), /learner 'rf' has no parameter 'tress'/);
  assert.throws(() => resolveLearnerParams('gbm', { subsample: 2 }), /subsample=2 is invalid/);
  assert.throws(() => resolveLearnerParams('xgb'), /unknown learner 'xgb'/);
});
