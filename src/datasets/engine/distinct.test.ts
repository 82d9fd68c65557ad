import { describe, expect, it } from 'vitest'

import { countDistinct, DistinctCounter } from './distinct.js'

/** A small deterministic generator (mulberry32), so the test needs no ambient randomness. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('DistinctCounter', () => {
  it('counts finite values exactly, −0 as 0, skipping NaN and ±Infinity', () => {
    const c = new DistinctCounter()
    c.add(Float64Array.of(1, 2, 2, -0, 0, Number.NaN, Number.POSITIVE_INFINITY))
    c.add(Float64Array.of(Number.NEGATIVE_INFINITY, 3, 1, 0.1 + 0.2, 0.3))
    // 1, 2, 0, 3, 0.30000000000000004, 0.3
    expect(c.count()).toBe(6)
    expect(new DistinctCounter().count()).toBe(0)
  })

  it('agrees with a Set over many partitions, chunk by chunk', () => {
    const next = rng(7)
    const n = 200_000
    // Rounded values repeat (about 40k of them), and the chunks have odd lengths.
    const xs = Float64Array.from({ length: n }, () => Math.round(next() * 40_000) / 7)
    const c = new DistinctCounter(16)
    for (let i = 0; i < n; i += 2047) c.add(xs.subarray(i, Math.min(n, i + 2047)))
    expect(c.count()).toBe(new Set(xs).size)
    expect(countDistinct(xs.slice(0, 1000))).toBe(new Set(xs.slice(0, 1000)).size)
  })

  it('tells apart doubles that differ in the last bit or only in their high word', () => {
    const xs = Float64Array.of(
      1,
      1 + Number.EPSILON,
      2 ** 40,
      2 ** 40 + 1,
      -(2 ** 40),
      1e-300,
      5e-324,
    )
    expect(countDistinct(xs)).toBe(7)
  })
})
