import { createRng } from '../src/common/random.ts';

/**
 * The partially linear design of Chernozhukov et al. (2018), as DoubleML's
 * `make_plr_CCDDHNR2018(alpha = 0.5, dim_x = 20)`: x ~ N(0, S) with S_jk = 0.7^|j-k|,
 * d = x1 + 0.25 e^x3 / (1 + e^x3) + v, y = 0.5 d + e^x1 / (1 + e^x1) + 0.25 x3 + u.
 * The binary variant replaces d by 1{x1 + 0.25 e^x3 / (1 + e^x3) + v > 0.125} (about half treated).
 * x is drawn as a stationary AR(1) across columns, which has exactly that covariance.
 */
export interface ScaleData {
  n: number;
  x: Float64Array[];
  d: Float64Array;
  y: Float64Array;
}

export const THETA = 0.5;

export function ccddhnr(n: number, seed: number, binary = false, dimX = 20): ScaleData {
  const rng = createRng(seed);
  const rho = 0.7,
    innovation = Math.sqrt(1 - rho * rho);
  const x = Array.from({ length: dimX }, () => new Float64Array(n));
  const d = new Float64Array(n),
    y = new Float64Array(n);
  const sigmoid = (t: number): number => Math.exp(t) / (1 + Math.exp(t));
  for (let i = 0; i < n; i++) {
    let prev = rng.normal();
    x[0][i] = prev;
    for (let j = 1; j < dimX; j++) {
      prev = rho * prev + innovation * rng.normal();
      x[j][i] = prev;
    }
    const index = x[0][i] + 0.25 * sigmoid(x[2][i]) + rng.normal();
    d[i] = binary ? (index > 0.125 ? 1 : 0) : index;
    y[i] = THETA * d[i] + sigmoid(x[0][i]) + 0.25 * x[2][i] + rng.normal();
  }
  return { n, x, d, y };
}
