/**
 * Where trials run: on the calling thread (`nJobs: 1`) or on a worker pool. Both run the same
 * {@link runTrial} on the same rows, so their results are identical.
 */
import { throwIfAborted, type Clock } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator, EstimatorSpec, Model, Progress } from '../base/index.js'
import { loadModel } from '../registry.js'

import { serializeEstimator } from './estimator-spec.js'
import type { Fold } from './splitter.js'
import { runTrial, type TrialResult, type TrialSettings } from './trial.js'
import { withPool } from './worker-pool.js'

/** Runs trials and fits for one cross-validation, search or learning curve. */
export interface TrialExecutor {
  /** Fits on fold `fold` (its first `trainSize` training rows, if given) and scores. */
  trial(estimator: Estimator, fold: number, trainSize?: number): Promise<TrialResult>
  /** Fits on all rows. */
  fit(estimator: Estimator, onProgress?: (p: Progress) => void): Promise<Model>
}

/** What an executor needs. */
export interface ExecutorConfig {
  readonly X: Frame
  readonly y: Column
  readonly folds: readonly Fold[]
  readonly settings: TrialSettings
  /** Worker threads; 1 runs everything on the calling thread. */
  readonly nJobs: number
  /** The most trials that can run at once (no point in more workers). */
  readonly maxParallel: number
  readonly signal: AbortSignal | undefined
  readonly clock: Pick<Clock, 'monotonic'>
}

// Lets timers and abort listeners run between in-process trials.
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Runs `work` with an executor for `config`, stopping any workers afterwards. */
export async function withExecutor<T>(
  config: ExecutorConfig,
  work: (ex: TrialExecutor) => Promise<T>,
): Promise<T> {
  const { X, y, folds, settings, signal, clock } = config
  if (config.nJobs <= 1) {
    return work({
      async trial(estimator, fold, trainSize) {
        await yieldToEventLoop()
        throwIfAborted(signal)
        const f = folds[fold]!
        return runTrial(
          estimator,
          X,
          y,
          trainSize === undefined ? f : { ...f, trainSize },
          settings,
          clock,
          {
            ...(signal === undefined ? {} : { signal }),
          },
        )
      },
      async fit(estimator, onProgress) {
        await yieldToEventLoop()
        throwIfAborted(signal)
        return estimator.fit(X, y, {
          ...(signal === undefined ? {} : { signal }),
          ...(onProgress === undefined ? {} : { onProgress }),
        })
      },
    })
  }
  const specs = new WeakMap<Estimator, EstimatorSpec>()
  const specOf = (e: Estimator): EstimatorSpec => {
    let s = specs.get(e)
    if (s === undefined) {
      s = serializeEstimator(e)
      specs.set(e, s)
    }
    return s
  }
  const size = Math.min(config.nJobs, Math.max(1, config.maxParallel))
  return withPool(size, { X, y, folds }, signal, (pool) =>
    work({
      trial: (estimator, fold, trainSize) =>
        pool.trial(specOf(estimator), fold, settings, trainSize),
      fit: async (estimator, onProgress) =>
        loadModel(await pool.fit(specOf(estimator), onProgress)),
    }),
  )
}
