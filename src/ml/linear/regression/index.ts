/**
 * @module ml/linear/regression
 * Linear regression: ordinary least squares (`linear.ols`), ridge (`linear.ridge`), lasso
 * (`linear.lasso`) and elastic net (`linear.elastic-net`), matching scikit-learn 1.2, plus the
 * lasso and elastic-net regularisation paths. Closed forms read X once through a SIMD Gram
 * pass; the lasso and elastic net run sklearn's coordinate descent.
 */
import type { EstimatorEntry } from '../../base/index.js'

import { ElasticNet, Lasso, loadElasticNet, loadLasso } from './elastic-net.js'
import { LinearRegression, loadLinearRegression } from './ols.js'
import { Ridge, loadRidge } from './ridge.js'

export type { LinearFitOptions, SampleWeight } from './design.js'
export {
  ElasticNet,
  ElasticNetParamsSchema,
  Lasso,
  LassoParamsSchema,
  loadElasticNet,
  loadLasso,
} from './elastic-net.js'
export type {
  ElasticNetParams,
  ElasticNetResolved,
  LassoParams,
  LassoResolved,
} from './elastic-net.js'
export { LinearRegressionModel } from './linear-model.js'
export type { LinearDiagnostics } from './linear-model.js'
export { LinearRegression, LinearRegressionParamsSchema, loadLinearRegression } from './ols.js'
export type { LinearRegressionParams, LinearRegressionResolved } from './ols.js'
export { EnetPathOptionsSchema, enetPath, lassoPath } from './path.js'
export type { EnetPath, EnetPathOptions } from './path.js'
export { Ridge, RidgeParamsSchema, loadRidge } from './ridge.js'
export type { RidgeParams, RidgeResolved } from './ridge.js'

/** The linear regression kinds, for `ml/registry.ts` (through `ml/linear`). */
export const REGRESSION_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: 'linear.ols',
    task: 'regression',
    summary: 'Ordinary least squares (minimum-norm when rank deficient; optional non-negative)',
    create: (p) => new LinearRegression(p),
    load: loadLinearRegression,
  },
  {
    kind: 'linear.ridge',
    task: 'regression',
    summary: 'Ridge regression (L2 penalty; Cholesky, SVD or LSQR)',
    create: (p) => new Ridge(p),
    load: loadRidge,
  },
  {
    kind: 'linear.lasso',
    task: 'regression',
    summary: 'Lasso (L1 penalty) by coordinate descent',
    create: (p) => new Lasso(p),
    load: loadLasso,
  },
  {
    kind: 'linear.elastic-net',
    task: 'regression',
    summary: 'Elastic net (L1 + L2 penalty) by coordinate descent',
    create: (p) => new ElasticNet(p),
    load: loadElasticNet,
  },
]
