/**
 * @module ml/linear
 */
import type { EstimatorEntry } from '../base/index.js'

/** The linear kinds, for `ml/registry.ts`. */
export const LINEAR_ESTIMATORS: readonly EstimatorEntry[] = []
