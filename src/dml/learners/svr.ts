import { meanSd, standardize } from './standardize.ts';
import type { Features, Learner, LearnerParams } from './types.ts';

/**
 * Epsilon-support vector regression with an RBF kernel, solved by SMO with second-order working
 * set selection (Fan, Chen and Lin 2005), i.e. LIBSVM's algorithm without shrinking. Inputs are
 * standardised with the training mean/sd; the target is standardised too, so `C` and `epsilon` are
 * in units of the target's standard deviation. gamma = 0 means "scale": 1 / (number of features).
 */
export interface SvrModel {
  /** beta_i = alpha_i - alpha*_i per training row; f(x) = sum beta_i K(x_i, x) - rho. */
  beta: Float64Array;
  rho: number;
  gamma: number;
}

const TAU = 1e-12;

function rbfKernelMatrix(a: Features, b: Features, gamma: number): Float64Array {
  const out = new Float64Array(a.n * b.n);
  for (let i = 0; i < a.n; i++) {
    for (let k = 0; k < b.n; k++) {
      let d2 = 0;
      for (let j = 0; j < a.cols.length; j++) {
        const d = a.cols[j][i] - b.cols[j][k];
        d2 += d * d;
      }
      out[i * b.n + k] = Math.exp(-gamma * d2);
    }
  }
  return out;
}

/** Solves the epsilon-SVR dual on (X, y) as given (no scaling). */
export function fitSvr(x: Features, y: Float64Array, c: number, epsilon: number, gamma: number, tol: number, maxIter: number): SvrModel {
  const l = x.n;
  const kmat = rbfKernelMatrix(x, x, gamma);
  const len = 2 * l;
  const sign = new Int8Array(len);
  const alpha = new Float64Array(len);
  const grad = new Float64Array(len);
  for (let t = 0; t < l; t++) {
    sign[t] = 1;
    grad[t] = epsilon - y[t];
    sign[t + l] = -1;
    grad[t + l] = epsilon + y[t];
  }
  const q = (i: number, k: number): number => sign[i] * sign[k] * kmat[(i % l) * l + (k % l)];
  const qd = (i: number): number => kmat[(i % l) * l + (i % l)];
  const isUpper = (t: number): boolean => alpha[t] >= c;
  const isLower = (t: number): boolean => alpha[t] <= 0;

  for (let iter = 0; iter < maxIter; iter++) {
    let gmax = -Infinity,
      gmaxIdx = -1;
    for (let t = 0; t < len; t++) {
      if (sign[t] === 1) {
        if (!isUpper(t) && -grad[t] >= gmax) {
          gmax = -grad[t];
          gmaxIdx = t;
        }
      } else if (!isLower(t) && grad[t] >= gmax) {
        gmax = grad[t];
        gmaxIdx = t;
      }
    }
    const i = gmaxIdx;
    let gmax2 = -Infinity,
      gminIdx = -1,
      objDiffMin = Infinity;
    if (i >= 0) {
      for (let j = 0; j < len; j++) {
        if (sign[j] === 1) {
          if (isLower(j)) continue;
          const gradDiff = gmax + grad[j];
          if (grad[j] >= gmax2) gmax2 = grad[j];
          if (gradDiff > 0) {
            let quad = qd(i) + qd(j) - 2 * sign[i] * q(i, j);
            if (quad <= 0) quad = TAU;
            const objDiff = -(gradDiff * gradDiff) / quad;
            if (objDiff <= objDiffMin) {
              gminIdx = j;
              objDiffMin = objDiff;
            }
          }
        } else {
          if (isUpper(j)) continue;
          const gradDiff = gmax - grad[j];
          if (-grad[j] >= gmax2) gmax2 = -grad[j];
          if (gradDiff > 0) {
            let quad = qd(i) + qd(j) + 2 * sign[i] * q(i, j);
            if (quad <= 0) quad = TAU;
            const objDiff = -(gradDiff * gradDiff) / quad;
            if (objDiff <= objDiffMin) {
              gminIdx = j;
              objDiffMin = objDiff;
            }
          }
        }
      }
    }
    if (i < 0 || gminIdx < 0 || gmax + gmax2 < tol) break;
    const j = gminIdx;
    const oldI = alpha[i],
      oldJ = alpha[j];
    const qij = q(i, j);
    if (sign[i] !== sign[j]) {
      let quad = qd(i) + qd(j) + 2 * qij;
      if (quad <= 0) quad = TAU;
      const delta = (-grad[i] - grad[j]) / quad;
      const diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = diff;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = -diff;
      }
      if (diff > 0) {
        if (alpha[i] > c) {
          alpha[i] = c;
          alpha[j] = c - diff;
        }
      } else if (alpha[j] > c) {
        alpha[j] = c;
        alpha[i] = c + diff;
      }
    } else {
      let quad = qd(i) + qd(j) - 2 * qij;
      if (quad <= 0) quad = TAU;
      const delta = (grad[i] - grad[j]) / quad;
      const sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > c) {
        if (alpha[i] > c) {
          alpha[i] = c;
          alpha[j] = sum - c;
        }
      } else if (alpha[j] < 0) {
        alpha[j] = 0;
        alpha[i] = sum;
      }
      if (sum > c) {
        if (alpha[j] > c) {
          alpha[j] = c;
          alpha[i] = sum - c;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = sum;
      }
    }
    const dI = alpha[i] - oldI,
      dJ = alpha[j] - oldJ;
    for (let k = 0; k < len; k++) grad[k] += q(i, k) * dI + q(j, k) * dJ;
  }

  // rho: average of y*grad over free variables, else the midpoint of the feasible interval.
  let nFree = 0,
    sumFree = 0,
    ub = Infinity,
    lb = -Infinity;
  for (let t = 0; t < len; t++) {
    const yg = sign[t] * grad[t];
    if (isUpper(t)) {
      if (sign[t] === -1) ub = Math.min(ub, yg);
      else lb = Math.max(lb, yg);
    } else if (isLower(t)) {
      if (sign[t] === 1) ub = Math.min(ub, yg);
      else lb = Math.max(lb, yg);
    } else {
      nFree++;
      sumFree += yg;
    }
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  const beta = new Float64Array(l);
  for (let t = 0; t < l; t++) beta[t] = alpha[t] - alpha[t + l];
  return { beta, rho, gamma };
}

