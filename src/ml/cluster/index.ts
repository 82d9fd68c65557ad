/**
 * @module ml/cluster
 * Clustering: k-means (scikit-learn `KMeans` semantics, multi-threaded SIMD kernels).
 */
import type { EstimatorEntry } from '../base/index.js'

import { KMEANS_ENTRY } from './kmeans.js'

export { KMeans, KMeansModel, KMeansParamsSchema, loadKMeans } from './kmeans.js'
export type { KMeansParams } from './kmeans.js'

/** The cluster kinds, for `ml/registry.ts`. */
export const CLUSTER_ESTIMATORS: readonly EstimatorEntry[] = [KMEANS_ENTRY]
