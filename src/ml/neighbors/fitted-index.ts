/**
 * What the kNN classifier and regressor share: fitting the neighbour index from a frame,
 * querying it with a frame (`kneighbors`), distance weights, and the state fields.
 */
import { ValidationError } from '../../core/index.js'
import type { Frame } from '../../frame/index.js'
import {
  assertHasFeatures,
  assertMinRows,
  badState,
  captureFeatures,
  decodeF64,
  encodeArray,
  readFeatures,
  selectFeatures,
  type Diagnostics,
  type FeatureSpec,
} from '../base/index.js'

import { canShareMemory } from './kernels/alloc.js'
import { COSINE, EUCLIDEAN, MANHATTAN } from './kernels/metric.js'
import { queryParallel } from './parallel.js'
import type { KNeighborsResolved } from './params.js'
import { rowMatrix } from './row-matrix.js'
import {
  NeighborSearch,
  createSearchPlan,
  effectiveMetric,
  resolveAlgorithm,
  type Neighbors,
} from './search.js'

/** A fitted neighbour index: the training rows (row-major) and the search over them. */
export class FittedIndex {
  readonly search: NeighborSearch
  readonly diagnostics: Diagnostics
  readonly featureNames: readonly string[]

  constructor(
    readonly kind: string,
    readonly params: KNeighborsResolved,
    readonly features: readonly FeatureSpec[],
    /** The training rows, row-major `n × d` (the index keeps them; the caller must not change them). */
    rows: Float64Array,
  ) {
    const d = features.length
    const n = rows.length / d
    const metric = effectiveMetric(params.metric, params.p)
    const algorithm = resolveAlgorithm(params.algorithm, metric, n, d, params.nNeighbors)
    this.search = new NeighborSearch(
      createSearchPlan(rows, n, d, metric, params.p, algorithm, params.leafSize, canShareMemory()),
    )
    this.featureNames = features.map((f) => f.name)
    this.diagnostics = Object.freeze({
      converged: true,
      nIter: 0,
      warnings: Object.freeze([]),
      algorithm,
      effectiveMetric:
        metric === EUCLIDEAN
          ? 'euclidean'
          : metric === MANHATTAN
            ? 'manhattan'
            : metric === COSINE
              ? 'cosine'
              : 'minkowski',
    })
  }

  /** The number of training rows. */
  get nSamplesFit(): number {
    return this.search.n
  }

  /**
   * The `k` nearest training rows of every row of `X` (default `nNeighbors`), nearest first.
   *
   * @throws ValidationError if `X` lacks a fitted feature or has missing or non-finite values,
   * or `k` is not an integer in `[1, n]`.
   */
  kneighbors(X: Frame, k: number = this.params.nNeighbors): Neighbors {
    if (!Number.isInteger(k) || k < 1 || k > this.search.n) {
      throw new ValidationError(`k must be an integer in [1, ${this.search.n}]`, [
        {
          path: ['k'],
          code: 'out_of_range',
          message: `got ${k}; the model was fitted on ${this.search.n} row(s)`,
        },
      ])
    }
    const Xs = selectFeatures(X, this.features, this.kind)
    return queryParallel(this.search, rowMatrix(Xs, this.kind), Xs.nRows, k)
  }

  /** The state fields every kNN model writes. */
  stateFields(): Record<string, unknown> {
    return { features: this.features, X: encodeArray(this.search.rows) }
  }
}

/**
 * Fits the index: `X` must have at least one numeric feature column, at least `nNeighbors`
 * rows, and no missing or non-finite values.
 *
 * @throws ValidationError otherwise.
 */
export function fitIndex(kind: string, params: KNeighborsResolved, X: Frame): FittedIndex {
  assertMinRows(X, 1, kind)
  assertHasFeatures(X, kind)
  const rows = rowMatrix(X, kind, canShareMemory())
  const n = X.nRows
  if (params.nNeighbors > n) {
    throw new ValidationError(`${kind} needs nNeighbors ≤ the number of training rows (${n})`, [
      {
        path: ['params', 'nNeighbors'],
        code: 'too_big',
        message: `nNeighbors is ${params.nNeighbors} but X has ${n} row(s)`,
      },
    ])
  }
  return new FittedIndex(kind, params, captureFeatures(X), rows)
}

/**
 * Rebuilds the index from the state fields {@link FittedIndex.stateFields} wrote.
 *
 * @throws ValidationError if they are malformed.
 */
export function loadIndex(
  kind: string,
  params: KNeighborsResolved,
  state: Readonly<Record<string, unknown>>,
): FittedIndex {
  const features = readFeatures(state.features)
  const rows = decodeF64(state.X, 'X')
  const d = features.length
  if (d === 0 || rows.length === 0 || rows.length % d !== 0)
    throw badState('X', `expected n × ${d} training values`)
  if (params.nNeighbors > rows.length / d)
    throw badState('X', 'fewer training rows than nNeighbors')
  for (let i = 0; i < rows.length; i++)
    if (!Number.isFinite(rows[i])) throw badState('X', 'training values must be finite')
  return new FittedIndex(kind, params, features, rows)
}

/**
 * The neighbour weights of `distances` (`m × k`) under `weights`, or `undefined` for uniform.
 *
 * `distance` gives `1/d`, except that a row with some zero distances weighs those neighbours 1
 * and the others 0 (scikit-learn's `_get_weights`).
 */
export function neighborWeights(
  weights: 'uniform' | 'distance',
  distances: Float64Array,
  m: number,
  k: number,
): Float64Array | undefined {
  if (weights === 'uniform') return undefined
  const w = new Float64Array(m * k)
  for (let i = 0; i < m; i++) {
    const off = i * k
    let zero = false
    for (let j = 0; j < k; j++) if (distances[off + j] === 0) zero = true
    for (let j = 0; j < k; j++) {
      const dist = distances[off + j]!
      w[off + j] = zero ? (dist === 0 ? 1 : 0) : 1 / dist
    }
  }
  return w
}
