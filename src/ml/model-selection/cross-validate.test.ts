import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import {
  classification,
  digits,
  regression,
} from '../../../test/fixtures/ml/model-selection/datasets.js'
import { expectClose } from '../../../test/fixtures/ml/model-selection/expect-close.js'
import { CancelledError, ValidationError } from '../../core/index.js'
import { columnFromArray, createFrame } from '../../frame/index.js'
import { Pipeline } from '../compose/index.js'
import { DummyClassifier, DummyRegressor } from '../dummy/index.js'
import { Smote } from '../imbalance/index.js'
import { Ridge } from '../linear/regression/index.js'
import { findEstimatorEntry } from '../registry.js'

import {
  GroupKFold,
  KFold,
  StratifiedKFold,
  crossValScore,
  crossValidate,
  type Fold,
} from './index.js'

type CvFixture = Record<string, number[]>
const FX = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/model-selection/cv.json', import.meta.url),
    'utf8',
  ),
) as Record<string, CvFixture>

const CLS_SCORING = ['accuracy', 'balanced_accuracy', 'roc_auc', 'neg_log_loss', 'neg_brier_score']
const REG_SCORING = [
  'r2',
  'neg_mean_squared_error',
  'neg_root_mean_squared_error',
  'neg_mean_absolute_error',
]

describe('cross-validated scores equal scikit-learn 1.2 on breast_cancer', () => {
  for (const strategy of ['prior', 'most_frequent'] as const) {
    it(`DummyClassifier ${strategy}, StratifiedKFold(5), train and test`, async () => {
      const { X, y } = classification
      const r = await crossValidate(new DummyClassifier({ strategy }), X, y, {
        cv: 5,
        scoring: CLS_SCORING,
        returnTrainScore: true,
        nJobs: 1,
      })
      const want = FX[`dummy_classifier_${strategy}`]!
      for (const s of CLS_SCORING) {
        expectClose(r.testScores[s]!, want[`test_${s}`]!)
        expectClose(r.trainScores![s]!, want[`train_${s}`]!)
      }
    })
  }
  for (const strategy of ['mean', 'median'] as const) {
    it(`DummyRegressor ${strategy}, KFold(5)`, async () => {
      const { X, y } = regression
      const r = await crossValidate(new DummyRegressor({ strategy }), X, y, {
        cv: 5,
        scoring: REG_SCORING,
        returnTrainScore: true,
        nJobs: 1,
      })
      const want = FX[`dummy_regressor_${strategy}`]!
      for (const s of REG_SCORING) {
        expectClose(r.testScores[s]!, want[`test_${s}`]!)
        expectClose(r.trainScores![s]!, want[`train_${s}`]!)
      }
    })
  }
  it('Ridge, KFold(5), on worker threads', async () => {
    const { X, y } = regression
    const r = await crossValidate(new Ridge({ alpha: 1 }), X, y, {
      cv: 5,
      scoring: REG_SCORING,
      nJobs: 2,
    })
    for (const s of REG_SCORING) expectClose(r.testScores[s]!, FX['ridge']![`test_${s}`]!, 1e-8)
    expect(r.fitTime).toHaveLength(5)
    expect(r.summary['r2']!.test.mean).toBeCloseTo(
      FX['ridge']!['test_r2']!.reduce((a, b) => a + b, 0) / 5,
      12,
    )
  })
})

