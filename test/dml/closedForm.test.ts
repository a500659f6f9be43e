import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../src/common/csv.ts';
import { createRng } from '../../src/common/random.ts';
import { estimateDml, type PanelData } from '../../src/dml/index.ts';
import { tempDir } from '../helpers.ts';

// With OLS learners and imposed folds, cger must reproduce a direct computation of docs/design.md
// §7 (written here independently: normal equations, explicit sums) to 1e-10.

const N_CLUSTERS = 12,
  PER_CLUSTER = 5,
  N = N_CLUSTERS * PER_CLUSTER,
  K = 4,
  R = 3;
const rng = createRng(2024);
const cluster = Array.from({ length: N }, (_, i) => Math.floor(i / PER_CLUSTER));
const x1 = Array.from({ length: N }, () => rng.normal());
const x2 = Array.from({ length: N }, () => rng.normal());
const x3 = Array.from({ length: N }, () => rng.normal() + 0.3 * x1[0]);
const z = x1.map((v, i) => 0.5 * v + rng.normal() + 0.1 * cluster[i]);
const d = z.map((v, i) => 0.8 * v + 0.4 * x2[i] + rng.normal());
const y = d.map((v, i) => 0.5 * v + x1[i] - 0.5 * x3[i] + rng.normal());
const X = x1.map((_, i) => [x1[i], x2[i], x3[i]]);

const data: PanelData = {
  ...parseCsv(
    formatCsv(
      ['prov', 'y', 'd', 'z', 'x1', 'x2', 'x3'],
      y.map((_, i) => [`c${cluster[i]}`, y[i], d[i], z[i], x1[i], x2[i], x3[i]]),
    ),
  ),
  source: 'closed-form.csv',
};

// Three repetitions of cluster-wise folds (every cluster inside one fold).
const folds: number[][] = [];
for (let r = 0; r < R; r++) {
  const order = Array.from({ length: N_CLUSTERS }, (_, c) => c);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const clusterFold = new Array<number>(N_CLUSTERS);
  order.forEach((c, pos) => {
    clusterFold[c] = pos % K;
  });
  folds.push(cluster.map((c) => clusterFold[c]));
}
const dir = tempDir('dml');
const fold3 = join(dir, 'folds3.csv');
writeFileSync(
  fold3,
  formatCsv(
    ['fold_0', 'fold_1', 'fold_2'],
    cluster.map((_, i) => [folds[0][i], folds[1][i], folds[2][i]]),
  ),
);
const fold1 = join(dir, 'folds1.csv');
writeFileSync(
  fold1,
  formatCsv(
    ['fold'],
    cluster.map((_, i) => [folds[0][i]]),
  ),
);

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** Out-of-fold OLS (with intercept) predictions of `target` by normal equations. */
function crossFit(target: number[], fold: number[]): number[] {
  const out = new Array<number>(N);
  for (let k = 0; k < K; k++) {
    const train = fold.map((f, i) => (f !== k ? i : -1)).filter((i) => i >= 0);
    const rows = train.map((i) => [1, ...X[i]]);
    const p = rows[0].length;
    const xtx = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, b) => rows.reduce((s, r) => s + r[a] * r[b], 0)));
    const xty = Array.from({ length: p }, (_, a) => rows.reduce((s, r, q) => s + r[a] * target[train[q]], 0));
    const beta = solve(xtx, xty);
    fold.forEach((f, i) => {
      if (f === k) out[i] = beta[0] + X[i].reduce((s, v, j) => s + v * beta[j + 1], 0);
    });
  }
  return out;
}

const med = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

