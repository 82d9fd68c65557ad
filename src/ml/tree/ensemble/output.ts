/**
 * From margins to predictions: the ensemble's link (sigmoid, softmax, exp or identity), and
 * prediction straight from a Frame for the estimator wrappers.
 */
import { ValidationError } from '../../../core/index.js'
import type { Frame } from '../../../frame/index.js'
import { toMatrix, toMatrix32 } from '../../base/index.js'

import { PARALLEL_MIN_ROWS, createPredictPool } from './pool.js'
import { predictRaw, predictRowInto, type FeatureRows } from './predict.js'

import type { TreeEnsemble } from './types.js'

/**
 * Applies the ensemble's link to `nRows` rows of margins (`nOutputs` per row): the logistic
 * function for `'sigmoid'`, a row-wise softmax (max-shifted) for `'softmax'`, `exp` for
 * `'exp'` (Poisson), a copy for `'identity'`. `out` may be `margins` itself. Returns `out`.
 */
export function applyLink(
  e: TreeEnsemble,
  margins: Float64Array,
  nRows: number,
  out: Float64Array,
): Float64Array {
  const K = e.nOutputs
  const n = nRows * K
  switch (e.link) {
    case 'identity':
      if (out !== margins) out.set(margins.subarray(0, n))
      break
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-margins[i]!))
      break
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(margins[i]!)
      break
    case 'softmax':
      for (let r = 0; r < nRows; r++) softmaxRow(margins, out, r * K, K)
      break
  }
  return out
}

function softmaxRow(m: Float64Array, out: Float64Array, o: number, K: number): void {
  let max = -Infinity
  for (let k = 0; k < K; k++) if (m[o + k]! > max) max = m[o + k]!
  let sum = 0
  for (let k = 0; k < K; k++) {
    const v = Math.exp(m[o + k]! - max)
    out[o + k] = v
    sum += v
  }
  for (let k = 0; k < K; k++) out[o + k] = out[o + k]! / sum
}

/**
 * Predictions of `nRows` rows through the link: probabilities for sigmoid (of the positive
 * class) and softmax (one per class), the mean for Poisson (`exp`), the value for identity.
 * Returns `out` (`nRows * nOutputs` values).
 */
export function predictOutput(
  e: TreeEnsemble,
  X: FeatureRows,
  nRows: number,
  out: Float64Array,
): Float64Array {
  predictRaw(e, X, nRows, out)
  return applyLink(e, out, nRows, out)
}

/** {@link predictOutput} for one row, allocating nothing. Returns `out`. */
export function predictRowOutputInto(
  e: TreeEnsemble,
  row: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  predictRowInto(e, row, out)
  return applyLink(e, out, 1, out)
}

/** Options of {@link predictFrame}. */
export interface PredictFrameOptions {
  /** `'raw'` for margins, `'response'` for predictions through the link. @default 'response' */
  readonly output?: 'raw' | 'response'
  /** The estimator kind, for error messages. */
  readonly kind?: string
  /**
   * Threads for large frames (the caller plus workers, see `createPredictPool`); results are
   * identical for any count. Frames under {@link PARALLEL_MIN_ROWS} rows use one thread.
   * @default 1
   */
  readonly nThreads?: number
}

/**
 * Predicts every row of `X`, whose columns are the ensemble's features in order (select them
 * by name first, e.g. with `selectFeatures`). Missing values (and NaN) follow each node's
 * missing direction; ±Infinity compare as numbers. Float32 models read the frame as float32.
 *
 * @returns `nRows * nOutputs` values, row-major.
 * @throws ValidationError if `X` has the wrong number of columns or non-numeric columns.
 */
export function predictFrame(
  e: TreeEnsemble,
  X: Frame,
  options: PredictFrameOptions = {},
): Float64Array {
  const kind = options.kind ?? 'this tree model'
  if (X.nColumns !== e.nFeatures) {
    throw new ValidationError(`${kind} needs ${e.nFeatures} feature columns`, [
      {
        path: ['X'],
        code: 'column_count',
        message: `expected ${e.nFeatures} columns, got ${X.nColumns}`,
      },
    ])
  }
  const opts = { allowMissing: true, allowNonFinite: true, kind }
  const m = e.precision === 'f32' ? toMatrix32(X, opts) : toMatrix(X, opts)
  const out = new Float64Array(X.nRows * e.nOutputs)
  const nThreads = options.nThreads ?? 1
  if (nThreads > 1 && X.nRows >= PARALLEL_MIN_ROWS) {
    const pool = createPredictPool(e, { nThreads })
    try {
      pool.predictRaw(m.data, X.nRows, out)
    } finally {
      pool.close()
    }
  } else {
    predictRaw(e, m.data, X.nRows, out)
  }
  return options.output === 'raw' ? out : applyLink(e, out, X.nRows, out)
}
