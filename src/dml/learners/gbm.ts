import { createRng } from '../../common/random.ts';
import { addTreePredictions, buildTree, presort, TreeWorkspace } from './tree.ts';
import type { Features, LearnerParams } from './types.ts';

/**
 * Gradient boosting for squared error (Friedman 2001; scikit-learn's GradientBoostingRegressor
 * with loss="squared_error"): start from the mean, then each stage fits a depth-limited regression
 * tree to the current residuals and adds `learning_rate` times it. `subsample` < 1 draws that share
 * of rows without replacement per stage (stochastic boosting). Splits use the plain squared-error
 * criterion (scikit-learn's default is Friedman's MSE, which ranks splits almost identically).
 */
export function gbmFitPredict(train: Features, y: Float64Array, test: Features, params: LearnerParams, seed: number): Float64Array {
  const n = train.n;
  const ps = presort(train.cols, n);
  const rng = createRng(seed);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const fitted = new Float64Array(n).fill(mean);
  const out = new Float64Array(test.n).fill(mean);
  const residual = new Float64Array(n);
  const weight = new Float64Array(n).fill(1);
  const nSub = Math.max(1, Math.round(params.subsample * n));
  const perm = new Int32Array(n);
  const ws = new TreeWorkspace(ps);
  const treeParams = { maxDepth: params.max_depth, minSamplesLeaf: params.min_samples_leaf, maxFeatures: train.cols.length };
  for (let stage = 0; stage < params.trees; stage++) {
    for (let i = 0; i < n; i++) residual[i] = y[i] - fitted[i];
    if (nSub < n) {
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let a = 0; a < nSub; a++) { const b = a + rng.int(n - a); const t = perm[a]; perm[a] = perm[b]; perm[b] = t; }
      weight.fill(0);
      for (let a = 0; a < nSub; a++) weight[perm[a]] = 1;
    }
    const tree = buildTree(ps, residual, weight, treeParams, rng, ws);
    addTreePredictions(tree, train.cols, n, fitted, params.learning_rate);
    addTreePredictions(tree, test.cols, test.n, out, params.learning_rate);
  }
  return out;
}
