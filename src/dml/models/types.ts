import type { Design } from '../design.ts';
import type { LearnerTask } from '../learners/types.ts';

/** Which learner option picks a nuisance's learner: --learner-l, --learner-m, --learner-r, --learner-g. */
export type LearnerRole = 'l' | 'm' | 'r' | 'g';

export type IrmScore = 'ATE' | 'ATTE';

export interface ModelOptions {
  score: IrmScore;
  /** Propensity scores are truncated to [trimming, 1 - trimming]. */
  trimming: number;
}

/** One nuisance function to cross-fit, e.g. ml_l = E[Y | X]. */
export interface NuisanceSpec {
  name: string;
  /** Human description for the summary, e.g. "E[CEE|X]". */
  describes: string;
  role: LearnerRole;
  target: Float64Array;
  task: LearnerTask;
  /** Only training rows with this treatment value are used (IRM's g0 / g1). */
  trainOnD?: 0 | 1;
}

/** Predictions of every nuisance over all n observations (out of fold), by nuisance name. */
export type Predictions = Record<string, Float64Array>;

export interface ScoreElements {
  psiA: Float64Array;
  psiB: Float64Array;
}

/** The elements of the omitted-variable-bias bounds (Chernozhukov et al., "Long Story Short"). */
export interface SensitivityElements {
  sigma2: number;
  nu2: number;
  psiSigma2: Float64Array;
  psiNu2: Float64Array;
}

/**
 * A DML model supplies only its nuisance functions and score elements (and, where defined, its
 * sensitivity elements); cross-fitting, inference, repetitions and sensitivity live in the base.
 */
export interface DmlModel {
  name: 'plr' | 'pliv' | 'irm';
  /** Title in the summary, e.g. "DoubleMLPLR". */
  title: string;
  scoreName(options: ModelOptions): string;
  /** Checks the sample fits the model (e.g. a binary treatment); throws CgerError. */
  check(design: Design, options: ModelOptions): void;
  nuisances(design: Design, names: { y: string; d: string; z?: string }): NuisanceSpec[];
  /** Post-processing of the cross-fitted predictions (e.g. propensity trimming). */
  adjust?(preds: Predictions, options: ModelOptions): void;
  scoreElements(design: Design, preds: Predictions, options: ModelOptions): ScoreElements;
  /** Undefined when the model has no sensitivity analysis. */
  sensitivityElements?(design: Design, preds: Predictions, theta: number, options: ModelOptions): SensitivityElements;
}
