import { readFileSync } from 'node:fs'

import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { expectAllClose, expectClose, parseNum } from '../../../test/support/numeric-assert.js'
import { ValidationError } from '../../core/index.js'
import { createColumn, createFrame } from '../../frame/index.js'
import type { ClassLabel } from '../base/index.js'

import {
  calinskiHarabaszScore,
  daviesBouldinScore,
  inertia,
  silhouetteSamples,
  silhouetteScore,
} from './clustering.js'
import type { ScoreMatrix } from './inputs.js'

type Num = number | string
interface ClusteringCase {
  name: string
  X: Num[]
  nRows: number
  nCols: number
  labels: ClassLabel[]
  centers?: Num[]
  nCenters?: number
  sampleWeight?: Num[] | null
  expected: {
    silhouette: Num
    silhouetteSamples: Num[]
    daviesBouldin: Num
    calinskiHarabasz: Num
    inertia?: Num
    kmeansInertia?: Num
  }
}

const fx = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/ml/metrics/clustering.json', import.meta.url),
    'utf8',
  ),
) as { cases: ClusteringCase[] }

const nums = (a: Num[]): number[] => a.map(parseNum)

describe.each(fx.cases)('$name matches scikit-learn 1.2.1', (c) => {
  const X: ScoreMatrix = { data: Float64Array.from(nums(c.X)), nRows: c.nRows, nCols: c.nCols }
  const frame = createFrame(
    Array.from({ length: c.nCols }, (_, j) =>
      createColumn({
        name: `f${j}`,
        dtype: 'f64',
        values: Float64Array.from({ length: c.nRows }, (_, i) => X.data[i * c.nCols + j]!),
      }),
    ),
  )
  const e = c.expected
  for (const [name, input] of [
    ['matrix', X],
    ['Frame', frame],
  ] as const) {
    it(`silhouette (${name})`, () => {
      expectClose(silhouetteScore(input, c.labels), parseNum(e.silhouette), 1e-9, 1e-12)
      expectAllClose(silhouetteSamples(input, c.labels), nums(e.silhouetteSamples), 1e-9, 1e-12)
    })
    it(`Davies–Bouldin and Calinski–Harabasz (${name})`, () => {
      expectClose(daviesBouldinScore(input, c.labels), parseNum(e.daviesBouldin), 1e-9, 1e-12)
      expectClose(calinskiHarabaszScore(input, c.labels), parseNum(e.calinskiHarabasz))
    })
  }
  if (c.centers !== undefined) {
    it('inertia', () => {
      const centers = { data: nums(c.centers!), nRows: c.nCenters!, nCols: c.nCols }
      const labels = c.labels as number[]
      const sampleWeight = c.sampleWeight == null ? undefined : nums(c.sampleWeight)
      const got = inertia(X, labels, centers, { sampleWeight })
      expectClose(got, parseNum(e.inertia!))
      expectClose(got, parseNum(e.kmeansInertia!), 1e-9)
    })
  }
})

describe('validation', () => {
  const X = { data: [0, 0, 1, 1, 5, 5, 6, 6], nRows: 4, nCols: 2 }
  it('needs 2 to n − 1 clusters', () => {
    expect(() => silhouetteScore(X, [0, 0, 0, 0])).toThrow(/number of clusters is 1/)
    expect(() => daviesBouldinScore(X, [0, 1, 2, 3])).toThrow(ValidationError)
  })
  it('rejects length mismatches, non-finite features and bad center indices', () => {
    expect(() => calinskiHarabaszScore(X, [0, 1, 1])).toThrow(/different lengths/)
    expect(() => silhouetteScore({ ...X, data: [0, NaN, 1, 1, 5, 5, 6, 6] }, [0, 0, 1, 1])).toThrow(
      /non-finite/,
    )
    const centers = { data: [0, 0, 5, 5], nRows: 2, nCols: 2 }
    expect(() => inertia(X, [0, 0, 2, 1], centers)).toThrow(/center indices/)
    expect(inertia(X, [0, 0, 1, 1], centers)).toBe(4)
  })
  it('checks sampleSize and samples deterministically by seed', () => {
    expect(() => silhouetteScore(X, [0, 0, 1, 1], { sampleSize: 9 })).toThrow(/sampleSize/)
    const a = silhouetteScore(X, [0, 0, 1, 1], { sampleSize: 4, seed: 3 })
    expectClose(a, silhouetteScore(X, [0, 0, 1, 1]), 1e-12)
  })
})

const PARAMS = { seed: 20240611, numRuns: 60 }
const pointsArb = fc
  .integer({ min: 4, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2 * n, maxLength: 2 * n }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    ),
  )

describe('properties', () => {
  fcTest.prop([pointsArb], PARAMS)(
    'silhouette values are in [−1, 1] and rigid-motion invariant',
    ([xy, labels]) => {
      const n = labels.length
      const k = new Set(labels).size
      if (k < 2 || k > n - 1) return
      const X = { data: xy, nRows: n, nCols: 2 }
      const s = silhouetteScore(X, labels)
      expect(Math.abs(s)).toBeLessThanOrEqual(1)
      // Rotate by 90° and shift: distances are unchanged.
      const moved = {
        ...X,
        data: xy.map((_, i) => (i % 2 === 0 ? -xy[i + 1]! + 7 : xy[i - 1]! - 3)),
      }
      expectClose(silhouetteScore(moved, labels), s, 1e-9, 1e-12)
      expectClose(daviesBouldinScore(moved, labels), daviesBouldinScore(X, labels), 1e-9, 1e-12)
    },
  )

  fcTest.prop([pointsArb], PARAMS)(
    'a seeded sample equals the exact score on the same rows',
    ([xy, labels]) => {
      const n = labels.length
      const k = new Set(labels).size
      if (k < 2 || k > n - 1) return
      const X = { data: xy, nRows: n, nCols: 2 }
      const a = silhouetteScore(X, labels, { sampleSize: n, seed: 5 })
      expectClose(a, silhouetteScore(X, labels), 1e-9, 1e-12)
    },
  )
})
