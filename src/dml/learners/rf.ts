import { forestParams, forestPredictionSum } from './forest.ts';
import type { Learner, LearnerParams } from './types.ts';

/**
 * Random forest. For a 0/1 target (classification) the same squared-error forest is a
 * probability forest: the variance of a 0/1 variable is p(1 - p), half the Gini impurity, so
 * splits rank as under Gini, and leaf means are class-1 shares, averaged over the trees
 * (scikit-learn's RandomForestClassifier.predict_proba).
 */
export const rf: Learner = {
  name: 'rf',
  label: 'RF',
  description: 'random forest (bootstrap, squared error = Gini for a 0/1 target; the baseline)',
  params: {
    trees: { default: 500, integer: true, min: 1, description: 'number of trees' },
    max_features: { default: 0, min: 0, shareOrCount: true, description: 'features tried per split: a share (0 < x < 1), a count (integer >= 1), or 0 = all' },
    min_samples_leaf: { default: 1, integer: true, min: 1, description: 'minimum rows in a leaf' },
    max_depth: { default: 0, integer: true, min: 0, description: 'maximum depth (0 = unlimited)' },
    bootstrap: { default: 1, integer: true, min: 0, max: 1, description: '1 = bootstrap sample per tree, 0 = all rows' },
  },
  tasks: ['regression', 'classification'],
  grid: { max_features: [0.33, 0.66, 0], min_samples_leaf: [1, 5] },
  parts: (params: LearnerParams) => params.trees,
  fitPredict: ({ y, test, params, seed, part, presorted }) => {
    const [from, to] = part ?? [0, params.trees];
    return forestPredictionSum(presorted(), y, test, forestParams(params), seed, from, to);
  },
};
