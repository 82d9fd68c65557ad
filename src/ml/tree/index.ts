/**
 * @module ml/tree
 * Tree models: histogram gradient boosting, random forests and extra trees, single decision
 * trees, and XGBoost model import, all on one flat {@link TreeEnsemble} representation.
 */
import type { EstimatorEntry } from '../base/index.js'

import { CART_ESTIMATORS } from './cart/index.js'
import { FOREST_ESTIMATORS } from './forest/index.js'
import { GBDT_ESTIMATORS } from './gbdt/index.js'
import { XGBOOST_ENTRY } from './xgboost/index.js'

export type { FlatTree, TreeEnsemble, TreeLink } from './ensemble/types.js'
export {
  DecisionTreeClassifier,
  DecisionTreeClassifierModel,
  DecisionTreeClassifierParamsSchema,
  DecisionTreeRegressor,
  DecisionTreeRegressorModel,
  DecisionTreeRegressorParamsSchema,
  loadDecisionTreeClassifier,
  loadDecisionTreeRegressor,
} from './cart/index.js'
export type {
  DecisionTreeClassifierParams,
  DecisionTreeDiagnostics,
  DecisionTreeRegressorParams,
  TreeFitOptions,
} from './cart/index.js'
export {
  ExtraTreesClassifier,
  ExtraTreesClassifierParamsSchema,
  ExtraTreesRegressor,
  ExtraTreesRegressorParamsSchema,
  FOREST_KINDS,
  ForestClassifierModel,
  ForestRegressorModel,
  RandomForestClassifier,
  RandomForestClassifierParamsSchema,
  RandomForestRegressor,
  RandomForestRegressorParamsSchema,
  loadExtraTreesClassifier,
  loadExtraTreesRegressor,
  loadRandomForestClassifier,
  loadRandomForestRegressor,
} from './forest/index.js'
export type {
  ExtraTreesClassifierParams,
  ExtraTreesRegressorParams,
  ForestDiagnostics,
  ForestKind,
  ForestOutOfBag,
  RandomForestClassifierParams,
  RandomForestRegressorParams,
} from './forest/index.js'
export {
  TreeBuilder,
  applyLink,
  createPredictPool,
  ensembleFromState,
  ensembleToState,
  featureImportance,
  makeEnsemble,
  predictFrame,
  predictOutput,
  predictRaw,
  predictRowInto,
  predictRowOutputInto,
} from './ensemble/index.js'
export type {
  EnsembleOptions,
  FeatureRows,
  ImportanceType,
  PredictFrameOptions,
  PredictPool,
  PredictPoolOptions,
  SplitSpec,
  TreeEnsembleState,
} from './ensemble/index.js'
export {
  GBDTClassifier,
  GBDTClassifierModel,
  GBDTClassifierParamsSchema,
  GBDTRegressor,
  GBDTRegressorModel,
  GBDTRegressorParamsSchema,
  loadGBDTClassifier,
  loadGBDTRegressor,
} from './gbdt/index.js'
export type {
  EvalsResult,
  GBDTClassifierParams,
  GBDTDiagnostics,
  GBDTFitOptions,
  GBDTRegressorParams,
  RegressionObjective,
} from './gbdt/index.js'
export {
  XGBOOST_OBJECTIVES,
  XGBoostClassifierModel,
  XGBoostRegressorModel,
  importXGBoostModel,
} from './xgboost/index.js'
export type { XGBoostModel, XGBoostObjective } from './xgboost/index.js'

/** The tree kinds, for `ml/registry.ts`. */
export const TREE_ESTIMATORS: readonly EstimatorEntry[] = [
  XGBOOST_ENTRY,
  ...CART_ESTIMATORS,
  ...FOREST_ESTIMATORS,
  ...GBDT_ESTIMATORS,
]
