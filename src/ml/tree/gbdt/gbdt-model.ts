/**
 * The fitted GBDT models: a {@link TreeEnsemble} predicted through the shared tree kernels,
 * with per-round metrics, feature importance and their JSON state.
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
import {
  applyLink,
  ensembleFromState,
  ensembleToState,
  featureImportance,
  predictRaw,
  type ImportanceType,
  type TreeEnsemble,
} from '../ensemble/index.js'

import { predictRows } from './input.js'
import {
  GBDTClassifierParamsSchema,
  GBDTRegressorParamsSchema,
  type GBDTClassifierResolved,
  type GBDTRegressorResolved,
} from './params.js'

/** The registry key of the GBDT classifier. */
export const GBDT_CLASSIFIER_KIND = 'tree.gbdt-classifier'
/** The registry key of the GBDT regressor. */
export const GBDT_REGRESSOR_KIND = 'tree.gbdt-regressor'

/** The diagnostics of a GBDT fit. */
export interface GBDTDiagnostics extends Diagnostics {
  /** Boosting rounds kept in the model (`bestIteration + 1` after early stopping). */
  readonly nTrees: number
  /** The best validation round (0-based) when early stopping ran. */
  readonly bestIteration?: number
  /** Why boosting stopped: all `nEstimators` rounds ran, or the validation metric stalled. */
  readonly stopReason: 'nEstimators' | 'earlyStopping'
  /** Threads the histogram engine ran on (not saved with the model). */
  readonly nThreads?: number
}

/**
 * Per-round metrics, like XGBoost's `evals_result()`: `{ train: { logloss: […] },
 * validation: { logloss: […] } }` (a set is absent when it was not evaluated).
 */
export interface EvalsResult {
  readonly train?: Readonly<Record<string, readonly number[]>>
  readonly validation?: Readonly<Record<string, readonly number[]>>
}

/** What every GBDT model holds besides its kind-specific parts. */
export interface GBDTFitted {
  readonly features: readonly FeatureSpec[]
  readonly ensemble: TreeEnsemble
  readonly metric: string
  readonly train: Float64Array
  readonly validation: Float64Array | undefined
  readonly diagnostics: GBDTDiagnostics
}

abstract class GBDTModelBase {
  abstract readonly kind: string
  readonly featureNames: readonly string[]
  readonly features: readonly FeatureSpec[]
  /** The trees, shared with the inference kernels, ONNX export and the state. */
  readonly ensemble: TreeEnsemble
  readonly diagnostics: GBDTDiagnostics
  /** Per-round training and validation metrics (XGBoost `evals_result()`). */
  readonly evalsResult: EvalsResult
  /** The best validation round (0-based) when early stopping ran (XGBoost `best_iteration`). */
  readonly bestIteration: number | undefined
  protected readonly fitted: GBDTFitted

  constructor(fitted: GBDTFitted) {
    this.fitted = fitted
    this.features = fitted.features
    this.featureNames = fitted.features.map((f) => f.name)
    this.ensemble = fitted.ensemble
    this.diagnostics = fitted.diagnostics
    this.bestIteration = fitted.diagnostics.bestIteration
    const m = fitted.metric
    this.evalsResult = Object.freeze({
      ...(fitted.train.length > 0 ? { train: { [m]: Array.from(fitted.train) } } : {}),
      ...(fitted.validation === undefined
        ? {}
        : { validation: { [m]: Array.from(fitted.validation) } }),
    })
  }

  /**
   * Importance of each feature, by name (XGBoost `get_score`): `'gain'` the mean loss change of
   * its splits, `'split'` their count, `'cover'` their mean hessian sum, or the totals.
   */
  featureImportance(type: ImportanceType = 'gain'): Readonly<Record<string, number>> {
    const v = featureImportance(this.ensemble, type)
    const out: Record<string, number> = {}
    this.featureNames.forEach((name, f) => (out[name] = v[f]!))
    return out
  }

  /** Raw scores (margins), row-major `nRows × nOutputs` (XGBoost `output_margin=True`). */
  predictMargin(X: Frame): Float64Array {
    const rows = predictRows(X, this.features, this.kind)
    return predictRaw(
      this.ensemble,
      rows.data,
      rows.nRows,
      new Float64Array(rows.nRows * this.ensemble.nOutputs),
    )
  }

  protected response(X: Frame): { out: Float64Array; n: number } {
    const m = this.predictMargin(X)
    const n = m.length / this.ensemble.nOutputs
    return { out: applyLink(this.ensemble, m, n, m), n }
  }

  protected baseState(params: Readonly<Record<string, unknown>>): ModelState['state'] {
    const f = this.fitted
    const d = f.diagnostics
    return {
      features: f.features,
      ensemble: ensembleToState(f.ensemble),
      metric: f.metric,
      train: encodeArray(f.train),
      validation: f.validation === undefined ? null : encodeArray(f.validation),
      diagnostics: {
        converged: d.converged,
        nIter: d.nIter,
        warnings: d.warnings,
        nTrees: d.nTrees,
        stopReason: d.stopReason,
        ...(d.bestIteration === undefined ? {} : { bestIteration: d.bestIteration }),
      },
      ...params,
    }
  }
}