describe('cross-validated scores equal scikit-learn 1.2 on digits (10 classes)', () => {
  const nb = findEstimatorEntry('naive-bayes.gaussian')
  it.skipIf(nb === undefined)('GaussianNB, StratifiedKFold(5)', async () => {
    const scoring = ['accuracy', 'neg_log_loss', 'f1_macro', 'balanced_accuracy']
    const r = await crossValidate(nb!.create(), digits.X, digits.y, { cv: 5, scoring, nJobs: 1 })
    for (const s of scoring)
      expectClose(r.testScores[s]!, FX['digits_gaussian_nb']![`test_${s}`]!, 1e-9)
  })
  const knn = findEstimatorEntry('neighbors.knn-classifier')
  it.skipIf(knn === undefined)('scale → kNN(5), StratifiedKFold(5), on workers', async () => {
    const pipe = new Pipeline({
      steps: [
        { name: 'scale', estimator: findEstimatorEntry('preprocessing.standard-scaler')!.create() },
        { name: 'clf', estimator: knn!.create({ nNeighbors: 5 }) },
      ],
    })
    const scoring = ['accuracy', 'f1_macro']
    const r = await crossValidate(pipe, digits.X, digits.y, { cv: 5, scoring, nJobs: 2 })
    for (const s of scoring) expectClose(r.testScores[s]!, FX['digits_knn']![`test_${s}`]!, 1e-12)
  })
})

