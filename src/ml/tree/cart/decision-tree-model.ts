/**
 * The fitted CART models: a one-tree {@link TreeEnsemble} plus scikit-learn's
 * `feature_importances_`, `get_depth()` and `get_n_leaves()`, and their JSON state.
 */
import { z } from 'zod'

import type { Column, Frame } from '../../../frame/index.js'
import {
  badState,
  checkState,
  decodeClasses,
  decodeF64,
  encodeArray,
  parseParams,
  predictionColumn,
  probabilityFrame,
  readEncoding,
  readFeatures,
  type ClassEncoding,
  type ClassLabel,
  type Classifier,
  type Diagnostics,
  type FeatureSpec,
  type ModelState,
  type Predictor,
} from '../../base/index.js'
import { ensembleFromState, ensembleToState, type TreeEnsemble } from '../ensemble/index.js'

import {
  DecisionTreeClassifierParamsSchema,
  DecisionTreeRegressorParamsSchema,
  type DecisionTreeClassifierResolved,
  type DecisionTreeRegressorResolved,
} from './params.js'
import { argmaxRows, ensembleOutputs } from './tree-predict.js'

/** The registry key of the classification tree. */
export const TREE_CLASSIFIER_KIND = 'tree.decision-tree-classifier'
/** The registry key of the regression tree. */
export const TREE_REGRESSOR_KIND = 'tree.decision-tree-regressor'

/** Diagnostics of a CART fit. */
export interface DecisionTreeDiagnostics extends Diagnostics {
  /** Depth of the tree (scikit-learn's `get_depth()`; 0 for a single leaf). */
  readonly depth: number
  /** Leaves of the tree (`get_n_leaves()`). */
  readonly nLeaves: number
}

const DiagnosticsSchema = z.object({
  converged: z.boolean(),
  nIter: z.int().min(0),
  warnings: z.array(z.string()),
  depth: z.int().min(0),
  nLeaves: z.int().min(1),
})

/** Reads the fields every tree model state shares. */
function readTreeState(state: ModelState): {
  features: readonly FeatureSpec[]
  ensemble: TreeEnsemble
  importance: Float64Array
  diagnostics: DecisionTreeDiagnostics
} {
  const s = state.state
  const features = readFeatures(s.features)
  const ensemble = ensembleFromState(s.ensemble)
  if (ensemble.trees.length !== 1) throw badState('ensemble', 'expected one tree')
  if (ensemble.nFeatures !== features.length)
    throw badState('ensemble', `expected ${features.length} features`)
  const importance = decodeF64(s.featureImportances, 'featureImportances')
  if (importance.length !== features.length)
    throw badState('featureImportances', `expected ${features.length} values`)
  const d = DiagnosticsSchema.safeParse(s.diagnostics)
  if (!d.success)
    throw badState('diagnostics', 'expected converged, nIter, warnings, depth, nLeaves')
  return { features, ensemble, importance, diagnostics: d.data }
}

function treeStateOf(
  features: readonly FeatureSpec[],
  ensemble: TreeEnsemble,
  importance: Float64Array,
  d: DecisionTreeDiagnostics,
): Record<string, unknown> {
  return {
    features,
    ensemble: ensembleToState(ensemble),
    featureImportances: encodeArray(importance),
    diagnostics: {
      converged: d.converged,
      nIter: d.nIter,
      warnings: d.warnings,
      depth: d.depth,
      nLeaves: d.nLeaves,
    },
  }
}

/** A fitted classification tree. */
export class DecisionTreeClassifierModel implements Classifier {
  readonly kind = TREE_CLASSIFIER_KIND
  readonly featureNames: readonly string[]
  readonly classes: readonly ClassLabel[]
  constructor(
    private readonly p: DecisionTreeClassifierResolved,
    private readonly features: readonly FeatureSpec[],
    private readonly enc: ClassEncoding,
    /** The tree, its leaves holding class probabilities (`leafWidth` = classes). */
    readonly ensemble: TreeEnsemble,
    /** Impurity-decrease importance per feature, summing to 1 (scikit-learn's). */
    readonly featureImportances: Float64Array,
    readonly diagnostics: DecisionTreeDiagnostics,
  ) {
    this.featureNames = features.map((f) => f.name)
    this.classes = enc.classes
  }

  /** The leaf class frequencies of each row (one column per class). */
  predictProba(X: Frame): Frame {
    const out = ensembleOutputs(this.ensemble, X, this.features, this.kind)
    return probabilityFrame(out, X.nRows, this.classes)
  }

  predict(X: Frame): Column {
    const out = ensembleOutputs(this.ensemble, X, this.features, this.kind)
    return decodeClasses(argmaxRows(out, X.nRows, this.classes.length), this.enc)
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: {
        ...treeStateOf(this.features, this.ensemble, this.featureImportances, this.diagnostics),
        classes: this.classes,
        dtype: this.enc.dtype,
      },
    }
  }
}

/** A fitted regression tree. */
export class DecisionTreeRegressorModel implements Predictor {
  readonly kind = TREE_REGRESSOR_KIND
  readonly featureNames: readonly string[]
  constructor(
    private readonly p: DecisionTreeRegressorResolved,
    private readonly features: readonly FeatureSpec[],
    /** The tree, its leaves holding the mean target. */
    readonly ensemble: TreeEnsemble,
    /** Impurity-decrease importance per feature, summing to 1 (scikit-learn's). */
    readonly featureImportances: Float64Array,
    readonly diagnostics: DecisionTreeDiagnostics,
  ) {
    this.featureNames = features.map((f) => f.name)
  }

  predict(X: Frame): Column {
    return predictionColumn(ensembleOutputs(this.ensemble, X, this.features, this.kind))
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: treeStateOf(this.features, this.ensemble, this.featureImportances, this.diagnostics),
    }
  }
}

/**
 * Rebuilds a {@link DecisionTreeClassifierModel} from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadDecisionTreeClassifier(state: ModelState): DecisionTreeClassifierModel {
  checkState(state, TREE_CLASSIFIER_KIND, [1])
  const p = parseParams(TREE_CLASSIFIER_KIND, DecisionTreeClassifierParamsSchema, state.params)
  const t = readTreeState(state)
  const enc = readEncoding(state.state)
  if (t.ensemble.leafWidth !== enc.classes.length || t.ensemble.nOutputs !== enc.classes.length)
    throw badState('ensemble', `expected ${enc.classes.length} outputs per leaf`)
  return new DecisionTreeClassifierModel(
    p,
    t.features,
    enc,
    t.ensemble,
    t.importance,
    t.diagnostics,
  )
}

/**
 * Rebuilds a {@link DecisionTreeRegressorModel} from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadDecisionTreeRegressor(state: ModelState): DecisionTreeRegressorModel {
  checkState(state, TREE_REGRESSOR_KIND, [1])
  const p = parseParams(TREE_REGRESSOR_KIND, DecisionTreeRegressorParamsSchema, state.params)
  const t = readTreeState(state)
  if (t.ensemble.leafWidth !== 1 || t.ensemble.nOutputs !== 1)
    throw badState('ensemble', 'expected one output per leaf')
  return new DecisionTreeRegressorModel(p, t.features, t.ensemble, t.importance, t.diagnostics)
}
