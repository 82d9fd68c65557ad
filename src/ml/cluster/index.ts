/**
 * @module ml/cluster
 * Clustering: k-means (scikit-learn `KMeans` semantics, multi-threaded SIMD kernels),
 * mini-batch k-means and DBSCAN.
 */
import type { EstimatorEntry } from '../base/index.js'

import { DBSCAN_ENTRY } from './dbscan.js'
import { KMEANS_ENTRY } from './kmeans.js'
import { MINI_BATCH_KMEANS_ENTRY } from './mini-batch-kmeans.js'

export { DBSCAN, DBSCANModel, DBSCANParamsSchema, loadDBSCAN } from './dbscan.js'
export type { DBSCANParams } from './dbscan.js'
export { KMeans, KMeansModel, KMeansParamsSchema, loadKMeans } from './kmeans.js'
export type { KMeansParams } from './kmeans.js'
export {
  MiniBatchKMeans,
  MiniBatchKMeansModel,
  MiniBatchKMeansParamsSchema,
  loadMiniBatchKMeans,
} from './mini-batch-kmeans.js'
export type { MiniBatchKMeansParams } from './mini-batch-kmeans.js'

/** The cluster kinds, for `ml/registry.ts`. */
export const CLUSTER_ESTIMATORS: readonly EstimatorEntry[] = [
  KMEANS_ENTRY,
  MINI_BATCH_KMEANS_ENTRY,
  DBSCAN_ENTRY,
]