describe('crossValidate', () => {
  const X = createFrame([
    columnFromArray(
      'x',
      Array.from({ length: 40 }, (_, i) => i),
    ),
  ])
  const y = columnFromArray(
    'y',
    Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'a' : 'b')),
  )

  it('gives the same scores on worker threads as on the calling thread', async () => {
    const { X: Xc, y: yc } = classification
    const opts = {
      cv: new StratifiedKFold({ nSplits: 4, shuffle: true, seed: 3 }),
      scoring: CLS_SCORING,
    }
    const seq = await crossValidate(
      new DummyClassifier({ strategy: 'stratified', seed: 5 }),
      Xc,
      yc,
      { ...opts, nJobs: 1 },
    )
    const par = await crossValidate(
      new DummyClassifier({ strategy: 'stratified', seed: 5 }),
      Xc,
      yc,
      { ...opts, nJobs: 2 },
    )
    expect(par.testScores).toEqual(seq.testScores)
    expect(par.folds).toEqual(seq.folds)
  })

  it('sends a pipeline holding a sampler instance to worker threads', async () => {
    const { X: Xc, y: yc } = classification
    const steps = (sampler: boolean) => [
      { name: 'scale', estimator: findEstimatorEntry('preprocessing.standard-scaler')!.create() },
      ...(sampler ? [{ name: 'smote', estimator: new Smote({ kNeighbors: 3, seed: 7 }) }] : []),
      { name: 'clf', estimator: findEstimatorEntry('linear.logistic')!.create({ C: 0.05 }) },
    ]
    const pipe = new Pipeline({ steps: steps(true) })
    const opts = { cv: 4, scoring: 'balanced_accuracy' }
    const seq = await crossValScore(pipe, Xc, yc, { ...opts, nJobs: 1 })
    const par = await crossValScore(pipe, Xc, yc, { ...opts, nJobs: 2 })
    expect(par).toEqual(seq)
    // The sampler is in effect: without it the scores differ.
    const plain = await crossValScore(new Pipeline({ steps: steps(false) }), Xc, yc, {
      ...opts,
      nJobs: 1,
    })
    expect(plain).not.toEqual(seq)
  })

  it('picks stratified folds for a classifier and plain folds for a regressor', async () => {
    const strat = await crossValidate(new DummyClassifier(), X, y, { cv: 4, nJobs: 1 })
    expect(strat.folds).toEqual(new StratifiedKFold({ nSplits: 4 }).split(X, y))
    const yr = columnFromArray(
      'y',
      Array.from({ length: 40 }, (_, i) => i * 0.5),
    )
    const plain = await crossValidate(new DummyRegressor(), X, yr, { cv: 4, nJobs: 1 })
    expect(plain.folds).toEqual(new KFold({ nSplits: 4 }).split(X))
    expect(plain.scoring).toEqual(['score'])
  })

  it('passes groups to a grouped splitter', async () => {
    const groups = columnFromArray(
      'g',
      Array.from({ length: 40 }, (_, i) => `g${i % 7}`),
    )
    const r = await crossValidate(new DummyClassifier(), X, y, {
      cv: new GroupKFold({ nSplits: 3 }),
      groups,
      nJobs: 1,
    })
    expect(r.folds).toEqual(new GroupKFold({ nSplits: 3 }).split(X, y, groups))
    const g = groups.values as readonly string[]
    for (const f of r.folds) {
      const inTest = new Set(Array.from(f.test, (i) => g[i]))
      expect(Array.from(f.train).some((i) => inTest.has(g[i]))).toBe(false)
    }
    await expect(
      crossValidate(new DummyClassifier(), X, y, { cv: new GroupKFold({ nSplits: 3 }) }),
    ).rejects.toMatchObject({ issues: [{ path: ['groups'], code: 'required' }] })
  })

  it('accepts explicit folds and reports progress per fold', async () => {
    const folds: Fold[] = [
      { train: Int32Array.of(0, 1, 2, 3, 4, 5), test: Int32Array.of(6, 7, 8) },
      { train: Int32Array.of(3, 4, 5, 6, 7, 8), test: Int32Array.of(0, 1, 2) },
    ]
    const seen: number[] = []
    const scores = await crossValScore(new DummyClassifier(), X, y, {
      cv: folds,
      scoring: 'accuracy',
      nJobs: 1,
      onProgress: (p) => seen.push(p.step),
    })
    expect(Array.from(scores)).toEqual([2 / 3, 2 / 3])
    expect(seen).toEqual([1, 2])
  })

  it('records failing folds with errorScore, or raises', async () => {
    // 'constant' with a class the training folds lack fails to fit.
    const est = new DummyClassifier({ strategy: 'constant', constant: 'a' })
    const folds: Fold[] = [
      { train: Int32Array.of(1, 2, 4, 5), test: Int32Array.of(0, 3) },
      { train: Int32Array.of(0, 1, 2, 3), test: Int32Array.of(4, 5) },
    ]
    const r = await crossValidate(est, X, y, {
      cv: folds,
      scoring: 'accuracy',
      nJobs: 1,
      errorScore: -1,
    })
    expect(Array.from(r.testScores['accuracy']!)).toEqual([-1, 0])
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]!.message).toMatch(/constant must be one of/)
    await expect(
      crossValidate(est, X, y, { cv: folds, nJobs: 1, errorScore: 'raise' }),
    ).rejects.toThrow(/constant must be one of/)
    await expect(
      crossValidate(est, X, y, { cv: folds, nJobs: 2, errorScore: 'raise' }),
    ).rejects.toBeInstanceOf(ValidationError)
  })

  it('rejects bad input with field-level errors', async () => {
    await expect(
      crossValidate(new DummyClassifier(), X, y, { scoring: 'nope' }),
    ).rejects.toMatchObject({
      issues: [{ path: ['scoring', 0], code: 'unknown_scorer' }],
    })
    await expect(crossValidate(new DummyClassifier(), X, y, { cv: 41 })).rejects.toMatchObject({
      issues: [{ path: ['nSplits'], code: 'too_big' }],
    })
    await expect(crossValidate(new DummyClassifier(), X, y, { cv: 1 })).rejects.toMatchObject({
      issues: [{ path: ['cv'] }],
    })
    await expect(crossValidate(new DummyClassifier(), X, y, { nJobs: 0 })).rejects.toMatchObject({
      issues: [{ path: ['nJobs'] }],
    })
    const short = columnFromArray('y', ['a', 'b'])
    await expect(crossValidate(new DummyClassifier(), X, short)).rejects.toMatchObject({
      issues: [{ path: ['y'], code: 'length_mismatch' }],
    })
  })

  it('a pre-aborted signal rejects with CancelledError', async () => {
    const signal = AbortSignal.abort()
    await expect(
      crossValidate(new DummyClassifier(), X, y, { nJobs: 1, signal }),
    ).rejects.toBeInstanceOf(CancelledError)
    await expect(
      crossValidate(new DummyClassifier(), X, y, { nJobs: 2, signal }),
    ).rejects.toBeInstanceOf(CancelledError)
  })
})
