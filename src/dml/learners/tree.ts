import type { Rng } from '../../common/random.ts';

/**
 * CART regression trees (squared error), the building block of the random forest and of gradient
 * boosting. Speed matters (the battery grows ~10^5 trees), so trees are grown on typed arrays:
 * - each continuous feature keeps its in-sample rows in sorted order; a node is the same index
 *   range in every list and a split partitions each list stably, so no node ever re-sorts;
 * - two-valued features (fixed-effect dummies) keep no list: per node, one pass over the rows adds
 *   each row's weight to the dummies that are "on" for it (a row has one per fixed effect), which
 *   gives every dummy's split at once.
 * Both give exactly the candidate splits and scores of a plain CART search.
 */

/** Training features prepared for tree growing. */
export interface Presorted {
  n: number;
  cols: Float64Array[];
  /** Continuous features (3+ distinct values) and, per feature, rows sorted by value. */
  continuous: Int32Array;
  order: Int32Array[];
  /** Two-valued features with their lower and upper value. */
  binary: Int32Array;
  binaryLow: Float64Array;
  binaryHigh: Float64Array;
  /** CSR list of the binary features at their upper value, per row. */
  highStart: Int32Array;
  highFeature: Int32Array;
}

export function presort(cols: Float64Array[], n: number): Presorted {
  const continuous: number[] = [],
    order: Int32Array[] = [],
    binary: number[] = [],
    low: number[] = [],
    high: number[] = [];
  cols.forEach((col, j) => {
    let a = col[0],
      b = NaN;
    let distinct = 1;
    for (let i = 1; i < n && distinct < 3; i++) {
      const v = col[i];
      if (v === a || v === b) continue;
      if (distinct === 1) {
        b = v;
        distinct = 2;
      } else distinct = 3;
    }
    if (distinct === 2) {
      binary.push(j);
      low.push(Math.min(a, b));
      high.push(Math.max(a, b));
    } else if (distinct === 3) {
      const idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      continuous.push(j);
      order.push(idx.sort((x, y) => col[x] - col[y] || x - y));
    }
  });
  const highStart = new Int32Array(n + 1);
  const perRow: number[][] = Array.from({ length: n }, () => []);
  binary.forEach((j, q) => {
    for (let i = 0; i < n; i++) if (cols[j][i] === high[q]) perRow[i].push(j);
  });
  for (let i = 0; i < n; i++) highStart[i + 1] = highStart[i] + perRow[i].length;
  return {
    n,
    cols,
    continuous: Int32Array.from(continuous),
    order,
    binary: Int32Array.from(binary),
    binaryLow: Float64Array.from(low),
    binaryHigh: Float64Array.from(high),
    highStart,
    highFeature: Int32Array.from(perRow.flat()),
  };
}

export interface TreeParams {
  /** 0 = grow until leaves are pure or hold fewer than 2 * minSamplesLeaf rows. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried at each split (all of them when >= the number of features). */
  maxFeatures: number;
}

/**
 * Reusable buffers for growing many trees on the same presorted data (a forest, a boosting run):
 * saves the allocations and garbage collection of ~20 typed arrays per tree.
 */
export class TreeWorkspace {
  readonly idx: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly goLeft: Uint8Array;
  readonly tmp: Int32Array;
  readonly wy: Float64Array;
  readonly accW: Float64Array;
  readonly accS: Float64Array;
  readonly accC: Int32Array;
  readonly role: Int32Array;
  readonly features: Int32Array;

  constructor(ps: Presorted) {
    const n = ps.n,
      p = ps.cols.length;
    this.idx = new Int32Array((ps.continuous.length + 1) * n);
    const cap = Math.max(1, 2 * n);
    this.feature = new Int32Array(cap);
    this.threshold = new Float64Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.value = new Float64Array(cap);
    this.goLeft = new Uint8Array(n);
    this.tmp = new Int32Array(n);
    this.wy = new Float64Array(n);
    this.accW = new Float64Array(p);
    this.accS = new Float64Array(p);
    this.accC = new Int32Array(p);
    // Role of each feature: list number for continuous, -(q+1) for binary feature q, 0x7fffffff constant.
    this.role = new Int32Array(p).fill(0x7fffffff);
    ps.continuous.forEach((j, c) => {
      this.role[j] = c;
    });
    ps.binary.forEach((j, q) => {
      this.role[j] = -(q + 1);
    });
    this.features = new Int32Array(p);
  }
}

