/**
 * Imported XGBoost models as Plinth models (`tree.xgboost`): a {@link Predictor} for
 * `reg:squarederror`, a {@link Classifier} for `binary:logistic` and `multi:softprob`. They
 * predict with the shared tree kernels and save and load like every other model.
 */
import { z } from 'zod'

import { PlatformError } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  badState,
  checkState,
  closedForm,
  decodeClasses,
  predictionColumn,
  probabilityFrame,
  readFeatures,
  selectFeatures,
  type ClassLabel,
  type Classifier,
  type Diagnostics,
  type Estimator,
  type EstimatorEntry,
  type FeatureSpec,
  type ModelState,
  type Predictor,
} from '../../base/index.js'
import {
  ensembleFromState,
  ensembleToState,
  featureImportance,
  predictFrame,
  type ImportanceType,
  type TreeEnsemble,
} from '../ensemble/index.js'

import { XGBOOST_OBJECTIVES, convertXGBoost, type XGBoostObjective } from './convert.js'

const KIND = 'tree.xgboost'
const VERSION = 1

/** What both imported model classes share. */
abstract class XGBoostModelBase {
  readonly kind = KIND
  readonly diagnostics: Diagnostics
  readonly featureNames: readonly string[]
  constructor(
    /** The XGBoost objective the model was trained with. */
    readonly objective: XGBoostObjective,
    /** The trees, for the kernels (`predictRowInto` in serving) and export. */
    readonly ensemble: TreeEnsemble,
    protected readonly features: readonly FeatureSpec[],
    /** XGBoost's `version` array of the imported file (`[1, 7, 4]`), when it had one. */
    readonly xgboostVersion: readonly number[],
  ) {
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = {
      ...closedForm(),
      nTrees: ensemble.trees.length,
      importedFrom: `xgboost ${xgboostVersion.join('.')}`.trim(),
    }
  }

  /** Margins (XGBoost's `output_margin=True`): `nRows * nOutputs` values, row-major. */
  predictMargin(X: Frame): Float64Array {
    return predictFrame(this.ensemble, selectFeatures(X, this.features, KIND), {
      output: 'raw',
      kind: KIND,
    })
  }

  /** Importance of each feature, in `featureNames` order (XGBoost's `get_score` types). */
  featureImportance(type: ImportanceType = 'gain'): Float64Array {
    return featureImportance(this.ensemble, type)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: VERSION,
      params: {},
      state: {
        objective: this.objective,
        features: this.features,
        xgboostVersion: [...this.xgboostVersion],
        ensemble: ensembleToState(this.ensemble),
      },
    }
  }

  protected response(X: Frame): Float64Array {
    return predictFrame(this.ensemble, selectFeatures(X, this.features, KIND), { kind: KIND })
  }
}

/** An imported `reg:squarederror` model. */
export class XGBoostRegressorModel extends XGBoostModelBase implements Predictor {
  /** One prediction per row, equal to XGBoost's `predict` to float32 precision. */
  predict(X: Frame): Column {
    return predictionColumn(this.response(X))
  }
}

/** An imported `binary:logistic` or `multi:softprob` model; classes are 0 … K-1 as in XGBoost. */
export class XGBoostClassifierModel extends XGBoostModelBase implements Classifier {
  readonly classes: readonly ClassLabel[]
  constructor(
    objective: XGBoostObjective,
    ensemble: TreeEnsemble,
    features: readonly FeatureSpec[],
    xgboostVersion: readonly number[],
  ) {
    super(objective, ensemble, features, xgboostVersion)
    const k = objective === 'binary:logistic' ? 2 : ensemble.nOutputs
    this.classes = Object.freeze(Array.from({ length: k }, (_, c) => c))
  }

  /** One column per class (`"0"`, `"1"`, …), rows summing to 1. */
  predictProba(X: Frame): Frame {
    const p = this.response(X)
    const n = X.nRows
    if (this.objective !== 'binary:logistic') return probabilityFrame(p, n, this.classes)
    const two = new Float64Array(n * 2)
    for (let i = 0; i < n; i++) {
      two[2 * i] = 1 - p[i]!
      two[2 * i + 1] = p[i]!
    }
    return probabilityFrame(two, n, this.classes)
  }