export function predictSvr(model: SvrModel, train: Features, test: Features): Float64Array {
  const k = rbfKernelMatrix(test, train, model.gamma);
  const out = new Float64Array(test.n);
  for (let r = 0; r < test.n; r++) {
    let s = -model.rho;
    for (let i = 0; i < train.n; i++) s += model.beta[i] * k[r * train.n + i];
    out[r] = s;
  }
  return out;
}

export function svrFitPredict(train: Features, y: Float64Array, test: Features, params: LearnerParams): Float64Array {
  const scaled = standardize(train, test);
  const { mean, sd } = meanSd(y);
  const ys = y.map((v) => (v - mean) / sd);
  const gamma = params.gamma > 0 ? params.gamma : 1 / Math.max(1, train.cols.length);
  const model = fitSvr(scaled.train, ys, params.C, params.epsilon, gamma, params.tol, params.max_iter);
  return predictSvr(model, scaled.train, scaled.test).map((v) => mean + sd * v);
}

export const svr: Learner = {
  name: 'svr',
  label: 'SVR',
  description: 'epsilon-SVR, RBF kernel, standardised inputs and target (SMO solver)',
  params: {
    C: { default: 1, min: 1e-12, description: 'penalty on errors beyond epsilon' },
    epsilon: { default: 0.1, min: 0, description: 'insensitive tube half-width (target sd units)' },
    gamma: { default: 0, min: 0, description: 'RBF gamma (0 = 1 / number of features)' },
    tol: { default: 1e-3, min: 1e-15, description: 'SMO stopping tolerance (KKT gap)' },
    max_iter: { default: 1e6, integer: true, min: 1, description: 'SMO iteration cap' },
  },
  tasks: ['regression'],
  grid: { C: [0.1, 1, 10] },
  fitPredict: ({ train, y, test, params }) => svrFitPredict(train, y, test, params),
};