/**
 * A fitted tree: node arrays; `left[k] < 0` marks a leaf whose prediction is `value[k]`.
 * Built in a workspace, a tree is valid until the workspace grows the next one.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/**
 * Grows one tree. `weight[i]` is row i's multiplicity (bootstrap counts for a forest, 1 for
 * boosting, 0 = not used). `rng` draws the candidate features when maxFeatures < p.
 */
export function buildTree(ps: Presorted, y: Float64Array, weight: Float64Array, params: TreeParams, rng: Rng, ws: TreeWorkspace = new TreeWorkspace(ps)): Tree {
  const { n, cols, continuous, order, binary, binaryLow, binaryHigh, highStart, highFeature } = ps;
  const p = cols.length;
  const nCont = continuous.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (weight[i] > 0) m++;
  // Lists 0..nCont-1: rows sorted by each continuous feature; list nCont: the node's rows, any order.
  const nLists = nCont + 1;
  const { idx, feature, threshold, left, right, value, goLeft, tmp, wy, role, accW, accS, accC, features } = ws;
  for (let c = 0; c < nCont; c++) {
    const ord = order[c];
    let k = c * m;
    for (let r = 0; r < n; r++) {
      const i = ord[r];
      if (weight[i] > 0) idx[k++] = i;
    }
  }
  const rowBase = nCont * m;
  for (let i = 0, k = rowBase; i < n; i++) if (weight[i] > 0) idx[k++] = i;
  for (let i = 0; i < n; i++) wy[i] = weight[i] * y[i];
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const maxDepth = params.maxDepth > 0 ? params.maxDepth : Infinity;
  const sampleFeatures = params.maxFeatures < p;
  for (let j = 0; j < p; j++) features[j] = j;

  // Explicit stack of nodes to split: [node, start, end, depth].
  const stack: number[] = [0, 0, m, 0];
  let nodeCount = 1;
  left[0] = -1;
  while (stack.length > 0) {
    const depth = stack.pop()!,
      end = stack.pop()!,
      start = stack.pop()!,
      node = stack.pop()!;
    const size = end - start;
    let wsum = 0,
      ysum = 0;
    let pure = true;
    const y0 = y[idx[rowBase + start]];
    for (let k = rowBase + start; k < rowBase + end; k++) {
      const i = idx[k];
      wsum += weight[i];
      ysum += wy[i];
      if (y[i] !== y0) pure = false;
    }
    value[node] = ysum / wsum;
    if (pure || size < 2 * minLeaf || depth >= maxDepth) continue;

    if (binary.length > 0) {
      for (let q = 0; q < binary.length; q++) {
        const j = binary[q];
        accW[j] = 0;
        accS[j] = 0;
        accC[j] = 0;
      }
      for (let k = rowBase + start; k < rowBase + end; k++) {
        const i = idx[k];
        for (let h = highStart[i]; h < highStart[i + 1]; h++) {
          const j = highFeature[h];
          accW[j] += weight[i];
          accS[j] += wy[i];
          accC[j]++;
        }
      }
    }

    let nTry = p;
    if (sampleFeatures) {
      nTry = Math.max(1, params.maxFeatures);
      for (let a = 0; a < nTry; a++) {
        const b = a + rng.int(p - a);
        const t = features[a];
        features[a] = features[b];
        features[b] = t;
      }
    }
    let best = -Infinity,
      bestF = -1,
      bestPos = -1,
      bestThr = 0;
    for (let f = 0; f < nTry; f++) {
      const j = features[f];
      const r = role[j];
      if (r < 0) {
        const cHigh = accC[j];
        if (cHigh < minLeaf || size - cHigh < minLeaf) continue;
        const wL = wsum - accW[j],
          sL = ysum - accS[j];
        const score = (sL * sL) / wL + (accS[j] * accS[j]) / accW[j];
        if (score > best) {
          best = score;
          bestF = j;
          const lo = binaryLow[-r - 1],
            hi = binaryHigh[-r - 1];
          const mid = (lo + hi) / 2;
          bestThr = mid >= hi ? lo : mid;
        }
        continue;
      }
      if (r === 0x7fffffff) continue;
      const base = r * m;
      const col = cols[j];
      if (col[idx[base + start]] === col[idx[base + end - 1]]) continue;
      let wL = 0,
        sL = 0;
      const kEnd = end - minLeaf;
      for (let k = start; k < kEnd; k++) {
        const i = idx[base + k];
        wL += weight[i];
        sL += wy[i];
        if (k - start + 1 < minLeaf) continue;
        const xk = col[i];
        const xn = col[idx[base + k + 1]];
        if (xn <= xk) continue;
        const sR = ysum - sL;
        const score = (sL * sL) / wL + (sR * sR) / (wsum - wL);
        if (score > best) {
          best = score;
          bestF = j;
          bestPos = k;
          const mid = (xk + xn) / 2;
          bestThr = mid >= xn ? xk : mid;
        }
      }
    }
    if (bestF < 0) continue;

    const bestList = role[bestF];
    let nLeft = 0;
    if (bestList >= 0) {
      const bBase = bestList * m;
      for (let k = start; k < end; k++) goLeft[idx[bBase + k]] = k <= bestPos ? 1 : 0;
      nLeft = bestPos - start + 1;
    } else {
      const col = cols[bestF];
      for (let k = rowBase + start; k < rowBase + end; k++) {
        const i = idx[k];
        const l = col[i] <= bestThr ? 1 : 0;
        goLeft[i] = l;
        nLeft += l;
      }
    }
    for (let c = 0; c < nLists; c++) {
      if (c === bestList) continue;
      const base = c * m;
      let l = base + start,
        r = 0;
      for (let k = base + start; k < base + end; k++) {
        const i = idx[k];
        if (goLeft[i] === 1) idx[l++] = i;
        else tmp[r++] = i;
      }
      for (let q = 0; q < r; q++) idx[l + q] = tmp[q];
    }
    const mid = start + nLeft;
    const lNode = nodeCount++,
      rNode = nodeCount++;
    left[lNode] = -1;
    left[rNode] = -1;
    feature[node] = bestF;
    threshold[node] = bestThr;
    left[node] = lNode;
    right[node] = rNode;
    stack.push(lNode, start, mid, depth + 1, rNode, mid, end, depth + 1);
  }
  return {
    feature: feature.subarray(0, nodeCount),
    threshold: threshold.subarray(0, nodeCount),
    left: left.subarray(0, nodeCount),
    right: right.subarray(0, nodeCount),
    value: value.subarray(0, nodeCount),
  };
}

