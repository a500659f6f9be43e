import { createRng } from '../../common/random.ts';
import { addTreePredictions, buildTree, presort, TreeWorkspace } from './tree.ts';
import type { Features, Learner, LearnerParams, LearnerTask } from './types.ts';

const sigmoid = (f: number): number => 1 / (1 + Math.exp(-f));

/** Working response of a log-loss Newton step is capped (Friedman, Hastie and Tibshirani 2000). */
const Z_MAX = 4;

/**
 * Gradient boosting (Friedman 2001; scikit-learn's GradientBoostingRegressor / Classifier).
 * Squared error: start from the mean, each stage fits a depth-limited regression tree to the
 * residuals and adds `learning_rate` times it. Log-loss (0/1 target, predicts probabilities):
 * start from the log-odds of the mean, each stage takes a Newton step on the log-odds by a
 * weighted regression tree of the working response (y - p) / (p (1 - p)) with weights p (1 - p),
 * so a leaf's value is sum(y - p) / sum(p (1 - p)) as in scikit-learn. `subsample` < 1 draws that
 * share of rows without replacement per stage. Splits use the plain (weighted) squared-error
 * criterion (scikit-learn's default is Friedman's MSE, which ranks splits almost identically).
 */
export function gbmFitPredict(
  train: Features,
  y: Float64Array,
  test: Features,
  params: LearnerParams,
  seed: number,
  task: LearnerTask = 'regression',
): Float64Array {
  const n = train.n;
  const logLoss = task === 'classification';
  const ps = presort(train.cols, n);
  const rng = createRng(seed);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const start = logLoss ? Math.log(Math.min(1 - 1e-12, Math.max(1e-12, mean)) / (1 - Math.min(1 - 1e-12, Math.max(1e-12, mean)))) : mean;
  const fitted = new Float64Array(n).fill(start);
  const out = new Float64Array(test.n).fill(start);
  const target = new Float64Array(n);
  const weight = new Float64Array(n).fill(1);
  const rowWeight = new Float64Array(n);
  const nSub = Math.max(1, Math.round(params.subsample * n));
  const perm = new Int32Array(n);
  const ws = new TreeWorkspace(ps);
  const treeParams = { maxDepth: params.max_depth, minSamplesLeaf: params.min_samples_leaf, maxFeatures: train.cols.length };
  for (let stage = 0; stage < params.trees; stage++) {
    if (nSub < n) {
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let a = 0; a < nSub; a++) {
        const b = a + rng.int(n - a);
        const t = perm[a];
        perm[a] = perm[b];
        perm[b] = t;
      }
      weight.fill(0);
      for (let a = 0; a < nSub; a++) weight[perm[a]] = 1;
    }
    if (logLoss) {
      // Hessian weights, scaled to mean 1 (the fit is invariant to the scale).
      let hSum = 0;
      for (let i = 0; i < n; i++) {
        const p = sigmoid(fitted[i]);
        const h = Math.max(p * (1 - p), 1e-12);
        target[i] = Math.max(-Z_MAX, Math.min(Z_MAX, (y[i] - p) / h));
        rowWeight[i] = h;
        hSum += h;
      }
      const scale = n / hSum;
      for (let i = 0; i < n; i++) rowWeight[i] *= scale * weight[i];
    } else {
      for (let i = 0; i < n; i++) target[i] = y[i] - fitted[i];
    }
    const tree = buildTree(ps, target, logLoss ? rowWeight : weight, treeParams, rng, ws);
    addTreePredictions(tree, train.cols, n, fitted, params.learning_rate);
    addTreePredictions(tree, test.cols, test.n, out, params.learning_rate);
  }
  return logLoss ? out.map(sigmoid) : out;
}

export const gbm: Learner = {
  name: 'gbm',
  label: 'GBM',
  description: 'gradient boosting with regression trees (squared error; log-loss for a 0/1 target)',
  params: {
    trees: { default: 100, integer: true, min: 1, description: 'boosting stages' },
    learning_rate: { default: 0.1, min: 1e-9, description: 'shrinkage per stage' },
    max_depth: { default: 3, integer: true, min: 1, description: 'depth of each tree' },
    min_samples_leaf: { default: 1, integer: true, min: 1, description: 'minimum rows in a leaf' },
    subsample: { default: 1, min: 1e-9, max: 1, description: 'share of rows per stage (<1: stochastic boosting)' },
  },
  tasks: ['regression', 'classification'],
  grid: { learning_rate: [0.05, 0.1], max_depth: [2, 3] },
  fitPredict: ({ train, y, test, params, seed, task }) => gbmFitPredict(train, y, test, params, seed, task),
};
