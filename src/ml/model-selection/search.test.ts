import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { classification, regression } from '../../../test/fixtures/ml/model-selection/datasets.js'
import { expectClose } from '../../../test/fixtures/ml/model-selection/expect-close.js'
import { CancelledError, ValidationError } from '../../core/index.js'
import { columnFromArray, createFrame, type Column } from '../../frame/index.js'
import type { Estimator, Progress } from '../base/index.js'
import { Pipeline } from '../compose/index.js'
import { DummyClassifier, DummyRegressor } from '../dummy/index.js'
import { Ridge } from '../linear/regression/index.js'
import { findEstimatorEntry } from '../registry.js'
import { StandardScaler } from '../preprocessing/index.js'

import { GridSearch, KFold, RandomSearch, logUniform, randInt, type SearchResult } from './index.js'

interface SearchFixture {
  params: Record<string, unknown>[]
  best_index: number
  best_score: number
  best_predictions?: number[]
  [key: string]: unknown
}
const FX = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/model-selection/cv.json', import.meta.url),
    'utf8',
  ),
) as Record<string, SearchFixture>

function column(r: SearchResult, name: string): number[] {
  return Array.from(r.cvResults.column(name).values as Float64Array | Int32Array)
}

function expectSearch(
  r: SearchResult,
  want: SearchFixture,
  suffixes: readonly string[],
  tol: number,
): void {
  expect(r.candidates).toEqual(want.params)
  for (const m of suffixes) {
    expectClose(column(r, `mean_test_${m}`), want[`mean_test_${m}`] as number[], tol)
    expectClose(column(r, `std_test_${m}`), want[`std_test_${m}`] as number[], Math.sqrt(tol))
    expect(column(r, `rank_test_${m}`)).toEqual(want[`rank_test_${m}`])
    ;(want[`split_test_${m}`] as number[][]).forEach((s, k) => {
      expectClose(column(r, `split${k}_test_${m}`), s, tol)
    })
    if (`mean_train_${m}` in want)
      expectClose(column(r, `mean_train_${m}`), want[`mean_train_${m}`] as number[], tol)
  }
  expect(r.bestIndex).toBe(want.best_index)
  expect(r.bestParams).toEqual(want.params[want.best_index])
  expectClose([r.bestScore], [want.best_score], tol)
}

function scaled(name: string, last: Estimator): Pipeline {
  return new Pipeline({
    steps: [
      { name: 'scale', estimator: new StandardScaler() },
      { name, estimator: last },
    ],
  })
}

function predictions(r: SearchResult, X = regression.X): Float64Array {
  const m = r.bestModel as unknown as { predict(X: unknown): Column }
  return m.predict(X.slice(0, 25)).values as Float64Array
}

describe('searches equal scikit-learn 1.2 GridSearchCV on breast_cancer', () => {
  it('pipeline scale → ridge, nested names, two metrics, train scores, refit by r2 (workers)', async () => {
    const { X, y } = regression
    const search = new GridSearch(
      scaled('ridge', new Ridge()),
      { ridge__alpha: [0.01, 0.1, 1, 10, 100], ridge__fitIntercept: [true, false] },
      {
        cv: new KFold({ nSplits: 5 }),
        scoring: ['r2', 'neg_mean_squared_error'],
        refit: 'r2',
        returnTrainScore: true,
      },
    )
    const r = await search.fit(X, y)
    const want = FX['grid_ridge']!
    expectSearch(r, want, ['r2', 'neg_mean_squared_error'], 1e-8)
    expectClose(predictions(r), want.best_predictions!, 1e-8)
    expect(r.cvResults.names.slice(0, 7)).toEqual([
      'mean_fit_time',
      'std_fit_time',
      'mean_score_time',
      'std_score_time',
      'param_ridge__alpha',
      'param_ridge__fitIntercept',
      'params',
    ])
    expect(r.cvResults.column('param_ridge__fitIntercept').dtype).toBe('bool')
  })

  it('a single metric names its columns *_score (dummy classifier, brier)', async () => {
    const { X, y } = classification
    const r = await new GridSearch(
      new DummyClassifier(),
      { strategy: ['most_frequent', 'prior'] },
      {
        scoring: 'neg_brier_score',
        nJobs: 1,
      },
    ).fit(X, y)
    expectSearch(r, FX['grid_dummy']!, ['score'], 1e-9)
    expect(r.cvResults.column('param_strategy').values).toEqual(['most_frequent', 'prior'])
  })

  it('lasso (coordinate descent) within 1e-4', async () => {
    const { X, y } = regression
    const r = await new GridSearch(
      scaled('lasso', findEstimatorEntry('linear.lasso')!.create({ tol: 1e-10, maxIter: 100000 })),
      { lasso__alpha: [0.001, 0.01, 0.1, 1] },
      { cv: 5, scoring: 'neg_mean_squared_error' },
    ).fit(X, y)
    expectSearch(r, FX['grid_lasso']!, ['score'], 1e-4)
    expectClose(predictions(r), FX['grid_lasso']!.best_predictions!, 1e-4)
  })

  const logistic = findEstimatorEntry('linear.logistic')
  it.skipIf(logistic === undefined)(
    'pipeline scale → logistic regression over C (roc_auc, accuracy, log loss)',
    async () => {
      const { X, y } = classification
      const r = await new GridSearch(
        scaled('clf', logistic!.create({ maxIter: 10000, tol: 1e-10 })),
        { clf__C: [0.01, 0.1, 1, 10] },
        { cv: 5, scoring: ['roc_auc', 'accuracy', 'neg_log_loss'], refit: 'roc_auc' },
      ).fit(X, y)
      expectSearch(r, FX['grid_logistic']!, ['roc_auc', 'accuracy', 'neg_log_loss'], 1e-4)
    },
  )

  const knn = findEstimatorEntry('neighbors.knn-classifier')
  it.skipIf(knn === undefined)('pipeline scale → kNN over nNeighbors', async () => {
    const { X, y } = classification
    const r = await new GridSearch(
      scaled('clf', knn!.create({})),
      { clf__nNeighbors: [1, 5, 15] },
      { cv: 5, scoring: ['accuracy', 'roc_auc'], refit: 'accuracy' },
    ).fit(X, y)
    expectSearch(r, FX['grid_knn']!, ['accuracy', 'roc_auc'], 1e-9)
  })
})

