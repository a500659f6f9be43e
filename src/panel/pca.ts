import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface PcaIndexResult {
  /** Loadings of the first principal component (unit length), sign aligned with the entropy index. */
  loadings: number[];
  /** Share of total variance explained by the first component. */
  varianceShare: number;
  /** First-component scores rescaled to [0, 1]. */
  index: number[];
}

/**
 * DCP_pca (docs/design.md §6): first principal component of the z-scored, direction-aligned indicators
 * (cost indicators multiplied by -1; a constant indicator contributes zeros), sign chosen so the
 * score correlates positively with `reference` (the entropy DCP), rescaled to [0, 1].
 */
export function pcaIndex(rows: readonly (readonly number[])[], directions: readonly ('+' | '-')[], reference: readonly number[]): PcaIndexResult {
  const n = rows.length,
    k = directions.length;
  const z = rows.map((r) => r.slice());
  for (let j = 0; j < k; j++) {
    const col = rows.map((r) => r[j]);
    const mean = col.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const sign = directions[j] === '-' ? -1 : 1;
    for (let i = 0; i < n; i++) z[i][j] = sd > 0 ? (sign * (rows[i][j] - mean)) / sd : 0;
  }
  const zm = new Matrix(z);
  const cov = zm
    .transpose()
    .mmul(zm)
    .div(n - 1);
  const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  let top = 0;
  for (let j = 1; j < values.length; j++) if (values[j] > values[top]) top = j;
  let loadings = eig.eigenvectorMatrix.getColumn(top);
  const norm = Math.sqrt(loadings.reduce((a, b) => a + b * b, 0));
  loadings = loadings.map((v) => v / norm);
  let scores = z.map((r) => r.reduce((acc, x, j) => acc + x * loadings[j], 0));
  if (correlation(scores, reference) < 0) {
    loadings = loadings.map((v) => -v);
    scores = scores.map((s) => -s);
  }
  const lo = Math.min(...scores),
    hi = Math.max(...scores);
  const totalVariance = values.reduce((a, b) => a + Math.max(0, b), 0);
  return {
    loadings,
    varianceShare: totalVariance > 0 ? values[top] / totalVariance : 0,
    index: scores.map((s) => (hi > lo ? (s - lo) / (hi - lo) : 0)),
  };
}

export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n,
    mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
