/**
 * Hyperparameter search: `GridSearch` (every candidate of a grid) and `RandomSearch` (sampled
 * candidates), cross-validated on a worker-thread pool, with the best refitted on all rows.
 */
import { ValidationError, systemClock, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'
import type { Estimator, Model, Progress } from '../base/index.js'

import { assertSomeSucceeded, assertTarget, type EvaluationOptions } from './cross-validate.js'
import { resolveFolds } from './cv.js'
import { buildCvResults } from './cv-results.js'
import { checkParamName, setParams } from './estimator-spec.js'
import { withExecutor } from './executor.js'
import {
  expandGrid,
  sampleParams,
  type ParamDistributions,
  type ParamGrid,
  type ParamSet,
} from './param-grid.js'
import { scoringNames } from './scoring.js'
import type { Fold } from './splitter.js'
import type { TrialResult } from './trial.js'
import { resolveJobs } from './worker-pool.js'

/** Options of {@link GridSearch} and {@link RandomSearch}. */
export interface SearchOptions extends Omit<EvaluationOptions, 'groups' | 'signal' | 'onProgress'> {
  /**
   * Refit the best candidate on all rows (`bestModel`): `true` ranks by the first scorer, a
   * scorer name ranks by that one, `false` skips the refit (the best is still reported).
   * @default true
   */
  readonly refit?: boolean | string
  /** Also score each fold's training rows (`mean_train_*` columns). @default false */
  readonly returnTrainScore?: boolean
}

/** Per-call options of `fit`. */
export interface SearchFitOptions {
  /** Group labels for grouped splitters. */
  readonly groups?: Column
  /** Cancels the search: workers are terminated and `fit` rejects with `CancelledError`. */
  readonly signal?: AbortSignal
  /**
   * Called after every finished trial (one candidate on one fold), with the candidate, fold
   * and scores in `metrics`, then with the refit's stages (`refit/…`).
   */
  readonly onProgress?: (p: Progress) => void
}

/** The outcome of a search (sklearn's `best_*_` attributes and `cv_results_`). */
export interface SearchResult {
  /** The candidates, in evaluation order (the rows of `cvResults`). */
  readonly candidates: readonly ParamSet[]
  /** sklearn's `cv_results_` as a frame: one row per candidate. */
  readonly cvResults: Frame
  /** The scorer names. */
  readonly scoring: readonly string[]
  /** The metric the best candidate was chosen by (a scorer name). */
  readonly refitMetric: string
  /** The row of the best candidate (the first with rank 1). */
  readonly bestIndex: number
  readonly bestParams: ParamSet
  /** The best candidate's mean test score. */
  readonly bestScore: number
  /** The estimator with the best parameters (unfitted). */
  readonly bestEstimator: Estimator
  /**
   * The best estimator fitted on all rows; absent with `refit: false`. With workers the refit
   * runs on one too and the model is rebuilt here from its state (as `fitInWorker` does), so it
   * predicts exactly as a model fitted on this thread.
   */
  readonly bestModel?: Model
  /** Seconds the refit took. */
  readonly refitTime?: number
  /** The folds every candidate was evaluated on. */
  readonly folds: readonly Fold[]
  /** Trials whose fit or scoring failed (scored `errorScore`). */
  readonly errors: readonly {
    readonly candidate: number
    readonly fold: number
    readonly message: string
  }[]
}

/**
 * Checks every parameter name of the candidates against the estimator before any work starts,
 * so a typo fails at once, naming the parameter. (Rejected values are not errors here: like
 * sklearn, their trials score `errorScore` and keep the message, or fail with `'raise'`.)
 */
function checkNames(
  estimator: Estimator,
  probes: ReadonlyMap<string, unknown>,
  field: string,
): void {
  const issues: ValidationIssue[] = []
  for (const [name, value] of probes) {
    const issue = checkParamName(estimator, name, value, field)
    if (issue !== undefined) issues.push(issue)
  }
  if (issues.length > 0) {
    const first = issues[0]!.message
    throw new ValidationError(
      issues.length === 1 ? first : `${first} (and ${issues.length - 1} more)`,
      issues,
    )
  }
}

/** Each parameter name with the first value a candidate gives it. */
function firstValues(candidates: readonly ParamSet[]): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const c of candidates) for (const [k, v] of Object.entries(c)) if (!out.has(k)) out.set(k, v)
  return out
}

function refitMetricOf(refit: boolean | string | undefined, scoring: readonly string[]): string {
  if (typeof refit === 'string') {
    if (!scoring.includes(refit)) {
      throw new ValidationError(`refit names "${refit}", which is not in scoring`, [
        { path: ['refit'], code: 'invalid_value', message: `choose one of ${scoring.join(', ')}` },
      ])
    }
    return refit
  }
  return scoring[0]!
}

/**
 * Evaluates `candidates` of `estimator` by cross-validation and picks the best.
 *
 * The trials (candidate × fold) run on a pool of worker threads (`nJobs`) that receive the data
 * once; the refit runs there too, so `signal` can stop any part of the search.
 */
