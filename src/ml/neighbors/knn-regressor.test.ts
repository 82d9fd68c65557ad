import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn, createFrame, type Frame } from '../../frame/index.js'
import { encodeArray } from '../base/index.js'
import { estimatorChecks } from '../checks/index.js'

import { KNeighborsRegressor, loadKNeighborsRegressor, type KNeighborsParams } from './index.js'

const VARIANTS: KNeighborsParams[] = [
  {},
  { algorithm: 'brute', weights: 'distance', nNeighbors: 10 },
  { algorithm: 'kd_tree', metric: 'manhattan', leafSize: 2 },
  { metric: 'cosine' },
]

describe('checkEstimator', () => {
  for (const params of VARIANTS) {
    describe(`neighbors.knn-regressor ${JSON.stringify(params)}`, () => {
      for (const c of estimatorChecks({
        task: 'regression',
        make: () => new KNeighborsRegressor(params),
        load: loadKNeighborsRegressor,
        oneRow: 'error',
      }))
        it(c.name, c.run)
    })
  }
  describe('neighbors.knn-regressor with nNeighbors 1 fits one row', () => {
    for (const c of estimatorChecks({
      task: 'regression',
      make: () => new KNeighborsRegressor({ nNeighbors: 1 }),
      load: loadKNeighborsRegressor,
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
})

function frame(values: readonly number[]): Frame {
  return createFrame([createColumn({ name: 'x', dtype: 'f64', values: Float64Array.from(values) })])
}

describe('neighbors.knn-regressor', () => {
  const X = frame([0, 1, 2, 3, 3, 10])
  const y = columnFromArray('y', [0, 10, 20, 30, 50, 100], 'f64')

  it('predicts the mean target of the neighbours', () => {
    for (const algorithm of ['brute', 'kd_tree'] as const) {
      const m = new KNeighborsRegressor({ nNeighbors: 2, algorithm }).fit(X, y)
      // 0.4 → rows 0, 1; 2.5 → rows 2 (0.5), 3 (0.5, lower position than row 4).
      expect(Array.from(m.predict(frame([0.4, 2.5])).values as Float64Array)).toEqual([5, 25])
    }
  })

  it('weights by 1/distance; at distance 0, averages the exact matches only', () => {
    const m = new KNeighborsRegressor({ nNeighbors: 3, weights: 'distance' }).fit(X, y)
    const p = m.predict(frame([3, 0.5])).values
    expect(p[0]).toBe(40) // rows 3 and 4 sit at 3: (30 + 50) / 2; row 2 weighs 0
    const w = [1 / 0.5, 1 / 0.5, 1 / 1.5]
    expect(p[1]).toBeCloseTo((0 * w[0]! + 10 * w[1]! + 20 * w[2]!) / (w[0]! + w[1]! + w[2]!), 12)
  })

  it('rejects a non-numeric target', () => {
    const ys = columnFromArray('y', ['a', 'b', 'c', 'd', 'e', 'f'], 'str')
    expect(() => new KNeighborsRegressor().fit(X, ys)).toThrow(ValidationError)
  })

  it('round-trips its state, training rows included (the state grows with n)', () => {
    const m = new KNeighborsRegressor({ nNeighbors: 2 }).fit(X, y)
    const state = m.toJSON()
    expect(Object.keys(state.state).sort()).toEqual(['X', 'features', 'y'])
    const loaded = loadKNeighborsRegressor(JSON.parse(JSON.stringify(state)) as typeof state)
    expect(loaded.nSamplesFit).toBe(6)
    const shortY = encodeArray(new Float64Array(5))
    expect(() =>
      loadKNeighborsRegressor({ ...state, state: { ...state.state, y: shortY } }),
    ).toThrow(ValidationError)
    expect(() =>
      loadKNeighborsRegressor({ ...state, params: { ...state.params, nNeighbors: 7 } }),
    ).toThrow(ValidationError)
  })
})
