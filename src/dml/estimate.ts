import pLimit from 'p-limit';
import { CgerError } from '../common/errors.ts';
import { mixSeed } from '../common/random.ts';
import { buildDesign, type Design, type DesignSpec, type OmittedControl, type PanelData } from './design.ts';
import { createExecutor, type Executor, fitPredict } from './executor.ts';
import { type FirstStage, firstStageF } from './firstStage.ts';
import { checkFoldPlan, drawFolds, type FoldPlan, readFoldFile } from './folds.ts';
import { type Features, getLearner, type LearnerParams, type LearnerTask, resolveLearnerParams, selectRows } from './learners/index.ts';
import { type DmlModel, type IrmScore, type LearnerRole, MODELS, type ModelOptions, type NuisanceSpec, type Predictions } from './models/index.ts';
import { aggregate, type Inference, median, type RepEstimate, repEstimate } from './scores.ts';
import { type RepSensitivityInput, type Sensitivity, type SensitivityScenario, sensitivityAnalysis } from './sensitivity.ts';
import { type TuneSpec, tuneLearner } from './tune.ts';

/** One DML estimate: the sample (DesignSpec), the model, the learners and the cross-fitting. */
export interface DmlSpec extends DesignSpec {
  /** plr (default; pliv when `z` is given) or irm (binary treatment). */
  model?: 'plr' | 'pliv' | 'irm';
  /** IRM's target: ATE (default) or ATTE. */
  score?: IrmScore;
  /** IRM: propensity scores truncated to [t, 1 - t] (default 0.01). */
  trimming?: number;
  /** Learner of every nuisance function unless `learners` names another for its role. */
  learner?: string;
  learners?: Partial<Record<LearnerRole, string>>;
  /** Hyper-parameters of `learner` overriding the defaults. */
  params?: Record<string, number>;
  /** Hyper-parameters per learner name (e.g. a battery's learner_params). */
  learnerParams?: Record<string, Record<string, number>>;
  folds?: number;
  /** Repeated splits; with a fold file, taken from the file when omitted. */
  reps?: number;
  seed?: number;
  foldFile?: string;
  /** Choose hyper-parameters by inner cross-validation on each training fold. */
  tune?: TuneSpec;
  /** Omitted-variable-bias bounds for this scenario. */
  sensitivity?: SensitivityScenario;
}

/** The learner of one nuisance function and, when tuned, what each fold chose. */
export interface NuisanceReport {
  describes: string;
  learner: string;
  task: LearnerTask;
  params: LearnerParams;
  /** Out-of-fold root mean squared error (mean over repetitions; g0 / g1 on their own rows). */
  rmse: number;
  tuned?: { rep: number; fold: number; params: LearnerParams; cv_loss: number }[];
}

export interface DmlEstimate extends Inference {
  model: 'plr' | 'pliv' | 'irm';
  score: string;
  y: string;
  d: string;
  z: string | null;
  n_obs: number;
  n_clusters: number | null;
  /** The learner of ml_l / ml_g (the outcome), as tables label a column. */
  learner: string;
  learner_params: LearnerParams;
  nuisances: Record<string, NuisanceReport>;
  folds: number;
  reps: number;
  seed: number;
  controls: string[];
  omitted_controls: OmittedControl[];
  dropped_missing: number;
  trimming: number | null;
  /** PLIV: strength of the residualised instrument. */
  first_stage: FirstStage | null;
  sensitivity: Sensitivity | null;
  warnings: string[];
  /** Per repetition, before aggregation. */
  rep_estimates: RepEstimate[];
  /** Root mean squared error of each nuisance's out-of-fold predictions (mean over repetitions). */
  rmse: Record<string, number>;
  /** Scores and sensitivity elements per repetition (for further sensitivity scenarios; not in JSON). */
  sensitivityInputs: RepSensitivityInput[] | null;
}

export interface EstimateOptions {
  /** Reuse a thread pool (the battery shares one); otherwise one is made with `threads`. */
  executor?: Executor;
  threads?: number;
}

let fitCounter = 0;

