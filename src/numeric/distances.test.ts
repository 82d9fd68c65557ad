import { readFileSync } from 'node:fs'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { ValidationError } from '../core/index.js'
import {
  hellingerDistance,
  jensenShannonDistance,
  kullbackLeibler,
  lInfinityDistance,
  psi,
  wassersteinDistance,
  wassersteinNormed,
} from './distances.js'
import { fillZeroProportions } from './histogram.js'
import { expectClose, parseNum } from '../../test/support/numeric-assert.js'

type Num = number | string
interface VecCase {
  name: string
  p: Num[]
  q: Num[]
  jensenShannon: Num
  jensenShannonBase2: Num
  psi: Num
  hellinger: Num
  lInfinity: Num
  klFilled: Num
  kl: Num
}
interface WsCase {
  name: string
  ref: Num[]
  cur: Num[]
  wasserstein: Num
  normed: Num
}
const fx = JSON.parse(
  readFileSync(new URL('../../test/fixtures/numeric/distances.json', import.meta.url), 'utf8'),
) as { vectors: VecCase[]; wasserstein: WsCase[] }

const nums = (xs: Num[]): number[] => xs.map(parseNum)
const normalized = (xs: number[]): number[] => {
  const s = xs.reduce((a, b) => a + b, 0)
  return xs.map((x) => x / s)
}

describe('distribution distances match scipy / Evidently', () => {
  test.each(fx.vectors)('$name', (c) => {
    const p = nums(c.p)
    const q = nums(c.q)
    expectClose(jensenShannonDistance(p, q), parseNum(c.jensenShannon), 1e-9, 1e-15)
    expectClose(jensenShannonDistance(p, q, 2), parseNum(c.jensenShannonBase2), 1e-9, 1e-15)
    // Evidently's PSI takes proportions as given; the fixture normalized the counts first.
    expectClose(psi(normalized(p), normalized(q)), parseNum(c.psi), 1e-9, 1e-15)
    expectClose(hellingerDistance(p, q), parseNum(c.hellinger), 1e-9, 1e-15)
    expectClose(lInfinityDistance(p, q), parseNum(c.lInfinity), 1e-9, 1e-15)
    expectClose(kullbackLeibler(p, q), parseNum(c.kl), 1e-9, 1e-15)
    const pf = fillZeroProportions(normalized(p))
    const qf = fillZeroProportions(normalized(q))
    expectClose(kullbackLeibler(pf, qf), parseNum(c.klFilled), 1e-9, 1e-15)
  })
  test.each(fx.wasserstein)('wasserstein $name', (c) => {
    const a = nums(c.ref)
    const b = nums(c.cur)
    expectClose(wassersteinDistance(a, b), parseNum(c.wasserstein), 1e-9, 1e-12)
    expectClose(wassersteinNormed(a, b), parseNum(c.normed), 1e-9, 1e-12)
  })
  test('documented examples', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5)
    expect(wassersteinNormed([0, 2], [1, 3])).toBe(1)
    expectClose(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.LN2), 1e-15)
    expectClose(kullbackLeibler([0.5, 0.5], [0.25, 0.75]), 0.14384103622589042, 1e-15)
    expectClose(psi([0.5, 0.5], [0.25, 0.75]), 0.27465307216702745, 1e-15)
    expect(hellingerDistance([1, 0], [0, 1])).toBeCloseTo(1, 15)
    expect(lInfinityDistance([10, 30], [20, 20])).toBe(0.25)
  })
})

describe('validation', () => {
  test('empty, NaN, negative, all-zero and mismatched inputs are rejected', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(ValidationError)
    expect(() => wassersteinDistance([1, Infinity], [1])).toThrow(/finite/)
    expect(() => jensenShannonDistance([0.5, Number.NaN], [0.5, 0.5])).toThrow(ValidationError)
    expect(() => psi([-0.1, 1.1], [0.5, 0.5])).toThrow(/negative/)
    expect(() => hellingerDistance([0, 0], [0.5, 0.5])).toThrow(/positive total/)
    expect(() => lInfinityDistance([1, 2, 3], [1, 2])).toThrow(/same length/)
  })
  test('issues carry a path', () => {
    try {
      kullbackLeibler([1, Number.NaN], [1, 1])
      expect.fail('should throw')
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).issues[0]?.path).toEqual(['p', 1])
    }
  })
})

const SEED = 20240607
// Zero or a normal-range weight: subnormal weights make the normalized vectors overflow to
// Infinity in scipy as well, which says nothing about the properties under test.
const weight = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e6, noNaN: true }))
const weights = (n: number) => fc.array(weight, { minLength: n, maxLength: n })
const positiveVec = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(weights(n), weights(n)))
  .filter(([p, q]) => p.some((v) => v > 0) && q.some((v) => v > 0))
const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 1,
  maxLength: 50,
})

describe('properties', () => {
  fcTest.prop([positiveVec], { seed: SEED, numRuns: 300 })(
    'JS, Hellinger, L∞ and PSI are ≥ 0 and symmetric; all are 0 on identical inputs',
    ([p, q]) => {
      for (const f of [jensenShannonDistance, hellingerDistance, lInfinityDistance]) {
        const d = f(p, q)
        expect(d).toBeGreaterThanOrEqual(0)
        expectClose(f(q, p), d, 1e-12, 1e-15)
        expectClose(f(p, p), 0, 0, 1e-7)
      }
      expect(jensenShannonDistance(p, q)).toBeLessThanOrEqual(Math.sqrt(Math.LN2) + 1e-12)
      expect(hellingerDistance(p, q)).toBeLessThanOrEqual(1 + 1e-12)
      expect(kullbackLeibler(p, p)).toBeCloseTo(0, 12)
      const pn = normalized(p)
      const qn = normalized(q)
      expect(psi(pn, qn)).toBeGreaterThanOrEqual(0)
      expectClose(psi(qn, pn), psi(pn, qn), 1e-12, 1e-15)
    },
  )
  fcTest.prop([sample, sample], { seed: SEED, numRuns: 300 })(
    'Wasserstein is ≥ 0, symmetric, 0 on identical samples and shift-equivariant',
    (a, b) => {
      const w = wassersteinDistance(a, b)
      expect(w).toBeGreaterThanOrEqual(0)
      expectClose(wassersteinDistance(b, a), w, 1e-12, 1e-9)
      expect(wassersteinDistance(a, [...a].reverse())).toBe(0)
      expect(wassersteinNormed(a, a)).toBe(0)
    },
  )
})