  /** The most probable class (binary: 1 when p > 0.5, as XGBoost's scikit-learn wrapper). */
  predict(X: Frame): Column {
    const p = this.response(X)
    const n = X.nRows
    const codes = new Int32Array(n)
    const K = this.ensemble.nOutputs
    for (let i = 0; i < n; i++) {
      if (K === 1) codes[i] = p[i]! > 0.5 ? 1 : 0
      else {
        let best = 0
        for (let k = 1; k < K; k++) if (p[i * K + k]! > p[i * K + best]!) best = k
        codes[i] = best
      }
    }
    return decodeClasses(codes, { classes: this.classes, dtype: 'i32' })
  }
}

/** A model imported from XGBoost. */
export type XGBoostModel = XGBoostRegressorModel | XGBoostClassifierModel

function makeModel(
  objective: XGBoostObjective,
  ensemble: TreeEnsemble,
  features: readonly FeatureSpec[],
  version: readonly number[],
): XGBoostModel {
  return objective === 'reg:squarederror'
    ? new XGBoostRegressorModel(objective, ensemble, features, version)
    : new XGBoostClassifierModel(objective, ensemble, features, version)
}

/**
 * Imports an XGBoost gbtree model saved as JSON (`booster.save_model('m.json')`, XGBoost 1.x)
 * for `reg:squarederror` (a {@link Predictor}), `binary:logistic` or `multi:softprob` (a
 * {@link Classifier} with classes 0 … K-1). Predictions equal XGBoost's: float32 features and
 * thresholds, missing values along each node's default direction, the margin summed in float32
 * from `base_score` (through logit for `binary:logistic`). Features are named from the model's
 * `feature_names`, else `f0`, `f1`, … like XGBoost; predict selects them from a Frame by name.
 *
 * @throws ValidationError naming the malformed field, or saying which booster or objective is
 *   not supported (dart, gblinear; objectives other than the three above; categorical splits).
 * @example
 * ```ts
 * const model = importXGBoostModel(readFileSync('m.json', 'utf8'))
 * const margins = model.predictMargin(X)   // = bst.predict(DMatrix(X), output_margin=True)
 * ```
 */
export function importXGBoostModel(json: string | object): XGBoostModel {
  const c = convertXGBoost(json)
  const features = c.featureNames.map((name): FeatureSpec => ({ name, dtype: 'f64' }))
  return makeModel(c.objective, c.ensemble, Object.freeze(features), c.xgboostVersion)
}

const StateSchema = z.object({
  objective: z.enum(XGBOOST_OBJECTIVES),
  xgboostVersion: z.array(z.int()),
})

/**
 * Rebuilds an imported model from its {@link ModelState}.
 *
 * @throws ValidationError for a malformed state.
 */
export function loadXGBoostModel(state: ModelState): XGBoostModel {
  checkState(state, KIND, [VERSION])
  const s = state.state
  const meta = StateSchema.safeParse(s)
  if (!meta.success) {
    const first = meta.error.issues[0]
    throw badState(first?.path.join('.') ?? '', first?.message ?? 'malformed')
  }
  const features = readFeatures(s['features'])
  const ensemble = ensembleFromState(s['ensemble'])
  if (features.length !== ensemble.nFeatures)
    throw badState('features', `expected ${ensemble.nFeatures} features, got ${features.length}`)
  const wantOutputs = meta.data.objective === 'multi:softprob' ? undefined : 1
  if (wantOutputs !== undefined && ensemble.nOutputs !== wantOutputs)
    throw badState('ensemble.nOutputs', `${meta.data.objective} has one output`)
  return makeModel(meta.data.objective, ensemble, features, meta.data.xgboostVersion)
}

/**
 * The estimator behind the `tree.xgboost` registry entry. Imported models are not trained in
 * Plinth: `fit` always throws, pointing at {@link importXGBoostModel}.
 */
export class XGBoostImported implements Estimator<Record<string, never>, XGBoostModel> {
  readonly kind = KIND
  readonly params: Readonly<Record<string, never>> = {}
  withParams(): XGBoostImported {
    return new XGBoostImported()
  }
  fit(): XGBoostModel {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      `${KIND} models are imported from XGBoost (importXGBoostModel), not trained; train with tree.gbdt instead`,
      { kind: KIND },
    )
  }
}

/** The registry entry of imported XGBoost models. */
export const XGBOOST_ENTRY: EstimatorEntry = {
  kind: KIND,
  // Imported models may be regressors or classifiers; the entry exists so saved models load.
  task: 'regression',
  summary: 'An XGBoost gbtree model imported from its JSON file (predicts only; not trainable)',
  create: () => new XGBoostImported(),
  load: loadXGBoostModel,
}
