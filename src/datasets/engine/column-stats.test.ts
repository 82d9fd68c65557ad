import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { createColumnStats, type ColumnSummary } from './column-stats.js'
import { countDistinct } from './distinct.js'

/** Summaries of `columns` (added in chunks of `chunk` values) by one backend. */
async function summaries(
  columns: readonly Float64Array[],
  backend: 'wasm' | 'js' | 'threaded',
  chunk = 2048,
  bins = 20,
): Promise<ColumnSummary[]> {
  const rows = Math.max(0, ...columns.map((c) => c.length))
  const stats = createColumnStats(rows, columns.length, bins, {
    backend: backend === 'threaded' ? 'wasm' : backend,
    helper: backend === 'threaded' ? 'always' : 'never',
  })
  expect(stats.backend).toBe(backend === 'threaded' ? 'wasm' : backend)
  expect(stats.threaded).toBe(backend === 'threaded')
  try {
    for (let from = 0; from < rows; from += chunk)
      columns.forEach((c, j) => {
        stats.add(j, c.subarray(from, Math.min(c.length, from + chunk)))
      })
    return await Promise.all(columns.map((_, j) => stats.summary(j)))
  } finally {
    stats.close()
  }
}

/** Bit patterns, so that −0, NaN and the last ulp all count. */
const bits = (s: ColumnSummary): unknown =>
  JSON.parse(
    JSON.stringify(s, (_k, v: unknown) =>
      typeof v === 'number' ? Array.from(new Uint32Array(Float64Array.of(v).buffer)).join(':') : v,
    ),
  )

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('createColumnStats', () => {
  it('gives the same numbers, bit for bit, with the WebAssembly kernels (on one thread or two) as with the loops', async () => {
    const r = rng(7)
    const n = 100_003
    const normal = Float64Array.from({ length: n }, () => (r() + r() + r() - 1.5) * 1e3 + 1e6)
    const few = Float64Array.from({ length: n }, () => Math.floor(r() * 17) - 8)
    const messy = Float64Array.from({ length: n }, (_, i) =>
      i % 7 === 0 ? Number.NaN : i % 11 === 0 ? -0 : i % 13 === 0 ? Infinity : r() * 2 - 1,
    )
    const wide = Float64Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? -1e308 : 1e308))
    const constant = new Float64Array(3001).fill(2.5)
    const empty = new Float64Array(10).fill(Number.NaN)
    const columns = [normal, few, messy, wide, constant, empty]
    for (const chunk of [2048, 333]) {
      const js = (await summaries(columns, 'js', chunk)).map(bits)
      expect((await summaries(columns, 'wasm', chunk)).map(bits)).toEqual(js)
      expect((await summaries(columns, 'threaded', chunk)).map(bits)).toEqual(js)
    }
    const [sn, sf, sm, , sc, se] = await summaries(columns, 'wasm')
    expect(sn?.count).toBe(n)
    expect(sf?.distinct).toBe(17)
    expect(sm?.count).toBe(messy.filter((x) => Number.isFinite(x)).length)
    expect(sc).toMatchObject({ distinct: 1, min: 2.5, max: 2.5, std: 0 })
    expect(se).toEqual({ count: 0, min: null, max: null, mean: null, std: null, distinct: 0 })
    expect(sn?.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(n)
  })

  it('agrees with the loops and a plain count on any doubles (property)', async () => {
    const value = fc.oneof(
      fc.double(),
      fc.integer({ min: -5, max: 5 }).map((x) => x / 2),
      fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e-300, -1e300),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { maxLength: 3000 }),
        fc.integer({ min: 1, max: 7 }),
        async (xs, bins) => {
          const col = Float64Array.from(xs)
          const [w] = await summaries([col], 'wasm', 97, bins)
          const [j] = await summaries([col], 'js', 97, bins)
          expect(bits(w!)).toEqual(bits(j!))
          const finite = Float64Array.from(xs.filter((x) => Number.isFinite(x)).map((x) => x + 0))
          expect(w?.distinct).toBe(countDistinct(finite))
          expect(w?.count).toBe(finite.length)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('lets the calling thread take queued summaries while the helper works', async () => {
    const r = rng(3)
    const columns = Array.from({ length: 6 }, (_, j) =>
      Float64Array.from({ length: 50_000 }, () => Math.floor(r() * 1000 * (j + 1))),
    )
    const js = (await summaries(columns, 'js')).map(bits)
    const stats = createColumnStats(50_000, columns.length, 20, { helper: 'always' })
    try {
      columns.forEach((c, j) => {
        stats.add(j, c)
      })
      const pending = columns.map((_, j) => stats.summary(j))
      await new Promise((resolve) => setImmediate(resolve))
      let here = 0
      while (stats.helpOnce()) here++
      expect(here).toBeGreaterThan(0)
      expect((await Promise.all(pending)).map(bits)).toEqual(js)
      expect(stats.helpOnce()).toBe(false)
    } finally {
      stats.close()
    }
  })

  it('refuses more values than it was sized for', () => {
    const stats = createColumnStats(4, 1, 20, { backend: 'wasm', helper: 'never' })
    expect(() => {
      stats.add(0, new Float64Array(5))
    }).toThrow(/more than 4 values/)
    stats.clear(0)
    stats.add(0, Float64Array.of(3, Number.NaN, 1))
    return expect(stats.summary(0)).resolves.toMatchObject({ count: 2, min: 1, max: 3 })
  })
})
