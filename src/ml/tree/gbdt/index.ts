/**
 * @module ml/tree/gbdt
 * Histogram gradient-boosted trees (`tree.gbdt-classifier`, `tree.gbdt-regressor`) with
 * XGBoost 1.7's `hist` semantics: depth-wise or loss-guided growth, L1/L2 regularisation,
 * shrinkage, row and column sampling, early stopping, sample and class weights, learned
 * missing-value directions, native categorical splits and monotone constraints.
 */
import type { EstimatorEntry } from '../../base/index.js'

import { GBDTClassifier, GBDTRegressor } from './gbdt.js'
import {
  GBDT_CLASSIFIER_KIND,
  GBDT_REGRESSOR_KIND,
  loadGBDTClassifier,
  loadGBDTRegressor,
} from './gbdt-model.js'

export { GBDTClassifier, GBDTRegressor } from './gbdt.js'
export type { GBDTFitOptions } from './gbdt.js'
export {
  GBDTClassifierModel,
  GBDTRegressorModel,
  GBDT_CLASSIFIER_KIND,
  GBDT_REGRESSOR_KIND,
  loadGBDTClassifier,
  loadGBDTRegressor,
} from './gbdt-model.js'
export type { EvalsResult, GBDTDiagnostics } from './gbdt-model.js'
export { GBDTClassifierParamsSchema, GBDTRegressorParamsSchema } from './params.js'
export type { GBDTClassifierParams, GBDTRegressorParams, RegressionObjective } from './params.js'

/** The GBDT kinds. */
export const GBDT_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: GBDT_CLASSIFIER_KIND,
    task: 'classification',
    summary: 'Histogram gradient-boosted trees, binary log loss or softmax (XGBoost hist)',
    create: (p) => new GBDTClassifier(p),
    load: loadGBDTClassifier,
  },
  {
    kind: GBDT_REGRESSOR_KIND,
    task: 'regression',
    summary:
      'Histogram gradient-boosted trees: squared, absolute, Huber, quantile or Poisson loss (XGBoost hist)',
    create: (p) => new GBDTRegressor(p),
    load: loadGBDTRegressor,
  },
]
