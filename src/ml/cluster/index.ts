/**
 * @module ml/cluster
 */
import type { EstimatorEntry } from '../base/index.js'

/** The cluster kinds, for `ml/registry.ts`. */
export const CLUSTER_ESTIMATORS: readonly EstimatorEntry[] = []
