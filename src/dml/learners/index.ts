import { CgerError } from '../../common/errors.ts';
import { forestParams, forestPredictionSum, prepareForestData, type ForestData } from './forest.ts';
import { gbmFitPredict } from './gbm.ts';
import { lassoFitPredict } from './lasso.ts';
import { olsFitPredict } from './ols.ts';
import { svrFitPredict } from './svr.ts';
import type { Features, LearnerParams } from './types.ts';

export type { Features, LearnerParams } from './types.ts';

interface ParamSpec {
  default: number;
  description: string;
  integer?: boolean;
  min: number;
  max?: number;
}

interface LearnerSpec {
  description: string;
  params: Record<string, ParamSpec>;
}

/** The learners and their hyper-parameters: the single source for validation, --help and docs. */
export const LEARNERS = {
  rf: {
    description: 'random forest regression (bootstrap, squared error; the baseline)',
    params: {
      trees: { default: 500, integer: true, min: 1, description: 'number of trees' },
      max_features: { default: 1, min: 1e-9, description: 'features tried per split: a share if <= 1 (1 = all), a count if > 1 (integer)' },
      min_samples_leaf: { default: 1, integer: true, min: 1, description: 'minimum rows in a leaf' },
      max_depth: { default: 0, integer: true, min: 0, description: 'maximum depth (0 = unlimited)' },
      bootstrap: { default: 1, integer: true, min: 0, max: 1, description: '1 = bootstrap sample per tree, 0 = all rows' },
    },
  },
  gbm: {
    description: 'gradient boosting with regression trees (squared error)',
    params: {
      trees: { default: 100, integer: true, min: 1, description: 'boosting stages' },
      learning_rate: { default: 0.1, min: 1e-9, description: 'shrinkage per stage' },
      max_depth: { default: 3, integer: true, min: 1, description: 'depth of each tree' },
      min_samples_leaf: { default: 1, integer: true, min: 1, description: 'minimum rows in a leaf' },
      subsample: { default: 1, min: 1e-9, max: 1, description: 'share of rows per stage (<1: stochastic boosting)' },
    },
  },
  svr: {
    description: 'epsilon-SVR, RBF kernel, standardised inputs and target (SMO solver)',
    params: {
      C: { default: 1, min: 1e-12, description: 'penalty on errors beyond epsilon' },
      epsilon: { default: 0.1, min: 0, description: 'insensitive tube half-width (target sd units)' },
      gamma: { default: 0, min: 0, description: 'RBF gamma (0 = 1 / number of features)' },
      tol: { default: 1e-3, min: 1e-15, description: 'SMO stopping tolerance (KKT gap)' },
      max_iter: { default: 1e6, integer: true, min: 1, description: 'SMO iteration cap' },
    },
  },
  lasso: {
    description: 'lasso, penalty by K-fold cross-validation (coordinate descent, standardised inputs)',
    params: {
      cv: { default: 5, integer: true, min: 2, description: 'cross-validation folds for the penalty' },
      n_alphas: { default: 100, integer: true, min: 1, description: 'penalties on the path' },
      eps: { default: 1e-3, min: 1e-12, max: 1, description: 'smallest / largest penalty' },
      tol: { default: 1e-7, min: 1e-15, description: 'coordinate descent tolerance (max mean(x_j^2) * change_j^2)' },
      max_iter: { default: 10000, integer: true, min: 1, description: 'coordinate descent sweeps per penalty' },
    },
  },
  ols: {
    description: 'ordinary least squares with intercept (minimum-norm solution)',
    params: {},
  },
} satisfies Record<string, LearnerSpec>;

export type LearnerName = keyof typeof LEARNERS;

export function isLearnerName(name: string): name is LearnerName {
  return Object.hasOwn(LEARNERS, name);
}

/** Defaults overlaid with `overrides`; unknown names and out-of-range values are errors. */
export function resolveLearnerParams(learner: string, overrides: Record<string, number> = {}): LearnerParams {
  if (!isLearnerName(learner)) throw new CgerError(`unknown learner '${learner}' (choose one of ${Object.keys(LEARNERS).join(', ')})`);
  const specs: Record<string, ParamSpec> = LEARNERS[learner].params;
  const params: LearnerParams = {};
  for (const [name, spec] of Object.entries(specs)) params[name] = spec.default;
  for (const [name, value] of Object.entries(overrides)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new CgerError(`learner '${learner}' has no parameter '${name}'${known.length ? ` (it has ${known.join(', ')})` : ' (it has none)'}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || (spec.max !== undefined && value > spec.max)
      || (spec.integer && !Number.isInteger(value))) {
      throw new CgerError(`learner '${learner}' parameter ${name}=${value} is invalid: ${spec.description}, ${spec.integer ? 'an integer ' : ''}>= ${spec.min}${spec.max !== undefined ? ` and <= ${spec.max}` : ''}`);
    }
    params[name] = value;
  }
  return params;
}

/** Text listing every learner and its parameters with defaults (for --help and the README). */
export function learnerHelp(): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(LEARNERS) as [string, LearnerSpec][]) {
    lines.push(`  ${name}: ${spec.description}`);
    for (const [param, p] of Object.entries(spec.params)) lines.push(`      ${param}=${p.default}  ${p.description}`);
  }
  return lines.join('\n');
}

/**
 * One unit of work for a thread: fit a learner on `train` and predict `test`. A forest is split
 * into tasks by tree range (`trees`), each returning the SUM of its trees' predictions.
 * `presortKey` names the training matrix so a thread can reuse its presorted columns.
 */
export interface FitTask {
  learner: LearnerName;
  params: LearnerParams;
  train: Features;
  y: Float64Array;
  test: Features;
  seed: number;
  trees?: [number, number];
  presortKey?: string;
}

const PRESORT_CACHE_SIZE = 12;

/** Runs tasks, keeping the last few presorted training matrices (one cache per thread). */
export function createTaskRunner(): (task: FitTask) => Float64Array {
  const cache = new Map<string, ForestData>();
  const presorted = (task: FitTask): ForestData => {
    const key = task.presortKey;
    const hit = key === undefined ? undefined : cache.get(key);
    if (hit) return hit;
    const ps = prepareForestData(task.train.cols, task.train.n);
    if (key !== undefined) {
      cache.set(key, ps);
      if (cache.size > PRESORT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return ps;
  };
  return (task) => {
    switch (task.learner) {
      case 'rf': {
        const [from, to] = task.trees ?? [0, task.params.trees];
        return forestPredictionSum(presorted(task), task.y, task.test, forestParams(task.params), task.seed, from, to);
      }
      case 'gbm': return gbmFitPredict(task.train, task.y, task.test, task.params, task.seed);
      case 'svr': return svrFitPredict(task.train, task.y, task.test, task.params);
      case 'lasso': return lassoFitPredict(task.train, task.y, task.test, task.params);
      case 'ols': return olsFitPredict(task.train, task.y, task.test);
    }
  };
}
