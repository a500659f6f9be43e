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
const BIN_SET_WORDS = 8;
/** Nodes with fewer rows mark the bins they fill; larger ones scan every bin. */
const MARK_BELOW_ROWS = 4 * MAX_BINS;
const UNLIMITED_DEPTH = 0x3fffffff;

export class BinnedTreeWorkspace {
  /** Capacity: rows and features of the largest matrix this workspace serves. */
  readonly n: number;
  readonly p: number;
  readonly rows: Int32Array;
  readonly tmp: Int32Array;
  /** Per row (stride 4): packed count and weight, weight x y, weight x y^2. */
  readonly rowData: Float64Array;
  /** Per candidate feature, per bin: packed count and weight, then weighted sum of y. All zero between splits. */
  readonly hist: Float64Array;
  /** Per candidate feature, a 256-bit set (8 words) of the bins holding rows of the node. */
  readonly touched: Int32Array;
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
    this.n = n;
    this.p = p;
    this.rows = new Int32Array(n);
    this.tmp = new Int32Array(n);
    this.rowData = new Float64Array(4 * n);
    this.hist = new Float64Array(p * HIST_STRIDE);
    this.touched = new Int32Array(p * BIN_SET_WORDS);
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

  /**
   * Whether trees of `data` can grow here: the histograms and bin sets are left all zero after
   * every tree and a row's data is rewritten before it is read, so any matrix of no more rows and
   * features can reuse the workspace.
   */
  fits(data: BinnedFeatures): boolean {
    return data.n <= this.n && data.p <= this.p;
  }
}

/**
 * Adds rows[start, end) into the histograms of the nt features in `tried`. With `mark`, also
 * marks the bins the rows reach, so that scanning and clearing cost the bins a node uses (deep
 * nodes hold fewer rows than there are bins); without, every bin of the feature is marked.
 */
function fillHistograms(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  touched: Int32Array,
  start: number,
  end: number,
  tried: Int32Array,
  nt: number,
  bins: Int32Array,
  mark: boolean,
): void {
  if (!mark) {
    for (let t = 0; t < nt; t++) markAllBins(touched, t * BIN_SET_WORDS, bins[tried[t]]);
    if (nt === 3) fillThree(codes, p, rows, rowData, hist, start, end, tried[0], tried[1], tried[2]);
    else for (let t = 0; t < nt; t++) fillOne(codes, p, rows, rowData, hist, start, end, tried[t], t * HIST_STRIDE);
    return;
  }
  if (nt === 3) fillThreeMarking(codes, p, rows, rowData, hist, touched, start, end, tried[0], tried[1], tried[2]);
  else for (let t = 0; t < nt; t++) fillOneMarking(codes, p, rows, rowData, hist, touched, start, end, tried[t], t);
}

function markAllBins(touched: Int32Array, setOff: number, nb: number): void {
  for (let word = 0; word < BIN_SET_WORDS; word++) {
    const inWord = Math.min(32, Math.max(0, nb - 32 * word));
    touched[setOff + word] = inWord === 32 ? -1 : (1 << inWord) - 1;
  }
}

// The usual case, max_features = 3, unrolled. Four fill loops (three or any features, marking or
// not) rather than one with flags: each stays a plain int32 loop that V8 compiles tightly.
function fillThree(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  start: number,
  end: number,
  j0: number,
  j1: number,
  j2: number,
): void {
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
}

function fillOne(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  start: number,
  end: number,
  j: number,
  off: number,
): void {
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const h = off + 2 * codes[i * p + j];
    hist[h] += rowData[4 * i];
    hist[h + 1] += rowData[4 * i + 1];
  }
}

function fillThreeMarking(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  touched: Int32Array,
  start: number,
  end: number,
  j0: number,
  j1: number,
  j2: number,
): void {
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const c = i * p,
      wc = rowData[4 * i],
      v = rowData[4 * i + 1];
    let b = codes[c + j0];
    let h = 2 * b;
    hist[h] += wc;
    hist[h + 1] += v;
    touched[b >> 5] |= 1 << (b & 31);
    b = codes[c + j1];
    h = HIST_STRIDE + 2 * b;
    hist[h] += wc;
    hist[h + 1] += v;
    touched[BIN_SET_WORDS + (b >> 5)] |= 1 << (b & 31);
    b = codes[c + j2];
    h = 2 * HIST_STRIDE + 2 * b;
    hist[h] += wc;
    hist[h + 1] += v;
    touched[2 * BIN_SET_WORDS + (b >> 5)] |= 1 << (b & 31);
  }
}

function fillOneMarking(
  codes: Uint8Array,
  p: number,
  rows: Int32Array,
  rowData: Float64Array,
  hist: Float64Array,
  touched: Int32Array,
  start: number,
  end: number,
  j: number,
  t: number,
): void {
  const off = t * HIST_STRIDE,
    setOff = t * BIN_SET_WORDS;
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const b = codes[i * p + j];
    const h = off + 2 * b;
    hist[h] += rowData[4 * i];
    hist[h + 1] += rowData[4 * i + 1];
    touched[setOff + (b >> 5)] |= 1 << (b & 31);
  }
}

/**
 * Scans the marked bins of the histograms of `tried`, in bin order, for the best split of a node
 * of `size` rows (weight wsum, sum ysum), improving on ws.bestNum[0], and clears what it read;
 * returns whether a feature was non-constant in the node.
 */
function scanHistograms(data: BinnedFeatures, ws: BinnedTreeWorkspace, nt: number, size: number, wsum: number, ysum: number, minLeaf: number): boolean {
  const { binMin, binMax } = data;
  const { hist, touched, tried, bestInt, bestNum } = ws;
  let found = false;
  let best = bestNum[0];
  for (let t = 0; t < nt; t++) {
    const j = tried[t],
      off = t * HIST_STRIDE,
      setOff = t * BIN_SET_WORDS;
    let prev = -1,
      wL = 0,
      sL = 0,
      cL = 0;
    for (let word = 0; word < BIN_SET_WORDS; word++) {
      let set = touched[setOff + word];
      touched[setOff + word] = 0;
      while (set !== 0) {
        const low = set & -set;
        set ^= low;
        const b = 32 * word + 31 - Math.clz32(low);
        const packed = hist[off + 2 * b];
        if (packed === 0) continue; // an empty bin (every bin is marked in large nodes)
        const sum = hist[off + 2 * b + 1];
        hist[off + 2 * b] = 0;
        hist[off + 2 * b + 1] = 0;
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
        sL += sum;
        cL += c;
        prev = b;
      }
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
  // Branch-free: which side a row goes is close to a coin toss, so a branch would mispredict often.
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const toLeft = ((bin - codes[i * p + j]) >>> 31) ^ 1;
    rows[a] = i;
    tmp[r] = i;
    a += toLeft;
    r += 1 - toLeft;
    ql += toLeft * rowData[4 * i + 2];
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
      fillHistograms(codes, p, rows, rowData, hist, ws.touched, start, end, tried, nt, bins, size < MARK_BELOW_ROWS);
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
