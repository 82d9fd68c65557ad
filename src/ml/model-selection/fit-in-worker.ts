/**
 * `fitInWorker`: one fit on a worker thread, so it can be cancelled mid-fit.
 */
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator, Model, Progress } from '../base/index.js'
import { loadModel } from '../registry.js'

import { serializeEstimator } from './estimator-spec.js'
import { withPool } from './worker-pool.js'

/** Options of {@link fitInWorker}. */
export interface FitInWorkerOptions {
  /** Terminates the worker, even in the middle of a fit; the promise rejects with `CancelledError`. */
  readonly signal?: AbortSignal
  /** Receives the fit's progress reports, forwarded from the worker. */
  readonly onProgress?: (p: Progress) => void
}

/**
 * Fits `estimator` on a worker thread and returns the model, rebuilt on the calling thread from
 * its `ModelState` through the registry (`loadModel`), so it predicts exactly as the model
 * fitted there.
 *
 * A fit is synchronous, so on the calling thread an `AbortSignal` is seen only at the fit's own
 * checks; here the signal terminates the worker at once. The frame is copied once into shared
 * memory; the estimator crosses as its `{ kind, params }` spec.
 *
 * @throws ValidationError from the fit (rebuilt with its issues), or when a parameter cannot
 *   cross threads; CancelledError when `signal` fires.
 * @example
 * ```ts
 * const controller = new AbortController()
 * const model = await fitInWorker(new LogisticRegression({ maxIter: 10_000 }), X, y, {
 *   signal: controller.signal,
 *   onProgress: (p) => console.log(p.stage, p.step),
 * })
 * ```
 */
export async function fitInWorker(
  estimator: Estimator,
  X: Frame,
  y?: Column,
  opts: FitInWorkerOptions = {},
): Promise<Model> {
  const spec = serializeEstimator(estimator)
  const state = await withPool(1, y === undefined ? { X } : { X, y }, opts.signal, (pool) =>
    pool.fit(spec, opts.onProgress),
  )
  return loadModel(state)
}
