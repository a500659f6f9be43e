import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/common/random.ts';
import { createExecutor, fitPredict } from '../../src/dml/executor.ts';
import { featuresPerSplit } from '../../src/dml/learners/forest.ts';
import { LEARNERS, learnerHelp, resolveLearnerParams } from '../../src/dml/learners/index.ts';
import { logitFitPredict } from '../../src/dml/learners/logit.ts';
import type { Features } from '../../src/dml/learners/types.ts';
import { tuneLearner } from '../../src/dml/tune.ts';

function logisticSample(n: number, seed: number) {
  const rng = createRng(seed);
  const cols = [Float64Array.from({ length: n }, () => rng.normal()), Float64Array.from({ length: n }, () => rng.normal())];
  const truth = Float64Array.from({ length: n }, (_, i) => 1 / (1 + Math.exp(-(0.3 + 1.2 * cols[0][i] - 0.8 * cols[1][i]))));
  const y = truth.map((p) => (rng.next() < p ? 1 : 0));
  return { x: { n, cols } as Features, y, truth };
}

const logLoss = (p: Float64Array, y: Float64Array): number => p.reduce((s, v, i) => s - (y[i] ? Math.log(v) : Math.log(1 - v)), 0) / y.length;

test('logit: the maximum-likelihood score equations hold at the fit (gradient ~0)', () => {
  const { x, y } = logisticSample(800, 1);
  const p = logitFitPredict(x, y, x, resolveLearnerParams('logit'));
  const grad = [0, 0, 0];
  for (let i = 0; i < x.n; i++) {
    const r = y[i] - p[i];
    grad[0] += r;
    grad[1] += r * x.cols[0][i];
    grad[2] += r * x.cols[1][i];
  }
  for (const g of grad) assert.ok(Math.abs(g) < 1e-9, `gradient ${grad}`);
  // A collinear copy of a column changes nothing (minimum-norm Newton steps).
  const dup: Features = { n: x.n, cols: [...x.cols, x.cols[0].map((v) => 2 * v)] };
  const q = logitFitPredict(dup, y, dup, resolveLearnerParams('logit'));
  for (let i = 0; i < x.n; i++) assert.ok(Math.abs(p[i] - q[i]) < 1e-9);
});

test('rf and gbm as classifiers give probabilities that beat the base rate out of sample', async () => {
  const train = logisticSample(600, 2),
    test_ = logisticSample(400, 3);
  const base = train.y.reduce((a, b) => a + b) / train.x.n;
  const baseLoss = logLoss(new Float64Array(test_.x.n).fill(base), test_.y);
  const exec = createExecutor(1);
  for (const [name, params] of [
    ['rf', { trees: 100, min_samples_leaf: 10 }],
    ['gbm', { trees: 60, max_depth: 2 }],
    ['logit', {}],
  ] as const) {
    const p = await fitPredict(exec, name, resolveLearnerParams(name, params), train.x, train.y, test_.x, 7, undefined, 'classification');
    assert.ok(
      p.every((v) => v >= 0 && v <= 1),
      `${name}: probabilities in [0, 1]`,
    );
    const loss = logLoss(
      p.map((v) => Math.min(1 - 1e-6, Math.max(1e-6, v))),
      test_.y,
    );
    assert.ok(loss < baseLoss - 0.05, `${name}: log-loss ${loss} vs base rate ${baseLoss}`);
  }
  await exec.close();
});

test('max_features: a share below 1 or a whole count; registry drives help and validation', () => {
  assert.equal(featuresPerSplit(0.34, 9), 3);
  assert.equal(featuresPerSplit(3, 9), 3);
  assert.equal(featuresPerSplit(3, 20), 3);
  assert.equal(featuresPerSplit(1, 9), 1);
  assert.equal(featuresPerSplit(30, 9), 9);
  assert.equal(featuresPerSplit(0, 9), 9);
  assert.throws(() => resolveLearnerParams('rf', { max_features: 2.5 }), /a share in \(0, 1\) or a whole count >= 1/);
  assert.throws(() => resolveLearnerParams('logit', { trees: 3 }), /learner 'logit' has no parameter 'trees'/);
  const help = learnerHelp();
  for (const l of Object.values(LEARNERS)) assert.ok(help.includes(`  ${l.name}: `), l.name);
  assert.match(help, /logit: .*\[classification only\]/);
});

test('tune: inner cross-validation picks the clearly better grid point and reports its loss', async () => {
  const rng = createRng(5);
  const n = 300;
  const x: Features = { n, cols: [Float64Array.from({ length: n }, () => rng.normal())] };
  const y = x.cols[0].map((v) => Math.sin(2 * v) + 0.1 * rng.normal());
  const exec = createExecutor(1);
  const base = resolveLearnerParams('gbm', { trees: 40 });
  const choice = await tuneLearner(exec, 'gbm', base, { grid: { gbm: { learning_rate: [1e-6, 0.2], max_depth: [2] } }, folds: 3 }, x, y, 'regression', 9);
  assert.equal(choice.params.learning_rate, 0.2);
  assert.equal(choice.params.trees, 40);
  assert.ok(choice.loss > 0 && choice.loss < 0.2, `CV MSE ${choice.loss}`);
  const again = await tuneLearner(exec, 'gbm', base, { grid: { gbm: { learning_rate: [1e-6, 0.2], max_depth: [2] } }, folds: 3 }, x, y, 'regression', 9);
  assert.deepEqual(again, choice);
  await exec.close();
});
