/**
 * @module ml/preprocessing
 */
import type { EstimatorEntry } from '../base/index.js'

/** The preprocessing kinds, for `ml/registry.ts`. */
export const PREPROCESSING_ESTIMATORS: readonly EstimatorEntry[] = []
