import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DmlSpec, estimateDml, loadPanel } from '../../src/dml/index.ts';
import { DEFAULT_SCENARIO } from '../../src/dml/sensitivity.ts';

// DoubleML 0.8.0 on 2,000 rows of make_irm_data with imposed folds (see the fixture's README).
const dir = fileURLToPath(new URL('../fixtures/dml-irm/', import.meta.url));
const ref = JSON.parse(readFileSync(`${dir}doubleml_0.8.0.json`, 'utf8'));
const data = loadPanel(`${dir}irm_data.csv`);
const base: DmlSpec = {
  y: 'y',
  d: 'd',
  x: Array.from({ length: 10 }, (_, j) => `X${j + 1}`),
  foldFile: `${dir}folds.csv`,
  learner: 'ols',
  learners: { m: 'logit' },
  sensitivity: DEFAULT_SCENARIO,
};

/**
 * PLR (OLS learners) agrees to rounding. IRM's propensity comes from scikit-learn's L-BFGS logistic
 * regression, which stops on a relative objective change of 64 eps: its coefficients sit about
 * 1e-7 from the maximum that cger's Newton fit reaches (gradient ~1e-14), which moves theta by
 * ~6e-8 but the inverse-propensity variances by ~1e-5. IRM's standard-error-based fields are
 * therefore held to 5e-5 (relative) and 5e-6 (absolute for rv, rva).
 */
let tolerance = 1e-6;

function close(actual: number, expected: number, what: string, relative = true): void {
  const err = relative ? Math.abs(actual - expected) / Math.abs(expected) : Math.abs(actual - expected);
  const tol = what.endsWith('theta') ? 1e-6 : relative ? tolerance : tolerance / 10;
  assert.ok(err <= tol, `${what}: cger ${actual} vs DoubleML ${expected} (${relative ? 'relative' : 'absolute'} error ${err.toExponential(2)})`);
}

function checkEstimate(e: { theta: number; se: number; ci_lower: number; ci_upper: number }, r: Record<string, number>, what: string): void {
  for (const k of ['theta', 'se', 'ci_lower', 'ci_upper'] as const) close(e[k], r[k], `${what} ${k}`);
}

function checkSensitivity(s: Record<string, number> | null, r: Record<string, number>, what: string): void {
  assert.ok(s, `${what}: no sensitivity result`);
  for (const k of ['theta_lower', 'theta_upper', 'ci_lower', 'ci_upper']) close(s[k], r[k], `${what} ${k}`);
  for (const k of ['rv', 'rva']) close(s[k], r[k], `${what} ${k}`, false);
}

test('PLR with OLS learners matches DoubleML 0.8.0, sensitivity included', async () => {
  tolerance = 1e-6;
  const e = await estimateDml(data, { ...base, learners: {} }, { threads: 1 });
  checkEstimate(e, ref.plr_ols, 'PLR');
  checkSensitivity(e.sensitivity as unknown as Record<string, number>, ref.plr_ols_sens, 'PLR sensitivity');
});

test('IRM ATE (OLS outcome, logit propensity, trimming 0.01) matches DoubleML 0.8.0, sensitivity included', async () => {
  tolerance = 5e-5;
  const e = await estimateDml(data, { ...base, model: 'irm', score: 'ATE', trimming: 0.01 }, { threads: 1 });
  checkEstimate(e, ref.irm_ate, 'IRM ATE');
  checkSensitivity(e.sensitivity as unknown as Record<string, number>, ref.irm_ate_sens, 'IRM ATE sensitivity');
});

test('IRM ATTE matches DoubleML 0.8.0', async () => {
  tolerance = 5e-5;
  const e = await estimateDml(data, { ...base, model: 'irm', score: 'ATTE' }, { threads: 1 });
  checkEstimate(e, ref.irm_atte, 'IRM ATTE');
  assert.ok(e.sensitivity && e.sensitivity.theta_lower < e.theta && e.theta < e.sensitivity.theta_upper);
});

test('IRM with a non-binary treatment is a clear error', async () => {
  await assert.rejects(
    estimateDml(data, { ...base, d: 'X1', x: ['X2', 'X3'], model: 'irm' }, { threads: 1 }),
    /needs a binary 0\/1 treatment; 'X1' is .* at line 2/,
  );
});

test('IRM needs a classifier for the propensity', async () => {
  await assert.rejects(
    estimateDml(data, { ...base, model: 'irm', learners: {} }, { threads: 1 }),
    /ml_m \(P\(d=1\|X\)\) needs a classification learner; 'ols' does regression only \(choose one with --learner-m/,
  );
});
