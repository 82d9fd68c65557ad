import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { createSampleQuantiles, pearsonMatrix, sampleQuantiles } from './sample-stats.js'

const col = (xs: readonly (number | null)[]) => ({
  values: Float64Array.from(xs, (x) => x ?? 0),
  valid: Uint8Array.from(xs, (x) => (x === null ? 0 : 1)),
})

describe('sampleQuantiles', () => {
  it('interpolates linearly between closest ranks, like pandas and numpy', () => {
    // numpy.quantile([7, 1, 3, 10, 4], [0, .01, .25, .5, .9, 1]) (linear)
    const q = sampleQuantiles(
      { values: Float64Array.of(7, 1, 3, 10, 4) },
      [0, 0.01, 0.25, 0.5, 0.9, 1],
    )
    expect(q[0]).toBe(1)
    expect(q[1]).toBeCloseTo(1.08, 12)
    expect(q[2]).toBe(3)
    expect(q[3]).toBe(4)
    expect(q[4]).toBeCloseTo(8.8, 12)
    expect(q[5]).toBe(10)
  })

  it('skips missing and non-finite values and leaves the column untouched', () => {
    for (const quantiles of [sampleQuantiles, createSampleQuantiles(8)]) {
      const c = col([5, null, 1, 3])
      expect(quantiles(c, [0, 0.5, 1])).toEqual([1, 3, 5])
      expect(Array.from(c.values)).toEqual([5, 0, 1, 3])
      const odd = { values: Float64Array.of(2, Number.NaN, 1, Infinity, -Infinity) }
      expect(quantiles(odd, [0, 0.5, 1])).toEqual([1, 1.5, 2])
      expect(quantiles(col([null, null]), [0.5])).toEqual([null])
    }
  })

  it('selects what a full sort gives, in JavaScript and WebAssembly, repeated values included (property)', () => {
    const qs = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]
    const bySort = (xs: readonly number[]): (number | null)[] => {
      const x = Float64Array.from(xs.filter((v) => Number.isFinite(v))).sort()
      if (x.length === 0) return qs.map(() => null)
      return qs.map((q) => {
        const h = (x.length - 1) * q
        const a = x[Math.floor(h)] ?? Number.NaN
        const b = x[Math.ceil(h)] ?? Number.NaN
        const v = Math.floor(h) === Math.ceil(h) ? a : a + (h - Math.floor(h)) * (b - a)
        return Number.isFinite(v) ? v + 0 : null
      })
    }
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -3, max: 3 }),
      fc.constant(Number.NaN),
    )
    const wasm = createSampleQuantiles(400)
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), (xs) => {
        const want = bySort(xs)
        expect(sampleQuantiles({ values: Float64Array.from(xs) }, qs)).toEqual(want)
        expect(wasm({ values: Float64Array.from(xs) }, qs)).toEqual(want)
      }),
      { numRuns: 300 },
    )
    const big = Float64Array.from({ length: 50_001 }, (_, i) => ((i * 7919) % 50_001) / 7)
    const sorted = Float64Array.from(big).sort()
    expect(sampleQuantiles({ values: big }, qs)).toEqual(bySort(Array.from(big)))
    expect(createSampleQuantiles(50_001)({ values: big }, qs)).toEqual(bySort(Array.from(big)))
    // Sorted and constant input: no worst case.
    expect(createSampleQuantiles(50_001)({ values: sorted }, qs)).toEqual(bySort(Array.from(big)))
    expect(createSampleQuantiles(9)({ values: new Float64Array(9).fill(4) }, [0.5])).toEqual([4])
  })
})

describe('pearsonMatrix', () => {
  it('matches the textbook value and is symmetric with a unit diagonal', () => {
    const x = { values: Float64Array.of(1, 2, 3, 4, 5) }
    const y = { values: Float64Array.of(2, 1, 4, 3, 5) }
    const m = pearsonMatrix([x, y])
    expect(m[0]?.[0]).toBe(1)
    expect(m[0]?.[1]).toBeCloseTo(0.8, 12)
    expect(m[1]?.[0]).toBe(m[0]?.[1])
  })

  it('uses pairwise-complete rows and gives null where undefined', () => {
    const x = col([1, 2, null, 4, 100])
    const y = col([2, 4, 5, null, 200])
    const k = { values: Float64Array.of(3, 3, 3, 3, 3) }
    const m = pearsonMatrix([x, y, k])
    // rows 0, 1 and 4 only: perfectly linear
    expect(m[0]?.[1]).toBeCloseTo(1, 12)
    expect(m[0]?.[2]).toBeNull()
    expect(m[2]?.[1]).toBeNull()
    expect(pearsonMatrix([col([1, null]), col([null, 2])])[0]?.[1]).toBeNull()
  })
})
