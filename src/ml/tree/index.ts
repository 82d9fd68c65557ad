/**
 * @module ml/tree
 * Tree models: histogram gradient boosting, random forests and extra trees, single decision
 * trees, and XGBoost model import, all on one flat {@link TreeEnsemble} representation.
 */
import type { EstimatorEntry } from '../base/index.js'

export type { FlatTree, TreeEnsemble, TreeLink } from './ensemble/types.js'
export {
  TreeBuilder,
  applyLink,
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
  SplitSpec,
  TreeEnsembleState,
} from './ensemble/index.js'

/** The tree kinds, for `ml/registry.ts`. */
export const TREE_ESTIMATORS: readonly EstimatorEntry[] = []
