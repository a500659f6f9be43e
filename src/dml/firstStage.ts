import type { Design } from './design.ts';

/** First stage of PLIV on the residualised variables: v = pi w + e. */
export interface FirstStage {
  /** Effective F (Montiel Olea and Pflueger; with one instrument the robust Wald F of pi = 0). */
  f: number;
  coef: number;
  /** 'heteroskedasticity-robust' or 'cluster-robust'. */
  robust: string;
}

/**
 * Strength of the instrument after partialling out the controls: regress v = D - m_hat on
 * w = Z - r_hat (no intercept) and test pi = 0 with a heteroskedasticity- (or cluster-) robust
 * variance. Values below about 10 signal a weak instrument.
 */
export function firstStageF(design: Design, mHat: Float64Array, rHat: Float64Array, cluster?: Int32Array): FirstStage {
  const n = design.n;
  const v = design.d.map((d, i) => d - mHat[i]);
  const w = design.z!.map((z, i) => z - rHat[i]);
  let sww = 0,
    swv = 0;
  for (let i = 0; i < n; i++) {
    sww += w[i] * w[i];
    swv += w[i] * v[i];
  }
  const coef = swv / sww;
  let meat = 0;
  if (cluster) {
    const sums = new Map<number, number>();
    for (let i = 0; i < n; i++) sums.set(cluster[i], (sums.get(cluster[i]) ?? 0) + w[i] * (v[i] - coef * w[i]));
    for (const s of sums.values()) meat += s * s;
  } else {
    for (let i = 0; i < n; i++) meat += (w[i] * (v[i] - coef * w[i])) ** 2;
  }
  const variance = meat / (sww * sww);
  return { f: variance > 0 ? (coef * coef) / variance : Infinity, coef, robust: cluster ? 'cluster-robust' : 'heteroskedasticity-robust' };
}
