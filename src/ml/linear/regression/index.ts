/**
 * @module ml/linear/regression
 */
import type { EstimatorEntry } from '../../base/index.js'

/** The linear regression kinds. */
export const REGRESSION_ESTIMATORS: readonly EstimatorEntry[] = []
