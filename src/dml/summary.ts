import type { DmlEstimate } from './estimate.ts';

/** A readable summary laid out like DoubleML's print(): data, score, learners, resampling, fit. */
export function formatSummary(e: DmlEstimate): string {
  const section = (title: string): string => `------------------ ${title.padEnd(17)} ------------------`;
  const params = Object.entries(e.learner_params).map(([k, v]) => `${k}=${v}`).join(', ');
  const learner = `${e.learner}${params ? ` (${params})` : ''}`;
  const num = (v: number, w = 10): string => (Math.abs(v) >= 1e-4 || v === 0 ? v.toFixed(6) : v.toExponential(4)).padStart(w);
  const controls = e.controls.length > 12 ? `${e.controls.slice(0, 12).join(', ')}, ... (${e.controls.length} in all)` : e.controls.join(', ');
  return [
    `================== DoubleML${e.model === 'plr' ? 'PLR' : 'PLIV'} Object ==================`,
    '',
    section('Data summary'),
    `Outcome variable: ${e.y}`,
    `Treatment variable(s): ['${e.d}']`,
    `Covariates: [${controls}]`,
    ...(e.z ? [`Instrument variable(s): ['${e.z}']`] : []),
    `No. Observations: ${e.n_obs}`,
    ...(e.n_clusters !== null ? [`No. Clusters: ${e.n_clusters}`] : []),
    '',
    section('Score & algorithm'),
    'Score function: partialling out',
    '',
    section('Machine learner'),
    `Learner ml_l (E[${e.y}|X]): ${learner}`,
    `Learner ml_m (E[${e.d}|X]): ${learner}`,
    ...(e.z ? [`Learner ml_r (E[${e.z}|X]): ${learner}`] : []),
    `Out-of-sample RMSE: ml_l ${e.rmse.ml_l.toPrecision(6)}, ml_m ${e.rmse.ml_m.toPrecision(6)}${e.rmse.ml_r !== null ? `, ml_r ${e.rmse.ml_r.toPrecision(6)}` : ''}`,
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
  ].join('\n');
}
