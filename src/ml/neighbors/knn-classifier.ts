/**
 * k-nearest-neighbours classification (scikit-learn's `KNeighborsClassifier`).
 */
import type { Column, Frame } from '../../frame/index.js'
import {
  assertMinClasses,
  badState,
  checkState,
  decodeClasses,
  decodeI32,
  encodeArray,
  encodeClasses,
  fitStep,
  parseParams,
  probabilityFrame,
  readEncoding,
  type ClassEncoding,
  type ClassLabel,
  type Classifier,
  type Diagnostics,
  type Estimator,
  type FitOptions,
  type ModelState,
} from '../base/index.js'

import { fitIndex, loadIndex, neighborWeights, type FittedIndex } from './fitted-index.js'
import { KNeighborsParamsSchema, type KNeighborsParams } from './params.js'
import type { Neighbors } from './search.js'

const KIND = 'neighbors.knn-classifier'

/**
 * The k-nearest-neighbours classifier: a row gets the class most of its `nNeighbors` nearest
 * training rows have (weighted by `1/distance` with `weights: 'distance'`).
 *
 * Fitting stores the training rows, so the fitted model (and its JSON state) grows with the
 * training set: `n × d` doubles plus the labels. Prediction costs `O(n·d)` per row with brute
 * force, much less with the KD-tree on few features.
 *
 * @example
 * ```ts
 * const model = new KNeighborsClassifier({ nNeighbors: 3 }).fit(X, y)
 * model.predictProba(Xnew)  // one column per class: the (weighted) vote shares
 * ```
 */
export class KNeighborsClassifier implements Estimator<
  KNeighborsParams,
  KNeighborsClassifierModel
> {
  readonly kind = KIND
  constructor(readonly params: Readonly<KNeighborsParams> = {}) {}

  withParams(patch: Partial<KNeighborsParams>): KNeighborsClassifier {
    return new KNeighborsClassifier({ ...this.params, ...patch })
  }

  /**
   * Stores the training rows and labels and builds the search index.
   *
   * @throws ValidationError for invalid parameters, fewer than `nNeighbors` rows, fewer than 2
   * classes, or missing, non-finite or non-numeric features.
   */
  fit(X: Frame, y?: Column, opts?: FitOptions): KNeighborsClassifierModel {
    const p = parseParams(KIND, KNeighborsParamsSchema, this.params)
    fitStep(opts, { stage: 'fit', step: 0, total: 1 })
    const target = encodeClasses(X, y, KIND)
    assertMinClasses(target, 2, KIND)
    const index = fitIndex(KIND, p, X)
    return new KNeighborsClassifierModel(
      index,
      { classes: target.classes, dtype: target.dtype },
      Int32Array.from(target.codes),
    )
  }
}

/** A fitted {@link KNeighborsClassifier}; holds the training rows and their class indices. */
export class KNeighborsClassifierModel implements Classifier {
  readonly kind = KIND
  readonly classes: readonly ClassLabel[]
  readonly featureNames: readonly string[]
  readonly diagnostics: Diagnostics

  constructor(
    private readonly index: FittedIndex,
    private readonly enc: ClassEncoding,
    /** The class index of every training row. */
    private readonly codes: Int32Array,
  ) {
    this.classes = enc.classes
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

  /** Per row and class, the (weighted) votes; `m × nClasses`, not normalised. */
  private votes(X: Frame): { votes: Float64Array; m: number } {
    const k = this.index.params.nNeighbors
    const nb = this.index.kneighbors(X, k)
    const m = nb.indices.length / k
    const w = neighborWeights(this.index.params.weights, nb.distances, m, k)
    const nc = this.classes.length
    const votes = new Float64Array(m * nc)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        const c = this.codes[nb.indices[i * k + j]!]!
        votes[i * nc + c]! += w === undefined ? 1 : w[i * k + j]!
      }
    }
    return { votes, m }
  }

  /**
   * The class with the most (weighted) votes; a tie goes to the first class in `classes`
   * (scikit-learn's `mode`/`weighted_mode`).
   */
  predict(X: Frame): Column {
    const { votes, m } = this.votes(X)
    const nc = this.classes.length
    const codes = new Int32Array(m)
    for (let i = 0; i < m; i++) {
      let best = 0
      for (let c = 1; c < nc; c++) if (votes[i * nc + c]! > votes[i * nc + best]!) best = c
      codes[i] = best
    }
    return decodeClasses(codes, this.enc)
  }

  /**
   * The vote shares: per class, the summed weights of the neighbours in it over the summed
   * weights of all `nNeighbors` (a row whose weights sum to 0 stays all zeros, like scikit-learn).
   */
  predictProba(X: Frame): Frame {
    const { votes, m } = this.votes(X)
    const nc = this.classes.length
    for (let i = 0; i < m; i++) {
      let s = 0
      for (let c = 0; c < nc; c++) s += votes[i * nc + c]!
      if (s === 0) s = 1
      for (let c = 0; c < nc; c++) votes[i * nc + c]! /= s
    }
    return probabilityFrame(votes, m, this.classes)
  }

  toJSON(): ModelState {
    return {
      kind: KIND,
      version: 1,
      params: { ...this.index.params },
      state: {
        ...this.index.stateFields(),
        classes: this.classes,
        dtype: this.enc.dtype,
        y: encodeArray(this.codes),
      },
    }
  }
}

/** Rebuilds a {@link KNeighborsClassifierModel} from its JSON state. */
export function loadKNeighborsClassifier(state: ModelState): KNeighborsClassifierModel {
  checkState(state, KIND, [1])
  const p = parseParams(KIND, KNeighborsParamsSchema, state.params)
  const s = state.state
  const index = loadIndex(KIND, p, s)
  const enc = readEncoding(s)
  const codes = decodeI32(s.y, 'y')
  if (codes.length !== index.nSamplesFit) throw badState('y', 'expected one label per row')
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!
    if (c < 0 || c >= enc.classes.length) throw badState('y', 'class index out of range')
  }
  return new KNeighborsClassifierModel(index, enc, codes)
}
