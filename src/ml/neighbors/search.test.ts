import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { createBruteScratch } from './kernels/brute.js'
import { createTileEngine, prepareExpanded, searchExpanded } from './kernels/expanded.js'
import { COSINE, EUCLIDEAN, MANHATTAN, MINKOWSKI, type MetricCode } from './kernels/metric.js'
import { NeighborSearch, createSearchPlan, resolveAlgorithm } from './search.js'

const PARAMS = { seed: 20240623, numRuns: 60 }

/** All distances, then a stable sort: the definition the searches must meet. */
function naive(
  X: Float64Array,
  n: number,
  d: number,
  Q: Float64Array,
  m: number,
  k: number,
  metric: MetricCode,
  p: number,
): { indices: number[]; distances: number[] } {
  const indices: number[] = []
  const distances: number[] = []
  for (let i = 0; i < m; i++) {
    const r: number[] = []
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let c = 0; c < d; c++) {
        const t = Math.abs(Q[i * d + c]! - X[j * d + c]!)
        s += metric === EUCLIDEAN ? t * t : metric === MANHATTAN ? t : t ** p
      }
      r.push(s)
    }
    const order = r.map((_, j) => j).sort((a, b) => r[a]! - r[b]! || a - b)
    for (const j of order.slice(0, k)) {
      indices.push(j)
      const s = r[j]!
      distances.push(metric === EUCLIDEAN ? Math.sqrt(s) : metric === MINKOWSKI ? s ** (1 / p) : s)
    }
  }
  return { indices, distances }
}

interface Problem {
  X: Float64Array
  Q: Float64Array
  n: number
  m: number
  d: number
  k: number
}

/** Random rows with many ties: small integers (or halves) in a few dimensions. */
const gridProblem = fc
  .record({
    n: fc.integer({ min: 1, max: 120 }),
    m: fc.integer({ min: 1, max: 20 }),
    d: fc.integer({ min: 1, max: 5 }),
    kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    hi: fc.integer({ min: 1, max: 6 }),
    halves: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .chain(({ n, m, d, kFrac, hi, halves }) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: hi }), { minLength: n * d, maxLength: n * d }),
        fc.array(fc.integer({ min: 0, max: hi }), { minLength: m * d, maxLength: m * d }),
      )
      .map(([x, q]): Problem => {
        const scale = halves ? 0.5 : 1
        return {
          X: Float64Array.from(x, (v) => v * scale),
          Q: Float64Array.from(q, (v) => v * scale),
          n,
          m,
          d,
          k: 1 + Math.floor(kFrac * (n - 1)),
        }
      }),
  )

/** Random continuous rows, some far from the origin (where the expanded form cancels). */
const floatProblem = fc
  .record({
    n: fc.integer({ min: 1, max: 80 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 20 }),
    k: fc.integer({ min: 1, max: 8 }),
    offset: fc.constantFrom(0, 1e3, 1e6, -1e8),
  })
  .chain(({ n, m, d, k, offset }) =>
    fc
      .tuple(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), {
          minLength: n * d,
          maxLength: n * d,
        }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), {
          minLength: m * d,
          maxLength: m * d,
        }),
      )
      .map(([x, q]): Problem => ({
        X: Float64Array.from(x, (v) => v + offset),
        Q: Float64Array.from(q, (v) => v + offset),
        n,
        m,
        d,
        k: Math.min(k, n),
      })),
  )

const METRICS: [MetricCode, number][] = [
  [EUCLIDEAN, 2],
  [MANHATTAN, 1],
  [MINKOWSKI, 3],
]

