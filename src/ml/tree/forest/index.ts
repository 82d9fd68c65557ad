/**
 * @module ml/tree/forest
 * Random forests and extra trees for classification and regression
 * (`tree.random-forest-classifier`, `tree.random-forest-regressor`,
 * `tree.extra-trees-classifier`, `tree.extra-trees-regressor`) with scikit-learn 1.2's
 * semantics, out-of-bag scores, and parallel training whose result does not depend on `nJobs`.
 */
import type { EstimatorEntry, ModelState } from '../../base/index.js'

import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  FOREST_VARIANTS,
  RandomForestClassifier,
  RandomForestRegressor,
} from './forest.js'
import { ForestClassifierModel, ForestRegressorModel, readForestParts } from './forest-model.js'

export {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
} from './forest.js'
export { FOREST_KINDS, ForestClassifierModel, ForestRegressorModel } from './forest-model.js'
export type { ForestDiagnostics, ForestKind, ForestOutOfBag } from './forest-model.js'
export {
  ExtraTreesClassifierParamsSchema,
  ExtraTreesRegressorParamsSchema,
  RandomForestClassifierParamsSchema,
  RandomForestRegressorParamsSchema,
} from './params.js'
export type {
  ExtraTreesClassifierParams,
  ExtraTreesRegressorParams,
  RandomForestClassifierParams,
  RandomForestRegressorParams,
} from './params.js'

/**
 * Rebuilds a random forest classifier from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadRandomForestClassifier(state: ModelState): ForestClassifierModel {
  const v = FOREST_VARIANTS.RF_CLASSIFIER
  const { parts, enc } = readForestParts(state, v.kind, v.schema, true)
  return new ForestClassifierModel(parts, enc!)
}

/**
 * Rebuilds an extra-trees classifier from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadExtraTreesClassifier(state: ModelState): ForestClassifierModel {
  const v = FOREST_VARIANTS.ET_CLASSIFIER
  const { parts, enc } = readForestParts(state, v.kind, v.schema, true)
  return new ForestClassifierModel(parts, enc!)
}

/**
 * Rebuilds a random forest regressor from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadRandomForestRegressor(state: ModelState): ForestRegressorModel {
  const v = FOREST_VARIANTS.RF_REGRESSOR
  return new ForestRegressorModel(readForestParts(state, v.kind, v.schema, false).parts)
}

/**
 * Rebuilds an extra-trees regressor from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadExtraTreesRegressor(state: ModelState): ForestRegressorModel {
  const v = FOREST_VARIANTS.ET_REGRESSOR
  return new ForestRegressorModel(readForestParts(state, v.kind, v.schema, false).parts)
}

/** The forest kinds. */
export const FOREST_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: FOREST_VARIANTS.RF_CLASSIFIER.kind,
    task: 'classification',
    summary: 'Random forest classifier (bootstrap CART trees; out-of-bag score; parallel)',
    create: (p) => new RandomForestClassifier(p),
    load: loadRandomForestClassifier,
  },
  {
    kind: FOREST_VARIANTS.RF_REGRESSOR.kind,
    task: 'regression',
    summary: 'Random forest regressor (bootstrap CART trees; out-of-bag score; parallel)',
    create: (p) => new RandomForestRegressor(p),
    load: loadRandomForestRegressor,
  },
  {
    kind: FOREST_VARIANTS.ET_CLASSIFIER.kind,
    task: 'classification',
    summary: 'Extra-trees classifier (random thresholds; parallel)',
    create: (p) => new ExtraTreesClassifier(p),
    load: loadExtraTreesClassifier,
  },
  {
    kind: FOREST_VARIANTS.ET_REGRESSOR.kind,
    task: 'regression',
    summary: 'Extra-trees regressor (random thresholds; parallel)',
    create: (p) => new ExtraTreesRegressor(p),
    load: loadExtraTreesRegressor,
  },
]
