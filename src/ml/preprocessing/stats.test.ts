import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { quantileSorted } from '../base/index.js'

import { selectRanks } from './kernels/select.js'
import { medianSorted, quantilesOf } from './stats.js'

const PARAMS = { seed: 20240611, numRuns: 200 }

describe('quantiles', () => {
  it('interpolate like numpy.percentile (linear)', () => {
    const s = Float64Array.of(1, 2, 3, 4)
    expect(quantileSorted(s, 0.25)).toBe(1.75)
    expect(quantileSorted(s, 0)).toBe(1)
    expect(quantileSorted(s, 1)).toBe(4)
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN()
    expect(medianSorted(s)).toBe(2.5)
    expect(medianSorted(Float64Array.of(7))).toBe(7)
  })
  it('quantilesOf with one value', () => {
    expect(quantilesOf(Float64Array.of(3), [0.1, 0.9], true)).toEqual([3, 3, 3])
    expect(quantilesOf(new Float64Array(0), [0.5], true)).toEqual([NaN, NaN])
  })
  test.prop(
    [
      fc.array(
        fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, min: -1e9, max: 1e9 })),
        {
          minLength: 1,
          maxLength: 300,
        },
      ),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
    ],
    PARAMS,
  )('selection gives the same quantiles and median as a full sort', (xs, qs) => {
    const sorted = Float64Array.from(xs).sort()
    const want = [...qs.map((q) => quantileSorted(sorted, q)), medianSorted(sorted)]
    expect(quantilesOf(Float64Array.from(xs), qs, true)).toEqual(want)
  })
  test.prop([fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2000 })], PARAMS)(
    'selectRanks places every requested rank, with heavy ties',
    (xs) => {
      const a = Float64Array.from(xs)
      const sorted = Float64Array.from(xs).sort()
      const ks = [0, xs.length >> 1, xs.length - 1]
      selectRanks(a, ks)
      for (const k of ks) expect(a[k]).toBe(sorted[k])
    },
  )
})
