/**
 * The steps every linear regressor's `fit` shares: reading the inputs, the centered Gram
 * statistics, and the intercept.
 *
 * @internal
 */
import type { Column, Frame } from '../../../frame/index.js'
import {
  assertHasFeatures,
  assertMinRows,
  fitStep,
  regressionTarget,
  requireTarget,
} from '../../base/index.js'

import { crossProducts, type CrossProductsOptions } from './cross-products.js'
import {
  assertFiniteFeatures,
  assertNumericFeatures,
  readSampleWeight,
  type LinearFitOptions,
} from './design.js'

/** The validated inputs of a fit. */
export interface FitInput {
  /**
   * The target column as given: one numeric value per row, none missing. Its finiteness is
   * checked on the first read of {@link FitInput.y}, or through the sums by {@link gramProblem}.
   */
  readonly target: Column
  /** The target as f64, copied and checked for finiteness on first use. @throws ValidationError */
  readonly y: Float64Array
  /** Sample weights as given, or `undefined`. */
  readonly w: Float64Array | undefined
}

const NUMERIC_TARGET: ReadonlySet<string> = new Set(['f64', 'f32', 'i32', 'bool'])

/**
 * Checks the abort signal, then X (≥ 1 row and column, numeric, no missing values; finiteness
 * is checked later through the sums), y (present, numeric, no missing values; finiteness on
 * first use) and the sample weights.
 *
 * @throws CancelledError or ValidationError.
 */
export function readFitInput(
  X: Frame,
  y: Column | undefined,
  opts: LinearFitOptions | undefined,
  kind: string,
): FitInput {
  fitStep(opts, { stage: 'fit', step: 0 })
  assertMinRows(X, 1, kind)
  assertHasFeatures(X, kind)
  assertNumericFeatures(X, kind)
  const target = requireTarget(X, y, kind)
  // Throws the target's own error for a non-numeric dtype.
  if (!NUMERIC_TARGET.has(target.dtype)) regressionTarget(X, target, kind)
  const w = readSampleWeight(opts?.sampleWeight, X.nRows, kind)
  let f64: Float64Array | undefined
  return {
    target,
    get y() {
      return (f64 ??= regressionTarget(X, target, kind))
    },
    w,
  }
}

/** `XᵀX`, `Xᵀy`, `yᵀy` and the means of the centered (when fitting an intercept), weighted data. */
export interface GramProblem {
  readonly nFeatures: number
  /** The sum of the weights (the row count when unweighted). */
  readonly sumWeights: number
  /** `p × p` row-major. */
  readonly xtx: Float64Array
  readonly xty: Float64Array
  readonly yty: number
  readonly xMean: Float64Array
  readonly yMean: number
  readonly backend: 'wasm' | 'js'
}

/**
 * The {@link GramProblem} of `X` and `y` (an array, or the target column itself: it is then read
 * chunk by chunk, never copied whole) in one pass over the columns.
 *
 * @throws ValidationError if X or y holds NaN or ±Infinity (found through the sums).
 */
export function gramProblem(
  X: Frame,
  y: Float64Array | Column,
  w: Float64Array | undefined,
  center: boolean,
  kind: string,
  options: Pick<CrossProductsOptions, 'backend' | 'signal'> = {},
): GramProblem {
  const cp = crossProducts(X.columns, y, { ...options, weights: w, center })
  const p = cp.nFeatures
  const q = p + 1
  // NaN or ±Infinity anywhere in a column makes its diagonal entry (a sum of squares) non-finite;
  // X's columns come first, so a bad y is only blamed when X is clean.
  for (let j = 0; j < q; j++) {
    if (!Number.isFinite(cp.gram[j * q + j]!) || !Number.isFinite(cp.mean[j]!)) {
      if (j === p && !(y instanceof Float64Array)) regressionTarget(X, y, kind)
      assertFiniteFeatures(X, kind)
    }
  }
  const xtx = new Float64Array(p * p)
  const xty = new Float64Array(p)
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < p; c++) xtx[r * p + c] = cp.gram[r * q + c]!
    xty[r] = cp.gram[r * q + p]!
  }
  return {
    nFeatures: p,
    sumWeights: cp.sumWeights,
    xtx,
    xty,
    yty: cp.gram[p * q + p]!,
    xMean: cp.mean.slice(0, p),
    yMean: cp.mean[p]!,
    backend: cp.backend,
  }
}

/** sklearn's `_set_intercept`: `yMean − xMean·coef`, or 0 without an intercept. */
export function interceptOf(
  xMean: Float64Array,
  yMean: number,
  coef: Float64Array,
  fitIntercept: boolean,
): number {
  if (!fitIntercept) return 0
  let s = 0
  for (let j = 0; j < coef.length; j++) s += xMean[j]! * coef[j]!
  return yMean - s
}
