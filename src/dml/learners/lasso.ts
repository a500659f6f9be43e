import { meanSd, standardize } from './standardize.ts';
import type { Features, Learner, LearnerParams } from './types.ts';

/**
 * Lasso with the penalty chosen by K-fold cross-validation (scikit-learn's LassoCV semantics):
 * objective (1/2n)||y - Xb||^2 + alpha ||b||_1 on standardised inputs and target, solved by cyclic
 * coordinate descent along a path of `n_alphas` penalties log-spaced from alpha_max (the smallest
 * penalty giving b = 0) down to eps * alpha_max, with warm starts. CV folds are `cv` contiguous
 * blocks of the training rows (as KFold without shuffling); the alpha with the lowest mean
 * held-out MSE is refitted on all training rows. A sweep converges when no coefficient moves the
 * fit by more than tol (max_j of mean(x_j^2) * change_j^2 < tol, glmnet's rule; the target has sd 1).
 */
function coordinateDescent(
  cols: Float64Array[],
  rows: Int32Array,
  y: Float64Array,
  alpha: number,
  beta: Float64Array,
  colSq: Float64Array,
  tol: number,
  maxIter: number,
): void {
  const n = rows.length;
  const resid = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = y[rows[r]];
    for (let j = 0; j < cols.length; j++) if (beta[j] !== 0) s -= cols[j][rows[r]] * beta[j];
    resid[r] = s;
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let maxChange = 0;
    for (let j = 0; j < cols.length; j++) {
      if (colSq[j] === 0) continue;
      const col = cols[j];
      let dot = 0;
      for (let r = 0; r < n; r++) dot += col[rows[r]] * resid[r];
      const rho = dot / n + beta[j] * colSq[j];
      const updated = (Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0)) / colSq[j];
      const delta = updated - beta[j];
      if (delta !== 0) {
        for (let r = 0; r < n; r++) resid[r] -= col[rows[r]] * delta;
        beta[j] = updated;
        maxChange = Math.max(maxChange, colSq[j] * delta * delta);
      }
    }
    if (maxChange < tol) return;
  }
}

/** (1/n) sum of squares of each column over `rows`. */
function columnSquares(cols: Float64Array[], rows: Int32Array): Float64Array {
  return Float64Array.from(cols, (col) => {
    let s = 0;
    for (const r of rows) s += col[r] * col[r];
    return s / rows.length;
  });
}

function alphaPath(cols: Float64Array[], y: Float64Array, nAlphas: number, eps: number): number[] {
  let alphaMax = 0;
  for (const col of cols) {
    let dot = 0;
    for (let i = 0; i < y.length; i++) dot += col[i] * y[i];
    alphaMax = Math.max(alphaMax, Math.abs(dot) / y.length);
  }
  if (alphaMax === 0) return [0];
  if (nAlphas === 1) return [alphaMax];
  return Array.from({ length: nAlphas }, (_, k) => alphaMax * eps ** (k / (nAlphas - 1)));
}

export function lassoFitPredict(train: Features, y: Float64Array, test: Features, params: LearnerParams): Float64Array {
  const scaled = standardize(train, test);
  const { mean, sd } = meanSd(y);
  const ys = y.map((v) => (v - mean) / sd);
  const cols = scaled.train.cols;
  const p = cols.length;
  const n = train.n;
  const alphas = alphaPath(cols, ys, params.n_alphas, params.eps);
  const nFolds = Math.min(params.cv, n);
  const mse = new Float64Array(alphas.length);
  for (let f = 0; f < nFolds; f++) {
    // Contiguous blocks with sizes as KFold: the first n % K blocks have one more row.
    const size = (g: number): number => Math.floor(n / nFolds) + (g < n % nFolds ? 1 : 0);
    let start = 0;
    for (let g = 0; g < f; g++) start += size(g);
    const end = start + size(f);
    const fitRows = Int32Array.from({ length: n - (end - start) }, (_, k) => (k < start ? k : k + end - start));
    // Held-out rows are predicted with the centred fit: intercept = mean of the fitting rows.
    let yBar = 0;
    for (const r of fitRows) yBar += ys[r];
    yBar /= fitRows.length;
    const yc = ys.map((v) => v - yBar);
    const colMeans = cols.map((col) => {
      let s = 0;
      for (const r of fitRows) s += col[r];
      return s / fitRows.length;
    });
    const centred = cols.map((col, j) => col.map((v) => v - colMeans[j]));
    const colSq = columnSquares(centred, fitRows);
    const beta = new Float64Array(p);
    alphas.forEach((alpha, a) => {
      coordinateDescent(centred, fitRows, yc, alpha, beta, colSq, params.tol, params.max_iter);
      let sse = 0;
      for (let r = start; r < end; r++) {
        let pred = yBar;
        for (let j = 0; j < p; j++) pred += centred[j][r] * beta[j];
        sse += (ys[r] - pred) ** 2;
      }
      mse[a] += sse / (end - start) / nFolds;
    });
  }
  let best = 0;
  for (let a = 1; a < alphas.length; a++) if (mse[a] < mse[best]) best = a;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const colSq = columnSquares(cols, all);
  const beta = new Float64Array(p);
  for (let a = 0; a <= best; a++) coordinateDescent(cols, all, ys, alphas[a], beta, colSq, params.tol, params.max_iter);
  const out = new Float64Array(test.n);
  for (let r = 0; r < test.n; r++) {
    let pred = 0;
    for (let j = 0; j < p; j++) pred += scaled.test.cols[j][r] * beta[j];
    out[r] = mean + sd * pred;
  }
  return out;
}

export const lasso: Learner = {
  name: 'lasso',
  label: 'Lasso',
  description: 'lasso, penalty by K-fold cross-validation (coordinate descent, standardised inputs)',
  params: {
    cv: { default: 5, integer: true, min: 2, description: 'cross-validation folds for the penalty' },
    n_alphas: { default: 100, integer: true, min: 1, description: 'penalties on the path' },
    eps: { default: 1e-3, min: 1e-12, max: 1, description: 'smallest / largest penalty' },
    tol: { default: 1e-7, min: 1e-15, description: 'coordinate descent tolerance (max mean(x_j^2) * change_j^2)' },
    max_iter: { default: 10000, integer: true, min: 1, description: 'coordinate descent sweeps per penalty' },
  },
  tasks: ['regression'],
  fitPredict: ({ train, y, test, params }) => lassoFitPredict(train, y, test, params),
};
