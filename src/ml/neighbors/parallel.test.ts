import { describe, expect, it } from 'vitest'

import { createRng } from '../../core/index.js'

import { EUCLIDEAN, MANHATTAN, COSINE, type MetricCode } from './kernels/metric.js'
import { queryParallel } from './parallel.js'
import { NeighborSearch, createSearchPlan } from './search.js'

describe('queryParallel', () => {
  const rng = createRng(11)
  const n = 700
  const m = 1300
  const cases: [string, MetricCode, 'brute' | 'kd_tree', number][] = [
    ['expanded Euclidean', EUCLIDEAN, 'brute', 20],
    ['cosine', COSINE, 'brute', 20],
    ['direct Manhattan', MANHATTAN, 'brute', 6],
    ['KD-tree', EUCLIDEAN, 'kd_tree', 3],
  ]
  for (const [what, metric, algorithm, d] of cases) {
    it(`gives the single-thread bits on two threads (${what})`, () => {
      // Rounded values, so some distances tie.
      const X = Float64Array.from({ length: n * d }, () => Math.round(rng.normal() * 4) / 4)
      const Q = Float64Array.from({ length: m * d }, () => Math.round(rng.normal() * 4) / 4)
      const search = new NeighborSearch(createSearchPlan(X, n, d, metric, 2, algorithm, 8, true))
      const one = search.query(Q, m, 6)
      const stats = { workerChunks: 0 }
      const two = queryParallel(search, Q, m, 6, { force: true, workerOnly: true, stats })
      expect(stats.workerChunks).toBe(Math.ceil(m / 256))
      expect(two.indices).toEqual(one.indices)
      expect(two.distances).toEqual(one.distances)
      expect(two.indices.buffer).toBeInstanceOf(ArrayBuffer)
      const both = queryParallel(search, Q, m, 6, { force: true })
      expect(both.indices).toEqual(one.indices)
      expect(both.distances).toEqual(one.distances)
    }, 60_000)
  }

  it('stays on this thread for small batches or unshared indices', () => {
    const X = Float64Array.from({ length: 40 }, () => rng.normal())
    const search = new NeighborSearch(createSearchPlan(X, 20, 2, EUCLIDEAN, 2, 'brute', 8, false))
    const r = queryParallel(search, X, 20, 3, { force: true })
    expect(Array.from(r.indices.slice(0, 3))).toEqual(
      Array.from(search.query(X, 20, 3).indices.slice(0, 3)),
    )
  })
})