/** A fitted gradient-boosted tree classifier. */
export class GBDTClassifierModel extends GBDTModelBase implements Classifier {
  readonly kind = GBDT_CLASSIFIER_KIND
  readonly classes: readonly ClassLabel[]
  constructor(
    private readonly p: GBDTClassifierResolved,
    fitted: GBDTFitted,
    private readonly enc: ClassEncoding,
  ) {
    super(fitted)
    this.classes = enc.classes
  }

  private probabilities(X: Frame): { proba: Float64Array; n: number } {
    const { out, n } = this.response(X)
    if (this.ensemble.nOutputs > 1) return { proba: out, n }
    const proba = new Float64Array(n * 2)
    for (let i = 0; i < n; i++) {
      proba[2 * i] = 1 - out[i]!
      proba[2 * i + 1] = out[i]!
    }
    return { proba, n }
  }

  predictProba(X: Frame): Frame {
    const { proba, n } = this.probabilities(X)
    return probabilityFrame(proba, n, this.classes)
  }

  predict(X: Frame): Column {
    const { proba, n } = this.probabilities(X)
    const k = this.classes.length
    const codes = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c
      codes[i] = best
    }
    return decodeClasses(codes, this.enc)
  }

  toJSON(): ModelState {
    return {
      kind: this.kind,
      version: 1,
      params: { ...this.p },
      state: this.baseState({ classes: this.classes, dtype: this.enc.dtype }),
    }
  }
}

/** A fitted gradient-boosted tree regressor. */
export class GBDTRegressorModel extends GBDTModelBase implements Predictor {
  readonly kind = GBDT_REGRESSOR_KIND
  constructor(
    private readonly p: GBDTRegressorResolved,
    fitted: GBDTFitted,
  ) {
    super(fitted)
  }

  /** Predictions (the mean for Poisson, the `quantileAlpha` quantile for the quantile loss). */
  predict(X: Frame): Column {
    return predictionColumn(this.response(X).out)
  }

  toJSON(): ModelState {
    return { kind: this.kind, version: 1, params: { ...this.p }, state: this.baseState({}) }
  }
}

const DiagnosticsSchema = z.object({
  converged: z.boolean(),
  nIter: z.int().min(0),
  warnings: z.array(z.string()),
  nTrees: z.int().min(0),
  stopReason: z.enum(['nEstimators', 'earlyStopping']),
  bestIteration: z.int().min(0).optional(),
})

function readFitted(s: Readonly<Record<string, unknown>>): GBDTFitted {
  const features = readFeatures(s['features'])
  const ensemble = ensembleFromState(s['ensemble'])
  if (ensemble.nFeatures !== features.length)
    throw badState('ensemble.nFeatures', `expected ${features.length}`)
  const metric = s['metric']
  if (typeof metric !== 'string') throw badState('metric', 'expected a string')
  const dr = DiagnosticsSchema.safeParse(s['diagnostics'])
  if (!dr.success) throw badState('diagnostics', 'expected converged, nIter, warnings, nTrees')
  const d = dr.data
  const diagnostics: GBDTDiagnostics = {
    converged: d.converged,
    nIter: d.nIter,
    warnings: d.warnings,
    nTrees: d.nTrees,
    stopReason: d.stopReason,
    ...(d.bestIteration === undefined ? {} : { bestIteration: d.bestIteration }),
  }
  return {
    features,
    ensemble,
    metric,
    train: decodeF64(s['train'], 'train'),
    validation: s['validation'] === null ? undefined : decodeF64(s['validation'], 'validation'),
    diagnostics,
  }
}

/**
 * Rebuilds a {@link GBDTClassifierModel} from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadGBDTClassifier(state: ModelState): GBDTClassifierModel {
  checkState(state, GBDT_CLASSIFIER_KIND, [1])
  const p = parseParams(GBDT_CLASSIFIER_KIND, GBDTClassifierParamsSchema, state.params)
  const enc = readEncoding(state.state)
  const fitted = readFitted(state.state)
  const k = enc.classes.length
  if (k < 2) throw badState('classes', 'expected at least two classes')
  if (fitted.ensemble.nOutputs !== (k === 2 ? 1 : k))
    throw badState('ensemble.nOutputs', `expected ${k === 2 ? 1 : k} for ${k} classes`)
  return new GBDTClassifierModel(p, fitted, enc)
}

/**
 * Rebuilds a {@link GBDTRegressorModel} from its JSON state.
 *
 * @throws ValidationError if the state is malformed or of another kind or version.
 */
export function loadGBDTRegressor(state: ModelState): GBDTRegressorModel {
  checkState(state, GBDT_REGRESSOR_KIND, [1])
  const p = parseParams(GBDT_REGRESSOR_KIND, GBDTRegressorParamsSchema, state.params)
  const fitted = readFitted(state.state)
  if (fitted.ensemble.nOutputs !== 1) throw badState('ensemble.nOutputs', 'expected 1')
  return new GBDTRegressorModel(p, fitted)
}
