import type { Rng } from '../../common/random.ts';
import { type BinnedFeatures, MAX_BINS } from './bins.ts';
import type { Tree, TreeParams } from './tree.ts';

/**
 * CART regression trees (squared error) grown on binned features. A node's split search is one
 * pass over its rows filling a bin histogram per candidate feature, then one scan of each
 * histogram, so a tree costs about rows x depth x features tried. A node's rows are a range of one
 * index list, kept in ascending row order (splits partition ranges stably) so code lookups run
 * forward through memory. Siblings draw their own candidate features, so there is no parent
 * histogram for the subtraction trick (sibling = parent - child) to reuse.
 *
 * Candidate features follow scikit-learn: `maxFeatures` are drawn without replacement, and while
 * all drawn ones are constant in the node, more are drawn. A split between bin b and the next bin
 * b' holding rows of the node has its threshold at the midpoint of b's largest and b''s smallest
 * training value: for one-value bins, scikit-learn's midpoint between adjacent values.
 *
 * The hot loops live in small functions with integer arguments: V8 then compiles them as plain
 * int32 loops (indices that pass through a double array or a long function run much slower).
 */

/** A row's histogram weight packs its row count above its (integer) weight: count x 2^32 + weight. */
const COUNT_UNIT = 2 ** 32;
const HIST_STRIDE = 2 * MAX_BINS;
const UNLIMITED_DEPTH = 0x3fffffff;

export class BinnedTreeWorkspace {
  readonly rows: Int32Array;
  readonly tmp: Int32Array;
  /** Per row (stride 4): packed count and weight, weight x y, weight x y^2. */
  readonly rowData: Float64Array;
  /** Per candidate feature, per bin: packed count and weight, then weighted sum of y. */
  readonly hist: Float64Array;
  readonly features: Int32Array;
  readonly tried: Int32Array;
  /** Nodes waiting to be split: (node, start, end, depth) and (weight, sum of wy, sum of wy^2). */
  readonly stackInt: Int32Array;
  readonly stackSum: Float64Array;
  /** Best split found by scanHistograms: feature, bin, left count; score, threshold, left weight, left sum. */
  readonly bestInt: Int32Array;
  readonly bestNum: Float64Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;

  constructor(data: BinnedFeatures) {
    const { n, p } = data;
    this.rows = new Int32Array(n);
    this.tmp = new Int32Array(n);
    this.rowData = new Float64Array(4 * n);
    this.hist = new Float64Array(p * HIST_STRIDE);
    this.features = new Int32Array(p);
    this.tried = new Int32Array(p);
    const cap = Math.max(1, 2 * n);
    // Depth-first: at most one pending node per level, plus one.
    this.stackInt = new Int32Array(4 * (n + 2));
    this.stackSum = new Float64Array(3 * (n + 2));
    this.bestInt = new Int32Array(3);
    this.bestNum = new Float64Array(4);
    this.feature = new Int32Array(cap);
    this.threshold = new Float64Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.value = new Float64Array(cap);
  }
}

/** Adds rows[start, end) into the histograms of the nt features in `tried`. */
function fillHistograms(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  start: number,
  end: number,
  tried: Int32Array,
  nt: number,
): void {
  if (nt === 3) {
    const j0 = tried[0],
      j1 = tried[1],
      j2 = tried[2];
    for (let k = start; k < end; k++) {
      const i = rows[k];
      const c = i * p,
        wc = rowData[4 * i],
        v = rowData[4 * i + 1];
      let h = 2 * codes[c + j0];
      hist[h] += wc;
      hist[h + 1] += v;
      h = HIST_STRIDE + 2 * codes[c + j1];
      hist[h] += wc;
      hist[h + 1] += v;
      h = 2 * HIST_STRIDE + 2 * codes[c + j2];
      hist[h] += wc;
      hist[h + 1] += v;
    }
    return;
  }
  for (let t = 0; t < nt; t++) {
    const j = tried[t],
      off = t * HIST_STRIDE;
    for (let k = start; k < end; k++) {
      const i = rows[k];
      const h = off + 2 * codes[i * p + j];
      hist[h] += rowData[4 * i];
      hist[h + 1] += rowData[4 * i + 1];
    }
  }
}