function planFolds(design: Design, spec: DmlSpec, nData: number): FoldPlan {
  const k = spec.folds ?? 5;
  let plan: FoldPlan;
  if (spec.foldFile) {
    plan = readFoldFile(spec.foldFile, design.n, design.rows, nData);
    if (spec.folds !== undefined && spec.folds !== plan.folds) {
      throw new CgerError(`fold file ${spec.foldFile} has ${plan.folds} folds but --folds ${spec.folds} was given`);
    }
    if (spec.reps !== undefined && spec.reps !== plan.fold.length) {
      throw new CgerError(`fold file ${spec.foldFile} has ${plan.fold.length} repetition(s) but --reps ${spec.reps} was given`);
    }
  } else {
    if (!Number.isInteger(k) || k < 2) throw new CgerError(`--folds ${k} must be an integer >= 2`);
    const reps = spec.reps ?? 1;
    if (!Number.isInteger(reps) || reps < 1) throw new CgerError(`--reps ${reps} must be an integer >= 1`);
    if (design.n < k) throw new CgerError(`only ${design.n} observations${spec.where ? ` after --where '${spec.where}'` : ''}, fewer than --folds ${k}`);
    if (design.cluster) {
      const nClusters = design.clusterNames!.length;
      if (nClusters < k)
        throw new CgerError(`only ${nClusters} clusters of '${spec.cluster}'${spec.where ? ` after --where '${spec.where}'` : ''}, fewer than --folds ${k}`);
      const sizes = new Int32Array(nClusters);
      for (const c of design.cluster) sizes[c]++;
      const biggest = sizes.reduce((b, s, c) => (s > sizes[b] ? c : b), 0);
      if (sizes[biggest] > design.n / k) {
        throw new CgerError(
          `cluster '${design.clusterNames![biggest]}' of '${spec.cluster}' has ${sizes[biggest]} of ${design.n} observations, more than one fold of ${(design.n / k).toFixed(1)} allows at --folds ${k}`,
        );
      }
    }
    plan = drawFolds(design.n, k, reps, spec.seed ?? 42, design.cluster, design.clusterNames?.length ?? 0);
  }
  checkFoldPlan(plan, spec.foldFile ?? 'folds', design.cluster, design.clusterNames);
  return plan;
}

/** A nuisance with its learner resolved. */
interface PreparedNuisance extends NuisanceSpec {
  learner: string;
  params: LearnerParams;
}

/** A checked estimation problem: sample, model, learners and folds, ready to fit. */
export interface PreparedDml {
  spec: DmlSpec;
  model: DmlModel;
  options: ModelOptions;
  nuisances: PreparedNuisance[];
  seed: number;
  design: Design;
  plan: FoldPlan;
  warnings: string[];
}

function chooseModel(spec: DmlSpec): DmlModel {
  const name = spec.model ?? (spec.z ? 'pliv' : 'plr');
  if (!Object.hasOwn(MODELS, name)) throw new CgerError(`unknown model '${name}' (choose one of ${Object.keys(MODELS).join(', ')})`);
  if (name === 'pliv' && !spec.z) throw new CgerError('--model pliv needs an instrument (--z)');
  if (name !== 'pliv' && spec.z) throw new CgerError(`an instrument (--z ${spec.z}) goes with --model pliv, not ${name}`);
  return MODELS[name];
}

function resolveNuisance(n: NuisanceSpec, spec: DmlSpec): PreparedNuisance {
  const chosen = spec.learners?.[n.role];
  const name = chosen ?? spec.learner ?? 'rf';
  const learner = getLearner(name);
  // A classifier may model a 0/1 target of a regression nuisance (e.g. --learner-m logit in PLR, as DoubleML allows).
  const task = learner.tasks.includes(n.task) ? n.task : learner.tasks[0];
  if (n.task === 'classification' && task !== 'classification') {
    const flag = `--learner-${n.role}`;
    throw new CgerError(
      `${n.name} (${n.describes}) needs a ${n.task} learner; '${name}' does ${learner.tasks.join(' and ')} only` +
        ` (choose one with ${flag}, e.g. ${n.task === 'classification' ? 'logit' : 'ols'})`,
    );
  }
  const overrides = { ...spec.learnerParams?.[name], ...(name === (spec.learner ?? 'rf') ? spec.params : {}) };
  return { ...n, task, learner: name, params: resolveLearnerParams(name, overrides) };
}

