import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgerError } from '../../src/common/errors.ts';
import { createRng } from '../../src/common/random.ts';
import { loadHighs, type SbmDmu, scoreFrontier } from '../../src/panel/sbm.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const OPTS = { efficientTol: 1e-9 };

test('one input, one output: SBM = CCR ratio efficiency, super-SBM = own ratio / best other ratio', async () => {
  // Hand derivation (CRS, Tone 2001 EJOR 130:498-509 SBM; Tone 2002 EJOR 143:32-41 super-SBM):
  // a DMU (x, y) is projected onto the ray y = k x, k = max_j y_j / x_j, as (x - s, y + g) = l (x*, y*);
  // rho = ((x - s)/x) / ((y + g)/y) = (y/x) / k. For the efficient DMU, with itself removed, the point
  // (x + p, y - q) must satisfy (y - q)/(x + p) <= k2 (best other ratio), so delta >= (y/x)/k2, attained.
  const dmus: SbmDmu[] = [
    { label: 'A', inputs: [2], good: [4], bad: [] }, // ratio 2
    { label: 'B', inputs: [4], good: [6], bad: [] }, // ratio 1.5
    { label: 'C', inputs: [5], good: [5], bad: [] }, // ratio 1
    { label: 'D', inputs: [10], good: [12], bad: [] }, // ratio 1.2
  ];
  const highs = await loadHighs();
  const res = scoreFrontier(highs, dmus, { inputs: ['x'], good: ['y'], bad: [] }, OPTS);
  close(res[0].rho, 1);
  close(res[0].score, 2 / 1.5);
  close(res[1].score, 1.5 / 2);
  close(res[2].score, 1 / 2);
  close(res[3].score, 1.2 / 2);
  assert.equal(res[1].superScore, null);
});

test('undesirable outputs: hand-derived SBM and super-SBM optima', async () => {
  // One input x, good output y, bad output b. A = (1, 1, 1), B = (2, 1, 2).
  // SBM of B (Tone 2004): with u = l_A + 2 l_B, v = l_A + l_B (1 <= v <= u): s- = 2 - u, sg = v - 1, sb = 2 - u,
  // rho = (1 - s-/2) / (1 + (sg + sb/2)/2) = (u/2) / (1 + v/2 - u/4), smallest at u = v = 1: rho_B = 0.5/1.25 = 0.4.
  // Super-SBM of A against {B}: with l = l_B, p = pb = max(0, 2l - 1), q = max(0, 1 - l);
  // delta = (1 + p) / (1 - (q + pb)/2): on [0, 0.5] it is 2/(1 + l), on [0.5, 1] 2l/(1 - l/2): minimum 4/3 at l = 0.5.
  const highs = await loadHighs();
  const res = scoreFrontier(
    highs,
    [
      { label: 'A', inputs: [1], good: [1], bad: [1] },
      { label: 'B', inputs: [2], good: [1], bad: [2] },
    ],
    { inputs: ['x'], good: ['y'], bad: ['b'] },
    OPTS,
  );
  close(res[1].rho, 0.4);
  close(res[1].score, 0.4);
  close(res[0].rho, 1);
  close(res[0].score, 4 / 3);
});

test('input slack that a radial (CCR) score misses: SBM 0.75, super-SBM 1.5', async () => {
  // Two inputs, one output of 1 for both. A = (1, 1), B = (2, 1). B is radially efficient (theta = 1) but has
  // 1 unit of slack in input 1: rho_B = 1 - (1/2)(1/2 + 0/1) = 0.75 (l_A = 1; l_A < 1 would need output slack < 0).
  // Super-SBM of A against {B}: l in [0.5, 1]: p1 = 2l - 1, q = 1 - l, delta = (1 + (2l - 1)/2) / l = 1 + 0.5/l
  // -> 1.5 at l = 1; l < 0.5 needs only q = 1 - l: delta = 1/l > 2; l > 1 adds p2 = l - 1: delta = 1 + (3l - 2)/2 >= 1.5.
  // So delta_A = 1.5.
  const highs = await loadHighs();
  const res = scoreFrontier(
    highs,
    [
      { label: 'A', inputs: [1, 1], good: [1], bad: [] },
      { label: 'B', inputs: [2, 1], good: [1], bad: [] },
    ],
    { inputs: ['x1', 'x2'], good: ['y'], bad: [] },
    OPTS,
  );
  close(res[1].score, 0.75);
  close(res[0].score, 1.5);
});

