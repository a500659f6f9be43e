import { CgerError } from '../common/errors.ts';
import type { SensitivityElements } from './models/types.ts';
import { aggregateThetaSe, normalQuantile, type RepEstimate } from './scores.ts';

/**
 * Sensitivity of a DML estimate to an unobserved confounder (Chernozhukov, Cinelli, Newey, Sharma
 * and Syrgkanis, "Long Story Short: Omitted Variable Bias in Causal Machine Learning"), with
 * DoubleML 0.8's conventions. A confounder that explains a share cf_y of the outcome's residual
 * variation and makes the Riesz representer's variance grow by cf_d / (1 - cf_d) moves theta by
 * at most |rho| sqrt(sigma2 nu2) sqrt(cf_y cf_d / (1 - cf_d)).
 */
export interface SensitivityScenario {
  cf_y: number;
  cf_d: number;
  rho: number;
  level: number;
  /** The null hypothesis of the robustness values (0: "no effect"). */
  null_hypothesis: number;
}

export interface Sensitivity extends SensitivityScenario {
  theta_lower: number;
  theta_upper: number;
  ci_lower: number;
  ci_upper: number;
  /** Confounding strength cf_y = cf_d at which the theta bound on the null's side reaches it. */
  rv: number;
  /** The same for the confidence bound. */
  rva: number;
}

/** What one repetition contributes: its theta, scores psi = psi_a theta + psi_b, mean(psi_a), elements. */
export interface RepSensitivityInput {
  theta: number;
  psi: Float64Array;
  meanPsiA: number;
  elements: SensitivityElements;
}

export const DEFAULT_SCENARIO: SensitivityScenario = { cf_y: 0.03, cf_d: 0.03, rho: 1, level: 0.95, null_hypothesis: 0 };

export function checkScenario(s: SensitivityScenario): void {
  const fail = (what: string): never => {
    throw new CgerError(`--sensitivity: ${what}`);
  };
  if (!(s.cf_y >= 0 && s.cf_y < 1)) fail(`cf_y=${s.cf_y} must be in [0, 1)`);
  if (!(s.cf_d >= 0 && s.cf_d < 1)) fail(`cf_d=${s.cf_d} must be in [0, 1)`);
  if (!(s.rho >= -1 && s.rho <= 1)) fail(`rho=${s.rho} must be in [-1, 1]`);
  if (!(s.level > 0 && s.level < 1)) fail(`level=${s.level} must be in (0, 1)`);
  if (!Number.isFinite(s.null_hypothesis)) fail(`null=${s.null_hypothesis} must be a number`);
}

interface Bounds {
  theta_lower: number;
  theta_upper: number;
  ci_lower: number;
  ci_upper: number;
}

function strengthOf(cfY: number, cfD: number, rho: number): number {
  return Math.abs(rho) * Math.sqrt((cfY * cfD) / (1 - cfD));
}

/** Theta bounds only (no standard errors): cheap, for grids. */
export function thetaBounds(reps: RepSensitivityInput[], cfY: number, cfD: number, rho: number, nScaling: number): { lower: number; upper: number } {
  const strength = strengthOf(cfY, cfD, rho);
  const shift = reps.map((r) => Math.sqrt(r.elements.sigma2 * r.elements.nu2) * strength);
  const lower = aggregateThetaSe(
    reps.map((r, k) => ({ theta: r.theta - shift[k], se: 0 })),
    nScaling,
  ).theta;
  const upper = aggregateThetaSe(
    reps.map((r, k) => ({ theta: r.theta + shift[k], se: 0 })),
    nScaling,
  ).theta;
  return { lower, upper };
}

/**
 * Bounds on theta and on its confidence interval. Per repetition: theta -/+ S strength with
 * S = sqrt(sigma2 nu2); standard errors of the bounds from psi / mean(psi_a) -/+ the influence of
 * (sigma2, nu2); repetitions aggregated like theta; the CI bound is one-sided at `level`.
 */
export function sensitivityBounds(reps: RepSensitivityInput[], cfY: number, cfD: number, rho: number, level: number, nScaling: number): Bounds {
  const strength = strengthOf(cfY, cfD, rho);
  const lower: RepEstimate[] = [],
    upper: RepEstimate[] = [];
  for (const r of reps) {
    const { sigma2, nu2, psiSigma2, psiNu2 } = r.elements;
    const s = Math.sqrt(sigma2 * nu2);
    const n = r.psi.length;
    const biasScale = s > 0 ? strength / (2 * s) : 0;
    let sl = 0,
      su = 0;
    for (let i = 0; i < n; i++) {
      const scaled = r.psi[i] / r.meanPsiA;
      const bias = biasScale * (sigma2 * psiNu2[i] + nu2 * psiSigma2[i]);
      sl += (scaled - bias) ** 2;
      su += (scaled + bias) ** 2;
    }
    lower.push({ theta: r.theta - s * strength, se: Math.sqrt(sl / n / nScaling) });
    upper.push({ theta: r.theta + s * strength, se: Math.sqrt(su / n / nScaling) });
  }
  const lo = aggregateThetaSe(lower, nScaling),
    hi = aggregateThetaSe(upper, nScaling);
  const z = normalQuantile(level);
  return { theta_lower: lo.theta, theta_upper: hi.theta, ci_lower: lo.theta - z * lo.se, ci_upper: hi.theta + z * hi.se };
}

/**
 * The v in [0, 1) at which f(v) = 0 for f decreasing from f(0) > 0 (bisection to the last bit);
 * 0 when f(0) <= 0 already, 1 when no v < 1 gets there.
 */
function root(f: (v: number) => number): number {
  if (f(0) <= 0) return 0;
  let lo = 0,
    hi = 1 - 1e-12;
  if (f(hi) > 0) return 1;
  while (hi - lo > 1e-16 * Math.max(1, hi)) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Bounds for the scenario and the robustness values rv, rva for its null hypothesis. */
export function sensitivityAnalysis(reps: RepSensitivityInput[], theta: number, scenario: SensitivityScenario, nScaling: number): Sensitivity {
  checkScenario(scenario);
  const { cf_y, cf_d, rho, level, null_hypothesis: h } = scenario;
  const bounds = sensitivityBounds(reps, cf_y, cf_d, rho, level, nScaling);
  // The bound on the null's side moves towards it as confounding grows.
  const upperSide = h > theta;
  const gap = (b: Bounds, key: 'theta' | 'ci'): number =>
    upperSide ? h - (key === 'theta' ? b.theta_upper : b.ci_upper) : (key === 'theta' ? b.theta_lower : b.ci_lower) - h;
  const rv = root((v) => gap(sensitivityBounds(reps, v, v, rho, level, nScaling), 'theta'));
  const rva = root((v) => gap(sensitivityBounds(reps, v, v, rho, level, nScaling), 'ci'));
  return { ...scenario, ...bounds, rv, rva };
}

/** Parses "cf_y=0.03,cf_d=0.03,rho=1,level=0.95,null=0" (any subset; the rest default). */
export function parseScenario(text: string | true): SensitivityScenario {
  const s = { ...DEFAULT_SCENARIO };
  if (text === true || text.trim() === '') return s;
  for (const item of text.split(',')) {
    const m = /^\s*(cf_y|cf_d|rho|level|null)\s*=\s*(\S+)\s*$/.exec(item);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new CgerError(`--sensitivity "${item}": expected cf_y=, cf_d=, rho=, level= or null= with a number`);
    s[m[1] === 'null' ? 'null_hypothesis' : (m[1] as 'cf_y' | 'cf_d' | 'rho' | 'level')] = v;
  }
  checkScenario(s);
  return s;
}
