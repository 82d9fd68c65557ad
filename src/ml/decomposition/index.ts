/**
 * @module ml/decomposition
 */
import type { EstimatorEntry } from '../base/index.js'

/** The decomposition kinds, for `ml/registry.ts`. */
export const DECOMPOSITION_ESTIMATORS: readonly EstimatorEntry[] = []