/**
 * Scans the histograms of `tried` for the best split of a node of `size` rows (weight wsum, sum
 * ysum), improving on ws.bestNum[0]; returns whether a feature was non-constant in the node.
 */
function scanHistograms(data: BinnedFeatures, ws: BinnedTreeWorkspace, nt: number, size: number, wsum: number, ysum: number, minLeaf: number): boolean {
  const { bins, binMin, binMax } = data;
  const { hist, tried, bestInt, bestNum } = ws;
  let found = false;
  let best = bestNum[0];
  for (let t = 0; t < nt; t++) {
    const j = tried[t],
      nb = bins[j],
      off = t * HIST_STRIDE;
    let prev = -1,
      wL = 0,
      sL = 0,
      cL = 0;
    for (let b = 0; b < nb; b++) {
      const packed = hist[off + 2 * b];
      if (packed === 0) continue;
      if (prev >= 0) {
        found = true;
        if (cL >= minLeaf && size - cL >= minLeaf) {
          const sR = ysum - sL;
          const score = (sL * sL) / wL + (sR * sR) / (wsum - wL);
          if (score > best) {
            best = score;
            bestInt[0] = j;
            bestInt[1] = prev;
            bestInt[2] = cL;
            const lo = binMax[j][prev],
              hi = binMin[j][b];
            const mid = (lo + hi) / 2;
            bestNum[1] = mid >= hi ? lo : mid;
            bestNum[2] = wL;
            bestNum[3] = sL;
          }
        }
      }
      const c = Math.floor(packed / COUNT_UNIT);
      wL += packed - c * COUNT_UNIT;
      sL += hist[off + 2 * b + 1];
      cL += c;
      prev = b;
    }
  }
  bestNum[0] = best;
  return found;
}

/** Stable partition of rows[start, end) by code <= bin of feature j; returns the left sum of wy^2. */
function partition(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  tmp: Int32Array,
  rowData: Float64Array,
  start: number,
  end: number,
  j: number,
  bin: number,
): number {
  let a = start,
    r = 0,
    ql = 0;
  for (let k = start; k < end; k++) {
    const i = rows[k];
    if (codes[i * p + j] <= bin) {
      rows[a++] = i;
      ql += rowData[4 * i + 2];
    } else tmp[r++] = i;
  }
  for (let q = 0; q < r; q++) rows[a + q] = tmp[q];
  return ql;
}

/**
 * Grows one tree. `weight[i]` is row i's multiplicity, a non-negative integer (bootstrap counts;
 * 0 = not used). The tree is valid until the workspace grows the next one.
 */
