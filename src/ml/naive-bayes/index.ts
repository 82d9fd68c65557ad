/**
 * @module ml/naive-bayes
 */
import type { EstimatorEntry } from '../base/index.js'

/** The naive-bayes kinds, for `ml/registry.ts`. */
export const NAIVE_BAYES_ESTIMATORS: readonly EstimatorEntry[] = []
