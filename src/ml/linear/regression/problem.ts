/**
 * The steps every linear regressor's `fit` shares: reading the inputs, the centered Gram
 * statistics, and the intercept.
 *
 * @internal
 */
import type { Column, Frame } from '../../../frame/index.js'
import { assertHasFeatures, assertMinRows, fitStep, regressionTarget } from '../../base/index.js'

import { crossProducts, type CrossProductsOptions } from './cross-products.js'
import {
  assertFiniteFeatures,
  assertNumericFeatures,
  readSampleWeight,
  type LinearFitOptions,
} from './design.js'

/** The validated inputs of a fit. */
export interface FitInput {
  readonly y: Float64Array
  /** Sample weights as given, or `undefined`. */
  readonly w: Float64Array | undefined
}

/**
 * Checks the abort signal, then X (≥ 1 row and column, numeric, no missing values; finiteness
 * is checked later through the sums), y and the sample weights.
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
  const target = regressionTarget(X, y, kind)
  return { y: target, w: readSampleWeight(opts?.sampleWeight, X.nRows, kind) }
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
 * The {@link GramProblem} of `X` and `y` in one pass over the columns.
 *
 * @throws ValidationError if X holds NaN or ±Infinity (found through the sums).
 */
export function gramProblem(
  X: Frame,
  y: Float64Array,
  w: Float64Array | undefined,
  center: boolean,
  kind: string,
  options: Pick<CrossProductsOptions, 'backend' | 'signal'> = {},
): GramProblem {
  const cp = crossProducts(X.columns, y, { ...options, weights: w, center })
  const p = cp.nFeatures
  const q = p + 1
  // NaN or ±Infinity anywhere in a column makes its diagonal entry (a sum of squares) non-finite.
  for (let j = 0; j < q; j++) {
    if (!Number.isFinite(cp.gram[j * q + j]!) || !Number.isFinite(cp.mean[j]!))
      assertFiniteFeatures(X, kind)
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
