import type { DmlModel } from './types.ts';

/**
 * Partially linear regression, partialling-out score: with u = Y - l_hat, v = D - m_hat,
 * psi_a = -v^2, psi_b = v u. Sensitivity: sigma2 = mean((u - theta v)^2), nu2 = 1 / mean(v^2).
 */
export const plr: DmlModel = {
  name: 'plr',
  title: 'DoubleMLPLR',
  scoreName: () => 'partialling out',
  check: () => {},
  nuisances: (design, names) => [
    { name: 'ml_l', describes: `E[${names.y}|X]`, role: 'l', target: design.y, task: 'regression' },
    { name: 'ml_m', describes: `E[${names.d}|X]`, role: 'm', target: design.d, task: 'regression' },
  ],
  scoreElements: (design, preds) => {
    const n = design.n,
      psiA = new Float64Array(n),
      psiB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = design.y[i] - preds.ml_l[i],
        v = design.d[i] - preds.ml_m[i];
      psiA[i] = -v * v;
      psiB[i] = v * u;
    }
    return { psiA, psiB };
  },
  sensitivityElements: (design, preds, theta) => {
    const n = design.n;
    const res2 = new Float64Array(n),
      v2 = new Float64Array(n);
    let sigma2 = 0,
      meanV2 = 0;
    for (let i = 0; i < n; i++) {
      const u = design.y[i] - preds.ml_l[i],
        v = design.d[i] - preds.ml_m[i];
      res2[i] = (u - theta * v) ** 2;
      v2[i] = v * v;
      sigma2 += res2[i];
      meanV2 += v2[i];
    }
    sigma2 /= n;
    const nu2 = n / meanV2;
    return {
      sigma2,
      nu2,
      psiSigma2: res2.map((r) => r - sigma2),
      psiNu2: v2.map((q) => nu2 - q * nu2 * nu2),
    };
  },
};
