/**
 * @module ml/linear/logistic
 * Logistic regression (`linear.logistic`) with scikit-learn's semantics, and the quasi-Newton
 * optimisers it is built on (L-BFGS as scipy runs it, OWL-QN for L1), reusable by other models.
 */
import type { EstimatorEntry } from '../../base/index.js'

import { LogisticRegression } from './logistic.js'
import { LOGISTIC_KIND, loadLogisticRegression } from './logistic-model.js'

export { LogisticRegression } from './logistic.js'
export type { LogisticFitOptions } from './logistic.js'
export { LogisticRegressionModel, loadLogisticRegression } from './logistic-model.js'
export type { LogisticDiagnostics } from './logistic-model.js'
export { LogisticRegressionParamsSchema } from './params.js'
export type { LogisticRegressionParams } from './params.js'
export { minimizeLbfgs } from './lbfgs.js'
export type {
  LbfgsOptions,
  Objective,
  QuasiNewtonIteration,
  QuasiNewtonResult,
  QuasiNewtonStatus,
} from './lbfgs.js'
export { minimizeOwlqn } from './owlqn.js'
export { spawnModuleWorker } from './spawn-module-worker.js'

/** The logistic regression kinds. */
export const LOGISTIC_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: LOGISTIC_KIND,
    task: 'classification',
    summary:
      'Logistic regression (L2, L1, elastic net or none; binomial, multinomial or one-vs-rest)',
    create: (p) => new LogisticRegression(p),
    load: loadLogisticRegression,
  },
]
