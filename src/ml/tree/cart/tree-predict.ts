/**
 * Prediction helpers shared by the CART and forest models: class probabilities and values from
 * the ensemble kernels, and the arg-max of probabilities.
 *
 * @internal
 */
import type { Frame } from '../../../frame/index.js'
import { selectFeatures, type FeatureSpec } from '../../base/index.js'
import { predictFrame, type TreeEnsemble } from '../ensemble/index.js'

/**
 * The ensemble's outputs for the rows of `X` (`n × nOutputs`, row-major): the mean of the trees'
 * leaf class distributions for a classifier, the mean of their values for a regressor.
 *
 * @throws ValidationError if `X` lacks a fitted feature or has a non-numeric one.
 */
export function ensembleOutputs(
  e: TreeEnsemble,
  X: Frame,
  features: readonly FeatureSpec[],
  kind: string,
): Float64Array {
  return predictFrame(e, selectFeatures(X, features, kind), { kind })
}

/** The first class of largest probability in each row (scikit-learn's `argmax`). */
export function argmaxRows(proba: Float64Array, n: number, k: number): Int32Array {
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let bv = proba[i * k]!
    for (let c = 1; c < k; c++) {
      const v = proba[i * k + c]!
      if (v > bv) {
        bv = v
        best = c
      }
    }
    codes[i] = best
  }
  return codes
}
