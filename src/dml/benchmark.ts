import { CgerError } from '../common/errors.ts';
import { buildDesign, type PanelData } from './design.ts';
import { type DmlEstimate, type DmlSpec, type EstimateOptions, estimateDml } from './estimate.ts';
import { median } from './scores.ts';
import { type Sensitivity, sensitivityAnalysis } from './sensitivity.ts';

/**
 * Calibration of the sensitivity parameters by an observed confounder (DoubleML's
 * sensitivity_benchmark): refit without a group of controls on the same folds and ask how much
 * they explain. With R2 = 1 - sigma2 / Var(Y) and the Riesz representer's variances nu2:
 * cf_y = (R2_long - R2_short) / (1 - R2_long), cf_d = (nu2_long - nu2_short) / nu2_short, both
 * clipped to [0, 1]; rho = sign(delta) min(1, |delta| / sqrt((sigma2_short - sigma2_long)(nu2_long -
 * nu2_short))) with delta = theta_short - theta_long; medians over repetitions.
 */
export interface SensitivityBenchmark {
  controls: string[];
  cf_y: number;
  cf_d: number;
  rho: number;
  delta_theta: number;
  /** The bounds if the unobserved confounder were as strong as this group. */
  bounds: Sensitivity;
}

export async function sensitivityBenchmark(
  data: PanelData,
  spec: DmlSpec,
  long: DmlEstimate,
  group: string[],
  options: EstimateOptions = {},
): Promise<SensitivityBenchmark> {
  if (!long.sensitivityInputs || !long.sensitivity) throw new CgerError('--sensitivity-benchmark needs --sensitivity (PLR or IRM without --cluster)');
  const known = [...spec.x, ...(spec.fe ?? [])];
  const unknown = group.filter((g) => !known.includes(g));
  if (unknown.length) throw new CgerError(`--sensitivity-benchmark: ${unknown.map((g) => `'${g}'`).join(', ')} not among the controls (${known.join(', ')})`);
  const x = spec.x.filter((c) => !group.includes(c));
  const fe = (spec.fe ?? []).filter((c) => !group.includes(c));
  if (x.length + fe.length === 0) throw new CgerError('--sensitivity-benchmark: dropping the group leaves no controls');
  const short = await estimateDml(data, { ...spec, x, fe }, options);
  const y = buildDesign(data, spec).y;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let varY = 0;
  for (const v of y) varY += (v - mean) ** 2;
  varY /= y.length;
  const cfY: number[] = [],
    cfD: number[] = [],
    rho: number[] = [],
    delta: number[] = [];
  long.sensitivityInputs.forEach((l, r) => {
    const s = short.sensitivityInputs![r];
    const r2Long = 1 - l.elements.sigma2 / varY,
      r2Short = 1 - s.elements.sigma2 / varY;
    const r2Riesz = s.elements.nu2 / l.elements.nu2;
    cfY.push(Math.min(1, Math.max(0, (r2Long - r2Short) / (1 - r2Long))));
    cfD.push(Math.min(1, Math.max(0, (1 - r2Riesz) / r2Riesz)));
    const d = s.theta - l.theta;
    const varG = s.elements.sigma2 - l.elements.sigma2,
      varRiesz = l.elements.nu2 - s.elements.nu2;
    const denom = varG > 0 && varRiesz > 0 ? Math.sqrt(varG * varRiesz) : 0;
    rho.push(Math.sign(d) * (denom !== 0 ? Math.min(1, Math.abs(d) / denom) : 1));
    delta.push(d);
  });
  const bench = { cf_y: median(cfY), cf_d: median(cfD), rho: median(rho) };
  const scenario = { ...long.sensitivity, cf_y: bench.cf_y, cf_d: Math.min(bench.cf_d, 1 - 1e-9), rho: bench.rho };
  const { cf_y, cf_d, rho: rh, level, null_hypothesis } = scenario;
  return {
    controls: group,
    ...bench,
    delta_theta: median(delta),
    bounds: sensitivityAnalysis(long.sensitivityInputs, long.theta, { cf_y, cf_d, rho: rh, level, null_hypothesis }, long.n_obs),
  };
}
