/** A plain CART search (sort each feature at each node, try every threshold) for comparison. */
export function naiveTreePredict(x: number[][], y: number[], w: number[], test: number[][], maxDepth: number, minLeaf: number): number[] {
  type Node = { leaf: number } | { f: number; thr: number; l: Node; r: Node };
  const grow = (idx: number[], depth: number): Node => {
    const ws = idx.reduce((s, i) => s + w[i], 0),
      ys = idx.reduce((s, i) => s + w[i] * y[i], 0);
    if (idx.length < 2 * minLeaf || depth >= maxDepth || idx.every((i) => y[i] === y[idx[0]])) return { leaf: ys / ws };
    let best = -Infinity,
      bf = -1,
      bthr = 0;
    for (let f = 0; f < x[0].length; f++) {
      const s = [...idx].sort((a, b) => x[a][f] - x[b][f] || a - b);
      let wl = 0,
        sl = 0;
      for (let k = 0; k < s.length - 1; k++) {
        wl += w[s[k]];
        sl += w[s[k]] * y[s[k]];
        const a = x[s[k]][f],
          b = x[s[k + 1]][f];
        if (b <= a || k + 1 < minLeaf || s.length - k - 1 < minLeaf) continue;
        const score = (sl * sl) / wl + (ys - sl) ** 2 / (ws - wl);
        if (score > best) {
          best = score;
          bf = f;
          bthr = (a + b) / 2;
        }
      }
    }
    if (bf < 0) return { leaf: ys / ws };
    return {
      f: bf,
      thr: bthr,
      l: grow(
        idx.filter((i) => x[i][bf] <= bthr),
        depth + 1,
      ),
      r: grow(
        idx.filter((i) => x[i][bf] > bthr),
        depth + 1,
      ),
    };
  };
  const root = grow(
    w.map((_, i) => i).filter((i) => w[i] > 0),
    0,
  );
  return test.map((row) => {
    let n = root;
    while (!('leaf' in n)) n = row[n.f] <= n.thr ? n.l : n.r;
    return n.leaf;
  });
}