async function runSearch(
  estimator: Estimator,
  candidates: readonly ParamSet[],
  X: Frame,
  y: Column,
  options: SearchOptions,
  fitOptions: SearchFitOptions,
): Promise<SearchResult> {
  const target = assertTarget(X, y)
  const scoring = scoringNames(options.scoring)
  const refitMetric = refitMetricOf(options.refit, scoring)
  const suffixes =
    typeof options.scoring === 'string' || options.scoring === undefined ? ['score'] : scoring
  const refitSuffix = suffixes[scoring.indexOf(refitMetric)]!
  const folds = resolveFolds(options.cv, estimator, X, target, fitOptions.groups)
  const estimators = candidates.map((p) => setParams(estimator, p))
  const returnTrainScore = options.returnTrainScore ?? false
  const settings = { scoring, returnTrainScore, errorScore: options.errorScore ?? NaN }
  const clock = options.clock ?? systemClock
  const total = candidates.length * folds.length
  const onProgress = fitOptions.onProgress
  let done = 0
  return withExecutor(
    {
      X,
      y: target,
      folds,
      settings,
      nJobs: resolveJobs(options.nJobs),
      maxParallel: total,
      signal: fitOptions.signal,
      clock,
    },
    async (ex) => {
      // Submitted candidate by candidate, fold by fold (sklearn's order); run as workers free up.
      const results: TrialResult[][] = await Promise.all(
        estimators.map((e, c) =>
          Promise.all(
            folds.map(async (_, k) => {
              const r = await ex.trial(e, k)
              onProgress?.({
                stage: 'search',
                step: ++done,
                total,
                metrics: {
                  candidate: c,
                  fold: k,
                  ...Object.fromEntries(scoring.map((s, i) => [s, r.test[i]!])),
                },
              })
              return r
            }),
          ),
        ),
      )
      assertSomeSucceeded(results.flat())
      const table = buildCvResults(candidates, results, suffixes, returnTrainScore)
      const ranks = table.rank[refitSuffix]!
      let bestIndex = 0
      for (let c = 1; c < ranks.length; c++) if (ranks[c]! < ranks[bestIndex]!) bestIndex = c
      const bestEstimator = estimators[bestIndex]!
      const base = {
        candidates,
        cvResults: table.frame,
        scoring,
        refitMetric,
        bestIndex,
        bestParams: candidates[bestIndex]!,
        bestScore: table.meanTest[refitSuffix]![bestIndex]!,
        bestEstimator,
        folds,
        errors: results.flatMap((row, candidate) =>
          row.flatMap((r, fold) =>
            r.error === undefined ? [] : [{ candidate, fold, message: r.error }],
          ),
        ),
      }
      if (options.refit === false) return base
      const t0 = clock.monotonic()
      const bestModel = await ex.fit(
        bestEstimator,
        onProgress === undefined
          ? undefined
          : (p) => {
              onProgress({ ...p, stage: `refit/${p.stage}` })
            },
      )
      return { ...base, bestModel, refitTime: (clock.monotonic() - t0) / 1000 }
    },
  )
}

/**
 * Exhaustive search over a parameter grid (sklearn's `GridSearchCV`), for any estimator:
 * pipelines take nested names (`clf__C`).
 *
 * `fit` is async: the trials run in parallel on worker threads (`nJobs`, default
 * `min(2, availableParallelism())`), each rebuilding the estimator from its registry kind and
 * parameters, so a long search neither blocks the event loop nor ignores `signal`. Results
 * equal a run with `nJobs: 1` on the calling thread.
 *
 * @example
 * ```ts
 * const search = new GridSearch(pipeline, { clf__C: [0.1, 1, 10] }, { cv: 5, scoring: 'roc_auc' })
 * const { bestParams, bestScore, bestModel, cvResults } = await search.fit(X, y)
 * ```
 */
export class GridSearch {
  constructor(
    readonly estimator: Estimator,
    readonly paramGrid: ParamGrid,
    readonly options: Readonly<SearchOptions> = {},
  ) {}

  /**
   * Evaluates every candidate and refits the best.
   *
   * @throws ValidationError for an empty grid, an unknown parameter name or a rejected value
   *   (naming it), bad options, or when every fit failed; CancelledError when `signal` fires.
   */
  async fit(X: Frame, y: Column, opts: SearchFitOptions = {}): Promise<SearchResult> {
    const candidates = expandGrid(this.paramGrid)
    checkNames(this.estimator, firstValues(candidates), 'paramGrid')
    return runSearch(this.estimator, candidates, X, y, this.options, opts)
  }
}

/** Options of {@link RandomSearch}. */
export interface RandomSearchOptions extends SearchOptions {
  /** The number of candidates (fewer when a grid of lists has fewer points). @default 10 */
  readonly nIter?: number
  /** The seed of the sampling. @default 0 */
  readonly seed?: number
}

/**
 * Randomized search (sklearn's `RandomizedSearchCV`): `nIter` candidates sampled from lists and
 * distributions ({@link uniform}, {@link logUniform}, {@link randInt}), seeded; otherwise as
 * {@link GridSearch}.
 *
 * @example
 * ```ts
 * const search = new RandomSearch(model, { C: logUniform(1e-3, 1e3), penalty: ['l2'] }, { nIter: 20, seed: 1 })
 * const result = await search.fit(X, y)
 * ```
 */
export class RandomSearch {
  constructor(
    readonly estimator: Estimator,
    readonly paramDistributions: ParamDistributions,
    readonly options: Readonly<RandomSearchOptions> = {},
  ) {}

  /**
   * Samples the candidates, evaluates them and refits the best.
   *
   * @throws as {@link GridSearch.fit}; also for `nIter` < 1.
   */
  async fit(X: Frame, y: Column, opts: SearchFitOptions = {}): Promise<SearchResult> {
    const nIter = this.options.nIter ?? 10
    if (!Number.isInteger(nIter) || nIter < 1) {
      throw new ValidationError('nIter must be a positive integer', [
        { path: ['nIter'], code: 'invalid_value', message: `got ${nIter}` },
      ])
    }
    const candidates = sampleParams(this.paramDistributions, nIter, this.options.seed ?? 0)
    checkNames(this.estimator, firstValues(candidates), 'paramDistributions')
    return runSearch(this.estimator, candidates, X, y, this.options, opts)
  }
}
