import { createRng, mixSeed } from '../../common/random.ts';
import { type BinnedFeatures, binFeatures } from './bins.ts';
import { BinnedTreeWorkspace, buildBinnedTree } from './histTree.ts';
import { addTreePredictionsRowMajor, buildTree, type Presorted, presort, rowMajor, type Tree, type TreeParams, TreeWorkspace } from './tree.ts';
import type { Features, LearnerParams } from './types.ts';

/**
 * Random forest regression (Breiman; scikit-learn's RandomForestRegressor semantics): each tree
 * is grown on a bootstrap sample (n draws with replacement, as integer weights) with `max_features`
 * candidate features per split. Tree t uses its own stream seeded by (seed, t), so the forest does
 * not depend on how its trees are spread over threads.
 *
 * On a 0/1 target the same forest is a probability forest (scikit-learn's RandomForestClassifier
 * with predict_proba): for two classes the Gini decrease is twice the squared-error decrease, so
 * the splits are the same, and a leaf's mean is its share of ones.
 *
 * Up to EXACT_MAX_ROWS training rows, splits are searched exactly over presorted columns; above,
 * over features quantised into at most 255 bins (histogram search, cost ~ rows x depth). Binning
 * only moves thresholds within a bin of ~n/255 rows: the forest's fit is the same to sampling
 * noise, and identical when no feature has more than 255 distinct values.
 */
export interface ForestParams {
  trees: number;
  /**
   * Features tried at each split: a share of them when 0 < x < 1 (the count is floor(share x
   * features), at least 1), a count when >= 1 (capped at the number of features), 0 = all.
   */
  maxFeatures: number;
  minSamplesLeaf: number;
  /** 0 = unlimited. */
  maxDepth: number;
  /** 1 = bootstrap samples, 0 = every tree sees all rows. */
  bootstrap: number;
}

export const EXACT_MAX_ROWS = 2000;

/** A forest's training features, prepared once per fit and shared by its trees. */
export type ForestData = Presorted | BinnedFeatures;

export function prepareForestData(cols: Float64Array[], n: number): ForestData {
  return n <= EXACT_MAX_ROWS ? presort(cols, n) : binFeatures(cols, n);
}

export function forestParams(params: LearnerParams): ForestParams {
  return {
    trees: params.trees,
    maxFeatures: params.max_features,
    minSamplesLeaf: params.min_samples_leaf,
    maxDepth: params.max_depth,
    bootstrap: params.bootstrap,
  };
}

/** Number of features tried per split for `maxFeatures` (share, count or 0 = all: see ForestParams). */
export function featuresPerSplit(maxFeatures: number, p: number): number {
  if (maxFeatures <= 0) return p;
  if (maxFeatures >= 1) return Math.min(p, Math.floor(maxFeatures));
  return Math.max(1, Math.floor(maxFeatures * p));
}

/**
 * A thread grows the trees of many tasks (a forest goes out in parts, each fold and nuisance its
 * own training matrix): it keeps one binned workspace, reused by every matrix that fits in it,
 * and the exact workspace of its last matrix, instead of a fresh one (tens of MB at 100,000
 * rows) per task.
 */
let binnedWorkspace: BinnedTreeWorkspace | null = null;
let exactWorkspace: { data: Presorted; ws: TreeWorkspace } | null = null;

function binnedWorkspaceFor(data: BinnedFeatures): BinnedTreeWorkspace {
  if (!binnedWorkspace?.fits(data)) binnedWorkspace = new BinnedTreeWorkspace(data);
  return binnedWorkspace;
}

function exactWorkspaceFor(data: Presorted): TreeWorkspace {
  if (exactWorkspace?.data !== data) exactWorkspace = { data, ws: new TreeWorkspace(data) };
  return exactWorkspace.ws;
}

/** Bootstrap counts of the running tree (a thread runs one task at a time). */
let weightBuffer: Float64Array = new Float64Array(0);

/** The test rows of the running task, row-major; a thread runs one task at a time. */
let testRows: Float64Array = new Float64Array(0);

/** Sum (not mean) of the predictions of trees [treeStart, treeEnd) on `test`. */
export function forestPredictionSum(
  data: ForestData,
  y: Float64Array,
  test: Features,
  params: ForestParams,
  seed: number,
  treeStart: number,
  treeEnd: number,
): Float64Array {
  const n = data.n;
  const binned = 'codes' in data;
  const treeParams: TreeParams = {
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: featuresPerSplit(params.maxFeatures, binned ? data.p : data.cols.length),
  };
  const grow: (weight: Float64Array, rng: ReturnType<typeof createRng>) => Tree = binned
    ? (
        (ws) => (weight, rng) =>
          buildBinnedTree(data, y, weight, treeParams, rng, ws)
      )(binnedWorkspaceFor(data))
    : (
        (ws) => (weight, rng) =>
          buildTree(data, y, weight, treeParams, rng, ws)
      )(exactWorkspaceFor(data));
  const out = new Float64Array(test.n);
  testRows = rowMajor(test.cols, test.n, testRows);
  if (weightBuffer.length < n) weightBuffer = new Float64Array(n);
  const weight = weightBuffer.subarray(0, n);
  for (let t = treeStart; t < treeEnd; t++) {
    const rng = createRng(mixSeed(seed, t));
    if (params.bootstrap) {
      weight.fill(0);
      rng.addCounts(n, weight);
    } else weight.fill(1);
    addTreePredictionsRowMajor(grow(weight, rng), testRows, test.cols.length, test.n, out);
  }
  return out;
}