export function buildBinnedTree(
  data: BinnedFeatures,
  y: Float64Array,
  weight: Float64Array,
  params: TreeParams,
  rng: Rng,
  ws: BinnedTreeWorkspace = new BinnedTreeWorkspace(data),
): Tree {
  const { n, p, codes, bins } = data;
  const { rows, tmp, rowData, hist, features, tried, stackInt, stackSum, bestInt, bestNum, feature, threshold, left, right, value } = ws;
  let m = 0,
    w0 = 0,
    s0 = 0,
    q0 = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    if (w > 0) {
      rows[m++] = i;
      const v = w * y[i];
      rowData[4 * i] = COUNT_UNIT + w;
      rowData[4 * i + 1] = v;
      rowData[4 * i + 2] = v * y[i];
      w0 += w;
      s0 += v;
      q0 += v * y[i];
    }
  }
  if (w0 >= COUNT_UNIT || !Number.isInteger(w0)) throw new Error('binned trees need integer weights summing below 2^32');
  const minLeaf = Math.max(1, params.minSamplesLeaf) | 0;
  const maxDepth = params.maxDepth > 0 ? Math.min(params.maxDepth, UNLIMITED_DEPTH) | 0 : UNLIMITED_DEPTH;
  const nTry = Math.max(1, Math.min(p, params.maxFeatures)) | 0;
  for (let j = 0; j < p; j++) features[j] = j;

  let top = 0;
  stackInt[0] = 0;
  stackInt[1] = 0;
  stackInt[2] = m;
  stackInt[3] = 0;
  stackSum[0] = w0;
  stackSum[1] = s0;
  stackSum[2] = q0;
  top = 1;
  let nodeCount = 1;
  left[0] = -1;
  while (top > 0) {
    top--;
    const node = stackInt[4 * top],
      start = stackInt[4 * top + 1],
      end = stackInt[4 * top + 2],
      depth = stackInt[4 * top + 3];
    const wsum = stackSum[3 * top],
      ysum = stackSum[3 * top + 1],
      qsum = stackSum[3 * top + 2];
    const size = end - start;
    value[node] = ysum / wsum;
    // Impurity as scikit-learn computes it (exactly 0 for a node of equal 0/1 values).
    if (size < 2 * minLeaf || depth >= maxDepth || qsum / wsum - (ysum / wsum) ** 2 <= 2.220446049250313e-16) continue;

    bestNum[0] = -Infinity;
    bestInt[0] = -1;
    let drawn = 0,
      found = false;
    while (drawn < p && (drawn < nTry || !found)) {
      // This round's candidates (all nTry at first, then one at a time), one pass over the rows.
      const want = drawn < nTry ? nTry : drawn + 1;
      let nt = 0;
      for (; drawn < want; drawn++) {
        const pick = drawn + rng.int(p - drawn);
        const j = features[pick];
        features[pick] = features[drawn];
        features[drawn] = j;
        if (bins[j] >= 2) tried[nt++] = j;
      }
      if (nt === 0) continue;
      for (let t = 0; t < nt; t++) hist.fill(0, t * HIST_STRIDE, t * HIST_STRIDE + 2 * bins[tried[t]]);
      fillHistograms(codes, p, rows, rowData, hist, start, end, tried, nt);
      if (scanHistograms(data, ws, nt, size, wsum, ysum, minLeaf)) found = true;
    }
    const bestF = bestInt[0];
    if (bestF < 0) continue;

    const nLeft = bestInt[2],
      mid = start + nLeft;
    // Children that will not be split need neither a partition of the rows nor their impurity.
    const ql =
      depth + 1 < maxDepth && (nLeft >= 2 * minLeaf || size - nLeft >= 2 * minLeaf)
        ? partition(codes, p, rows, tmp, rowData, start, end, bestF, bestInt[1])
        : 0;
    const lNode = nodeCount++,
      rNode = nodeCount++;
    left[lNode] = -1;
    left[rNode] = -1;
    feature[node] = bestF;
    threshold[node] = bestNum[1];
    left[node] = lNode;
    right[node] = rNode;
    const wl = bestNum[2],
      sl = bestNum[3];
    stackInt[4 * top] = lNode;
    stackInt[4 * top + 1] = start;
    stackInt[4 * top + 2] = mid;
    stackInt[4 * top + 3] = depth + 1;
    stackSum[3 * top] = wl;
    stackSum[3 * top + 1] = sl;
    stackSum[3 * top + 2] = ql;
    top++;
    stackInt[4 * top] = rNode;
    stackInt[4 * top + 1] = mid;
    stackInt[4 * top + 2] = end;
    stackInt[4 * top + 3] = depth + 1;
    stackSum[3 * top] = wsum - wl;
    stackSum[3 * top + 1] = ysum - sl;
    stackSum[3 * top + 2] = qsum - ql;
    top++;
  }
  return grownTree(ws, nodeCount);
}

// Kept out of buildBinnedTree: optimised mid-loop (on-stack replacement), that function would
// otherwise reach this code without type feedback and be deoptimised at its return.
function grownTree(ws: BinnedTreeWorkspace, nodeCount: number): Tree {
  return {
    feature: ws.feature.subarray(0, nodeCount),
    threshold: ws.threshold.subarray(0, nodeCount),
    left: ws.left.subarray(0, nodeCount),
    right: ws.right.subarray(0, nodeCount),
    value: ws.value.subarray(0, nodeCount),
  };
}
