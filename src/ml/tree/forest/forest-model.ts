/**
 * The fitted forests: a {@link TreeEnsemble} averaging its trees (class probabilities for the
 * classifiers, values for the regressors), feature importances and out-of-bag estimates, and
 * their JSON state.
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
import { argmaxRows, ensembleOutputs } from '../cart/index.js'
import { ensembleFromState, ensembleToState, type TreeEnsemble } from '../ensemble/index.js'

import type { ForestResolved } from './params.js'

/** The forest kinds. */
export const FOREST_KINDS = {
  randomForestClassifier: 'tree.random-forest-classifier',
  randomForestRegressor: 'tree.random-forest-regressor',
  extraTreesClassifier: 'tree.extra-trees-classifier',
  extraTreesRegressor: 'tree.extra-trees-regressor',
} as const
/** A forest kind. */
export type ForestKind = (typeof FOREST_KINDS)[keyof typeof FOREST_KINDS]

/** Diagnostics of a forest fit. */
export interface ForestDiagnostics extends Diagnostics {
  /** Threads that grew at least one tree (not saved with the model). */
  readonly nThreads?: number
}

/** Out-of-bag estimates of a forest fitted with `oobScore: true`. */
export interface ForestOutOfBag {
  /** Accuracy (classifiers) or R² (regressors) of the out-of-bag outputs on the training rows. */
  readonly score: number
  /**
   * Per training row, the mean output of the trees that did not draw it: class probabilities
   * (`n × classes`, row-major; scikit-learn's `oob_decision_function_`) or the prediction
   * (`oob_prediction_`). Rows no tree left out hold 0.
   */
  readonly decision: Float64Array
}

/** What every forest model holds. */
interface ForestParts {
  readonly kind: ForestKind
  readonly params: ForestResolved
  readonly features: readonly FeatureSpec[]
  readonly ensemble: TreeEnsemble
  readonly importances: Float64Array
  readonly oob: ForestOutOfBag | null
  readonly diagnostics: ForestDiagnostics
}

function stateOf(m: ForestParts): ModelState {
  const d = m.diagnostics
  return {
    kind: m.kind,
    version: 1,
    params: { ...m.params },
    state: {
      features: m.features,
      ensemble: ensembleToState(m.ensemble),
      featureImportances: encodeArray(m.importances),
      oob:
        m.oob === null
          ? null
          : {
              score: Number.isFinite(m.oob.score) ? m.oob.score : null,
              decision: encodeArray(m.oob.decision),
            },
      diagnostics: { converged: d.converged, nIter: d.nIter, warnings: d.warnings },
    },
  }
}

/** A fitted forest classifier (random forest or extra trees). */
export class ForestClassifierModel implements Classifier {
  readonly featureNames: readonly string[]
  readonly classes: readonly ClassLabel[]
  readonly kind: ForestKind
  /** The trees; each leaf holds class probabilities, and the forest averages them. */
  readonly ensemble: TreeEnsemble
  /** Mean impurity-decrease importance of each feature over the trees, summing to 1. */
  readonly featureImportances: Float64Array
  /** Out-of-bag accuracy and probabilities, when fitted with `oobScore: true`. */
  readonly oob: ForestOutOfBag | null
  readonly diagnostics: ForestDiagnostics
  constructor(
    private readonly parts: ForestParts,
    private readonly enc: ClassEncoding,
  ) {
    this.kind = parts.kind
    this.featureNames = parts.features.map((f) => f.name)
    this.classes = enc.classes
    this.ensemble = parts.ensemble
    this.featureImportances = parts.importances
    this.oob = parts.oob
    this.diagnostics = parts.diagnostics
  }

  /** The mean of the trees' leaf class probabilities (scikit-learn's `predict_proba`). */
  predictProba(X: Frame): Frame {
    const out = ensembleOutputs(this.ensemble, X, this.parts.features, this.kind)
    return probabilityFrame(out, X.nRows, this.classes)
  }

  predict(X: Frame): Column {
    const out = ensembleOutputs(this.ensemble, X, this.parts.features, this.kind)
    return decodeClasses(argmaxRows(out, X.nRows, this.classes.length), this.enc)
  }

  toJSON(): ModelState {
    const s = stateOf(this.parts)
    return { ...s, state: { ...s.state, classes: this.classes, dtype: this.enc.dtype } }
  }
}

/** A fitted forest regressor (random forest or extra trees). */
export class ForestRegressorModel implements Predictor {
  readonly featureNames: readonly string[]
  readonly kind: ForestKind
  /** The trees; the forest averages their leaf values. */
  readonly ensemble: TreeEnsemble
  /** Mean impurity-decrease importance of each feature over the trees, summing to 1. */
  readonly featureImportances: Float64Array
  /** Out-of-bag R² and predictions, when fitted with `oobScore: true`. */
  readonly oob: ForestOutOfBag | null
  readonly diagnostics: ForestDiagnostics
  constructor(private readonly parts: ForestParts) {
    this.kind = parts.kind
    this.featureNames = parts.features.map((f) => f.name)
    this.ensemble = parts.ensemble
    this.featureImportances = parts.importances
    this.oob = parts.oob
    this.diagnostics = parts.diagnostics
  }

  predict(X: Frame): Column {
    return predictionColumn(ensembleOutputs(this.ensemble, X, this.parts.features, this.kind))
  }

  toJSON(): ModelState {
    return stateOf(this.parts)
  }
}

/** @internal */
export function makeForestModel(
  parts: ForestParts,
  enc: ClassEncoding | undefined,
): ForestClassifierModel | ForestRegressorModel {
  return enc === undefined ? new ForestRegressorModel(parts) : new ForestClassifierModel(parts, enc)
}

const DiagnosticsSchema = z.object({
  converged: z.boolean(),
  nIter: z.int().min(0),
  warnings: z.array(z.string()),
})
const OobSchema = z.object({ score: z.number().nullable(), decision: z.unknown() }).nullable()

/** Reads the parts of a forest state of `kind` (params checked with `schema`). */
export function readForestParts(
  state: ModelState,
  kind: ForestKind,
  schema: z.ZodType<ForestResolved>,
  classifier: boolean,
): { parts: ForestParts; enc: ClassEncoding | undefined } {
  checkState(state, kind, [1])
  const params = parseParams(kind, schema, state.params)
  const s = state.state
  const features = readFeatures(s.features)
  const ensemble = ensembleFromState(s.ensemble)
  if (ensemble.nFeatures !== features.length)
    throw badState('ensemble', `expected ${features.length} features`)
  const importances = decodeF64(s.featureImportances, 'featureImportances')
  if (importances.length !== features.length)
    throw badState('featureImportances', `expected ${features.length} values`)
  const enc = classifier ? readEncoding(s) : undefined
  const width = enc === undefined ? 1 : enc.classes.length
  if (ensemble.leafWidth !== width || ensemble.nOutputs !== width)
    throw badState('ensemble', `expected ${width} output(s) per leaf`)
  const o = OobSchema.safeParse(s.oob)
  if (!o.success) throw badState('oob', 'expected null or { score, decision }')
  const oob =
    o.data === null
      ? null
      : { score: o.data.score ?? Number.NaN, decision: decodeF64(o.data.decision, 'oob.decision') }
  const d = DiagnosticsSchema.safeParse(s.diagnostics)
  if (!d.success) throw badState('diagnostics', 'expected converged, nIter, warnings')
  return {
    parts: { kind, params, features, ensemble, importances, oob, diagnostics: d.data },
    enc,
  }
}
