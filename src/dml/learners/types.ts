import type { ForestData } from './forest.ts';

/** Column-major features: `cols[j][i]` is feature j of row i. */
export interface Features {
  n: number;
  cols: Float64Array[];
}

/**
 * The rows `idx` of x, as columns of one SharedArrayBuffer: fit tasks post the same training and
 * test matrices many times (a forest's trees go out in parts), and shared memory reaches worker
 * threads without a copy per task.
 */
export function selectRows(x: Features, idx: Int32Array): Features {
  const n = idx.length;
  const buffer = new SharedArrayBuffer(8 * n * x.cols.length);
  const cols = x.cols.map((col, j) => {
    const out = new Float64Array(buffer, 8 * n * j, n);
    for (let r = 0; r < n; r++) out[r] = col[idx[r]];
    return out;
  });
  return { n, cols };
}

/** A learner's hyper-parameters, all numeric (booleans as 0/1). */
export type LearnerParams = Record<string, number>;

/** Regression predicts E[y | X]; classification predicts P(y = 1 | X) for a 0/1 target. */
export type LearnerTask = 'regression' | 'classification';

export interface ParamSpec {
  default: number;
  description: string;
  integer?: boolean;
  min: number;
  max?: number;
  /** Either a share in (0, 1) or a whole count >= 1 (0 allowed when min is 0). */
  shareOrCount?: boolean;
}

/** Everything one fit needs; `presorted()` gives the training columns prepared for the forest once per thread (sorted, or binned for large n). */
export interface FitInput {
  train: Features;
  y: Float64Array;
  test: Features;
  params: LearnerParams;
  seed: number;
  task: LearnerTask;
  /** For a learner with `parts`: the range of parts this fit computes (their predictions summed). */
  part?: [number, number];
  presorted: () => ForestData;
}

/**
 * A learner as the registry holds it: the CLI choices, --help, table labels and the fit all come
 * from here. Adding a learner = one file exporting a Learner + one line in learners/index.ts.
 */
export interface Learner {
  name: string;
  /** Short label for tables, e.g. "RF". */
  label: string;
  description: string;
  params: Record<string, ParamSpec>;
  tasks: readonly LearnerTask[];
  /** Default values tried by --tune per parameter (none: nothing to tune). */
  grid?: Record<string, number[]>;
  /**
   * Work that splits into independent parts (a forest's trees): the fit of `part` returns the SUM
   * of those parts' predictions and the executor divides the total by `parts(params)`.
   */
  parts?: (params: LearnerParams) => number;
  fitPredict: (input: FitInput) => Float64Array;
}