/** Builds and checks everything an estimate needs (cheap; errors surface before any fitting). */
export function prepareDml(data: PanelData, spec: DmlSpec): PreparedDml {
  const model = chooseModel(spec);
  const options: ModelOptions = { score: spec.score ?? 'ATE', trimming: spec.trimming ?? 0.01 };
  if (model.name !== 'irm' && spec.score !== undefined) throw new CgerError(`--score ${spec.score} belongs to --model irm`);
  if (!['ATE', 'ATTE'].includes(options.score)) throw new CgerError(`--score ${options.score}: choose ATE or ATTE`);
  const design = buildDesign(data, spec);
  model.check(design, options);
  const nuisances = model.nuisances(design, design.names).map((n) => resolveNuisance(n, spec));
  // Classifiers need 0/1 targets.
  for (const n of nuisances) {
    if (n.task === 'classification') {
      const bad = n.target.findIndex((v) => v !== 0 && v !== 1);
      if (bad >= 0)
        throw new CgerError(`${n.name} uses the classifier '${n.learner}' but its target is ${n.target[bad]} at line ${design.lines[bad]}, not 0/1`);
    }
  }
  if (spec.sensitivity && !model.sensitivityElements) throw new CgerError(`sensitivity analysis is available for PLR and IRM, not ${model.name.toUpperCase()}`);
  if (spec.sensitivity && design.cluster)
    throw new CgerError('sensitivity analysis with clustered inference (--cluster) is not available (nor in DoubleML 0.8)');
  const plan = planFolds(design, spec, data.records.length);
  return { spec, model, options, nuisances, seed: spec.seed ?? 42, design, plan, warnings: designWarnings(design, plan, nuisances) };
}

function designWarnings(design: Design, plan: FoldPlan, nuisances: PreparedNuisance[]): string[] {
  const warnings: string[] = [];
  for (const o of design.omitted)
    warnings.push(`control '${o.name}' omitted: ${o.reason === 'constant' ? 'constant in the sample' : 'collinear with the other controls'}`);
  if (design.droppedMissing > 0) warnings.push(`${design.droppedMissing} row(s) with missing values dropped (--drop-missing)`);
  const p = design.controlNames.length;
  let smallest = Infinity,
    where = '';
  plan.fold.forEach((fold, r) => {
    for (let k = 0; k < plan.folds; k++) {
      for (const n of nuisances) {
        let rows = 0;
        for (let i = 0; i < fold.length; i++) if (fold[i] !== k && (n.trainOnD === undefined || design.d[i] === n.trainOnD)) rows++;
        if (rows < smallest) {
          smallest = rows;
          where = `fold ${k} of repetition ${r} (${n.name})`;
        }
      }
    }
  });
  if (smallest < p) warnings.push(`${where} trains on ${smallest} rows, fewer than the ${p} controls (incl. fixed-effect dummies)`);
  return warnings;
}

/** Estimates theta by cross-fitting the model's nuisance functions. */
export async function estimateDml(data: PanelData, spec: DmlSpec, options: EstimateOptions = {}): Promise<DmlEstimate> {
  return runPrepared(prepareDml(data, spec), options);
}

function rmseOn(pred: Float64Array, target: Float64Array, keep?: (i: number) => boolean): number {
  let s = 0,
    m = 0;
  for (let i = 0; i < pred.length; i++)
    if (!keep || keep(i)) {
      s += (pred[i] - target[i]) ** 2;
      m++;
    }
  return Math.sqrt(s / m);
}

