import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../src/common/csv.ts';
import { createRng } from '../../src/common/random.ts';
import { createExecutor, estimateDml, type PanelData } from '../../src/dml/index.ts';

/**
 * The partially linear design of Chernozhukov et al. (2018), as DoubleML's make_plr_CCDDHNR2018:
 * x ~ N(0, S) with S_jk = 0.7^|j-k|, d = x1 + 0.25 e^x3/(1+e^x3) + v,
 * y = theta d + e^x1/(1+e^x1) + 0.25 x3 + e, with v, e ~ N(0, 1).
 */
function simulate(seed: number, n: number, p: number, theta: number): PanelData {
  const rng = createRng(seed);
  const header = ['y', 'd', ...Array.from({ length: p }, (_, j) => `x${j + 1}`)];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    // AR(1) with coefficient 0.7 and unit variance has exactly this covariance.
    const x = new Array<number>(p);
    x[0] = rng.normal();
    for (let j = 1; j < p; j++) x[j] = 0.7 * x[j - 1] + Math.sqrt(1 - 0.49) * rng.normal();
    const logistic = (t: number): number => Math.exp(t) / (1 + Math.exp(t));
    const d = x[0] + 0.25 * logistic(x[2]) + rng.normal();
    const y = theta * d + logistic(x[0]) + 0.25 * x[2] + rng.normal();
    rows.push([y, d, ...x]);
  }
  return { ...parseCsv(formatCsv(header, rows)), source: `ccddhnr-${seed}` };
}

// Default forest settings except the forest size (50 trees keeps the file fast).
test('RF DML is consistent on the CCDDHNR 2018 design (n = 500, 20 controls, theta = 0.5, 20 seeds)', async (t) => {
  const theta = 0.5,
    seeds = 20;
  const exec = createExecutor(2);
  const estimates: { theta: number; lo: number; hi: number }[] = [];
  try {
    for (let s = 0; s < seeds; s++) {
      const data = simulate(1000 + s, 500, 20, theta);
      const e = await estimateDml(
        data,
        {
          y: 'y',
          d: 'd',
          x: Array.from({ length: 20 }, (_, j) => `x${j + 1}`),
          learner: 'rf',
          params: { trees: 50 },
          folds: 5,
          seed: s,
        },
        { executor: exec },
      );
      estimates.push({ theta: e.theta, lo: e.ci_lower, hi: e.ci_upper });
    }
  } finally {
    await exec.close();
  }
  const mean = estimates.reduce((a, e) => a + e.theta, 0) / seeds;
  const covered = estimates.filter((e) => e.lo <= theta && theta <= e.hi).length;
  t.diagnostic(`mean theta ${mean.toFixed(4)}, coverage ${covered}/${seeds}`);
  assert.ok(Math.abs(mean - theta) < 0.05, `mean estimate ${mean} is not within 0.05 of ${theta}`);
  assert.ok(covered >= 16, `95% intervals cover theta in only ${covered} of ${seeds} samples`);
});
