import type { SensitivityBenchmark } from './benchmark.ts';
import type { DmlEstimate } from './estimate.ts';
import type { LearnerParams } from './learners/index.ts';
import { MODELS } from './models/index.ts';

const section = (title: string): string => `------------------ ${title.padEnd(17)} ------------------`;
const num = (v: number, w = 10): string => (Math.abs(v) >= 1e-4 || v === 0 ? v.toFixed(6) : v.toExponential(4)).padStart(w);
const paramText = (params: LearnerParams): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

function tuningLines(e: DmlEstimate): string[] {
  const lines: string[] = [];
  for (const [name, n] of Object.entries(e.nuisances)) {
    if (!n.tuned || n.tuned.length === 0) continue;
    if (n.tuned.every((t) => Number.isNaN(t.cv_loss))) {
      lines.push(`Tuned ${name}: ${n.learner} has nothing to tune`);
      continue;
    }
    lines.push(`Tuned ${name} (${n.learner}; loss: ${n.task === 'classification' ? 'log-loss' : 'mean squared error'} by inner cross-validation):`);
    for (const t of n.tuned)
      lines.push(`  rep ${t.rep} fold ${t.fold}: ${paramText(t.params)}  CV loss ${Number.isNaN(t.cv_loss) ? '-' : t.cv_loss.toPrecision(6)}`);
  }
  return lines;
}

/** The sensitivity part, laid out like DoubleML's sensitivity_summary. */
export function formatSensitivity(e: DmlEstimate, benchmark?: SensitivityBenchmark): string {
  const s = e.sensitivity;
  if (!s) return '';
  const lines = [
    '================== Sensitivity Analysis ==================',
    '',
    section('Scenario'),
    `Significance Level: level=${s.level}`,
    `Sensitivity parameters: cf_y=${s.cf_y}; cf_d=${s.cf_d}, rho=${s.rho}`,
    '',
    section('Bounds with CI'),
    `${''.padEnd(12)}${'CI lower'.padStart(11)}${'theta lower'.padStart(13)}${'theta'.padStart(11)}${'theta upper'.padStart(13)}${'CI upper'.padStart(11)}`,
    `${e.d.padEnd(12)} ${num(s.ci_lower)}   ${num(s.theta_lower)} ${num(e.theta)}   ${num(s.theta_upper)} ${num(s.ci_upper)}`,
    '',
    section('Robustness Values'),
    `${''.padEnd(12)}${'H_0'.padStart(11)}${'RV (%)'.padStart(11)}${'RVa (%)'.padStart(11)}`,
    `${e.d.padEnd(12)} ${num(s.null_hypothesis)} ${num(s.rv * 100)} ${num(s.rva * 100)}`,
    '',
  ];
  if (benchmark) {
    const b = benchmark.bounds;
    lines.push(
      section('Benchmark'),
      `Controls dropped: ${benchmark.controls.join(', ')}`,
      `cf_y=${benchmark.cf_y.toPrecision(6)}  cf_d=${benchmark.cf_d.toPrecision(6)}  rho=${benchmark.rho.toPrecision(6)}  delta_theta=${benchmark.delta_theta.toPrecision(6)}`,
      `A confounder as strong as these controls: theta in [${b.theta_lower.toPrecision(6)}, ${b.theta_upper.toPrecision(6)}], CI [${b.ci_lower.toPrecision(6)}, ${b.ci_upper.toPrecision(6)}]`,
      '',
    );
  }
  return lines.join('\n');
}

/** A readable summary laid out like DoubleML's print(): data, score, learners, resampling, fit. */
export function formatSummary(e: DmlEstimate, benchmark?: SensitivityBenchmark): string {
  const controls = e.controls.length > 12 ? `${e.controls.slice(0, 12).join(', ')}, ... (${e.controls.length} in all)` : e.controls.join(', ');
  const title = MODELS[e.model].title;
  return [
    `================== ${title} Object ==================`,
    '',
    section('Data summary'),
    `Outcome variable: ${e.y}`,
    `Treatment variable(s): ['${e.d}']`,
    `Covariates: [${controls}]`,
    ...(e.omitted_controls.length ? [`Omitted: ${e.omitted_controls.map((o) => `${o.name} (${o.reason})`).join(', ')}`] : []),
    ...(e.z ? [`Instrument variable(s): ['${e.z}']`] : []),
    `No. Observations: ${e.n_obs}`,
    ...(e.dropped_missing ? [`Rows dropped for missing values: ${e.dropped_missing}`] : []),
    ...(e.n_clusters !== null ? [`No. Clusters: ${e.n_clusters}`] : []),
    '',
    section('Score & algorithm'),
    `Score function: ${e.score}`,
    ...(e.trimming !== null ? [`Propensity trimming: truncate at ${e.trimming}`] : []),
    '',
    section('Machine learner'),
    ...Object.entries(e.nuisances).map(
      ([name, n]) => `Learner ${name} (${n.describes}): ${n.learner}${Object.keys(n.params).length ? ` (${paramText(n.params)})` : ''}`,
    ),
    `Out-of-sample RMSE: ${Object.entries(e.rmse)
      .map(([name, v]) => `${name} ${v.toPrecision(6)}`)
      .join(', ')}`,
    ...tuningLines(e),
    ...(e.first_stage
      ? [
          `First stage (residualised ${e.z} on ${e.d}): coefficient ${e.first_stage.coef.toPrecision(6)}, effective F ${e.first_stage.f.toFixed(2)} (${e.first_stage.robust})`,
        ]
      : []),
    '',
    section('Resampling'),
    `No. folds: ${e.folds}`,
    `No. repeated sample splits: ${e.reps}`,
    `Seed: ${e.seed}`,
    '',
    section('Fit summary'),
    `${''.padEnd(12)}${'coef'.padStart(10)}${'std err'.padStart(11)}${'t'.padStart(11)}${'P>|t|'.padStart(11)}${'2.5 %'.padStart(11)}${'97.5 %'.padStart(11)}`,
    `${e.d.padEnd(12)}${num(e.theta)} ${num(e.se)} ${num(e.t)} ${num(e.p)} ${num(e.ci_lower)} ${num(e.ci_upper)}`,
    '',
    ...(e.sensitivity ? [formatSensitivity(e, benchmark)] : []),
    ...(e.warnings.length ? ['Warnings:', ...e.warnings.map((w) => `  - ${w}`), ''] : []),
  ].join('\n');
}
