import { readFileSync } from 'node:fs'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { ValidationError } from '../core/index.js'
import { ks2Sample } from './ks.js'
import { expectClose, parseNum } from '../../test/support/numeric-assert.js'

type Num = number | string
interface KsCase {
  name: string
  ref: Num[]
  cur: Num[]
  statistic: Num
  pValue: Num
  asympStatistic: Num
  asympPValue: Num
}
const fx = JSON.parse(
  readFileSync(new URL('../../test/fixtures/numeric/ks.json', import.meta.url), 'utf8'),
) as { cases: KsCase[] }

describe('ks2Sample matches scipy.stats.ks_2samp', () => {
  test.each(fx.cases)('$name (method=auto)', (c) => {
    const r = ks2Sample(c.ref.map(parseNum), c.cur.map(parseNum))
    expectClose(r.statistic, parseNum(c.statistic), 1e-12)
    expectClose(r.pValue, parseNum(c.pValue), 1e-9, 1e-300)
  })
  test.each(fx.cases)('$name (method=asymp)', (c) => {
    const r = ks2Sample(c.ref.map(parseNum), c.cur.map(parseNum), { method: 'asymp' })
    expectClose(r.statistic, parseNum(c.asympStatistic), 1e-12)
    expectClose(r.pValue, parseNum(c.asympPValue), 1e-9, 1e-300)
  })
  test('picks exact up to 10 000 values per sample and asymp above', () => {
    const small = fx.cases.find((c) => c.name === 'exact_max_10000_vs_300')!
    const large = fx.cases.find((c) => c.name === 'asymp_12000_vs_9000')!
    expect(ks2Sample(small.ref.map(parseNum), small.cur.map(parseNum)).method).toBe('exact')
    expect(ks2Sample(large.ref.map(parseNum), large.cur.map(parseNum)).method).toBe('asymp')
  })
  test('documented example', () => {
    expect(ks2Sample([1, 2, 3, 4], [5, 6, 7, 8])).toEqual({
      statistic: 1,
      pValue: 0.028571428571428577,
      method: 'exact',
    })
  })
})

describe('ks2Sample validation', () => {
  test('rejects empty samples and NaN', () => {
    expect(() => ks2Sample([], [1])).toThrow(ValidationError)
    expect(() => ks2Sample([1], new Float64Array(0))).toThrow(/cur must not be empty/)
    expect(() => ks2Sample([1, Number.NaN], [1])).toThrow(/ref must contain only numbers/)
  })
  test('accepts typed arrays and infinities', () => {
    const r = ks2Sample(new Float64Array([-Infinity, 0, Infinity]), new Int32Array([0, 1]))
    expect(r.statistic).toBeGreaterThanOrEqual(0)
  })
})

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 1,
  maxLength: 40,
})

describe('ks2Sample properties', () => {
  fcTest.prop([sample, sample], { seed: 20240607, numRuns: 200 })(
    'statistic and p-value lie in [0, 1] and are symmetric',
    (a, b) => {
      const r = ks2Sample(a, b)
      const s = ks2Sample(b, a)
      expect(r.statistic).toBeGreaterThanOrEqual(0)
      expect(r.statistic).toBeLessThanOrEqual(1)
      expect(r.pValue).toBeGreaterThanOrEqual(0)
      expect(r.pValue).toBeLessThanOrEqual(1)
      expect(s.statistic).toBe(r.statistic)
      expectClose(s.pValue, r.pValue, 1e-12, 1e-15)
    },
  )
  fcTest.prop([sample], { seed: 20240607, numRuns: 100 })(
    'identical samples: D = 0, p = 1',
    (a) => {
      expect(ks2Sample(a, a)).toEqual({ statistic: 0, pValue: 1, method: 'exact' })
    },
  )
})
