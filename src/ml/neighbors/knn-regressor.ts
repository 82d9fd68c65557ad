/**
 * k-nearest-neighbours regression (scikit-learn's `KNeighborsRegressor`).
 */
import type { Column, Frame } from '../../frame/index.js'
import {
  badState,
  checkState,
  decodeF64,
  encodeArray,
  fitStep,
  parseParams,
  predictionColumn,
  regressionTarget,
  type Diagnostics,
  type Estimator,
  type FitOptions,
  type ModelState,
  type Predictor,
} from '../base/index.js'

import { fitIndex, loadIndex, neighborWeights, type FittedIndex } from './fitted-index.js'
import { KNeighborsParamsSchema, type KNeighborsParams } from './params.js'
import type { Neighbors } from './search.js'

const KIND = 'neighbors.knn-regressor'

/**
 * The k-nearest-neighbours regressor: a row gets the mean target of its `nNeighbors` nearest
 * training rows (the `1/distance`-weighted mean with `weights: 'distance'`).
 *
 * Fitting stores the training rows, so the fitted model (and its JSON state) grows with the
 * training set: `n × d` doubles plus the targets.
 *
 * @example
 * ```ts
 * const model = new KNeighborsRegressor({ nNeighbors: 10, weights: 'distance' }).fit(X, y)
 * model.predict(Xnew)
 * ```
 */
export class KNeighborsRegressor implements Estimator<KNeighborsParams, KNeighborsRegressorModel> {
  readonly kind = KIND
  constructor(readonly params: Readonly<KNeighborsParams> = {}) {}

  withParams(patch: Partial<KNeighborsParams>): KNeighborsRegressor {
    return new KNeighborsRegressor({ ...this.params, ...patch })
  }

  /**
   * Stores the training rows and targets and builds the search index.
   *
   * @throws ValidationError for invalid parameters, fewer than `nNeighbors` rows, a
   * non-numeric or non-finite target, or missing, non-finite or non-numeric features.
   */
  fit(X: Frame, y?: Column, opts?: FitOptions): KNeighborsRegressorModel {
    const p = parseParams(KIND, KNeighborsParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    const target = regressionTarget(X, y, KIND)
    return new KNeighborsRegressorModel(fitIndex(KIND, p, X), target)
  }
}

/** A fitted {@link KNeighborsRegressor}; holds the training rows and targets. */
export class KNeighborsRegressorModel implements Predictor {
  readonly kind = KIND
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics

  constructor(
    private readonly index: FittedIndex,
    /** The training targets. */
    private readonly y: Float64Array,
  ) {
    this.featureNames = index.featureNames
    this.diagnostics = index.diagnostics
  }

  /** The number of training rows the model holds. */
  get nSamplesFit(): number {
    return this.index.nSamplesFit
  }

  /**
   * The `k` nearest training rows of every row of `X` (default `nNeighbors`): distances and
   * training-row positions at `[i * k + j]`, nearest first, equal distances by training position.
   *
   * @throws ValidationError for a bad `X` or a `k` outside `[1, nSamplesFit]`.
   */
  kneighbors(X: Frame, k?: number): Neighbors {
    return this.index.kneighbors(X, k)
  }

  /** The (weighted) mean target of each row's neighbours. */
  predict(X: Frame): Column {
    const k = this.index.params.nNeighbors
    const nb = this.index.kneighbors(X, k)
    const m = nb.indices.length / k
    const w = neighborWeights(this.index.params.weights, nb.distances, m, k)
    const out = new Float64Array(m)
    for (let i = 0; i < m; i++) {
      const off = i * k
      if (w === undefined) {
        let s = 0
        for (let j = 0; j < k; j++) s += this.y[nb.indices[off + j]!]!
        out[i] = s / k
      } else {
        let num = 0
        let den = 0
        for (let j = 0; j < k; j++) {
          num += this.y[nb.indices[off + j]!]! * w[off + j]!
          den += w[off + j]!
        }
        out[i] = num / den
      }
    }
    return predictionColumn(out)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.index.params },
      state: { ...this.index.stateFields(), y: encodeArray(this.y) },
    }
  }
}

/** Rebuilds a {@link KNeighborsRegressorModel} from its JSON state. */
export function loadKNeighborsRegressor(state: ModelState): KNeighborsRegressorModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, KNeighborsParamsSchema, state.params)
  const index = loadIndex(KIND, p, state.state)
  const y = decodeF64(state.state.y, 'y')
  if (y.length !== index.nSamplesFit) throw badState('y', 'expected one target per row')
  return new KNeighborsRegressorModel(index, y)
}
