import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { classification, regression } from '../../../test/fixtures/ml/model-selection/datasets.js'
import { expectClose } from '../../../test/fixtures/ml/model-selection/expect-close.js'
import { Pipeline } from '../compose/index.js'
import { DummyClassifier } from '../dummy/index.js'
import { Ridge } from '../linear/regression/index.js'
import { StandardScaler } from '../preprocessing/index.js'

import { KFold, learningCurve, type LearningCurve } from './index.js'

interface CurveFixture {
  train_sizes: number[]
  train_scores: number[][]
  test_scores: number[][]
}
const FX = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/model-selection/cv.json', import.meta.url),
    'utf8',
  ),
) as Record<string, CurveFixture>

function expectCurve(got: LearningCurve, want: CurveFixture, tol: number): void {
  expect(Array.from(got.trainSizes)).toEqual(want.train_sizes)
  want.train_scores.forEach((row, i) => {
    expectClose(got.trainScores[i]!, row, tol)
  })
  want.test_scores.forEach((row, i) => {
    expectClose(got.testScores[i]!, row, tol)
  })
}

const ridge = new Pipeline({
  steps: [
    { name: 'scale', estimator: new StandardScaler() },
    { name: 'ridge', estimator: new Ridge({ alpha: 1 }) },
  ],
})

describe('learningCurve equals scikit-learn 1.2 on breast_cancer', () => {
  it('scale → ridge, default sizes (linspace(0.1, 1, 5)), KFold(5), r2, on workers', async () => {
    const { X, y } = regression
    const lc = await learningCurve(ridge, X, y, { cv: new KFold({ nSplits: 5 }), scoring: 'r2' })
    expectCurve(lc, FX['learning_curve_ridge']!, 1e-8)
    expect(lc.fitTimes).toHaveLength(5)
    expect(lc.fitTimes[0]).toHaveLength(5)
  })
  it('dummy classifier, fractional sizes, stratified folds, accuracy', async () => {
    const { X, y } = classification
    const lc = await learningCurve(new DummyClassifier(), X, y, {
      cv: 5,
      scoring: 'accuracy',
      trainSizes: [0.05, 0.3, 1],
      nJobs: 1,
    })
    expectCurve(lc, FX['learning_curve_dummy']!, 1e-12)
  })
})

describe('learningCurve', () => {
  const { X, y } = regression
  it('workers equal the calling thread, with shuffled training rows', async () => {
    const opts = { cv: 3, trainSizes: [20, 100, 200], shuffle: true, seed: 2, scoring: 'r2' }
    const a = await learningCurve(ridge, X, y, { ...opts, nJobs: 1 })
    const b = await learningCurve(ridge, X, y, { ...opts, nJobs: 2 })
    expect(b.trainScores).toEqual(a.trainScores)
    expect(b.testScores).toEqual(a.testScores)
    const c = await learningCurve(ridge, X, y, { ...opts, shuffle: false, nJobs: 1 })
    expect(c.testScores[0]).not.toEqual(a.testScores[0])
  })
  it('rejects sizes out of range or mixed, and drops duplicates', async () => {
    await expect(learningCurve(ridge, X, y, { trainSizes: [0, 0.5] })).rejects.toMatchObject({
      issues: [{ path: ['trainSizes'] }],
    })
    await expect(learningCurve(ridge, X, y, { trainSizes: [10, 10_000] })).rejects.toMatchObject({
      issues: [{ path: ['trainSizes'] }],
    })
    await expect(learningCurve(ridge, X, y, { trainSizes: [0.5, 20] })).rejects.toMatchObject({
      issues: [{ path: ['trainSizes'] }],
    })
    const lc = await learningCurve(ridge, X, y, { trainSizes: [0.5, 0.5, 1], nJobs: 1 })
    expect(lc.trainSizes).toHaveLength(2)
  })
})
