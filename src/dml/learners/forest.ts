import { createRng, mixSeed } from '../../common/random.ts';
import { addTreePredictions, buildTree, TreeWorkspace, type Presorted } from './tree.ts';
import type { Features, LearnerParams } from './types.ts';

/**
 * Random forest regression (Breiman; scikit-learn's RandomForestRegressor semantics): each tree
 * is grown on a bootstrap sample (n draws with replacement, as integer weights) with `max_features`
 * candidate features per split. Tree t uses its own stream seeded by (seed, t), so the forest does
 * not depend on how its trees are spread over threads.
 */
export interface ForestParams {
  trees: number;
  /** Share of features tried at each split, in (0, 1]; 1 = all (scikit-learn's regression default). */
  maxFeatures: number;
  minSamplesLeaf: number;
  /** 0 = unlimited. */
  maxDepth: number;
  /** 1 = bootstrap samples, 0 = every tree sees all rows. */
  bootstrap: number;
}

export function forestParams(params: LearnerParams): ForestParams {
  return {
    trees: params.trees, maxFeatures: params.max_features, minSamplesLeaf: params.min_samples_leaf,
    maxDepth: params.max_depth, bootstrap: params.bootstrap,
  };
}

/** Sum (not mean) of the predictions of trees [treeStart, treeEnd) on `test`. */
export function forestPredictionSum(
  ps: Presorted, y: Float64Array, test: Features, params: ForestParams, seed: number, treeStart: number, treeEnd: number,
): Float64Array {
  const n = ps.n;
  const p = ps.cols.length;
  const treeParams = {
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: Math.max(1, Math.round(params.maxFeatures * p)),
  };
  const out = new Float64Array(test.n);
  const weight = new Float64Array(n);
  const ws = new TreeWorkspace(ps);
  for (let t = treeStart; t < treeEnd; t++) {
    const rng = createRng(mixSeed(seed, t));
    if (params.bootstrap) {
      weight.fill(0);
      for (let s = 0; s < n; s++) weight[rng.int(n)] += 1;
    } else weight.fill(1);
    addTreePredictions(buildTree(ps, y, weight, treeParams, rng, ws), test.cols, test.n, out);
  }
  return out;
}
