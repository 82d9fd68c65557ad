/**
 * @module ml/tree
 * Tree models: histogram gradient boosting, random forests and extra trees, single decision
 * trees, and XGBoost model import, all on one flat {@link TreeEnsemble} representation.
 */
import type { EstimatorEntry } from '../base/index.js'

export type { FlatTree, TreeEnsemble, TreeLink } from './ensemble/types.js'

/** The tree kinds, for `ml/registry.ts`. */
export const TREE_ESTIMATORS: readonly EstimatorEntry[] = []
