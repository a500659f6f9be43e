import { CgerError } from '../common/errors.ts';
import { mixSeed } from '../common/random.ts';
import { buildDesign, type Design, type DesignSpec, type PanelData } from './design.ts';
import { createExecutor, fitPredict, type Executor } from './executor.ts';
import { checkFoldPlan, drawFolds, readFoldFile, type FoldPlan } from './folds.ts';
import { resolveLearnerParams, type Features, type LearnerName, type LearnerParams } from './learners/index.ts';
import { aggregate, repEstimate, type Inference, type RepEstimate } from './scores.ts';

/** One DML estimate: the sample (DesignSpec), the learner and the cross-fitting. */
export interface DmlSpec extends DesignSpec {
  learner?: LearnerName;
  /** Learner hyper-parameters overriding the defaults (see LEARNERS). */
  params?: Record<string, number>;
  folds?: number;
  /** Repeated splits; with a fold file, taken from the file when omitted. */
  reps?: number;
  seed?: number;
  foldFile?: string;
}

export interface DmlEstimate extends Inference {
  model: 'plr' | 'pliv';
  y: string;
  d: string;
  z: string | null;
  n_obs: number;
  n_clusters: number | null;
  learner: LearnerName;
  learner_params: LearnerParams;
  folds: number;
  reps: number;
  seed: number;
  controls: string[];
  /** Per repetition, before aggregation. */
  rep_estimates: RepEstimate[];
  /** Root mean squared error of each nuisance's out-of-fold predictions (mean over repetitions). */
  rmse: { ml_l: number; ml_m: number; ml_r: number | null };
}

export interface EstimateOptions {
  /** Reuse a thread pool (the battery shares one); otherwise one is made with `threads`. */
  executor?: Executor;
  threads?: number;
}

let fitCounter = 0;

function subset(x: Features, idx: Int32Array): Features {
  return { n: idx.length, cols: x.cols.map((col) => Float64Array.from(idx, (i) => col[i])) };
}

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
      if (nClusters < k) throw new CgerError(`only ${nClusters} clusters of '${spec.cluster}'${spec.where ? ` after --where '${spec.where}'` : ''}, fewer than --folds ${k}`);
      const sizes = new Int32Array(nClusters);
      for (const c of design.cluster) sizes[c]++;
      const biggest = sizes.reduce((b, s, c) => (s > sizes[b] ? c : b), 0);
      if (sizes[biggest] > design.n / k) {
        throw new CgerError(`cluster '${design.clusterNames![biggest]}' of '${spec.cluster}' has ${sizes[biggest]} of ${design.n} observations, more than one fold of ${(design.n / k).toFixed(1)} allows at --folds ${k}`);
      }
    }
    plan = drawFolds(design.n, k, reps, spec.seed ?? 42, design.cluster, design.clusterNames?.length ?? 0);
  }
  checkFoldPlan(plan, spec.foldFile ?? 'folds', design.cluster, design.clusterNames);
  return plan;
}

function rmse(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

/** A checked estimation problem: sample, learner and folds, ready to fit. */
export interface PreparedDml {
  spec: DmlSpec;
  learner: LearnerName;
  params: LearnerParams;
  seed: number;
  design: Design;
  plan: FoldPlan;
}

/** Builds and checks everything an estimate needs (cheap; errors surface before any fitting). */
export function prepareDml(data: PanelData, spec: DmlSpec): PreparedDml {
  const learner = spec.learner ?? 'rf';
  const params = resolveLearnerParams(learner, spec.params);
  const design = buildDesign(data, spec);
  return { spec, learner, params, seed: spec.seed ?? 42, design, plan: planFolds(design, spec, data.records.length) };
}

/** Estimates theta by cross-fitted partialling out (PLR, or PLIV when `z` is given). */
export async function estimateDml(data: PanelData, spec: DmlSpec, options: EstimateOptions = {}): Promise<DmlEstimate> {
  return runPrepared(prepareDml(data, spec), options);
}

export async function runPrepared(prepared: PreparedDml, options: EstimateOptions = {}): Promise<DmlEstimate> {
  const { spec, learner, params, seed, design, plan } = prepared;
  const exec = options.executor ?? createExecutor(options.threads);
  const nuisances: Float64Array[] = [design.y, design.d, ...(design.z ? [design.z] : [])];
  const hats: Float64Array[][] = plan.fold.map(() => nuisances.map(() => new Float64Array(design.n)));
  try {
    const jobs: Promise<void>[] = [];
    plan.fold.forEach((fold, r) => {
      for (let k = 0; k < plan.folds; k++) {
        const testIdx = Int32Array.from(fold.keys()).filter((i) => fold[i] === k);
        const trainIdx = Int32Array.from(fold.keys()).filter((i) => fold[i] !== k);
        const train = subset(design.x, trainIdx), test = subset(design.x, testIdx);
        const presortKey = `fit${fitCounter++}`;
        nuisances.forEach((target, t) => {
          const y = Float64Array.from(trainIdx, (i) => target[i]);
          jobs.push(fitPredict(exec, learner, params, train, y, test, mixSeed(seed, r, k, t), presortKey).then((pred) => {
            testIdx.forEach((i, q) => { hats[r][t][i] = pred[q]; });
          }));
        });
      }
    });
    await Promise.all(jobs);
  } finally {
    if (!options.executor) await exec.close();
  }
  const nClusters = design.clusterNames?.length ?? 0;
  const repEstimates = plan.fold.map((fold, r) => repEstimate(
    { y: design.y, d: design.d, z: design.z, lHat: hats[r][0], mHat: hats[r][1], rHat: hats[r][2] },
    design.cluster ? { cluster: design.cluster, nClusters, fold, folds: plan.folds } : undefined,
  ));
  const inference = aggregate(repEstimates, design.cluster ? nClusters : design.n);
  const meanRmse = (t: number): number => hats.reduce((s, h) => s + rmse(h[t], nuisances[t]), 0) / hats.length;
  return {
    ...inference,
    model: spec.z ? 'pliv' : 'plr',
    y: spec.y, d: spec.d, z: spec.z ?? null,
    n_obs: design.n, n_clusters: design.cluster ? nClusters : null,
    learner, learner_params: params, folds: plan.folds, reps: plan.fold.length, seed,
    controls: design.controlNames,
    rep_estimates: repEstimates,
    rmse: { ml_l: meanRmse(0), ml_m: meanRmse(1), ml_r: design.z ? meanRmse(2) : null },
  };
}
