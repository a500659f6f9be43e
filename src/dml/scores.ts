/**
 * DoubleML's (0.8) linear-score inference: for psi = psi_a theta + psi_b, theta = -sum(psi_b) / sum(psi_a),
 * plain or cluster-robust standard errors, and the median aggregation over repeated splits. The
 * models supply psi_a and psi_b (models/).
 */
import type { ScoreElements } from './models/types.ts';

export interface ClusterInfo {
  /** Cluster index per observation. */
  cluster: Int32Array;
  nClusters: number;
  /** Fold per observation and the number of folds (every cluster inside one fold). */
  fold: Int32Array;
  folds: number;
}

export interface RepEstimate {
  theta: number;
  se: number;
}

/** Theta and standard error of one repetition (one split), plain or cluster-robust. */
export function repEstimate({ psiA, psiB }: ScoreElements, clusters?: ClusterInfo): RepEstimate {
  const n = psiA.length;
  if (!clusters) {
    let sa = 0,
      sb = 0;
    for (let i = 0; i < n; i++) {
      sa += psiA[i];
      sb += psiB[i];
    }
    const theta = -sb / sa;
    const j = sa / n;
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += (psiA[i] * theta + psiB[i]) ** 2;
    const sigma2 = s2 / n / (n * j * j);
    return { theta, se: Math.sqrt(sigma2) };
  }
  const { cluster, nClusters, fold, folds } = clusters;
  // |I_k|: clusters per fold.
  const clusterFold = new Int32Array(nClusters).fill(-1);
  for (let i = 0; i < n; i++) clusterFold[cluster[i]] = fold[i];
  const perFold = new Float64Array(folds);
  for (const f of clusterFold) if (f >= 0) perFold[f]++;
  let a = 0,
    b = 0;
  for (let i = 0; i < n; i++) {
    a += psiA[i] / perFold[fold[i]];
    b += psiB[i] / perFold[fold[i]];
  }
  const theta = -b / a;
  const clusterSum = new Float64Array(nClusters);
  for (let i = 0; i < n; i++) clusterSum[cluster[i]] += psiA[i] * theta + psiB[i];
  let gamma = 0;
  for (let c = 0; c < nClusters; c++) if (clusterFold[c] >= 0) gamma += clusterSum[c] ** 2 / perFold[clusterFold[c]];
  gamma /= folds;
  const j = a / folds;
  const sigma2 = gamma / (nClusters * j * j);
  return { theta, se: Math.sqrt(sigma2) };
}

export function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Standard normal CDF (Hart 1968 / West 2005 double-precision approximation, |error| < 1e-14). */
export function normalCdf(x: number): number {
  const ax = Math.abs(x);
  let c: number;
  if (ax > 37) c = 0;
  else {
    const e = Math.exp((-ax * ax) / 2);
    if (ax < 7.07106781186547) {
      let b = 3.52624965998911e-2 * ax + 0.700383064443688;
      b = b * ax + 6.37396220353165;
      b = b * ax + 33.912866078383;
      b = b * ax + 112.079291497871;
      b = b * ax + 221.213596169931;
      b = b * ax + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * ax + 1.75566716318264;
      b = b * ax + 16.064177579207;
      b = b * ax + 86.7807322029461;
      b = b * ax + 296.564248779674;
      b = b * ax + 637.333633378831;
      b = b * ax + 793.826512519948;
      b = b * ax + 440.413735824752;
      c /= b;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** Phi^{-1}(0.975): the 95% two-sided normal quantile. */
export const Z_95 = 1.959963984540054;

export interface Inference {
  theta: number;
  se: number;
  t: number;
  p: number;
  ci_lower: number;
  ci_upper: number;
}

/**
 * Combines R repetitions: theta = median theta_r, se = sqrt(median(se_r^2 + (theta_r - theta)^2 / N))
 * with N = n, or C when clustered; CI = [median(theta_r - z se_r), median(theta_r + z se_r)].
 */
export function aggregate(reps: RepEstimate[], nScaling: number): Inference {
  const { theta, se } = aggregateThetaSe(reps, nScaling);
  const t = theta / se;
  return {
    theta,
    se,
    t,
    p: 2 * normalCdf(-Math.abs(t)),
    ci_lower: median(reps.map((r) => r.theta - Z_95 * r.se)),
    ci_upper: median(reps.map((r) => r.theta + Z_95 * r.se)),
  };
}

/** Standard normal quantile: Acklam's rational approximation polished by two Newton steps on normalCdf. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile of ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5,
      r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  for (let k = 0; k < 2; k++) x -= (normalCdf(x) - p) / (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI));
  return x;
}

/** Median theta and the se of the aggregated estimate: sqrt(median(se_r^2 + (theta_r - theta)^2 / N)). */
export function aggregateThetaSe(reps: RepEstimate[], nScaling: number): RepEstimate {
  const theta = median(reps.map((r) => r.theta));
  const se = reps.length === 1 ? reps[0].se : Math.sqrt(median(reps.map((r) => r.se ** 2 + (r.theta - theta) ** 2 / nScaling)));
  return { theta, se };
}
