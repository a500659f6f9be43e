import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Features, Learner } from './types.ts';

/**
 * Ordinary least squares with an intercept. The centred system is solved through the SVD
 * pseudo-inverse, i.e. the minimum-norm least-squares solution (as numpy/scikit-learn's lstsq),
 * so collinear or all-zero controls (e.g. a fixed-effect dummy absent from the training folds)
 * get zero weight instead of failing.
 */
export function olsFitPredict(train: Features, y: Float64Array, test: Features): Float64Array {
  const n = train.n;
  const p = train.cols.length;
  const means = train.cols.map((col) => col.reduce((s, v) => s + v, 0) / n);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const out = new Float64Array(test.n).fill(yMean);
  if (p === 0) return out;
  const x = new Matrix(n, p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) x.set(i, j, train.cols[j][i] - means[j]);
  // beta = V diag(1/s) U' y, dropping singular values at rounding level (min-norm solution).
  const svd = new SingularValueDecomposition(x, { autoTranspose: true });
  const u = svd.leftSingularVectors,
    v = svd.rightSingularVectors,
    sv = svd.diagonal;
  const beta = new Float64Array(p);
  for (let k = 0; k < sv.length; k++) {
    if (!(sv[k] > svd.threshold)) continue;
    let uty = 0;
    for (let i = 0; i < n; i++) uty += u.get(i, k) * (y[i] - yMean);
    for (let j = 0; j < p; j++) beta[j] += (v.get(j, k) * uty) / sv[k];
  }
  for (let r = 0; r < test.n; r++) {
    let s = yMean;
    for (let j = 0; j < p; j++) s += (test.cols[j][r] - means[j]) * beta[j];
    out[r] = s;
  }
  return out;
}

export const ols: Learner = {
  name: 'ols',
  label: 'OLS',
  description: 'ordinary least squares with intercept (minimum-norm solution)',
  params: {},
  tasks: ['regression'],
  fitPredict: ({ train, y, test }) => olsFitPredict(train, y, test),
};
