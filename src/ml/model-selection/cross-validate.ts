/**
 * `crossValidate` and `crossValScore`: an estimator's scores over cross-validation folds.
 */
import { ValidationError, systemClock, type Clock } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator, Progress } from '../base/index.js'

import { mean, resolveFolds, std, type CvOption } from './cv.js'
import { withExecutor } from './executor.js'
import { scoringNames, type Scoring } from './scoring.js'
import type { Fold } from './splitter.js'
import type { TrialResult } from './trial.js'
import { resolveJobs } from './worker-pool.js'

/** Options shared by cross-validation, the searches and learning curves. */
export interface EvaluationOptions {
  /** Folds: a count, a splitter or explicit folds. @default 5 (stratified for classifiers) */
  readonly cv?: CvOption
  /**
   * Scorer names (`'accuracy'`, `'roc_auc'`, `'neg_log_loss'`, `'r2'`, …), higher is better.
   * @default 'score' (accuracy for classifiers, R² for regressors)
   */
  readonly scoring?: Scoring
  /** Group labels for grouped splitters. */
  readonly groups?: Column
  /**
   * The score recorded for a fold whose fit or scoring throws (with the error kept in the
   * result), or `'raise'` to fail at once. Cancellation always fails. @default NaN
   */
  readonly errorScore?: number | 'raise'
  /**
   * Worker threads. With more than 1 the trials run in parallel on a pool of worker threads
   * and a fired `signal` stops them mid-fit; with 1 they run one after another on the calling
   * thread, where a fit sees the signal only at its own checks; -1 uses every core.
   * @default min(2, availableParallelism())
   */
  readonly nJobs?: number
  /** Cancels the work: workers are terminated and the promise rejects with `CancelledError`. */
  readonly signal?: AbortSignal
  /** Called after every finished trial (fold fit), in completion order. */
  readonly onProgress?: (p: Progress) => void
  /** The clock for fit and score times (on the calling thread). @default systemClock */
  readonly clock?: Pick<Clock, 'monotonic'>
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends EvaluationOptions {
  /** Also score each fold's training rows. @default false */
  readonly returnTrainScore?: boolean
}

/** Mean and standard deviation (`np.std`, ddof 0) of per-fold scores. */
export interface ScoreSummary {
  readonly mean: number
  readonly std: number
}

/** The result of {@link crossValidate} (sklearn's `cross_validate` dictionary). */
export interface CrossValidateResult {
  /** The scorer names, in the order given. */
  readonly scoring: readonly string[]
  /** The folds used. */
  readonly folds: readonly Fold[]
  /** Seconds per fold spent fitting. */
  readonly fitTime: Float64Array
  /** Seconds per fold spent scoring. */
  readonly scoreTime: Float64Array
  /** Per scorer, the test score of each fold. */
  readonly testScores: Readonly<Record<string, Float64Array>>
  /** Per scorer, the training score of each fold (with `returnTrainScore`). */
  readonly trainScores?: Readonly<Record<string, Float64Array>>
  /** Per scorer, the mean and spread of the test (and training) scores. */
  readonly summary: Readonly<
    Record<string, { readonly test: ScoreSummary; readonly train?: ScoreSummary }>
  >
  /** Folds whose fit or scoring failed (their scores are `errorScore`). */
  readonly errors: readonly { readonly fold: number; readonly message: string }[]
}

/** Checks `y` against `X`. */
export function assertTarget(X: Frame, y: Column | undefined): Column {
  if (y === undefined || y.length !== X.nRows) {
    throw new ValidationError(
      y === undefined ? 'y is required' : `y has ${y.length} rows but X has ${X.nRows}`,
      [
        {
          path: ['y'],
          code: y === undefined ? 'required' : 'length_mismatch',
          message: `expected ${X.nRows} values`,
        },
      ],
    )
  }
  return y
}

/** Throws when every trial failed (nothing left to compare), naming the first error. */
export function assertSomeSucceeded(results: readonly TrialResult[]): void {
  if (results.length > 0 && results.every((r) => r.error !== undefined)) {
    throw new ValidationError(
      `all ${results.length} fits failed; the first: ${results[0]?.error ?? ''}`,
      [{ path: ['estimator'], code: 'all_fits_failed', message: results[0]?.error ?? '' }],
    )
  }
}

/**
 * Cross-validates `estimator` (sklearn's `cross_validate`): fits a fresh copy on each fold's
 * training rows and scores it on the fold's test rows with every scorer.
 *
 * Async because the folds run on worker threads (see {@link EvaluationOptions.nJobs}); the
 * scores are identical to a run on the calling thread, in fold order whatever order the
 * workers finish in.
 *
 * @throws ValidationError for bad options, data the splitter rejects, or when every fold failed;
 *   CancelledError when `signal` fires; the fold's error when `errorScore` is `'raise'`.
 * @example
 * ```ts
 * const r = await crossValidate(new DummyClassifier(), X, y, { cv: 5, scoring: ['accuracy', 'roc_auc'] })
 * r.summary.accuracy.test.mean
 * ```
 */
export async function crossValidate(
  estimator: Estimator,
  X: Frame,
  y: Column,
  options: CrossValidateOptions = {},
): Promise<CrossValidateResult> {
  const target = assertTarget(X, y)
  const scoring = scoringNames(options.scoring)
  const folds = resolveFolds(options.cv, estimator, X, target, options.groups)
  const returnTrainScore = options.returnTrainScore ?? false
  const settings = { scoring, returnTrainScore, errorScore: options.errorScore ?? NaN }
  let done = 0
  const results = await withExecutor(
    {
      X,
      y: target,
      folds,
      settings,
      nJobs: resolveJobs(options.nJobs),
      maxParallel: folds.length,
      signal: options.signal,
      clock: options.clock ?? systemClock,
    },
    (ex) =>
      Promise.all(
        folds.map(async (_, k) => {
          const r = await ex.trial(estimator, k)
          options.onProgress?.({
            stage: `fold ${k}`,
            step: ++done,
            total: folds.length,
            metrics: Object.fromEntries(scoring.map((s, i) => [s, r.test[i]!])),
          })
          return r
        }),
      ),
  )
  assertSomeSucceeded(results)
  const column = (side: 'test' | 'train', i: number): Float64Array =>
    Float64Array.from(results, (r) => (side === 'test' ? r.test[i]! : (r.train?.[i] ?? NaN)))
  const testScores: Record<string, Float64Array> = {}
  const trainScores: Record<string, Float64Array> = {}
  const summary: Record<string, { test: ScoreSummary; train?: ScoreSummary }> = {}
  scoring.forEach((name, i) => {
    const t = (testScores[name] = column('test', i))
    summary[name] = { test: { mean: mean(t), std: std(t) } }
    if (returnTrainScore) {
      const tr = (trainScores[name] = column('train', i))
      summary[name] = { test: summary[name].test, train: { mean: mean(tr), std: std(tr) } }
    }
  })
  return {
    scoring,
    folds,
    fitTime: Float64Array.from(results, (r) => r.fitTime),
    scoreTime: Float64Array.from(results, (r) => r.scoreTime),
    testScores,
    ...(returnTrainScore ? { trainScores } : {}),
    summary,
    errors: results.flatMap((r, fold) =>
      r.error === undefined ? [] : [{ fold, message: r.error }],
    ),
  }
}

/**
 * The test score of each fold for one scorer (sklearn's `cross_val_score`).
 *
 * @example
 * ```ts
 * const scores = await crossValScore(model, X, y, { cv: 5, scoring: 'r2' })
 * ```
 */
export async function crossValScore(
  estimator: Estimator,
  X: Frame,
  y: Column,
  options: Omit<EvaluationOptions, 'scoring'> & { readonly scoring?: string } = {},
): Promise<Float64Array> {
  const r = await crossValidate(estimator, X, y, options)
  return r.testScores[r.scoring[0]!]!
}
