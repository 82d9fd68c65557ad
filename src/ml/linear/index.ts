/**
 * @module ml/linear
 * Linear models: least squares, ridge, lasso and elastic net regression; logistic regression.
 */
import type { EstimatorEntry } from '../base/index.js'

import { LOGISTIC_ESTIMATORS } from './logistic/index.js'
import { REGRESSION_ESTIMATORS } from './regression/index.js'

export {
  ElasticNet,
  Lasso,
  LinearRegression,
  Ridge,
  enetPath,
  lassoPath,
} from './regression/index.js'
export type {
  ElasticNetParams,
  EnetPath,
  EnetPathOptions,
  LassoParams,
  LinearRegressionParams,
  RidgeParams,
} from './regression/index.js'
export { LogisticRegression } from './logistic/index.js'
export type { LogisticRegressionParams } from './logistic/index.js'

/** The linear kinds, for `ml/registry.ts`. */
export const LINEAR_ESTIMATORS: readonly EstimatorEntry[] = [
  ...REGRESSION_ESTIMATORS,
  ...LOGISTIC_ESTIMATORS,
]
