import { describe, expect, it } from 'vitest'

import { createColumn, createFrame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import {
  DummyClassifier,
  DummyRegressor,
  LastValueRegressor,
  loadDummyClassifier,
  loadDummyRegressor,
  loadLastValue,
} from './index.js'

describe('checkEstimator', () => {
  for (const strategy of ['prior', 'most_frequent', 'stratified', 'uniform'] as const) {
    describe(`dummy.classifier ${strategy}`, () => {
      for (const c of estimatorChecks({
        task: 'classification',
        make: () => new DummyClassifier({ strategy, seed: 3 }),
        load: loadDummyClassifier,
        oneRow: 'fit',
        missing: 'handle',
      }))
        it(c.name, c.run)
    })
  }
  describe('dummy.regressor', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () => new DummyRegressor({ strategy: 'median' }),
      load: loadDummyRegressor,
      oneRow: 'fit',
      missing: 'handle',
    }))
      it(c.name, c.run)
  })
  describe('dummy.last-value', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () => new LastValueRegressor(),
      load: loadLastValue,
      oneRow: 'fit',
      missing: 'handle',
    }))
      it(c.name, c.run)
  })
})

describe('baselines', () => {
  const X = createFrame([
    createColumn({ name: 'x', dtype: 'f64', values: Float64Array.of(1, 2, 3, 4, 5) }),
  ])
  it('predicts the majority class and the priors (sklearn DummyClassifier)', () => {
    const y = createColumn({ name: 'y', dtype: 'str', values: ['b', 'a', 'b', 'c', 'b'] })
    const m = new DummyClassifier().fit(X, y)
    expect(m.classes).toEqual(['a', 'b', 'c'])
    expect(Array.from(m.predict(X).values as ArrayLike<unknown>)).toEqual(['b', 'b', 'b', 'b', 'b'])
    expect(Array.from(m.predictProba(X).column('b').values as ArrayLike<unknown>)).toEqual([
      0.6, 0.6, 0.6, 0.6, 0.6,
    ])
  })
  it('rejects a constant that is not a class', () => {
    const y = createColumn({ name: 'y', dtype: 'str', values: ['b', 'a', 'b', 'c', 'b'] })
    expect(() => new DummyClassifier({ strategy: 'constant', constant: 'z' }).fit(X, y)).toThrow(
      /constant must be one of/,
    )
  })
  it('predicts the mean, median, quantile and last value', () => {
    const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.of(1, 10, 2, 3, 4) })
    expect(new DummyRegressor().fit(X, y).value).toBe(4)
    expect(new DummyRegressor({ strategy: 'median' }).fit(X, y).value).toBe(3)
    expect(new DummyRegressor({ strategy: 'quantile', quantile: 0.25 }).fit(X, y).value).toBe(2)
    expect(new LastValueRegressor().fit(X, y).value).toBe(4)
    expect(() => new DummyRegressor({ strategy: 'quantile' }).fit(X, y)).toThrow(
      /invalid parameters/,
    )
  })
})
