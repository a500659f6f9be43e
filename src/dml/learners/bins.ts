/**
 * Training features quantised once per fit into at most 255 bins each (uint8 codes, row-major so
 * that the few features a split tries for a row share a cache line), for histogram split search. A feature with at most 255 distinct values gets one bin per value, so
 * its splits are exactly those of a plain CART search; otherwise bins hold about equal numbers of
 * rows (equal values never straddle two bins).
 */
export const MAX_BINS = 255;

export interface BinnedFeatures {
  n: number;
  p: number;
  /** Row-major: codes[i * p + j] is the bin of feature j at row i (bins ordered by value). */
  codes: Uint8Array;
  /** Number of bins per feature (1 = constant). */
  bins: Int32Array;
  /** Per feature, the smallest and largest training value in each bin. */
  binMin: Float64Array[];
  binMax: Float64Array[];
}

/** First index b with upper[b] >= v (upper ascending, v <= its last entry). */
function lowerBound(upper: Float64Array, count: number, v: number): number {
  let lo = 0,
    hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (upper[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function binFeatures(cols: Float64Array[], n: number): BinnedFeatures {
  const p = cols.length;
  const codes = new Uint8Array(n * p);
  const binMin: Float64Array[] = [],
    binMax: Float64Array[] = [];
  const bins = new Int32Array(p);
  const sorted = new Float64Array(n);
  const lower = new Float64Array(MAX_BINS),
    upper = new Float64Array(MAX_BINS);
  for (let j = 0; j < p; j++) {
    const col = cols[j];
    sorted.set(col.subarray(0, n));
    sorted.sort();
    let distinct = n > 0 ? 1 : 0;
    for (let k = 1; k < n && distinct <= MAX_BINS; k++) if (sorted[k] !== sorted[k - 1]) distinct++;
    let count = 0;
    if (distinct <= MAX_BINS) {
      for (let k = 0; k < n; k++) {
        if (k > 0 && sorted[k] === sorted[k - 1]) continue;
        lower[count] = sorted[k];
        upper[count] = sorted[k];
        count++;
      }
    } else {
      // Bin b ends at the value of rank ~ (b + 1) n / MAX_BINS, extended over ties with it.
      let start = 0;
      for (let b = 0; b < MAX_BINS && start < n; b++) {
        let end = Math.max(start, Math.ceil(((b + 1) * n) / MAX_BINS) - 1);
        if (b === MAX_BINS - 1) end = n - 1;
        while (end + 1 < n && sorted[end + 1] === sorted[end]) end++;
        lower[count] = sorted[start];
        upper[count] = sorted[end];
        count++;
        start = end + 1;
      }
    }
    for (let i = 0; i < n; i++) codes[i * p + j] = lowerBound(upper, count, col[i]);
    bins[j] = count;
    binMin.push(lower.slice(0, count));
    binMax.push(upper.slice(0, count));
  }
  return { n, p, codes, bins, binMin, binMax };
}
