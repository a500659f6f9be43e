import { CgerError } from '../common/errors.ts';

/**
 * The entropy-weight composite index of docs/design.md §6, over a pooled panel (all rows together).
 */
export interface EntropyResult {
  /** w_j, summing to 1. */
  weights: number[];
  /** e_j, the entropy of each indicator. */
  entropy: number[];
  /** Per-indicator min and max over the pool (the normalisation anchors). */
  min: number[];
  max: number[];
  /** DCP_i = sum_j w_j x'_ij, in [0, 1]. */
  index: number[];
}

/** Shift added to x' before taking logs, so that p ln p is defined (the usual entropy-method convention). */
export const ENTROPY_SHIFT = 1e-4;

/** x'_ij: min-max normalised, reversed for cost indicators; 0 for a constant indicator. */
export function normalise(x: number, min: number, max: number, direction: '+' | '-'): number {
  if (max === min) return 0;
  return direction === '+' ? (x - min) / (max - min) : (max - x) / (max - min);
}

/**
 * rows: n observations x k indicators. Convention (exactly): x'_ij min-max normalised by
 * direction; x''_ij = x'_ij + 1e-4; p_ij = x''_ij / sum_i x''_ij; e_j = -(1/ln n) sum_i p_ij ln p_ij;
 * w_j = (1 - e_j) / sum_k (1 - e_k), a constant indicator weighted 0; DCP_i = sum_j w_j x'_ij.
 */
export function entropyIndex(rows: readonly (readonly number[])[], directions: readonly ('+' | '-')[]): EntropyResult {
  const n = rows.length;
  if (n < 2) throw new CgerError(`DCP: entropy weights need at least 2 observations, got ${n}`);
  const min = directions.map((_, j) => Math.min(...rows.map((r) => r[j])));
  const max = directions.map((_, j) => Math.max(...rows.map((r) => r[j])));
  const norm = rows.map((r) => r.map((x, j) => normalise(x, min[j], max[j], directions[j])));
  const entropy = directions.map((_, j) => {
    if (max[j] === min[j]) return 1;
    let total = 0;
    for (let i = 0; i < n; i++) total += norm[i][j] + ENTROPY_SHIFT;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = (norm[i][j] + ENTROPY_SHIFT) / total;
      sum += p * Math.log(p);
    }
    return -sum / Math.log(n);
  });
  const divergence = entropy.map((e, j) => (max[j] === min[j] ? 0 : 1 - e));
  const totalDivergence = divergence.reduce((a, b) => a + b, 0);
  if (!(totalDivergence > 0)) throw new CgerError('DCP: every indicator is constant over the sample: entropy weights are undefined');
  const weights = divergence.map((d) => d / totalDivergence);
  const index = norm.map((r) => r.reduce((acc, x, j) => acc + weights[j] * x, 0));
  return { weights, entropy, min, max, index };
}

/** The index of further rows (e.g. the year before the sample) with the pool's anchors and weights; may leave [0, 1]. */
export function applyEntropyIndex(fit: EntropyResult, row: readonly number[], directions: readonly ('+' | '-')[]): number {
  return row.reduce((acc, x, j) => acc + fit.weights[j] * normalise(x, fit.min[j], fit.max[j], directions[j]), 0);
}