describe('GridSearch and RandomSearch', () => {
  const X = createFrame([
    columnFromArray(
      'x',
      Array.from({ length: 60 }, (_, i) => i),
    ),
  ])
  const y = columnFromArray(
    'y',
    Array.from({ length: 60 }, (_, i) => Math.sin(i) * 3 + i * 0.1),
  )

  it('gives identical results on workers and on the calling thread', async () => {
    const grid = { strategy: ['mean', 'median', 'quantile'], quantile: [0.2, 0.7] }
    const a = await new GridSearch(new DummyRegressor(), grid, {
      cv: 3,
      nJobs: 1,
      returnTrainScore: true,
    }).fit(X, y)
    const b = await new GridSearch(new DummyRegressor(), grid, {
      cv: 3,
      nJobs: 2,
      returnTrainScore: true,
    }).fit(X, y)
    const scores = (r: SearchResult): unknown[] =>
      r.cvResults.names.filter((n) => !n.includes('time')).map((n) => r.cvResults.column(n).values)
    expect(scores(b)).toEqual(scores(a))
    expect(b.bestParams).toEqual(a.bestParams)
    expect(b.bestModel?.toJSON()).toEqual(a.bestModel?.toJSON())
  })

  it('random search samples seeded candidates from distributions and lists', async () => {
    const space = {
      alpha: logUniform(1e-3, 1e2),
      fitIntercept: [true, false],
      maxIter: randInt(5, 10),
    }
    const est = new Ridge({ solver: 'lsqr' })
    const a = await new RandomSearch(est, space, { nIter: 6, seed: 4, cv: 3, nJobs: 1 }).fit(X, y)
    const b = await new RandomSearch(est, space, { nIter: 6, seed: 4, cv: 3, nJobs: 1 }).fit(X, y)
    expect(a.candidates).toEqual(b.candidates)
    expect(a.candidates).toHaveLength(6)
    for (const c of a.candidates) {
      expect(c['alpha']).toBeGreaterThanOrEqual(1e-3)
      expect(c['alpha']).toBeLessThan(1e2)
      expect([5, 6, 7, 8, 9]).toContain(c['maxIter'])
      expect(Object.keys(c)).toEqual(['alpha', 'fitIntercept', 'maxIter'])
    }
    const c = await new RandomSearch(est, space, { nIter: 6, seed: 5, cv: 3, nJobs: 1 }).fit(X, y)
    expect(c.candidates).not.toEqual(a.candidates)
  })

  it('random search over lists draws distinct grid points, at most the grid size', async () => {
    const r = await new RandomSearch(
      new DummyRegressor(),
      { strategy: ['mean', 'median'] },
      { nIter: 10, nJobs: 1 },
    ).fit(X, y)
    expect(r.candidates.map((c) => c['strategy']).sort()).toEqual(['mean', 'median'])
  })

  it('reports progress per trial, then the refit', async () => {
    const seen: Progress[] = []
    await new GridSearch(
      new DummyRegressor(),
      { strategy: ['mean', 'median'] },
      { cv: 3, nJobs: 2 },
    ).fit(X, y, {
      onProgress: (p) => seen.push(p),
    })
    const trials = seen.filter((p) => p.stage === 'search')
    expect(trials.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6])
    expect(trials.every((p) => p.total === 6)).toBe(true)
    expect(seen.some((p) => p.stage.startsWith('refit/'))).toBe(true)
  })

  it('a grid can swap a whole pipeline step (estimator-valued parameters)', async () => {
    const { X: Xr, y: yr } = regression
    const r = await new GridSearch(
      scaled('model', new Ridge()),
      { model: [new Ridge({ alpha: 10 }), new DummyRegressor()] },
      { cv: 3, nJobs: 2 },
    ).fit(Xr, yr)
    expect(r.cvResults.column('param_model').values).toEqual(['linear.ridge', 'dummy.regressor'])
    expect(JSON.parse((r.cvResults.column('params').values as string[])[1]!)).toEqual({
      model: 'dummy.regressor',
    })
    expect(r.bestIndex).toBe(0)
    expect(r.bestModel?.kind).toBe('compose.pipeline')
  })

  it('refit: false skips the model but reports the best', async () => {
    const r = await new GridSearch(
      new DummyRegressor(),
      { strategy: ['mean', 'median'] },
      { refit: false, nJobs: 1 },
    ).fit(X, y)
    expect(r.bestModel).toBeUndefined()
    expect(r.bestParams).toEqual(r.candidates[r.bestIndex])
  })

  describe('bad input', () => {
    const fit = (grid: never, opts = {}): Promise<SearchResult> =>
      new GridSearch(scaled('ridge', new Ridge()), grid, { nJobs: 1, ...opts }).fit(X, y)
    it('an unknown parameter name, top-level or nested, names it', async () => {
      await expect(new GridSearch(new Ridge(), { alhpa: [1] }).fit(X, y)).rejects.toMatchObject({
        message: expect.stringMatching(/unknown parameter "alhpa"/) as unknown,
        issues: [{ path: ['paramGrid', 'alhpa'], code: 'unknown_param' }],
      })
      await expect(fit({ ridge__alhpa: [1] } as never)).rejects.toMatchObject({
        issues: [{ path: ['paramGrid', 'ridge__alhpa'], code: 'unknown_param' }],
      })
      await expect(fit({ nostep__alpha: [1] } as never)).rejects.toMatchObject({
        issues: [{ path: ['paramGrid', 'nostep__alpha'], code: 'unknown_param' }],
      })
    })
    it('a value the estimator rejects scores errorScore (sklearn) or raises', async () => {
      const r = await fit({ ridge__alpha: [1, -2] } as never)
      expect(column(r, 'mean_test_score')[1]).toBeNaN()
      expect(column(r, 'rank_test_score')).toEqual([1, 2])
      expect(r.errors).toHaveLength(5)
      expect(r.errors[0]!.message).toMatch(/alpha/)
      await expect(
        fit({ ridge__alpha: [1, -2] } as never, { errorScore: 'raise' }),
      ).rejects.toMatchObject({
        issues: [{ path: ['params', 'steps', 1, 'estimator', 'params', 'alpha'] }],
      })
    })
    it('empty grids and empty value lists', async () => {
      await expect(fit({} as never)).rejects.toMatchObject({
        issues: [{ path: ['paramGrid'], code: 'too_small' }],
      })
      await expect(fit([] as never)).rejects.toMatchObject({
        issues: [{ path: ['paramGrid'], code: 'too_small' }],
      })
      await expect(fit({ ridge__alpha: [] } as never)).rejects.toMatchObject({
        issues: [{ path: ['paramGrid', 'ridge__alpha'] }],
      })
      await expect(
        new RandomSearch(new Ridge(), { alpha: 3 } as never).fit(X, y),
      ).rejects.toBeInstanceOf(ValidationError)
    })
    it('refit naming a metric that is not scored', async () => {
      await expect(
        fit({ ridge__alpha: [1] } as never, { scoring: ['r2'], refit: 'neg_mean_squared_error' }),
      ).rejects.toMatchObject({
        issues: [{ path: ['refit'] }],
      })
    })
  })

  it('abort terminates the workers and rejects with CancelledError', async () => {
    const { X: Xc, y: yc } = classification
    const controller = new AbortController()
    const started = Date.now()
    const search = new GridSearch(
      scaled('lasso', findEstimatorEntry('linear.lasso')!.create({ tol: 0, maxIter: 1_000_000 })),
      { lasso__alpha: [1e-6, 2e-6, 3e-6, 4e-6] },
      { cv: 5, nJobs: 2 },
    )
    const p = search.fit(Xc, yc, {
      signal: controller.signal,
      onProgress: () => undefined,
    })
    setTimeout(() => {
      controller.abort()
    }, 300)
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
