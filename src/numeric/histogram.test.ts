import { readFileSync } from 'node:fs'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { ValidationError } from '../core/index.js'
import { jensenShannonDistance, psi } from './distances.js'
import { binProportions, fillZeroProportions, histogram, histogramBinEdges } from './histogram.js'
import { expectAllClose, expectClose, parseNum } from '../../test/support/numeric-assert.js'

type Num = number | string
interface HistCase {
  name: string
  values: Num[]
  bins: 'sturges' | number
  edges: Num[]
  counts: number[]
}
interface BinnedCase {
  name: string
  ref: Num[]
  cur: Num[]
  edges: Num[]
  refProportions: Num[]
  curProportions: Num[]
  refFilled: Num[]
  curFilled: Num[]
  jensenShannon: Num
  psi: Num
}
const fx = JSON.parse(
  readFileSync(new URL('../../test/fixtures/numeric/histogram.json', import.meta.url), 'utf8'),
) as { cases: HistCase[]; binned: BinnedCase[] }
const nums = (xs: Num[]): number[] => xs.map(parseNum)

describe('histogramBinEdges / histogram match numpy', () => {
  test.each(fx.cases)('$name (bins=$bins)', (c) => {
    const values = nums(c.values)
    const edges = histogramBinEdges(values, c.bins)
    // linspace is reproduced operation for operation, so edges agree to the last bit.
    expectAllClose(edges, nums(c.edges), 1e-15)
    expect(Array.from(histogram(values, edges))).toEqual(c.counts)
  })
})

describe('binProportions (Evidently get_binned_data)', () => {
  test.each(fx.binned)('$name', (c) => {
    const r = binProportions(nums(c.ref), nums(c.cur))
    expectAllClose(r.edges, nums(c.edges), 1e-15)
    expectAllClose(r.ref, nums(c.refProportions), 1e-15)
    expectAllClose(r.cur, nums(c.curProportions), 1e-15)
    expectAllClose(fillZeroProportions(r.ref), nums(c.refFilled), 1e-15)
    expectAllClose(fillZeroProportions(r.cur), nums(c.curFilled), 1e-15)
    expectClose(jensenShannonDistance(r.ref, r.cur), parseNum(c.jensenShannon), 1e-9)
    expectClose(psi(r.ref, r.cur), parseNum(c.psi), 1e-9)
  })
})

describe('edge cases and validation', () => {
  test('last bin is closed, values outside the edges are dropped', () => {
    const e = new Float64Array([0, 1, 2])
    expect(Array.from(histogram([-1, 0, 0.5, 1, 2, 2.5], e))).toEqual([2, 2])
    expect(Array.from(histogram([], e))).toEqual([0, 0])
  })
  test('documented examples', () => {
    expect(Array.from(histogramBinEdges([1, 2, 2, 3, 3, 3, 4, 4, 4, 4], 'sturges'))).toEqual([
      1, 1.6, 2.2, 2.8, 3.4, 4,
    ])
    expect(Array.from(histogram([0, 1, 1, 2, 3], new Float64Array([0, 1, 2, 3])))).toEqual([
      1, 2, 2,
    ])
    expect(Array.from(binProportions([0, 1, 2, 3], [3, 3]).cur)).toEqual([0, 0, 0, 1])
    expect(Array.from(fillZeroProportions([0, 0.5, 0.5]))).toEqual([0.0001, 0.5, 0.5])
    expect(Array.from(fillZeroProportions([0, 0]))).toEqual([0, 0])
  })
  test('rejects empty or non-finite values and bad bins/edges', () => {
    expect(() => histogramBinEdges([])).toThrow(ValidationError)
    expect(() => histogramBinEdges([1, Number.NaN])).toThrow(/finite/)
    expect(() => histogramBinEdges([1, Infinity])).toThrow(/finite/)
    expect(() => histogramBinEdges([1, 2], 0)).toThrow(/bins/)
    expect(() => histogramBinEdges([1, 2], 2.5)).toThrow(/bins/)
    expect(() => histogram([1], new Float64Array([1]))).toThrow(/two entries/)
    expect(() => histogram([1], new Float64Array([2, 1]))).toThrow(/non-decreasing/)
    expect(() => histogram([Number.NaN], new Float64Array([0, 1]))).toThrow(ValidationError)
    expect(() => binProportions([1], [])).toThrow(/cur must not be empty/)
  })
})

describe('properties', () => {
  fcTest.prop(
    [
      fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.oneof(fc.constant<'sturges'>('sturges'), fc.integer({ min: 1, max: 50 })),
    ],
    { seed: 20240607, numRuns: 300 },
  )('every value lands in exactly one bin of its own edges', (xs, bins) => {
    const edges = histogramBinEdges(xs, bins)
    const counts = histogram(xs, edges)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(xs.length)
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThanOrEqual(edges[i - 1]!)
  })
})
