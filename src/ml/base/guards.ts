/**
 * Duck-typed capability checks on estimators and models, for code that takes any of them
 * (composites, scorers) and must know what a given one can do.
 */
import type { Classifier, Estimator, Model, TransformerEstimator } from './types.js'

/** True when `e` has a `fitTransform` method (every preprocessing estimator has one). */
export function isTransformerEstimator(e: Estimator): e is TransformerEstimator {
  return typeof (e as Partial<TransformerEstimator>).fitTransform === 'function'
}

/** True when `m` is a classifier: it has `predict`, `predictProba` and a `classes` array. */
export function isClassifierModel(m: Model): m is Classifier {
  const c = m as Partial<Record<keyof Classifier, unknown>>
  return (
    typeof c.predict === 'function' &&
    typeof c.predictProba === 'function' &&
    Array.isArray(c.classes)
  )
}
