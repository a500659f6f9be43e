import { ckmeans } from 'simple-statistics';

/**
 * Natural-breaks classes (Jenks), as ArcGIS draws them: the partition of the sorted values into
 * `k` contiguous classes with the least total within-class sum of squared deviations. Jenks'
 * criterion is exactly optimal one-dimensional k-means, which `ckmeans` (Wang & Song's dynamic
 * programme) solves exactly.
 */
export interface Classes {
  /** Upper bound (inclusive) of each class, ascending; the last is the maximum. */
  upper: number[];
  /** Smallest value (lower bound of the first class). */
  min: number;
}

export function naturalBreaks(values: readonly number[], k = 5): Classes {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new Error('natural breaks: no finite values to classify');
  const distinct = new Set(finite).size;
  const clusters = ckmeans(finite, Math.min(k, distinct));
  return { upper: clusters.map((c) => c[c.length - 1]), min: clusters[0][0] };
}

/** Class index (0-based) of `value`: the first class whose upper bound is >= value. */
export function classOf(classes: Classes, value: number): number {
  const i = classes.upper.findIndex((u) => value <= u);
  return i === -1 ? classes.upper.length - 1 : i;
}
