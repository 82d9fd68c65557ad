import { describe, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { kolmogorovSf } from './kolmogorov.js'
import { chiSquareSf, erf, erfc, gammaP, gammaQ, logGamma, normalCdf, normalSf } from './special.js'
import { expectClose, parseNum } from '../../test/support/numeric-assert.js'

interface XY {
  x: number
  y: number | string
}
interface SpecialFixture {
  erf: XY[]
  erfc: XY[]
  ndtr: XY[]
  normSf: XY[]
  gammaln: XY[]
  gammainc: { a: number; x: number; p: number | string; q: number | string }[]
  chi2Sf: { k: number; x: number; y: number | string }[]
  kstwoSf: { n: number; d: number; sf: number | string }[]
}
const fx = JSON.parse(
  readFileSync(new URL('../../test/fixtures/numeric/special.json', import.meta.url), 'utf8'),
) as SpecialFixture

describe('special functions match scipy.special', () => {
  const unary = [
    ['erf', erf, fx.erf],
    ['erfc', erfc, fx.erfc],
    ['ndtr', normalCdf, fx.ndtr],
    ['norm.sf', normalSf, fx.normSf],
    ['gammaln', logGamma, fx.gammaln],
  ] as const
  for (const [name, fn, cases] of unary) {
    // Relative 1e-12; absolute 1e-300 because scipy flushes results in the subnormal range to 0,
    // and 1e-14 absolute for gammaln near its zeros at 1 and 2.
    const atol = name === 'gammaln' ? 1e-14 : 1e-300
    test.each(cases)(`${name}($x)`, ({ x, y }) => {
      expectClose(fn(x), parseNum(y), 1e-12, atol)
    })
  }
  test.each(fx.gammainc)('gammainc/gammaincc($a, $x)', ({ a, x, p, q }) => {
    expectClose(gammaP(a, x), parseNum(p), 1e-11, 1e-300)
    expectClose(gammaQ(a, x), parseNum(q), 1e-11, 1e-300)
  })
  test.each(fx.chi2Sf)('chi2.sf($x, $k)', ({ k, x, y }) => {
    expectClose(chiSquareSf(x, k), parseNum(y), 1e-11, 1e-300)
  })
})

describe('kolmogorovSf matches scipy.stats.kstwo.sf', () => {
  test.each(fx.kstwoSf)('kstwo.sf($d, $n)', ({ n, d, sf }) => {
    expectClose(kolmogorovSf(n, d), parseNum(sf), 1e-9, 1e-300)
  })
  test('domain and documented example', () => {
    expect(kolmogorovSf(0, 0.5)).toBeNaN()
    expect(kolmogorovSf(2.5, 0.5)).toBeNaN()
    expect(kolmogorovSf(10, Number.NaN)).toBeNaN()
    expect(kolmogorovSf(10, -1)).toBe(1)
    expect(kolmogorovSf(10, 2)).toBe(0)
    expectClose(kolmogorovSf(10, 0.5), 0.00777741, 1e-12)
  })
})

describe('special function edge cases and documented examples', () => {
  test('domains', () => {
    expect(logGamma(0)).toBe(Infinity)
    expect(logGamma(-1)).toBeNaN()
    expect(logGamma(Infinity)).toBe(Infinity)
    expect(gammaP(0, 1)).toBeNaN()
    expect(gammaQ(1, -1)).toBeNaN()
    expect(gammaP(2, Infinity)).toBe(1)
    expect(gammaQ(2, Infinity)).toBe(0)
    expect(erf(Infinity)).toBe(1)
    expect(erf(-Infinity)).toBe(-1)
    expect(erfc(-Infinity)).toBe(2)
    expect(erfc(Infinity)).toBe(0)
    expect(erf(Number.NaN)).toBeNaN()
    expect(normalCdf(-Infinity)).toBe(0)
    expect(normalSf(-Infinity)).toBe(1)
    expect(chiSquareSf(0, 3)).toBe(1)
    expect(chiSquareSf(Infinity, 3)).toBe(0)
    expect(chiSquareSf(1, 0)).toBeNaN()
  })
  test('examples', () => {
    expectClose(logGamma(0.5), 0.5723649429247001, 1e-14)
    expectClose(gammaP(1, 1), 0.6321205588285577, 1e-14)
    expectClose(gammaQ(1, 1), 0.36787944117144233, 1e-14)
    expectClose(erf(0.5), 0.5204998778130465, 1e-14)
    expectClose(erfc(3), 0.0000220904969985854, 1e-13)
    expectClose(normalCdf(1.959963984540054), 0.975, 1e-14)
    expect(normalSf(0)).toBe(0.5)
    expectClose(chiSquareSf(3.841458820694124, 1), 0.05, 1e-13)
  })
})
