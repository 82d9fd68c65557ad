/**
 * @module ml/linear/logistic
 */
import type { EstimatorEntry } from '../../base/index.js'

/** The logistic regression kinds. */
export const LOGISTIC_ESTIMATORS: readonly EstimatorEntry[] = []
