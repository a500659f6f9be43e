import type { Rng } from '../../common/random.ts';
import { MAX_BINS, type BinnedFeatures } from './bins.ts';
import type { Tree, TreeParams } from './tree.ts';

/**
 * CART regression trees (squared error) grown on binned features: a node's split search over a
 * feature is one pass over its rows into a bin histogram (weight, weighted sum, rows) and one scan
 * of at most 255 bins, so a tree costs about rows x depth x features tried. Each node keeps its
 * rows as a range of one index list in ascending row order (a split partitions the range stably),
 * so code lookups stay close to sequential. Siblings draw their own candidate features, so the
 * histogram subtraction trick (sibling = parent - child) has no parent histogram to reuse.
 *
 * Candidate features follow scikit-learn: `maxFeatures` are drawn without replacement, and while
 * all drawn ones are constant in the node, more are drawn. The threshold of a split between bins
 * b and b' (the next bin holding rows of the node) is the midpoint of bin b's largest and bin b''s
 * smallest training value: for one-value bins that is scikit-learn's midpoint rule.
 */
export class BinnedTreeWorkspace {
  readonly rows: Int32Array;
  readonly tmp: Int32Array;
  readonly wy: Float64Array;
  readonly hist: Float64Array;
  readonly count: Int32Array;
  readonly features: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;

  constructor(data: BinnedFeatures) {
    const n = data.n;
    this.rows = new Int32Array(n);
    this.tmp = new Int32Array(n);
    this.wy = new Float64Array(n);
    this.hist = new Float64Array(2 * MAX_BINS);
    this.count = new Int32Array(MAX_BINS);
    this.features = new Int32Array(data.codes.length);
    const cap = Math.max(1, 2 * n);
    this.feature = new Int32Array(cap);
    this.threshold = new Float64Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
    this.value = new Float64Array(cap);
  }
}

/**
 * Grows one tree. `weight[i]` is row i's multiplicity (bootstrap counts; 0 = not used). The tree
 * is valid until the workspace grows the next one.
 */
export function buildBinnedTree(data: BinnedFeatures, y: Float64Array, weight: Float64Array, params: TreeParams, rng: Rng,
  ws: BinnedTreeWorkspace = new BinnedTreeWorkspace(data)): Tree {
  const { n, codes, bins, binMin, binMax } = data;
  const p = codes.length;
  const { rows, tmp, wy, hist, count, features, feature, threshold, left, right, value } = ws;
  let m = 0, w0 = 0, s0 = 0, q0 = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    if (w > 0) {
      rows[m++] = i;
      const v = w * y[i];
      wy[i] = v; w0 += w; s0 += v; q0 += v * y[i];
    }
  }
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const maxDepth = params.maxDepth > 0 ? params.maxDepth : Infinity;
  const nTry = Math.max(1, Math.min(p, params.maxFeatures));
  for (let j = 0; j < p; j++) features[j] = j;

  // Stack of nodes to split: node, start, end, depth, weight, weighted sum of y and of y^2.
  const stack: number[] = [0, 0, m, 0, w0, s0, q0];
  let nodeCount = 1;
  left[0] = -1;
  while (stack.length > 0) {
    const qsum = stack.pop()!, ysum = stack.pop()!, wsum = stack.pop()!;
    const depth = stack.pop()!, end = stack.pop()!, start = stack.pop()!, node = stack.pop()!;
    const size = end - start;
    value[node] = ysum / wsum;
    // Impurity as scikit-learn computes it; exactly 0 for a node of equal y values 0/1.
    if (size < 2 * minLeaf || depth >= maxDepth || qsum / wsum - (ysum / wsum) ** 2 <= 2.220446049250313e-16) continue;

    let best = -Infinity, bestF = -1, bestBin = -1, bestThr = 0;
    let visited = 0, found = false;
    for (let f = 0; f < p && (visited < nTry || !found); f++) {
      const pick = f + rng.int(p - f);
      const j = features[pick]; features[pick] = features[f]; features[f] = j;
      visited++;
      const nb = bins[j];
      if (nb < 2) continue;
      const code = codes[j];
      hist.fill(0, 0, 2 * nb);
      count.fill(0, 0, nb);
      for (let k = start; k < end; k++) {
        const i = rows[k];
        const b = code[i];
        hist[2 * b] += weight[i]; hist[2 * b + 1] += wy[i]; count[b]++;
      }
      let prev = -1, wL = 0, sL = 0, cL = 0;
      for (let b = 0; b < nb; b++) {
        const c = count[b];
        if (c === 0) continue;
        if (prev >= 0 && cL >= minLeaf && size - cL >= minLeaf) {
          const sR = ysum - sL;
          const score = (sL * sL) / wL + (sR * sR) / (wsum - wL);
          if (score > best) {
            best = score; bestF = j; bestBin = prev;
            const lo = binMax[j][prev], hi = binMin[j][b];
            const mid = (lo + hi) / 2;
            bestThr = mid >= hi ? lo : mid;
          }
        }
        wL += hist[2 * b]; sL += hist[2 * b + 1]; cL += c;
        prev = b;
      }
      if (count[prev] !== size) found = true;
    }
    if (bestF < 0) continue;

    const code = codes[bestF];
    let l = start, r = 0, wl = 0, sl = 0, ql = 0, wr = 0, sr = 0, qr = 0;
    for (let k = start; k < end; k++) {
      const i = rows[k];
      const v = wy[i];
      if (code[i] <= bestBin) { rows[l++] = i; wl += weight[i]; sl += v; ql += v * y[i]; }
      else { tmp[r++] = i; wr += weight[i]; sr += v; qr += v * y[i]; }
    }
    for (let q = 0; q < r; q++) rows[l + q] = tmp[q];
    const lNode = nodeCount++, rNode = nodeCount++;
    left[lNode] = -1; left[rNode] = -1;
    feature[node] = bestF; threshold[node] = bestThr; left[node] = lNode; right[node] = rNode;
    stack.push(lNode, start, l, depth + 1, wl, sl, ql, rNode, l, end, depth + 1, wr, sr, qr);
  }
  return {
    feature: feature.subarray(0, nodeCount), threshold: threshold.subarray(0, nodeCount),
    left: left.subarray(0, nodeCount), right: right.subarray(0, nodeCount), value: value.subarray(0, nodeCount),
  };
}
