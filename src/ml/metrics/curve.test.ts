import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { binaryCurve, sortScores, trapezoid } from './curve.js'

const PARAMS = { seed: 20240611, numRuns: 200 }
const scoresArb = fc.array(
  fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 1, -1, 0.5, 1e-300, -1e-300, Number.MAX_VALUE, -Number.MAX_VALUE),
    fc.integer({ min: -3, max: 3 }),
  ),
  { maxLength: 300 },
)

describe('sortScores', () => {
  fcTest.prop([scoresArb], PARAMS)('sorts ascending and stably, -0 equal to 0', (xs) => {
    const score = Float64Array.from(xs)
    const { idx } = sortScores(score)
    const want = [...xs.keys()].sort((a, b) => score[a]! - score[b]! || a - b)
    expect(Array.from(idx)).toEqual(want)
  })

  fcTest.prop([scoresArb], PARAMS)(
    'keeps only rows with non-zero weight and carries tags',
    (xs) => {
      const score = Float64Array.from(xs)
      const keep = Float64Array.from(xs, (_, i) => (i % 3 === 0 ? 0 : 1))
      const tag = Uint8Array.from(xs, (_, i) => i % 2)
      const { idx } = sortScores(score, keep, tag)
      const rows = Array.from(idx, (v) => v & 0x7fffffff)
      expect(rows.every((i) => i % 3 !== 0)).toBe(true)
      expect(rows.length).toBe(xs.filter((_, i) => i % 3 !== 0).length)
      for (const v of idx) expect(v >>> 31).toBe((v & 0x7fffffff) % 2)
    },
  )
})

describe('binaryCurve', () => {
  fcTest.prop([scoresArb], PARAMS)(
    'counts positives and negatives at or above each threshold',
    (xs) => {
      const score = Float64Array.from(xs)
      const positive = Uint8Array.from(xs, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0))
      const c = binaryCurve(positive, score, undefined)
      const distinct = [...new Set(xs.map((x) => x + 0))].sort((a, b) => b - a)
      expect(Array.from(c.thresholds)).toEqual(distinct)
      distinct.forEach((t, k) => {
        let tp = 0
        let fp = 0
        xs.forEach((x, i) => {
          if (x >= t) {
            if (positive[i] === 1) tp++
            else fp++
          }
        })
        expect([c.tps[k], c.fps[k]]).toEqual([tp, fp])
      })
    },
  )

  it('handles empty input', () => {
    const c = binaryCurve(new Uint8Array(0), new Float64Array(0), undefined)
    expect(c.thresholds.length).toBe(0)
  })
})

describe('trapezoid', () => {
  it('integrates either direction and rejects non-monotonic x', () => {
    expect(trapezoid(Float64Array.of(0, 1, 2), Float64Array.of(0, 1, 0))).toBe(1)
    expect(trapezoid(Float64Array.of(2, 1, 0), Float64Array.of(0, 1, 0))).toBe(1)
    expect(trapezoid(Float64Array.of(0, 2, 1), Float64Array.of(0, 1, 0))).toBeNaN()
  })
})
