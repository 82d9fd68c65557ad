/**
 * `tree.decision-tree-classifier` and `tree.decision-tree-regressor`: single CART trees with
 * scikit-learn 1.2's semantics (`DecisionTreeClassifier`, `DecisionTreeRegressor`), plus missing
 * values with a learned default direction.
 */
import { createRng } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertHasFeatures,
  assertMinRows,
  captureFeatures,
  encodeClasses,
  fitStep,
  parseParams,
  regressionTarget,
  type Estimator,
} from '../../base/index.js'
import { makeEnsemble } from '../ensemble/index.js'

import {
  DecisionTreeClassifierModel,
  DecisionTreeRegressorModel,
  TREE_CLASSIFIER_KIND,
  TREE_REGRESSOR_KIND,
} from './decision-tree-model.js'
import { applyClassWeight, readSampleWeight, sumOf, type TreeFitOptions } from './fit-input.js'
import { growTree } from './grow.js'
import {
  DecisionTreeClassifierParamsSchema,
  DecisionTreeRegressorParamsSchema,
  resolveGrowSpec,
  type DecisionTreeClassifierParams,
  type DecisionTreeRegressorParams,
} from './params.js'
import { prepareTreeData, treeMatrix } from './tree-data.js'

/**
 * A CART classification tree (scikit-learn's `DecisionTreeClassifier`): exact best splits on
 * sorted feature values (or random thresholds with `splitter: 'random'`), Gini or entropy,
 * depth-first growth or best-first with `maxLeafNodes`, class and sample weights.
 *
 * Missing values (NaN or a column's missing rows), which scikit-learn 1.2 rejects, are learned:
 * each split tries them on both sides and keeps the better one (as scikit-learn ≥ 1.3 does);
 * a split that saw none sends them to its larger child.
 *
 * @example
 * ```ts
 * const model = new DecisionTreeClassifier({ maxDepth: 4 }).fit(X, y)
 * model.predictProba(X)        // leaf class frequencies
 * model.featureImportances     // impurity decrease, summing to 1
 * ```
 */
export class DecisionTreeClassifier implements Estimator<
  DecisionTreeClassifierParams,
  DecisionTreeClassifierModel
> {
  readonly kind = TREE_CLASSIFIER_KIND
  constructor(readonly params: Readonly<DecisionTreeClassifierParams> = {}) {}
  withParams(patch: Partial<DecisionTreeClassifierParams>): DecisionTreeClassifier {
    return new DecisionTreeClassifier({ ...this.params, ...patch })
  }

  fit(X: Frame, y?: Column, opts?: TreeFitOptions): DecisionTreeClassifierModel {
    const kind = TREE_CLASSIFIER_KIND
    const p = parseParams(kind, DecisionTreeClassifierParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, kind)
    assertHasFeatures(X, kind)
    const target = encodeClasses(X, y, kind)
    const Xm = treeMatrix(X, kind)
    const w = readSampleWeight(X.nRows, opts?.sampleWeight)
    applyClassWeight(w, target, p.classWeight)
    const k = target.classes.length
    const data = prepareTreeData(
      Xm,
      X.nRows,
      X.nColumns,
      { classes: target.codes, nClasses: k },
      false,
    )
    const criterion = p.criterion === 'gini' ? 'gini' : 'entropy'
    const spec = resolveGrowSpec(p, X.nRows, X.nColumns, sumOf(w), criterion, p.splitter)
    const grown = growTree(data, w, spec, opts?.rng ?? createRng(p.seed))
    const ensemble = makeEnsemble([grown.tree], {
      nFeatures: X.nColumns,
      nOutputs: k,
      leafWidth: k,
      aggregate: 'mean',
      link: 'identity',
    })
    return new DecisionTreeClassifierModel(
      p,
      captureFeatures(X),
      { classes: target.classes, dtype: target.dtype },
      ensemble,
      grown.importance,
      { converged: true, nIter: 1, warnings: [], depth: grown.depth, nLeaves: grown.nLeaves },
    )
  }
}

/**
 * A CART regression tree (scikit-learn's `DecisionTreeRegressor`, squared error): leaves hold
 * the weighted mean of their rows. Missing values are learned as for
 * {@link DecisionTreeClassifier}.
 *
 * @example
 * ```ts
 * const model = new DecisionTreeRegressor({ minSamplesLeaf: 5 }).fit(X, y)
 * model.predict(X)
 * ```
 */
export class DecisionTreeRegressor implements Estimator<
  DecisionTreeRegressorParams,
  DecisionTreeRegressorModel
> {
  readonly kind = TREE_REGRESSOR_KIND
  constructor(readonly params: Readonly<DecisionTreeRegressorParams> = {}) {}
  withParams(patch: Partial<DecisionTreeRegressorParams>): DecisionTreeRegressor {
    return new DecisionTreeRegressor({ ...this.params, ...patch })
  }

  fit(X: Frame, y?: Column, opts?: TreeFitOptions): DecisionTreeRegressorModel {
    const kind = TREE_REGRESSOR_KIND
    const p = parseParams(kind, DecisionTreeRegressorParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    assertMinRows(X, 1, kind)
    assertHasFeatures(X, kind)
    const t = regressionTarget(X, y, kind)
    const Xm = treeMatrix(X, kind)
    const w = readSampleWeight(X.nRows, opts?.sampleWeight)
    const data = prepareTreeData(Xm, X.nRows, X.nColumns, { target: t }, false)
    const spec = resolveGrowSpec(p, X.nRows, X.nColumns, sumOf(w), p.criterion, p.splitter)
    const grown = growTree(data, w, spec, opts?.rng ?? createRng(p.seed))
    const ensemble = makeEnsemble([grown.tree], {
      nFeatures: X.nColumns,
      nOutputs: 1,
      leafWidth: 1,
      aggregate: 'mean',
      link: 'identity',
    })
    return new DecisionTreeRegressorModel(p, captureFeatures(X), ensemble, grown.importance, {
      converged: true,
      nIter: 1,
      warnings: [],
      depth: grown.depth,
      nLeaves: grown.nLeaves,
    })
  }
}