export async function runPrepared(prepared: PreparedDml, options: EstimateOptions = {}): Promise<DmlEstimate> {
  const { spec, model, options: modelOptions, nuisances, seed, design, plan } = prepared;
  const exec = options.executor ?? createExecutor(options.threads);
  const preds: Predictions[] = plan.fold.map(() => Object.fromEntries(nuisances.map((n) => [n.name, new Float64Array(design.n)])));
  const tuned: NuisanceReport['tuned'][] = nuisances.map(() => (spec.tune ? [] : undefined));
  // A fold's matrices exist while its fits run: a few folds at a time keep every thread busy (a
  // forest goes out in many tasks) without holding the whole sample once per fold.
  const limit = pLimit(Math.max(2, exec.threads));
  const runFold = async (fold: Int32Array, r: number, k: number): Promise<void> => {
    const testIdx = Int32Array.from(fold.keys()).filter((i) => fold[i] === k);
    const test = selectRows(design.x, testIdx);
    const trainSets = new Map<string, { idx: Int32Array; x: Features; key: string }>();
    const fits = nuisances.map(async (n, t) => {
      const setKey = String(n.trainOnD ?? 'all');
      if (!trainSets.has(setKey)) {
        const idx = Int32Array.from(fold.keys()).filter((i) => fold[i] !== k && (n.trainOnD === undefined || design.d[i] === n.trainOnD));
        trainSets.set(setKey, { idx, x: selectRows(design.x, idx), key: `fit${fitCounter++}` });
      }
      const train = trainSets.get(setKey)!;
      const y = Float64Array.from(train.idx, (i) => n.target[i]);
      const fitSeed = mixSeed(seed, r, k, t);
      let params = n.params;
      if (spec.tune) {
        const choice = await tuneLearner(exec, n.learner, n.params, spec.tune, train.x, y, n.task, mixSeed(fitSeed, 7));
        params = choice.params;
        tuned[t]!.push({ rep: r, fold: k, params, cv_loss: choice.loss });
      }
      const pred = await fitPredict(exec, n.learner, params, train.x, y, test, fitSeed, train.key, n.task);
      testIdx.forEach((i, q) => {
        preds[r][n.name][i] = pred[q];
      });
    });
    await Promise.all(fits);
  };
  try {
    await Promise.all(plan.fold.flatMap((fold, r) => Array.from({ length: plan.folds }, (_, k) => limit(() => runFold(fold, r, k)))));
    // Folds finish in any order: the report lists them in split order.
    for (const list of tuned) list?.sort((a, b) => a.rep - b.rep || a.fold - b.fold);
  } finally {
    if (!options.executor) await exec.close();
  }
  const nClusters = design.clusterNames?.length ?? 0;
  const nScaling = design.cluster ? nClusters : design.n;
  const repEstimates: RepEstimate[] = [];
  const sensitivityInputs: RepSensitivityInput[] = [];
  const firstStages: FirstStage[] = [];
  plan.fold.forEach((fold, r) => {
    model.adjust?.(preds[r], modelOptions);
    const elements = model.scoreElements(design, preds[r], modelOptions);
    const rep = repEstimate(elements, design.cluster ? { cluster: design.cluster, nClusters, fold, folds: plan.folds } : undefined);
    repEstimates.push(rep);
    if (model.sensitivityElements && !design.cluster) {
      const psi = elements.psiA.map((a, i) => a * rep.theta + elements.psiB[i]);
      const meanPsiA = elements.psiA.reduce((s, a) => s + a, 0) / design.n;
      sensitivityInputs.push({ theta: rep.theta, psi, meanPsiA, elements: model.sensitivityElements(design, preds[r], rep.theta, modelOptions) });
    }
    if (model.name === 'pliv') firstStages.push(firstStageF(design, preds[r].ml_m, preds[r].ml_r, design.cluster));
  });
  const inference = aggregate(repEstimates, nScaling);
  const warnings = [...prepared.warnings];
  let firstStage: FirstStage | null = null;
  if (firstStages.length > 0) {
    firstStage = { f: median(firstStages.map((f) => f.f)), coef: median(firstStages.map((f) => f.coef)), robust: firstStages[0].robust };
    if (firstStage.f < 10)
      warnings.push(
        `weak instrument: first-stage F of the residualised instrument is ${firstStage.f.toFixed(2)} (< 10); the PLIV estimate and its confidence interval are unreliable`,
      );
  }
  const report: Record<string, NuisanceReport> = {};
  const rmse: Record<string, number> = {};
  nuisances.forEach((n, t) => {
    const keep = n.trainOnD === undefined ? undefined : (i: number): boolean => design.d[i] === n.trainOnD;
    rmse[n.name] = preds.reduce((s, p) => s + rmseOn(p[n.name], n.target, keep), 0) / preds.length;
    report[n.name] = {
      describes: n.describes,
      learner: n.learner,
      task: n.task,
      params: n.params,
      rmse: rmse[n.name],
      ...(tuned[t] ? { tuned: tuned[t] } : {}),
    };
  });
  const outcome = nuisances[0];
  return {
    ...inference,
    model: model.name,
    score: model.scoreName(modelOptions),
    y: spec.y,
    d: spec.d,
    z: spec.z ?? null,
    n_obs: design.n,
    n_clusters: design.cluster ? nClusters : null,
    learner: outcome.learner,
    learner_params: outcome.params,
    nuisances: report,
    folds: plan.folds,
    reps: plan.fold.length,
    seed,
    controls: design.controlNames,
    omitted_controls: design.omitted,
    dropped_missing: design.droppedMissing,
    trimming: model.name === 'irm' ? modelOptions.trimming : null,
    first_stage: firstStage,
    sensitivity: spec.sensitivity && sensitivityInputs.length > 0 ? sensitivityAnalysis(sensitivityInputs, inference.theta, spec.sensitivity, nScaling) : null,
    warnings,
    rep_estimates: repEstimates,
    rmse,
    sensitivityInputs: sensitivityInputs.length > 0 ? sensitivityInputs : null,
  };
}
