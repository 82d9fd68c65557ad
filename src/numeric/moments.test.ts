import { readFileSync } from 'node:fs'
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { mean, meanStrided, std, variance, varianceStrided } from './moments.js'
import { sum, sumStrided } from './sum.js'
import { expectClose, parseNum } from '../../test/support/numeric-assert.js'

type Num = number | string
interface MomentCase {
  name: string
  x: Num[]
  sum: Num
  mean: Num
  variance: Num
  std0: Num
}
const fx = JSON.parse(
  readFileSync(new URL('../../test/fixtures/numeric/moments.json', import.meta.url), 'utf8'),
) as { cases: MomentCase[] }

describe('sum / mean / variance match math.fsum and numpy', () => {
  test.each(fx.cases)('$name', (c) => {
    const x = Float64Array.from(c.x.map(parseNum))
    // fsum is exactly rounded; Neumaier is within 2 eps Σ|x| of it, exact on these inputs.
    expectClose(sum(x), parseNum(c.sum), 1e-15, 1e-310)
    expectClose(mean(x), parseNum(c.mean), 1e-15, 1e-310)
    expectClose(variance(x), parseNum(c.variance), 1e-9, 1e-310)
    expectClose(std(x, 0), parseNum(c.std0), 1e-9, 1e-310)
  })
})

describe('kernel edge cases', () => {
  const x = new Float64Array([1, 2, 3, 4, 5, 6])
  test('n <= 0: sum 0, mean and variance NaN', () => {
    expect(sumStrided(0, x, 1, 0)).toBe(0)
    expect(sumStrided(-3, x, 1, 0)).toBe(0)
    expect(meanStrided(0, x, 1, 0)).toBeNaN()
    expect(varianceStrided(-1, x, 1, 0)).toBeNaN()
    expect(sum([])).toBe(0)
    expect(mean([])).toBeNaN()
  })
  test('n = 1: variance with ddof=1 is NaN, ddof=0 is 0', () => {
    expect(sumStrided(1, x, 1, 2)).toBe(3)
    expect(meanStrided(1, x, 1, 2)).toBe(3)
    expect(varianceStrided(1, x, 1, 2)).toBeNaN()
    expect(varianceStrided(1, x, 1, 2, 0)).toBe(0)
  })
  test('stride 2, negative stride and offset', () => {
    expect(sumStrided(3, x, 2, 0)).toBe(9) // 1 + 3 + 5
    expect(sumStrided(3, x, 2, 1)).toBe(12) // 2 + 4 + 6
    expect(sumStrided(3, x, -2, 5)).toBe(12) // 6 + 4 + 2
    expect(meanStrided(3, x, -1, 2)).toBe(2) // 3, 2, 1
    expect(varianceStrided(3, x, 2, 0)).toBe(4) // var(1, 3, 5)
    expect(sumStrided(4, x, 0, 1)).toBe(8) // stride 0 repeats x[1]
  })
  test('NaN and infinities propagate', () => {
    expect(sum([1, Number.NaN, 2])).toBeNaN()
    expect(sum([1, Infinity, 2])).toBe(Infinity)
    expect(sum([-Infinity, 1])).toBe(-Infinity)
    expect(sum([Infinity, -Infinity])).toBeNaN()
    expect(mean([1, Number.NaN])).toBeNaN()
    expect(mean([Infinity, 1])).toBe(Infinity)
    expect(variance([1, Infinity])).toBeNaN()
    expect(variance([1, Number.NaN, 3])).toBeNaN()
  })
  test('overflowing partial sums still give a finite mean', () => {
    expect(mean([1.5e308, 1.5e308])).toBe(1.5e308)
    expect(sum([1.5e308, 1.5e308])).toBe(Infinity)
  })
  test('constant column has zero variance, catastrophic cancellation is avoided', () => {
    expect(variance(new Float64Array(10).fill(1e9 + 0.1))).toBe(0)
    expectClose(variance([1e9 + 1, 1e9 + 2, 1e9 + 3]), 1, 1e-12)
  })
  test('documented examples', () => {
    expect(sumStrided(3, new Float64Array([1e16, 0, 1, 0, -1e16, 0]), 2, 0)).toBe(1)
    expect(sum([1e16, 1, -1e16])).toBe(1)
    expect(meanStrided(3, new Float64Array([1, 99, 2, 99, 3, 99]), 2, 0)).toBe(2)
    expect(varianceStrided(4, new Float64Array([1, 2, 3, 4]), 1, 0)).toBe(1.6666666666666667)
    expect(mean([1, 2, 3, 4])).toBe(2.5)
    expect(variance([1, 2, 3, 4])).toBe(1.6666666666666667)
    expect(variance([1, 2, 3, 4], 0)).toBe(1.25)
    expect(std([1, 2, 3, 4], 0)).toBe(1.118033988749895)
  })
})

const finite = fc.double({ min: -1e12, max: 1e12, noNaN: true })
const SEED = 20240607

describe('properties', () => {
  fcTest.prop([fc.array(finite, { maxLength: 200 }), fc.nat()], { seed: SEED, numRuns: 300 })(
    'compensated sum is permutation-invariant within 2·eps·Σ|x|',
    (xs, k) => {
      const shuffled = [...xs]
      // Deterministic rotation + reversal from the generated k (no Math.random in properties).
      const r = xs.length === 0 ? 0 : k % xs.length
      const perm = [...shuffled.slice(r), ...shuffled.slice(0, r)].reverse()
      let abs = 0
      for (const v of xs) abs += Math.abs(v)
      const bound = 4 * Number.EPSILON * abs
      expect(Math.abs(sum(xs) - sum(perm))).toBeLessThanOrEqual(bound)
    },
  )
  fcTest.prop(
    [fc.array(finite, { minLength: 1, maxLength: 100 }), fc.integer({ min: 1, max: 4 })],
    { seed: SEED, numRuns: 200 },
  )('strided == contiguous (positive and negative strides)', (xs, stride) => {
    const n = xs.length
    const buf = new Float64Array(n * stride + 3).fill(12345)
    for (let i = 0; i < n; i++) buf[3 + i * stride] = xs[i]!
    const contiguous = Float64Array.from(xs)
    expect(sumStrided(n, buf, stride, 3)).toBe(sum(contiguous))
    expect(meanStrided(n, buf, stride, 3)).toBe(mean(contiguous))
    expect(varianceStrided(n, buf, stride, 3)).toBe(variance(contiguous))
    const reversed = Float64Array.from(xs).reverse()
    expect(sumStrided(n, buf, -stride, 3 + (n - 1) * stride)).toBe(sum(reversed))
  })
  fcTest.prop([fc.array(finite, { minLength: 2, maxLength: 100 })], { seed: SEED, numRuns: 200 })(
    'variance is non-negative and shift-invariant within tolerance',
    (xs) => {
      const v = variance(xs)
      expect(v).toBeGreaterThanOrEqual(0)
      const shifted = xs.map((x) => x + 1000)
      expectClose(variance(shifted), v, 1e-6, 1e-6 * Math.max(1, v))
    },
  )
})
