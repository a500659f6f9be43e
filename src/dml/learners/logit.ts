import { Matrix, solve } from 'ml-matrix';
import { standardize } from './standardize.ts';
import type { Features, Learner, LearnerParams } from './types.ts';

function logLikelihood(eta: Float64Array, y: Float64Array): number {
  let ll = 0;
  for (let i = 0; i < eta.length; i++) {
    // log(1 + e^eta) computed without overflow.
    const softplus = eta[i] > 0 ? eta[i] + Math.log1p(Math.exp(-eta[i])) : Math.log1p(Math.exp(eta[i]));
    ll += y[i] * eta[i] - softplus;
  }
  return ll;
}

/**
 * Unpenalised logistic regression with intercept, maximum likelihood by Newton-Raphson (IRLS)
 * with step halving, on standardised inputs (the fitted probabilities do not depend on the
 * scaling). Stops when the largest Newton step on a coefficient is below `tol`. Collinear
 * columns are handled by the minimum-norm (SVD) solution of each Newton system; under perfect
 * separation the likelihood has no maximum and the probabilities approach 0 / 1 until `max_iter`.
 */
export function logitFitPredict(train: Features, y: Float64Array, test: Features, params: LearnerParams): Float64Array {
  const { train: xs, test: ts } = standardize(train, test);
  const n = train.n,
    p = xs.cols.length + 1;
  const col = (j: number, i: number): number => (j === 0 ? 1 : xs.cols[j - 1][i]);
  const beta = new Float64Array(p);
  const eta = new Float64Array(n);
  const etaOf = (b: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = b[0];
      for (let j = 1; j < p; j++) s += b[j] * xs.cols[j - 1][i];
      out[i] = s;
    }
  };
  let ll = logLikelihood(eta, y);
  const trial = new Float64Array(p),
    trialEta = new Float64Array(n);
  for (let iter = 0; iter < params.max_iter; iter++) {
    const grad = new Matrix(p, 1),
      hess = new Matrix(p, p);
    for (let i = 0; i < n; i++) {
      const pr = 1 / (1 + Math.exp(-eta[i]));
      const w = pr * (1 - pr),
        r = y[i] - pr;
      for (let a = 0; a < p; a++) {
        const xa = col(a, i);
        grad.set(a, 0, grad.get(a, 0) + xa * r);
        for (let b = 0; b <= a; b++) hess.set(a, b, hess.get(a, b) + w * xa * col(b, i));
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hess.set(b, a, hess.get(a, b));
    const step = solve(hess, grad, true).getColumn(0);
    let scale = 1,
      improved = false;
    for (let half = 0; half < 40; half++, scale /= 2) {
      for (let j = 0; j < p; j++) trial[j] = beta[j] + scale * step[j];
      etaOf(trial, trialEta);
      const llTrial = logLikelihood(trialEta, y);
      if (llTrial >= ll - 1e-12 * Math.abs(ll)) {
        ll = llTrial;
        improved = true;
        break;
      }
    }
    if (!improved) break;
    beta.set(trial);
    eta.set(trialEta);
    if (Math.max(...step.map((s) => Math.abs(s * scale))) < params.tol) break;
  }
  const out = new Float64Array(test.n);
  for (let r = 0; r < test.n; r++) {
    let s = beta[0];
    for (let j = 1; j < p; j++) s += beta[j] * ts.cols[j - 1][r];
    out[r] = 1 / (1 + Math.exp(-s));
  }
  return out;
}

export const logit: Learner = {
  name: 'logit',
  label: 'Logit',
  description: 'logistic regression with intercept, unpenalised maximum likelihood (Newton / IRLS; 0/1 targets only)',
  params: {
    tol: { default: 1e-12, min: 0, description: 'stop when every Newton step on a coefficient is below this' },
    max_iter: { default: 100, integer: true, min: 1, description: 'Newton iteration cap' },
  },
  tasks: ['classification'],
  fitPredict: ({ train, y, test, params }) => logitFitPredict(train, y, test, params),
};
