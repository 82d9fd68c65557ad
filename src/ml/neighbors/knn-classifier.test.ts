import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import {
  KNeighborsClassifier,
  loadKNeighborsClassifier,
  type KNeighborsParams,
  type NeighborsAlgorithm,
} from './index.js'

const VARIANTS: KNeighborsParams[] = [
  {},
  { algorithm: 'brute', weights: 'distance' },
  { algorithm: 'kd_tree', metric: 'manhattan', nNeighbors: 3, leafSize: 4 },
  { metric: 'minkowski', p: 3, nNeighbors: 7 },
  { metric: 'cosine', weights: 'distance' },
]

describe('checkEstimator', () => {
  for (const params of VARIANTS) {
    describe(`neighbors.knn-classifier ${JSON.stringify(params)}`, () => {
      for (const c of estimatorChecks({
        task: 'classification',
        make: () => new KNeighborsClassifier(params),
        load: loadKNeighborsClassifier,
        oneRow: 'error',
      }))
        it(c.name, c.run)
    })
  }
})

function frame(rows: readonly (readonly number[])[]): Frame {
  const d = rows[0]?.length ?? 0
  return createFrame(
    Array.from({ length: d }, (_, c) =>
      createColumn({ name: `x${c}`, dtype: 'f64', values: Float64Array.from(rows, (r) => r[c]!) }),
    ),
  )
}

const ALGORITHMS: NeighborsAlgorithm[] = ['brute', 'kd_tree', 'auto']

describe('neighbors.knn-classifier', () => {
  const X = frame([[0], [1], [2], [3], [10], [11], [12]])
  const y = columnFromArray('y', ['a', 'a', 'b', 'b', 'c', 'c', 'c'], 'str')

  it('votes: the majority, a tie going to the first class', () => {
    for (const algorithm of ALGORITHMS) {
      const m = new KNeighborsClassifier({ nNeighbors: 4, algorithm }).fit(X, y)
      // Neighbours of 1.5: rows 1, 2 (distance 0.5), then 0, 3 (1.5): a, b, a, b → tie → 'a'.
      expect(Array.from(m.predict(frame([[1.5]])).values as ArrayLike<string>)).toEqual(['a'])
      const proba = m.predictProba(frame([[1.5]]))
      expect(proba.columns.map((c) => c.values[0])).toEqual([0.5, 0.5, 0])
    }
  })

  it('weights by 1/distance, and only the exact matches at distance 0', () => {
    const m = new KNeighborsClassifier({ nNeighbors: 3, weights: 'distance' }).fit(X, y)
    // 2.9: rows 3 (0.1, b), 2 (0.9, b), 1 (1.9, a).
    const p = m.predictProba(frame([[2.9], [10]]))
    const w = [1 / 0.1, 1 / (2.9 - 2), 1 / 1.9]
    const sum = w[0]! + w[1]! + w[2]!
    expect(p.columns[0]!.values[0]).toBeCloseTo(w[2]! / sum, 14)
    expect(p.columns.map((c) => c.values[1])).toEqual([0, 0, 1])
  })

  it('keeps the label dtype and the classes sorted', () => {
    const yi = columnFromArray('y', [3, 3, 1, 1, 2, 2, 2], 'i32')
    const m = new KNeighborsClassifier({ nNeighbors: 1 }).fit(X, yi)
    expect(m.classes).toEqual([1, 2, 3])
    const pred = m.predict(frame([[0.2], [11.6]]))
    expect(pred.dtype).toBe('i32')
    expect(Array.from(pred.values as Int32Array)).toEqual([3, 2])
  })

  it('kneighbors: positions and distances, any k up to n', () => {
    const m = new KNeighborsClassifier({ nNeighbors: 2 }).fit(X, y)
    const nb = m.kneighbors(frame([[10.4]]))
    expect(Array.from(nb.indices)).toEqual([4, 5])
    expect(nb.distances[0]).toBeCloseTo(0.4, 15)
    expect(m.kneighbors(frame([[10.4]]), 7).indices).toHaveLength(7)
    expect(() => m.kneighbors(frame([[10.4]]), 8)).toThrow(ValidationError)
    expect(() => m.kneighbors(frame([[10.4]]), 0)).toThrow(ValidationError)
  })

  it('records the algorithm it resolved', () => {
    expect(new KNeighborsClassifier().fit(X, y).diagnostics['algorithm']).toBe('brute') // k ≥ n/2
    const wide = frame(
      Array.from({ length: 40 }, (_, i) => Array.from({ length: 16 }, (_, c) => i * c)),
    )
    const yw = columnFromArray(
      'y',
      Array.from({ length: 40 }, (_, i) => i % 2),
      'i32',
    )
    expect(new KNeighborsClassifier().fit(wide, yw).diagnostics['algorithm']).toBe('brute')
    expect(
      new KNeighborsClassifier().fit(wide.select(['x1', 'x2']), yw).diagnostics['algorithm'],
    ).toBe('kd_tree')
  })

  it('rejects bad parameters at fit with field-level issues', () => {
    const issuesOf = (params: KNeighborsParams): unknown[] => {
      try {
        new KNeighborsClassifier(params).fit(X, y)
      } catch (err) {
        if (err instanceof ValidationError) return err.issues.map((i) => i.path)
        throw err
      }
      return []
    }
    expect(issuesOf({ nNeighbors: 8 })).toEqual([['params', 'nNeighbors']])
    expect(issuesOf({ nNeighbors: 0 })).toEqual([['params', 'nNeighbors']])
    expect(issuesOf({ p: 0.5 })).toEqual([['params', 'p']])
    expect(issuesOf({ metric: 'cosine', algorithm: 'kd_tree' })).toEqual([['params', 'algorithm']])
  })

  it('rejects a single class', () => {
    const y1 = columnFromArray('y', ['a', 'a', 'a', 'a', 'a', 'a', 'a'], 'str')
    expect(() => new KNeighborsClassifier().fit(X, y1)).toThrow(ValidationError)
  })

  test.prop(
    [
      // Distinct rows whose squared distances do not underflow to 0 (rows 5e-324 apart are
      // duplicates to any floating-point distance): values on a 1e-6 grid.
      fc.uniqueArray(
        fc.tuple(
          fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6),
          fc.integer({ min: -50, max: 50 }),
        ),
        {
          minLength: 2,
          maxLength: 60,
          selector: ([a, b]) => `${a}|${b}`,
        },
      ),
      fc.constantFrom(...ALGORITHMS),
      fc.constantFrom('uniform' as const, 'distance' as const),
    ],
    { seed: 20240623, numRuns: 60 },
  )('with k = 1, predicts the training labels on the training rows', (rows, algorithm, weights) => {
    const Xp = frame(rows.map(([a, b]) => [a, b]))
    const labels = rows.map((_, i) => (i * 7919) % 3)
    if (new Set(labels).size < 2) return
    const yp = columnFromArray('y', labels, 'i32')
    const m = new KNeighborsClassifier({ nNeighbors: 1, algorithm, weights }).fit(Xp, yp)
    expect(Array.from(m.predict(Xp).values as Int32Array)).toEqual(labels)
  })
})