test('random frontier: efficient DMUs score >= 1, the others < 1, and scores are unit-free', async () => {
  const rng = createRng(5);
  const dmus: SbmDmu[] = Array.from({ length: 30 }, (_, i) => ({
    label: `P${i}`,
    inputs: [1 + rng.next(), 1 + rng.next(), 1 + rng.next()],
    good: [1 + rng.next()],
    bad: [1 + rng.next(), 1 + rng.next()],
  }));
  const names = { inputs: ['k', 'l', 'e'], good: ['gdp'], bad: ['so2', 'dust'] };
  const highs = await loadHighs();
  const res = scoreFrontier(highs, dmus, names, OPTS);
  const efficient = res.filter((r) => r.superScore !== null);
  assert.ok(efficient.length >= 1 && efficient.length < 30);
  for (const r of res) {
    if (r.superScore !== null) {
      assert.ok(r.score >= 1);
      close(r.rho, 1, 1e-9);
    } else assert.ok(r.score < 1 && r.score > 0);
  }
  // Rescaling a column (another unit) leaves every score unchanged.
  const rescaled = dmus.map((d) => ({ ...d, inputs: [d.inputs[0] * 1e4, d.inputs[1], d.inputs[2] / 100], bad: [d.bad[0] * 1e6, d.bad[1]] }));
  const res2 = scoreFrontier(highs, rescaled, names, OPTS);
  res.forEach((r, i) => close(res2[i].score, r.score, 1e-7));
});

test('non-positive data and too few DMUs are errors naming the DMU and column', async () => {
  const highs = await loadHighs();
  const names = { inputs: ['capital_stock'], good: ['gdp'], bad: ['so2'] };
  assert.throws(
    () =>
      scoreFrontier(
        highs,
        [
          { label: 'Hebei 2013', inputs: [1], good: [1], bad: [0] },
          { label: 'Beijing 2013', inputs: [2], good: [1], bad: [2] },
        ],
        names,
        OPTS,
      ),
    (err: unknown) => err instanceof CgerError && /Hebei 2013, column so2: 0/.test(err.message),
  );
  assert.throws(
    () => scoreFrontier(highs, [{ label: 'Beijing 2011', inputs: [1], good: [1], bad: [1] }], names, OPTS),
    (err: unknown) => err instanceof CgerError && /at least 2 DMUs.*Beijing 2011/.test(err.message),
  );
});

test('an LP that is not optimal is an error naming it', async () => {
  const { LpSolver, solveLp } = await import('../../src/panel/sbm.ts');
  const solver = new LpSolver(await loadHighs());
  try {
    // x >= 0 with x <= -1: infeasible.
    assert.throws(
      () => solveLp(solver, { cost: [1], colUpper: [Infinity], rows: [{ coef: [1], lower: -Infinity, upper: -1 }] }, 'SBM (Hebei 2013)'),
      (err: unknown) => err instanceof CgerError && /the SBM \(Hebei 2013\) linear program is (infeasible|unboundedOrInfeasible)/.test(err.message),
    );
    // minimise -x with x unbounded above: unbounded.
    assert.throws(
      () => solveLp(solver, { cost: [-1], colUpper: [Infinity], rows: [{ coef: [1], lower: 0, upper: Infinity }] }, 'super-SBM (Beijing 2020)'),
      (err: unknown) => err instanceof CgerError && /super-SBM \(Beijing 2020\) linear program is (unbounded|unboundedOrInfeasible)/.test(err.message),
    );
  } finally {
    solver.dispose();
  }
});
