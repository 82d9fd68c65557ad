/**
 * One trial: fit an estimator on the training rows of a fold and score it. The same function
 * runs on the calling thread and inside the workers, so both give identical results.
 */
import { CancelledError, ValidationError, type Clock } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator, FitOptions, Model } from '../base/index.js'

import { scorerOf } from './scoring.js'
import type { Fold } from './splitter.js'
import { takeColumn } from './train-test-split.js'

/** What a trial computes besides the fit. */
export interface TrialSettings {
  /** Scorer names (validated), in result order. */
  readonly scoring: readonly string[]
  readonly returnTrainScore: boolean
  /** The score recorded when the fit or scoring fails, or `'raise'` to fail instead. */
  readonly errorScore: number | 'raise'
}

/** The outcome of one trial. */
export interface TrialResult {
  /** One score per scorer, in `scoring` order. */
  readonly test: Float64Array
  /** Present when `returnTrainScore`. */
  readonly train?: Float64Array
  /** Seconds spent fitting (sklearn's `fit_time`). */
  readonly fitTime: number
  /** Seconds spent scoring the test (and training) rows. */
  readonly scoreTime: number
  /** Set when the fit or a scorer failed and `errorScore` stood in: the error message. */
  readonly error?: string
}

/** Train rows limited to the first `trainSize` (learning curves). */
export interface TrialFold extends Fold {
  readonly trainSize?: number
}

/**
 * Fits `estimator` on the fold's training rows and scores the fitted model on the test rows
 * (and training rows when asked).
 *
 * @throws CancelledError when the signal fired; any error when `errorScore` is `'raise'`.
 */
export function runTrial(
  estimator: Estimator,
  X: Frame,
  y: Column,
  fold: TrialFold,
  settings: TrialSettings,
  clock: Pick<Clock, 'monotonic'>,
  fitOptions: FitOptions = {},
): TrialResult {
  const train = fold.trainSize === undefined ? fold.train : fold.train.subarray(0, fold.trainSize)
  const nScores = settings.scoring.length
  const t0 = clock.monotonic()
  let model: Model
  try {
    model = estimator.fit(X.take(train), takeColumn(y, train), fitOptions)
  } catch (err) {
    const fitTime = (clock.monotonic() - t0) / 1000
    return failed(err, settings, nScores, fitTime, 0)
  }
  const t1 = clock.monotonic()
  const fitTime = (t1 - t0) / 1000
  try {
    const test = score(model, X.take(fold.test), takeColumn(y, fold.test), settings.scoring)
    const trainScores = settings.returnTrainScore
      ? score(model, X.take(train), takeColumn(y, train), settings.scoring)
      : undefined
    const scoreTime = (clock.monotonic() - t1) / 1000
    return trainScores === undefined
      ? { test, fitTime, scoreTime }
      : { test, train: trainScores, fitTime, scoreTime }
  } catch (err) {
    return failed(err, settings, nScores, fitTime, (clock.monotonic() - t1) / 1000)
  }
}

function score(model: Model, X: Frame, y: Column, names: readonly string[]): Float64Array {
  const out = new Float64Array(names.length)
  names.forEach((n, i) => (out[i] = scorerOf(n)(model, X, y)))
  return out
}

/** An error as one line: name, message and, for a `ValidationError`, each issue's path and text. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const issues =
    err instanceof ValidationError && err.issues.length > 0
      ? ` (${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`
      : ''
  return `${err.name}: ${err.message}${issues}`
}

function failed(
  err: unknown,
  settings: TrialSettings,
  nScores: number,
  fitTime: number,
  scoreTime: number,
): TrialResult {
  if (err instanceof CancelledError || settings.errorScore === 'raise') throw err
  const fill = new Float64Array(nScores).fill(settings.errorScore)
  const error = describeError(err)
  return settings.returnTrainScore
    ? { test: fill, train: Float64Array.from(fill), fitTime, scoreTime, error }
    : { test: fill, fitTime, scoreTime, error }
}
