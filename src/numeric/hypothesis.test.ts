import { readFileSync } from 'node:fs'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { ValidationError } from '../core/index.js'
import { chiSquareDrift, chiSquareTest, zTestProportions } from './hypothesis.js'
import { expectClose, parseNum } from '../../test/support/numeric-assert.js'

type Num = number | string
interface ChiCase {
  name: string
  observed: number[]
  expected: number[] | null
  statistic: Num
  pValue: Num
  dof: number
}
interface DriftCase {
  name: string
  ref: number[]
  cur: number[]
  statistic: Num
  pValue: Num
  dof: number
}
interface ZCase {
  refCount: number
  refTotal: number
  curCount: number
  curTotal: number
  statistic: Num
  pValue: Num
}
const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/numeric/${name}`, import.meta.url), 'utf8'))
const chi = read('chisquare.json') as { cases: ChiCase[]; driftCases: DriftCase[] }
const z = read('ztest.json') as { cases: ZCase[] }

describe('chiSquareTest matches scipy.stats.chisquare', () => {
  test.each(chi.cases)('$name', (c) => {
    const r = chiSquareTest(c.observed, c.expected ?? undefined)
    expectClose(r.statistic, parseNum(c.statistic), 1e-12, 1e-12)
    expectClose(r.pValue, parseNum(c.pValue), 1e-9, 1e-300)
    expect(r.dof).toBe(c.dof)
  })
  test.each(chi.driftCases)('Evidently chisquare stattest: $name', (c) => {
    const r = chiSquareDrift(c.ref, c.cur)
    expectClose(r.statistic, parseNum(c.statistic), 1e-12, 1e-12)
    expectClose(r.pValue, parseNum(c.pValue), 1e-9, 1e-300)
    expect(r.dof).toBe(c.dof)
  })
  test('documented examples and one category', () => {
    const r = chiSquareTest([16, 18, 16, 14, 12, 12])
    expect(r.statistic).toBe(2)
    expect(r.dof).toBe(5)
    expectClose(r.pValue, 0.8491450360846096, 1e-14)
    expect(chiSquareDrift([10, 20, 30], [20, 40, 60]).pValue).toBe(1)
    expect(chiSquareTest([5])).toEqual({ statistic: 0, pValue: 1, dof: 0 })
    expect(chiSquareTest([0, 5], [0, 5]).statistic).toBe(0)
  })
  test('validation', () => {
    expect(() => chiSquareTest([])).toThrow(ValidationError)
    expect(() => chiSquareTest([1, 2], [1, 2, 0])).toThrow(/same length/)
    expect(() => chiSquareTest([1, 2], [1, 3])).toThrow(/same total/)
    expect(() => chiSquareTest([-1, 2])).toThrow(/negative/)
    expect(() => chiSquareTest([Number.NaN, 2])).toThrow(ValidationError)
    expect(() => chiSquareDrift([0, 0], [1, 2])).toThrow(/positive total/)
  })
})

describe('zTestProportions matches Evidently z stattest', () => {
  test.each(z.cases)('$refCount/$refTotal vs $curCount/$curTotal', (c) => {
    const r = zTestProportions(c.refCount, c.refTotal, c.curCount, c.curTotal)
    expectClose(r.statistic, parseNum(c.statistic), 1e-12, 1e-12)
    expectClose(r.pValue, parseNum(c.pValue), 1e-9, 1e-300)
  })
  test('documented example', () => {
    expectClose(zTestProportions(30, 100, 45, 100).pValue, 0.02845973691631055, 1e-12)
  })
  test('validation', () => {
    expect(() => zTestProportions(5, 4, 1, 2)).toThrow(ValidationError)
    expect(() => zTestProportions(1, 0, 1, 2)).toThrow(/integer count/)
    expect(() => zTestProportions(1.5, 3, 1, 2)).toThrow(ValidationError)
  })
})

describe('properties', () => {
  const counts = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 })
  fcTest.prop([counts, counts], { seed: 20240607, numRuns: 300 })(
    'chi-square drift p-values are in [0, 1]',
    (a, b) => {
      const n = Math.min(a.length, b.length)
      const ref = a.slice(0, n)
      const cur = b.slice(0, n)
      fc.pre(ref.some((v) => v > 0) && cur.some((v) => v > 0))
      const r = chiSquareDrift(ref, cur)
      expect(r.pValue).toBeGreaterThanOrEqual(0)
      expect(r.pValue).toBeLessThanOrEqual(1)
      expect(r.statistic).toBeGreaterThanOrEqual(0)
    },
  )
  fcTest.prop(
    [
      fc.integer({ min: 1, max: 1e6 }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ],
    { seed: 20240607, numRuns: 300 },
  )('z-test p-values are in [0, 1] and symmetric', (n1, n2, f1, f2) => {
    const c1 = Math.floor(f1 * n1)
    const c2 = Math.floor(f2 * n2)
    const r = zTestProportions(c1, n1, c2, n2)
    expect(r.pValue).toBeGreaterThanOrEqual(0)
    expect(r.pValue).toBeLessThanOrEqual(1)
    expectClose(zTestProportions(c2, n2, c1, n1).pValue, r.pValue, 1e-12, 1e-300)
  })
})
