/**
 * `learningCurve`: cross-validated scores as the training set grows.
 */
import { ValidationError, createRng, systemClock } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator } from '../base/index.js'

import { assertSomeSucceeded, assertTarget, type EvaluationOptions } from './cross-validate.js'
import { resolveFolds } from './cv.js'
import { withExecutor } from './executor.js'
import { scoringNames } from './scoring.js'
import type { Fold } from './splitter.js'
import { resolveJobs } from './worker-pool.js'

/** Options of {@link learningCurve}. */
export interface LearningCurveOptions extends Omit<EvaluationOptions, 'scoring'> {
  /**
   * Training-set sizes: all in (0, 1] as fractions of the largest training set (the first
   * fold's), or all whole numbers of rows. Duplicates after rounding are dropped.
   * @default [0.1, 0.325, 0.55, 0.775, 1] (numpy's `linspace(0.1, 1, 5)`)
   */
  readonly trainSizes?: readonly number[]
  /** One scorer name. @default 'score' */
  readonly scoring?: string
  /** Shuffle each fold's training rows before taking prefixes of them. @default false */
  readonly shuffle?: boolean
  /** The seed of that shuffle. @default 0 */
  readonly seed?: number
}

/** The result of {@link learningCurve}: `[size][fold]` score matrices as arrays of rows. */
export interface LearningCurve {
  /** The training-set sizes used, ascending and distinct. */
  readonly trainSizes: Int32Array
  /** `trainScores[i][k]`: the score on the training rows, size `i`, fold `k`. */
  readonly trainScores: readonly Float64Array[]
  readonly testScores: readonly Float64Array[]
  /** Seconds spent fitting, per size and fold. */
  readonly fitTimes: readonly Float64Array[]
  readonly scoreTimes: readonly Float64Array[]
}

// numpy's linspace(start, stop, num): i · step + start, the last point exactly `stop`.
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1)
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start))
}

/** sklearn's `_translate_train_sizes`. */
function absoluteSizes(sizes: readonly number[], nMax: number): Int32Array {
  const bad = (message: string): ValidationError =>
    new ValidationError(message, [{ path: ['trainSizes'], code: 'invalid_value', message }])
  if (sizes.length === 0) throw bad('trainSizes is empty')
  const fractions = sizes.every((s) => s <= 1)
  let abs: number[]
  if (fractions) {
    if (sizes.some((s) => !(s > 0))) throw bad('fractional train sizes must be in (0, 1]')
    abs = sizes.map((s) => Math.min(nMax, Math.max(1, Math.trunc(s * nMax))))
  } else {
    if (sizes.some((s) => !Number.isInteger(s) || s <= 0 || s > nMax))
      throw bad(`absolute train sizes must be whole numbers in [1, ${nMax}]`)
    abs = [...sizes]
  }
  return Int32Array.from(new Set(abs)).sort()
}

/**
 * Cross-validated training and test scores for growing training sets (sklearn's
 * `learning_curve`): for every fold and size, the estimator is fitted on the first `size`
 * training rows of the fold and scored on those rows and on the fold's test rows. The fits run
 * on the worker pool like a search.
 *
 * @throws ValidationError for bad sizes or options, or when every fit failed; CancelledError
 *   when `signal` fires.
 * @example
 * ```ts
 * const lc = await learningCurve(model, X, y, { trainSizes: [0.25, 0.5, 1], cv: 5, scoring: 'accuracy' })
 * lc.testScores[2] // the 5 fold scores with the full training folds
 * ```
 */
export async function learningCurve(
  estimator: Estimator,
  X: Frame,
  y: Column,
  options: LearningCurveOptions = {},
): Promise<LearningCurve> {
  const target = assertTarget(X, y)
  const scoring = scoringNames(options.scoring)
  let folds: readonly Fold[] = resolveFolds(options.cv, estimator, X, target, options.groups)
  if (options.shuffle === true) {
    const rng = createRng(options.seed ?? 0)
    folds = folds.map((f) => ({ train: rng.shuffle(Int32Array.from(f.train)), test: f.test }))
  }
  const sizes = absoluteSizes(options.trainSizes ?? linspace(0.1, 1, 5), folds[0]!.train.length)
  const jobs = folds.flatMap((_, k) => Array.from(sizes, (size) => ({ k, size })))
  let done = 0
  const results = await withExecutor(
    {
      X,
      y: target,
      folds,
      settings: { scoring, returnTrainScore: true, errorScore: options.errorScore ?? NaN },
      nJobs: resolveJobs(options.nJobs),
      maxParallel: jobs.length,
      signal: options.signal,
      clock: options.clock ?? systemClock,
    },
    (ex) =>
      Promise.all(
        jobs.map(async ({ k, size }) => {
          const r = await ex.trial(estimator, k, size)
          options.onProgress?.({
            stage: 'learning-curve',
            step: ++done,
            total: jobs.length,
            metrics: { fold: k, trainSize: size, test: r.test[0]!, train: r.train?.[0] ?? NaN },
          })
          return r
        }),
      ),
  )
  assertSomeSucceeded(results)
  const nFolds = folds.length
  const matrix = (pick: (i: number) => number): Float64Array[] =>
    Array.from(sizes, (_, s) =>
      Float64Array.from({ length: nFolds }, (_, k) => pick(k * sizes.length + s)),
    )
  return {
    trainSizes: sizes,
    trainScores: matrix((i) => results[i]!.train?.[0] ?? NaN),
    testScores: matrix((i) => results[i]!.test[0]!),
    fitTimes: matrix((i) => results[i]!.fitTime),
    scoreTimes: matrix((i) => results[i]!.scoreTime),
  }
}
