/** Column-major features: `cols[j][i]` is feature j of row i. */
export interface Features {
  n: number;
  cols: Float64Array[];
}

/** A learner's hyper-parameters, all numeric (booleans as 0/1). */
export type LearnerParams = Record<string, number>;

/** Fits E[y | X] on `train` and predicts it on `test`. */
export type FitPredict = (train: Features, y: Float64Array, test: Features, params: LearnerParams, seed: number) => Float64Array;
