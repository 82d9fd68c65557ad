/**
 * @module ml/neighbors
 */
import type { EstimatorEntry } from '../base/index.js'

/** The neighbors kinds, for `ml/registry.ts`. */
export const NEIGHBORS_ESTIMATORS: readonly EstimatorEntry[] = []
