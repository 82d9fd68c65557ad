/**
 * Input handling shared by the linear regressors: feature checks that do not copy X, sample
 * weights, and the centered column-major design matrix for the solvers that iterate over X.
 *
 * @internal
 */
import { ValidationError } from '../../../core/index.js'
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertNumericFeatures as assertNumericColumns,
  dtypeFamily,
  type FitOptions,
} from '../../base/index.js'

/** Sample weights: one finite value ≥ 0 per row, not all 0 (sklearn's `sample_weight`). */
export type SampleWeight = Float64Array | Float32Array | readonly number[] | Column

/** Options of the linear regressors' `fit`. */
export interface LinearFitOptions extends FitOptions {
  /**
   * A weight per row (sklearn's `sample_weight`): the loss becomes `Σ wᵢ (yᵢ − ŷᵢ)²` and the
   * intercept uses weighted means. Ridge and OLS use the weights as given; lasso and elastic net
   * rescale them to sum to the row count first, as sklearn does (so `alpha` keeps its meaning).
   */
  readonly sampleWeight?: SampleWeight
}

/**
 * Checks that every column of `X` is numeric and has no missing values, without reading the
 * values (see {@link assertFiniteFeatures} for those).
 *
 * @throws ValidationError with one issue per bad column.
 */
export function assertNumericFeatures(X: Frame, kind: string): void {
  assertNumericColumns(X, { kind, allowNonFinite: true })
}

/**
 * Scans the values of the numeric columns of `X` for NaN and ±Infinity. Call it when a result
 * computed from X came out non-finite, to name the culprit: fits and predictions read X once and
 * only pay for this scan on bad input.
 *
 * @throws ValidationError naming each column with non-finite values, or, when every value is
 *   finite, reporting that the values are too large to compute with.
 */
export function assertFiniteFeatures(X: Frame, kind: string): never {
  assertNumericColumns(X, { kind })
  throw new ValidationError(`${kind}: the feature values are too large (the sums overflow)`, [
    {
      path: ['X'],
      code: 'overflow',
      message: 'rescale the features (e.g. preprocessing.standard-scaler)',
    },
  ])
}

/**
 * Reads sample weights for `n` rows into a new `Float64Array`, or `undefined` when absent.
 *
 * @throws ValidationError (path `sampleWeight`) for a wrong length, a non-finite or negative
 *   weight, or weights that are all 0.
 */
export function readSampleWeight(
  sw: SampleWeight | undefined,
  n: number,
  kind: string,
): Float64Array | undefined {
  if (sw === undefined) return undefined
  const bad = (message: string): ValidationError =>
    new ValidationError(`invalid sample weights for ${kind}: ${message}`, [
      { path: ['sampleWeight'], code: 'invalid_value', message },
    ])
  let values: ArrayLike<number>
  if (isColumn(sw)) {
    if (dtypeFamily(sw.dtype) !== 'numeric')
      throw bad(`a numeric column is needed, got ${sw.dtype}`)
    if (sw.validity !== undefined && sw.validity.includes(0))
      throw bad('the weights have missing values')
    values = sw.values as ArrayLike<number>
  } else {
    values = sw
  }
  if (values.length !== n) throw bad(`expected ${n} weights (one per row), got ${values.length}`)
  const w = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    const v = Number(values[i])
    if (!Number.isFinite(v) || v < 0)
      throw bad(`weight ${i} is ${v}; weights must be finite and ≥ 0`)
    w[i] = v
    total += v
  }
  if (!(total > 0)) throw bad('the weights sum to 0')
  return w
}

function isColumn(sw: SampleWeight): sw is Column {
  return !ArrayBuffer.isView(sw) && !Array.isArray(sw)
}

/** A centered, weighted, column-major copy of X and y (sklearn's `_preprocess_data` + `_rescale_data`). */
export interface DesignMatrix {
  readonly nRows: number
  readonly nCols: number
  /** `data[j * nRows + i] = √wᵢ (xᵢⱼ − xMeanⱼ)`. */
  readonly data: Float64Array
  /** `√wᵢ (yᵢ − yMean)`. */
  readonly y: Float64Array
  readonly xMean: Float64Array
  readonly yMean: number
}

/**
 * Builds the {@link DesignMatrix} of numeric `X` (checked by the caller) and finite `y`. Means
 * are weighted; with `center` false they are 0 and the data is only scaled.
 *
 * @throws ValidationError if X holds NaN or ±Infinity.
 */
export function designMatrix(
  X: Frame,
  y: Float64Array,
  w: Float64Array | undefined,
  center: boolean,
  kind: string,
): DesignMatrix {
  const n = X.nRows
  const p = X.nColumns
  const data = new Float64Array(n * p)
  const xMean = new Float64Array(p)
  let sumW = n
  if (w !== undefined) {
    sumW = 0
    for (let i = 0; i < n; i++) sumW += w[i]!
  }
  const sqrtW = w === undefined ? undefined : w.map(Math.sqrt)
  const fill = (v: ArrayLike<number>, out: Float64Array, off: number): number => {
    let m = 0
    if (center) {
      let s = 0
      if (w === undefined) for (let i = 0; i < n; i++) s += v[i]!
      else for (let i = 0; i < n; i++) s += w[i]! * v[i]!
      m = s / sumW
    }
    if (sqrtW === undefined) for (let i = 0; i < n; i++) out[off + i] = v[i]! - m
    else for (let i = 0; i < n; i++) out[off + i] = (v[i]! - m) * sqrtW[i]!
    return m
  }
  let ss = 0
  X.columns.forEach((col, j) => {
    xMean[j] = fill(col.values as ArrayLike<number>, data, j * n)
    for (let i = 0, c = j * n; i < n; i++) ss += data[c + i]! * data[c + i]!
  })
  // NaN or ±Infinity anywhere (even at a zero weight: 0·∞ is NaN) makes the sum non-finite.
  if (!Number.isFinite(ss)) assertFiniteFeatures(X, kind)
  const yc = new Float64Array(n)
  const yMean = fill(y, yc, 0)
  return { nRows: n, nCols: p, data, y: yc, xMean, yMean }
}
