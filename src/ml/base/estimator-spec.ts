/**
 * Estimators as plain data and the duck-typed guards that tell an instance from its spec:
 * composites take either as a child, and model selection sends specs to worker threads.
 */
import type { Estimator } from './types.js'

/**
 * An estimator (or a sampler of ml/imbalance) as plain, structured-cloneable data: its kind
 * and its parameters (`{}` when left out).
 */
export interface EstimatorSpec {
  readonly kind: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** An instance built from a kind and parameters: what {@link hasSpec} recognises. */
export interface SpecInstance {
  readonly kind: string
  readonly params: object
}

function hasKindAndParams(v: unknown): v is SpecInstance & Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const e = v as Partial<Record<'kind' | 'params', unknown>>
  return typeof e.kind === 'string' && typeof e.params === 'object' && e.params !== null
}

/**
 * True for an estimator instance: a `kind` string, a `params` object and `fit` and
 * `withParams` functions. A spec (plain `{ kind, params }`) is not one.
 */
export function isEstimator(v: unknown): v is Estimator {
  return (
    hasKindAndParams(v) && typeof v['fit'] === 'function' && typeof v['withParams'] === 'function'
  )
}

/**
 * True for an instance that a spec can stand for: a `kind` string, a `params` object and a
 * `fit` (estimators) or `resample` (samplers of ml/imbalance) function. Its spec is
 * `{ kind, params }`; the kind's registry entry rebuilds it.
 */
export function hasSpec(v: unknown): v is SpecInstance {
  return (
    hasKindAndParams(v) && (typeof v['fit'] === 'function' || typeof v['resample'] === 'function')
  )
}

/** The parameters of an estimator (or sampler) as a plain record (every one's params are one). */
export function paramsOf(e: SpecInstance): Readonly<Record<string, unknown>> {
  return e.params as Readonly<Record<string, unknown>>
}
