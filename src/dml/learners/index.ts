import { CgerError } from '../../common/errors.ts';
import { type ForestData, prepareForestData } from './forest.ts';
import { gbm } from './gbm.ts';
import { lasso } from './lasso.ts';
import { logit } from './logit.ts';
import { ols } from './ols.ts';
import { rf } from './rf.ts';
import { svr } from './svr.ts';
import type { Features, Learner, LearnerParams, LearnerTask, ParamSpec } from './types.ts';

export type { Features, Learner, LearnerParams, LearnerTask } from './types.ts';
export { selectRows } from './types.ts';

/** The registry: CLI choices, --help, battery checks and table labels all derive from it. */
export const LEARNERS: Record<string, Learner> = Object.fromEntries([rf, gbm, svr, lasso, ols, logit].map((l) => [l.name, l]));

export type LearnerName = string;

export function isLearnerName(name: string): boolean {
  return Object.hasOwn(LEARNERS, name);
}

export function getLearner(name: string): Learner {
  if (!isLearnerName(name)) throw new CgerError(`unknown learner '${name}' (choose one of ${Object.keys(LEARNERS).join(', ')})`);
  return LEARNERS[name];
}

/** Names of the learners that can do `task`. */
export function learnerNames(task?: LearnerTask): string[] {
  return Object.values(LEARNERS)
    .filter((l) => !task || l.tasks.includes(task))
    .map((l) => l.name);
}

export function learnerLabel(name: string): string {
  return LEARNERS[name]?.label ?? name;
}

function paramError(learner: string, name: string, value: number, spec: ParamSpec): string | null {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < spec.min ||
    (spec.max !== undefined && value > spec.max) ||
    (spec.integer && !Number.isInteger(value)) ||
    (spec.shareOrCount && value >= 1 && !Number.isInteger(value))
  ) {
    const range = spec.shareOrCount
      ? 'a share in (0, 1) or a whole count >= 1'
      : `${spec.integer ? 'an integer ' : ''}>= ${spec.min}${spec.max !== undefined ? ` and <= ${spec.max}` : ''}`;
    return `learner '${learner}' parameter ${name}=${value} is invalid: ${spec.description}; must be ${range}`;
  }
  return null;
}

/** Defaults overlaid with `overrides`; unknown names and out-of-range values are errors. */
export function resolveLearnerParams(learner: string, overrides: Record<string, number> = {}): LearnerParams {
  const specs = getLearner(learner).params;
  const params: LearnerParams = {};
  for (const [name, spec] of Object.entries(specs)) params[name] = spec.default;
  for (const [name, value] of Object.entries(overrides)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new CgerError(`learner '${learner}' has no parameter '${name}'${known.length ? ` (it has ${known.join(', ')})` : ' (it has none)'}`);
    }
    const error = paramError(learner, name, value, spec);
    if (error) throw new CgerError(error);
    params[name] = value;
  }
  return params;
}

/** Text listing every learner and its parameters with defaults (for --help and the README). */
export function learnerHelp(): string {
  const lines: string[] = [];
  for (const l of Object.values(LEARNERS)) {
    lines.push(`  ${l.name}: ${l.description}${l.tasks.length === 1 ? ` [${l.tasks[0]} only]` : ''}`);
    for (const [param, p] of Object.entries(l.params)) lines.push(`      ${param}=${p.default}  ${p.description}`);
    if (l.grid)
      lines.push(
        `      --tune grid: ${Object.entries(l.grid)
          .map(([k, v]) => `${k}=${v.join(',')}`)
          .join(' ')}`,
      );
  }
  return lines.join('\n');
}

/**
 * One unit of work for a thread: fit a learner on `train` and predict `test`. A learner with
 * parts (a forest) is split into tasks by part range, each returning the SUM of its parts.
 * `presortKey` names the training matrix so a thread can reuse its presorted columns.
 */
export interface FitTask {
  learner: LearnerName;
  params: LearnerParams;
  task: LearnerTask;
  train: Features;
  y: Float64Array;
  test: Features;
  seed: number;
  part?: [number, number];
  presortKey?: string;
}

const PRESORT_CACHE_SIZE = 6;

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
  return (task) =>
    getLearner(task.learner).fitPredict({
      train: task.train,
      y: task.y,
      test: task.test,
      params: task.params,
      seed: task.seed,
      task: task.task,
      part: task.part,
      presorted: () => presorted(task),
    });
}
