/**
 * @module ml/neighbors
 * k-nearest-neighbours classification and regression (scikit-learn's `KNeighborsClassifier` and
 * `KNeighborsRegressor`): brute force over blocked dot products or a KD-tree, Minkowski-family
 * and cosine metrics, uniform or distance weights. Equal distances are broken by training-row
 * position (the lower wins), so every algorithm returns the same neighbours.
 */
import type { EstimatorEntry } from '../base/index.js'

import {
  KNeighborsClassifier,
  KNeighborsClassifierModel,
  loadKNeighborsClassifier,
} from './knn-classifier.js'
import {
  KNeighborsRegressor,
  KNeighborsRegressorModel,
  loadKNeighborsRegressor,
} from './knn-regressor.js'
import { KNeighborsParamsSchema } from './params.js'
import type { KNeighborsParams } from './params.js'
import type { Neighbors, NeighborsAlgorithm, NeighborsMetric } from './search.js'

export {
  KNeighborsClassifier,
  KNeighborsClassifierModel,
  KNeighborsParamsSchema,
  KNeighborsRegressor,
  KNeighborsRegressorModel,
  loadKNeighborsClassifier,
  loadKNeighborsRegressor,
}
export type { KNeighborsParams, Neighbors, NeighborsAlgorithm, NeighborsMetric }

/** The neighbors kinds, for `ml/registry.ts`. */
export const NEIGHBORS_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: 'neighbors.knn-classifier',
    task: 'classification',
    summary: 'k-nearest-neighbours classifier (majority or distance-weighted vote)',
    create: (p) => new KNeighborsClassifier(p),
    load: loadKNeighborsClassifier,
  },
  {
    kind: 'neighbors.knn-regressor',
    task: 'regression',
    summary: 'k-nearest-neighbours regressor (mean or distance-weighted mean of the neighbours)',
    create: (p) => new KNeighborsRegressor(p),
    load: loadKNeighborsRegressor,
  },
]