function check(pr: Problem, metric: MetricCode, p: number, leafSize: number): void {
  const want = naive(pr.X, pr.n, pr.d, pr.Q, pr.m, pr.k, metric, p)
  const brute = new NeighborSearch(
    createSearchPlan(pr.X, pr.n, pr.d, metric, p, 'brute', leafSize, false),
  ).query(pr.Q, pr.m, pr.k)
  const tree = new NeighborSearch(
    createSearchPlan(pr.X, pr.n, pr.d, metric, p, 'kd_tree', leafSize, false),
  ).query(pr.Q, pr.m, pr.k)
  expect(Array.from(tree.indices)).toEqual(Array.from(brute.indices))
  expect(Array.from(tree.distances)).toEqual(Array.from(brute.distances))
  expect(Array.from(brute.indices)).toEqual(want.indices)
  brute.distances.forEach((v, i) => {
    expect(Math.abs(v - want.distances[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, v))
  })
}

describe('brute force and KD-tree', () => {
  test.prop([gridProblem, fc.constantFrom(...METRICS), fc.integer({ min: 1, max: 8 })], PARAMS)(
    'give identical neighbours, ties by training position, on tie-heavy grids',
    (pr, [metric, p], leafSize) => {
      check(pr, metric, p, leafSize)
    },
  )

  test.prop([floatProblem, fc.constantFrom(...METRICS), fc.integer({ min: 1, max: 8 })], PARAMS)(
    'give identical neighbours on continuous data, also far from the origin',
    (pr, [metric, p], leafSize) => {
      check(pr, metric, p, leafSize)
    },
  )

  it('find exact neighbours where the expanded form alone cannot tell them apart', () => {
    // Rows 1e8 + i·1e-7: ‖x‖² ≈ 1e16, so ‖q‖² + ‖x‖² − 2q·x has an error of about 2 while
    // the squared distances are 1e-14. The mean shift and the certified finish recover them.
    const n = 50
    const X = Float64Array.from({ length: n }, (_, i) => 1e8 + ((i * 37) % n) * 1.5e-7)
    const Q = Float64Array.from({ length: 10 }, (_, i) => 1e8 + i * 7.3e-7)
    const pr: Problem = { X, Q, n, m: 10, d: 1, k: 3 }
    check(pr, EUCLIDEAN, 2, 4)
  })

  it('return the training row itself, at distance 0, for a query on it', () => {
    const X = Float64Array.of(0.1, 0.2, 0.30000000000000004, 0.7, 1e-9, 3)
    const s = new NeighborSearch(createSearchPlan(X, 3, 2, EUCLIDEAN, 2, 'brute', 30, false))
    const r = s.query(Float64Array.of(0.30000000000000004, 0.7), 1, 2)
    expect(r.indices[0]).toBe(1)
    expect(r.distances[0]).toBe(0)
  })

  it('handle k = n, a single row, and distances that overflow', () => {
    const one = new NeighborSearch(
      createSearchPlan(Float64Array.of(4, 5), 1, 2, EUCLIDEAN, 2, 'brute', 30, false),
    )
    expect(Array.from(one.query(Float64Array.of(1, 1), 1, 1).distances)).toEqual([5])
    const huge = Float64Array.of(1e200, -1e200, 2e200, 0)
    for (const algorithm of ['brute', 'kd_tree'] as const) {
      const s = new NeighborSearch(createSearchPlan(huge, 4, 1, EUCLIDEAN, 2, algorithm, 1, false))
      const r = s.query(Float64Array.of(1e200), 1, 4)
      expect(Array.from(r.indices)).toEqual([0, 1, 2, 3])
      expect(Array.from(r.distances)).toEqual([0, Infinity, Infinity, Infinity])
    }
  })

  it('cosine distances: 1 − cos, zero rows at distance 1, ties by position', () => {
    const X = Float64Array.of(1, 0, 0, 0, 2, 0, 0, 1, -1, 0)
    const s = new NeighborSearch(createSearchPlan(X, 5, 2, 3, 2, 'brute', 30, false))
    const r = s.query(Float64Array.of(3, 0), 1, 5)
    expect(Array.from(r.indices)).toEqual([0, 2, 1, 3, 4])
    expect(Array.from(r.distances)).toEqual([0, 0, 1, 1, 2])
  })
})

describe('the WebAssembly SIMD tile kernel', () => {
  test.prop([floatProblem, fc.constantFrom(EUCLIDEAN, COSINE), fc.boolean()], PARAMS)(
    'gives the same bits as the JavaScript one, in shared memory or not',
    (pr, metric, shared) => {
      const k = pr.k
      const run = (simd: boolean) => {
        const train = prepareExpanded(metric, pr.X, pr.n, pr.d, 2, shared, simd)
        expect(train.rows instanceof Float64Array).toBe(!simd)
        const dist = new Float64Array(pr.m * k)
        const index = new Int32Array(pr.m * k)
        const engine = createTileEngine(train, simd ? 1 : 0)
        searchExpanded(train, engine, pr.Q, 0, pr.m, createBruteScratch(k), dist, index)
        return [Array.from(dist), Array.from(index)]
      }
      expect(run(true)).toEqual(run(false))
    },
  )
})

describe("algorithm 'auto' (scikit-learn's rule)", () => {
  it('picks brute force above 15 features, for k ≥ n/2 and for cosine; the KD-tree otherwise', () => {
    expect(resolveAlgorithm('auto', EUCLIDEAN, 1000, 15, 5)).toBe('kd_tree')
    expect(resolveAlgorithm('auto', EUCLIDEAN, 1000, 16, 5)).toBe('brute')
    expect(resolveAlgorithm('auto', MANHATTAN, 10, 2, 5)).toBe('brute')
    expect(resolveAlgorithm('auto', 3, 1000, 2, 5)).toBe('brute')
    expect(resolveAlgorithm('kd_tree', EUCLIDEAN, 10, 40, 5)).toBe('kd_tree')
  })
})
