import { CgerError } from '../../common/errors.ts';
import type { Design } from '../design.ts';
import type { DmlModel, ModelOptions, Predictions } from './types.ts';

/** Weights of the ATE (1, 1) and of the ATTE (D / p, m / p with p = mean(D)). */
function weights(design: Design, m: Float64Array, options: ModelOptions): { w: Float64Array; wBar: Float64Array } {
  const n = design.n;
  if (options.score === 'ATE') return { w: new Float64Array(n).fill(1), wBar: new Float64Array(n).fill(1) };
  let p = 0;
  for (let i = 0; i < n; i++) p += design.d[i];
  p /= n;
  return { w: design.d.map((d) => d / p), wBar: m.map((v) => v / p) };
}

/**
 * Interactive regression model for a binary treatment: g0 = E[Y|D=0,X] and g1 = E[Y|D=1,X]
 * fitted on the untreated / treated training rows, m = P(D=1|X) from a classifier, truncated to
 * [t, 1 - t]. psi_a = -w, psi_b = w (g1 - g0) + w_bar (D (Y - g1) / m - (1 - D)(Y - g0) / (1 - m)).
 */
export const irm: DmlModel = {
  name: 'irm',
  title: 'DoubleMLIRM',
  scoreName: (options) => options.score,
  check: (design, options) => {
    const bad = design.d.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) {
      throw new CgerError(
        `the interactive regression model (--model irm) needs a binary 0/1 treatment; '${design.names.d}' is ${design.d[bad]} at line ${design.lines[bad]}`,
      );
    }
    if (!(options.trimming >= 0 && options.trimming < 0.5)) throw new CgerError(`--trimming ${options.trimming} must be in [0, 0.5)`);
  },
  nuisances: (design, names) => [
    { name: 'ml_g0', describes: `E[${names.y}|X,${names.d}=0]`, role: 'g', target: design.y, task: 'regression', trainOnD: 0 },
    { name: 'ml_g1', describes: `E[${names.y}|X,${names.d}=1]`, role: 'g', target: design.y, task: 'regression', trainOnD: 1 },
    { name: 'ml_m', describes: `P(${names.d}=1|X)`, role: 'm', target: design.d, task: 'classification' },
  ],
  adjust: (preds: Predictions, options) => {
    const t = options.trimming;
    if (t > 0) preds.ml_m = preds.ml_m.map((v) => Math.min(1 - t, Math.max(t, v)));
  },
  scoreElements: (design, preds, options) => {
    const { y, d, n } = design;
    const { ml_g0: g0, ml_g1: g1, ml_m: m } = preds;
    const { w, wBar } = weights(design, m, options);
    const psiA = new Float64Array(n),
      psiB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      psiA[i] = -w[i];
      psiB[i] = w[i] * (g1[i] - g0[i]) + wBar[i] * ((d[i] * (y[i] - g1[i])) / m[i] - ((1 - d[i]) * (y[i] - g0[i])) / (1 - m[i]));
    }
    return { psiA, psiB };
  },
  sensitivityElements: (design, preds, _theta, options) => {
    const { y, d, n } = design;
    const { ml_g0: g0, ml_g1: g1, ml_m: m } = preds;
    const { w, wBar } = weights(design, m, options);
    const res2 = new Float64Array(n),
      nuEl = new Float64Array(n);
    let sigma2 = 0,
      nu2 = 0;
    for (let i = 0; i < n; i++) {
      // ATTE: the treated outcomes are observed, not predicted (g1 = Y), as in DoubleML 0.8.
      const g1i = options.score === 'ATE' ? g1[i] : y[i];
      res2[i] = (y[i] - d[i] * g1i - (1 - d[i]) * g0[i]) ** 2;
      const mAlpha = w[i] * wBar[i] * (1 / m[i] + 1 / (1 - m[i]));
      const rr = wBar[i] * (d[i] / m[i] - (1 - d[i]) / (1 - m[i]));
      nuEl[i] = 2 * mAlpha - rr * rr;
      sigma2 += res2[i];
      nu2 += nuEl[i];
    }
    sigma2 /= n;
    nu2 /= n;
    return { sigma2, nu2, psiSigma2: res2.map((r) => r - sigma2), psiNu2: nuEl.map((e) => e - nu2) };
  },
};
