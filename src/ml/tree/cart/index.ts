/**
 * @module ml/tree/cart
 * Single CART decision trees (`tree.decision-tree-classifier`, `tree.decision-tree-regressor`)
 * with scikit-learn 1.2's semantics, and the tree learner the forests grow their trees with.
 */
import type { EstimatorEntry } from '../../base/index.js'

import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js'
import {
  TREE_CLASSIFIER_KIND,
  TREE_REGRESSOR_KIND,
  loadDecisionTreeClassifier,
  loadDecisionTreeRegressor,
} from './decision-tree-model.js'

export { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js'
export {
  DecisionTreeClassifierModel,
  DecisionTreeRegressorModel,
  loadDecisionTreeClassifier,
  loadDecisionTreeRegressor,
} from './decision-tree-model.js'
export type { DecisionTreeDiagnostics } from './decision-tree-model.js'
export { applyClassWeight, readSampleWeight, sumOf } from './fit-input.js'
export type { TreeFitOptions } from './fit-input.js'
export { growTree } from './grow.js'
export type { Criterion, GrowSpec, GrownTree } from './grow.js'
export {
  ClassWeightSchema,
  DecisionTreeClassifierParamsSchema,
  DecisionTreeRegressorParamsSchema,
  MaxFeaturesSchema,
  TREE_SHAPE,
  resolveGrowSpec,
} from './params.js'
export type {
  DecisionTreeClassifierParams,
  DecisionTreeRegressorParams,
  GrowParams,
  MaxFeatures,
} from './params.js'
export { prepareTreeData, treeMatrix } from './tree-data.js'
export type { TreeData } from './tree-data.js'
export { argmaxRows, ensembleOutputs } from './tree-predict.js'

/** The CART kinds. */
export const CART_ESTIMATORS: readonly EstimatorEntry[] = [
  {
    kind: TREE_CLASSIFIER_KIND,
    task: 'classification',
    summary: 'CART decision tree classifier (Gini or entropy; missing values learned)',
    create: (p) => new DecisionTreeClassifier(p),
    load: loadDecisionTreeClassifier,
  },
  {
    kind: TREE_REGRESSOR_KIND,
    task: 'regression',
    summary: 'CART decision tree regressor (squared error; missing values learned)',
    create: (p) => new DecisionTreeRegressor(p),
    load: loadDecisionTreeRegressor,
  },
]
