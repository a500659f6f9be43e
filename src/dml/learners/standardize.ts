import type { Features } from './types.ts';

/**
 * Standardises train and test columns with the training mean and (population) standard
 * deviation; a column constant in training becomes 0 everywhere (it carries no information).
 */
export function standardize(train: Features, test: Features): { train: Features; test: Features } {
  const tr: Float64Array[] = [];
  const te: Float64Array[] = [];
  for (let j = 0; j < train.cols.length; j++) {
    const a = train.cols[j],
      b = test.cols[j];
    let mean = 0;
    for (let i = 0; i < train.n; i++) mean += a[i];
    mean /= train.n;
    let ss = 0;
    for (let i = 0; i < train.n; i++) ss += (a[i] - mean) ** 2;
    const sd = Math.sqrt(ss / train.n);
    const scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? 1 / sd : 0;
    tr.push(a.map((v) => (v - mean) * scale));
    te.push(b.map((v) => (v - mean) * scale));
  }
  return { train: { n: train.n, cols: tr }, test: { n: test.n, cols: te } };
}

/** Mean and population standard deviation (1 when constant), for scaling a target. */
export function meanSd(y: Float64Array): { mean: number; sd: number } {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let ss = 0;
  for (const v of y) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / y.length);
  return { mean, sd: sd > 0 ? sd : 1 };
}
