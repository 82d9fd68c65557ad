/**
 * @module ml/naive-bayes
 * Naive Bayes classifiers: Gaussian naive Bayes (scikit-learn's `GaussianNB`), with priors,
 * variance smoothing, sample weights, and log-space probabilities.
 */
import type { EstimatorEntry } from '../base/index.js'

import {
  GaussianNB,
  GaussianNBModel,
  GaussianNBParamsSchema,
  loadGaussianNB,
} from './gaussian-nb.js'
import type { GaussianNBFitOptions, GaussianNBParams, GaussianNBState } from './gaussian-nb.js'

export { GaussianNB, GaussianNBModel, GaussianNBParamsSchema, loadGaussianNB }
export type { GaussianNBFitOptions, GaussianNBParams, GaussianNBState }

/** The naive-bayes kinds, for `ml/registry.ts`. */
export const NAIVE_BAYES_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: 'naive-bayes.gaussian',
    task: 'classification',
    summary: 'Gaussian naive Bayes (per-class normal features, Bayes rule in log space)',
    create: (p) => new GaussianNB(p),
    load: loadGaussianNB,
  },
]