function reference(iv: boolean, clustered: boolean, reps: number) {
  const perRep = folds.slice(0, reps).map((fold) => {
    const u = crossFit(y, fold).map((l, i) => y[i] - l);
    const v = crossFit(d, fold).map((m, i) => d[i] - m);
    const w = iv ? crossFit(z, fold).map((r, i) => z[i] - r) : v;
    const psiA = v.map((vi, i) => -w[i] * vi);
    const psiB = u.map((ui, i) => w[i] * ui);
    if (!clustered) {
      const theta = -psiB.reduce((a, b) => a + b) / psiA.reduce((a, b) => a + b);
      const J = psiA.reduce((a, b) => a + b) / N;
      const psi2 = psiA.reduce((s, a, i) => s + (a * theta + psiB[i]) ** 2, 0) / N;
      return { theta, se: Math.sqrt(psi2 / (N * J * J)) };
    }
    // |I_k| clusters per fold, sums weighted by 1/|I_k|.
    const inFold = Array.from({ length: K }, (_, k) => new Set(cluster.filter((_, i) => fold[i] === k)).size);
    let num = 0,
      den = 0;
    for (let i = 0; i < N; i++) {
      num += psiB[i] / inFold[fold[i]];
      den += psiA[i] / inFold[fold[i]];
    }
    const theta = -num / den;
    let gamma = 0;
    for (let c = 0; c < N_CLUSTERS; c++) {
      const members = cluster.map((cc, i) => (cc === c ? i : -1)).filter((i) => i >= 0);
      const s = members.reduce((acc, i) => acc + psiA[i] * theta + psiB[i], 0);
      gamma += (s * s) / inFold[fold[members[0]]];
    }
    gamma /= K;
    const J = den / K;
    return { theta, se: Math.sqrt(gamma / (N_CLUSTERS * J * J)) };
  });
  const nScale = clustered ? N_CLUSTERS : N;
  const theta = med(perRep.map((r) => r.theta));
  const se = Math.sqrt(med(perRep.map((r) => r.se ** 2 + (r.theta - theta) ** 2 / nScale)));
  const z95 = 1.959963984540054;
  return { theta, se, lo: med(perRep.map((r) => r.theta - z95 * r.se)), hi: med(perRep.map((r) => r.theta + z95 * r.se)) };
}

const close = (a: number, b: number, what: string): void => {
  assert.ok(Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(b)), `${what}: cger ${a} vs reference ${b} (diff ${a - b})`);
};

for (const iv of [false, true]) {
  for (const clustered of [false, true]) {
    for (const reps of [1, 3]) {
      test(`${iv ? 'PLIV' : 'PLR'} with OLS, ${clustered ? 'clustered' : 'plain'}, R = ${reps}: equals the closed form`, async () => {
        const est = await estimateDml(
          data,
          {
            y: 'y',
            d: 'd',
            x: ['x1', 'x2', 'x3'],
            z: iv ? 'z' : undefined,
            learner: 'ols',
            foldFile: reps === 3 ? fold3 : fold1,
            cluster: clustered ? 'prov' : undefined,
          },
          { threads: 1 },
        );
        const ref = reference(iv, clustered, reps);
        assert.equal(est.reps, reps);
        assert.equal(est.folds, K);
        assert.equal(est.n_obs, N);
        assert.equal(est.n_clusters, clustered ? N_CLUSTERS : null);
        close(est.theta, ref.theta, 'theta');
        close(est.se, ref.se, 'se');
        close(est.ci_lower, ref.lo, 'ci_lower');
        close(est.ci_upper, ref.hi, 'ci_upper');
        close(est.t, ref.theta / ref.se, 't');
      });
    }
  }
}

test('p-value is the two-sided normal tail of t', async () => {
  const est = await estimateDml(data, { y: 'y', d: 'd', x: ['x1', 'x2', 'x3'], learner: 'ols', foldFile: fold1 }, { threads: 1 });
  // Independent: p = erfc(|t| / sqrt 2) by numerical integration of the normal density.
  const t = Math.abs(est.t);
  const upper = t + 40;
  const steps = 200000;
  const h = (upper - t) / steps;
  let s = 0;
  for (let k = 0; k <= steps; k++) {
    const x = t + k * h;
    s += (k === 0 || k === steps ? 1 : k % 2 ? 4 : 2) * Math.exp((-x * x) / 2);
  }
  const p = (2 * ((s * h) / 3)) / Math.sqrt(2 * Math.PI);
  assert.ok(Math.abs(est.p - p) <= 1e-12 + 1e-8 * p, `p ${est.p} vs ${p}`);
});