/** Rows of `cols` laid out row-major (x[r * p + j]) in `into` (grown when too small), for addTreePredictionsRowMajor. */
export function rowMajor(cols: Float64Array[], nRows: number, into: Float64Array): Float64Array {
  const p = cols.length;
  const x = into.length >= nRows * p ? into : new Float64Array(nRows * p);
  for (let j = 0; j < p; j++) {
    const col = cols[j];
    for (let r = 0; r < nRows; r++) x[r * p + j] = col[r];
  }
  return x;
}

/**
 * addTreePredictions for a tree whose right children follow their left ones (right = left + 1, as
 * both growers number them) on row-major rows: a row's features share cache lines, and the step
 * to a child is arithmetic instead of a branch that mispredicts about half the time.
 */
export function addTreePredictionsRowMajor(tree: Tree, x: Float64Array, p: number, nRows: number, out: Float64Array): void {
  const { feature, threshold, left, value } = tree;
  for (let r = 0; r < nRows; r++) {
    const base = r * p;
    let k = 0;
    while (left[k] >= 0) k = left[k] + (x[base + feature[k]] > threshold[k] ? 1 : 0);
    out[r] += value[k];
  }
}

/** Adds `scale` times the tree's predictions for the column-major rows `cols` into `out`. */
export function addTreePredictions(tree: Tree, cols: Float64Array[], nRows: number, out: Float64Array, scale = 1): void {
  const { feature, threshold, left, right, value } = tree;
  for (let r = 0; r < nRows; r++) {
    let k = 0;
    while (left[k] >= 0) k = cols[feature[k]][r] <= threshold[k] ? left[k] : right[k];
    out[r] += scale * value[k];
  }
}
