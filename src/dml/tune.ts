import { CgerError } from '../common/errors.ts';
import { mixSeed } from '../common/random.ts';
import { type Executor, fitPredict } from './executor.ts';
import { drawFolds } from './folds.ts';
import { type Features, getLearner, type LearnerParams, type LearnerTask, resolveLearnerParams, selectRows } from './learners/index.ts';

/** --tune: grids per learner and parameter (the learner's defaults where not given), inner folds. */
export interface TuneSpec {
  grid?: Record<string, Record<string, number[]>>;
  folds?: number;
}

export interface TuneResult {
  params: LearnerParams;
  /** Cross-validated loss of the chosen values: mean squared error, or log-loss for a classifier. */
  loss: number;
}

/** Parses "rf.max_features=0.33,0.66,0 gbm.max_depth=2,3" items into a grid. */
export function parseTuneGrid(items: string[]): Record<string, Record<string, number[]>> {
  const grid: Record<string, Record<string, number[]>> = {};
  for (const item of items.flatMap((s) => s.trim().split(/\s+/)).filter(Boolean)) {
    const m = /^([A-Za-z]+)\.([A-Za-z_]+)=(.+)$/.exec(item);
    const values = m ? m[3].split(',').map(Number) : [];
    if (!m || values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      throw new CgerError(`--tune-grid "${item}": expected learner.param=v1,v2,..., e.g. rf.max_features=0.33,0.66,0`);
    }
    const spec = getLearner(m[1]).params[m[2]];
    if (!spec) throw new CgerError(`--tune-grid "${item}": learner '${m[1]}' has no parameter '${m[2]}'`);
    for (const v of values) resolveLearnerParams(m[1], { [m[2]]: v });
    (grid[m[1]] ??= {})[m[2]] = values;
  }
  return grid;
}

/** Every combination of the grid's values over `base`. */
function combinations(base: LearnerParams, grid: Record<string, number[]>): LearnerParams[] {
  let out: LearnerParams[] = [{ ...base }];
  for (const [name, values] of Object.entries(grid)) out = out.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  return out;
}

/** The grid --tune searches for a learner: the user's, if any is given for it, else the learner's default. */
export function tuneGridFor(learner: string, spec: TuneSpec): Record<string, number[]> {
  return spec.grid?.[learner] ?? getLearner(learner).grid ?? {};
}

function loss(pred: Float64Array, y: Float64Array, task: LearnerTask): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    if (task === 'classification') {
      const p = Math.min(1 - 1e-15, Math.max(1e-15, pred[i]));
      s -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    } else s += (y[i] - pred[i]) ** 2;
  }
  return s / y.length;
}

/**
 * Chooses hyper-parameters by K-fold cross-validation on (x, y): every grid point is fitted on
 * each inner training part and scored out of fold; the lowest mean loss wins (the first on ties).
 */
export async function tuneLearner(
  exec: Executor,
  learner: string,
  base: LearnerParams,
  spec: TuneSpec,
  x: Features,
  y: Float64Array,
  task: LearnerTask,
  seed: number,
): Promise<TuneResult> {
  const grid = tuneGridFor(learner, spec);
  const candidates = combinations(base, grid);
  if (Object.keys(grid).length === 0) return { params: base, loss: NaN };
  const k = spec.folds ?? 5;
  if (x.n < k) throw new CgerError(`--tune: only ${x.n} training rows, fewer than ${k} inner folds`);
  const fold = drawFolds(x.n, k, 1, seed).fold[0];
  const parts = Array.from({ length: k }, (_, f) => ({
    train: Int32Array.from(fold.keys()).filter((i) => fold[i] !== f),
    test: Int32Array.from(fold.keys()).filter((i) => fold[i] === f),
  }));
  const data = parts.map((p) => ({ train: selectRows(x, p.train), test: selectRows(x, p.test), y: Float64Array.from(p.train, (i) => y[i]) }));
  const losses = await Promise.all(
    candidates.map(async (params, c) => {
      const pred = new Float64Array(x.n);
      await Promise.all(
        parts.map(async (p, f) => {
          const out = await fitPredict(exec, learner, params, data[f].train, data[f].y, data[f].test, mixSeed(seed, c, f), undefined, task);
          p.test.forEach((i, q) => {
            pred[i] = out[q];
          });
        }),
      );
      return loss(pred, y, task);
    }),
  );
  let best = 0;
  losses.forEach((l, c) => {
    if (l < losses[best]) best = c;
  });
  return { params: candidates[best], loss: losses[best] };
}
