import type { DmlModel } from './types.ts';

/**
 * Partially linear IV regression with one instrument, partialling-out score: with u = Y - l_hat,
 * v = D - m_hat, w = Z - r_hat, psi_a = -w v, psi_b = w u.
 */
export const pliv: DmlModel = {
  name: 'pliv',
  title: 'DoubleMLPLIV',
  scoreName: () => 'partialling out',
  check: () => {},
  nuisances: (design, names) => [
    { name: 'ml_l', describes: `E[${names.y}|X]`, role: 'l', target: design.y, task: 'regression' },
    { name: 'ml_m', describes: `E[${names.d}|X]`, role: 'm', target: design.d, task: 'regression' },
    { name: 'ml_r', describes: `E[${names.z}|X]`, role: 'r', target: design.z!, task: 'regression' },
  ],
  scoreElements: (design, preds) => {
    const n = design.n,
      psiA = new Float64Array(n),
      psiB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = design.y[i] - preds.ml_l[i],
        v = design.d[i] - preds.ml_m[i],
        w = design.z![i] - preds.ml_r[i];
      psiA[i] = -w * v;
      psiB[i] = w * u;
    }
    return { psiA, psiB };
  },
};
