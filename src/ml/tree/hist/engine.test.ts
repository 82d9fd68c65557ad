import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'

import {
  createBinnedMatrix,
  createHistogramEngine,
  HIST_SLOTS,
  MISSING_BIN,
  subtractHistogram,
} from './index.js'
import type { BinnedMatrix, HistogramEngine, RowSplit } from './index.js'

/** Deterministic pseudo-random data (LCG), with NaNs and a low-cardinality feature. */
function makeData(nRows: number, nFeatures: number, seed: number): Float32Array {
  const x = new Float32Array(nRows * nFeatures)
  let s = seed >>> 0
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const f = i % nFeatures
    const u = s / 2 ** 32
    x[i] = f === 1 ? Math.floor(u * 7) : u < 0.02 ? NaN : (u - 0.5) * 10 * (f + 1)
  }
  return x
}

function fillGradients(engine: HistogramEngine, seed: number): void {
  let s = seed >>> 0
  for (let r = 0; r < engine.grad.length; r++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    engine.grad[r] = s / 2 ** 32 - 0.5
    engine.hess[r] = (s % 1000) / 4000 + 0.01
  }
}

/** The histogram of rows[begin, end) by the plainest loop. */
function naiveHistogram(
  data: BinnedMatrix,
  engine: HistogramEngine,
  begin: number,
  end: number,
): Float64Array {
  const h = new Float64Array(data.nFeatures * HIST_SLOTS * 2)
  for (let i = begin; i < end; i++) {
    const r = engine.rows[i]!
    for (let f = 0; f < data.nFeatures; f++) {
      const b = data.bins[r * data.rowStride + f]!
      const at = (f * HIST_SLOTS + b) * 2
      h[at] = h[at]! + engine.grad[r]!
      h[at + 1] = h[at + 1]! + engine.hess[r]!
    }
  }
  return h
}

function expectClose(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(b[i]!)))
}

const engines: HistogramEngine[] = []
afterAll(() => {
  for (const e of engines) e.close()
})

describe('histogram engine', () => {
  it('sums gradients like a naive loop, on any node range and feature count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (nRows, nFeatures, seed) => {
          const data = createBinnedMatrix({
            data: makeData(nRows, nFeatures, seed),
            nRows,
            nCols: nFeatures,
          })
          const engine = createHistogramEngine(data)
          fillGradients(engine, seed + 1)
          engine.resetRows()
          const begin = seed % nRows
          const end = begin + ((seed >>> 3) % (nRows - begin + 1))
          const out = new Float64Array(nFeatures * HIST_SLOTS * 2).fill(7)
          engine.buildHistograms([{ begin, end }], [out])
          expectClose(out, naiveHistogram(data, engine, begin, end))
        },
      ),
      { numRuns: 40 },
    )
  })

  it('partitions stably, like a filter, for numeric, missing and categorical splits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (nRows, seed, bin, missingLeft) => {
          const nFeatures = 3
          const data = createBinnedMatrix(
            { data: makeData(nRows, nFeatures, seed), nRows, nCols: nFeatures },
            { categorical: [1] },
          )
          const engine = createHistogramEngine(data)
          engine.resetRows()
          const splits: RowSplit[] = [
            { feature: 0, bin: bin * 3, missingLeft },
            { feature: 1, bin: 0, missingLeft, catBits: Uint32Array.of(0b1010010 >>> (seed % 3)) },
          ]
          for (const split of splits) {
            const begin = seed % nRows
            const end = nRows
            const before = Array.from(engine.rows.subarray(begin, end))
            const goesLeft = (r: number): boolean => {
              const b = data.bins[r * data.rowStride + split.feature]!
              if (b === MISSING_BIN) return split.missingLeft
              if (split.catBits !== undefined)
                return ((split.catBits[b >>> 5] ?? 0) >>> (b & 31)) % 2 === 1
              return b <= split.bin
            }
            const expected = [...before.filter(goesLeft), ...before.filter((r) => !goesLeft(r))]
            const mid = engine.partition(begin, end, split)
            expect(mid - begin).toBe(before.filter(goesLeft).length)
            expect(Array.from(engine.rows.subarray(begin, end))).toEqual(expected)
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it('sums sparse nodes (the gathering kernel) like dense ones', () => {
    const nRows = 3000
    const nFeatures = 5
    const data = createBinnedMatrix({
      data: makeData(nRows, nFeatures, 21),
      nRows,
      nCols: nFeatures,
    })
    const engine = createHistogramEngine(data)
    fillGradients(engine, 4)
    for (const step of [1, 2, 7, 50]) {
      const mask = Uint8Array.from({ length: nRows }, (_, r) => (r % step === 0 ? 1 : 0))
      const n = engine.resetRows(mask)
      for (const [begin, end] of [
        [0, n],
        [3, Math.max(3, n - 5)],
      ] as const) {
        const out = new Float64Array(nFeatures * HIST_SLOTS * 2)
        engine.buildHistograms([{ begin, end }], [out])
        expectClose(out, naiveHistogram(data, engine, begin, end))
      }
    }
  })

  it('resets to the masked rows in order', () => {
    const data = createBinnedMatrix({ data: makeData(10, 2, 3), nRows: 10, nCols: 2 })
    const engine = createHistogramEngine(data)
    expect(engine.resetRows(Uint8Array.of(1, 0, 0, 1, 1, 0, 0, 0, 0, 1))).toBe(4)
    expect(Array.from(engine.rows.subarray(0, 4))).toEqual([0, 3, 4, 9])
  })

  it('fills only the listed features when given a feature subset', () => {
    const nRows = 500
    const data = createBinnedMatrix({ data: makeData(nRows, 6, 11), nRows, nCols: 6 })
    const engine = createHistogramEngine(data)
    fillGradients(engine, 5)
    engine.resetRows()
    const all = new Float64Array(6 * HIST_SLOTS * 2)
    const some = new Float64Array(6 * HIST_SLOTS * 2)
    engine.buildHistograms([{ begin: 0, end: nRows }], [all])
    engine.buildHistograms([{ begin: 0, end: nRows }], [some], Int32Array.of(4, 1))
    for (const f of [1, 4]) {
      const o = f * HIST_SLOTS * 2
      expect(some.subarray(o, o + HIST_SLOTS * 2)).toEqual(all.subarray(o, o + HIST_SLOTS * 2))
    }
    expect(some.subarray(0, HIST_SLOTS * 2).every((v) => v === 0)).toBe(true)
  })

  it('subtracts a child histogram from its parent', () => {
    const parent = Float64Array.of(5, 4, 3)
    const child = Float64Array.of(1, 1, 1)
    expect(Array.from(subtractHistogram(parent, child, new Float64Array(3)))).toEqual([4, 3, 2])
  })

  it('gives bit-identical histograms and partitions with 1 and 2 threads', () => {
    const nRows = 150_000
    const nFeatures = 7
    const data = createBinnedMatrix({
      data: makeData(nRows, nFeatures, 42),
      nRows,
      nCols: nFeatures,
    })
    const one = createHistogramEngine(data, { nThreads: 1 })
    // Every batch on the workers, however small.
    const two = createHistogramEngine(data, { nThreads: 2, parallelRows: 1024 })
    engines.push(one, two)
    for (const e of [one, two]) {
      fillGradients(e, 9)
      e.resetRows()
    }
    const size = nFeatures * HIST_SLOTS * 2
    const grow = (e: HistogramEngine): Float64Array[] => {
      const hs: Float64Array[] = []
      const root = [new Float64Array(size)]
      e.buildHistograms([{ begin: 0, end: nRows }], root)
      hs.push(...root)
      const mid = e.partition(0, nRows, { feature: 0, bin: 100, missingLeft: true })
      const m2 = e.partition(0, mid, { feature: 2, bin: 40, missingLeft: false })
      const nodes = [
        { begin: 0, end: m2 },
        { begin: m2, end: mid },
        { begin: mid, end: nRows },
        { begin: 5, end: 2000 },
      ]
      const out = nodes.map(() => new Float64Array(size))
      e.buildHistograms(nodes, out, undefined)
      hs.push(...out)
      const sub = nodes.map(() => new Float64Array(size))
      e.buildHistograms(nodes, sub, Int32Array.of(3, 0))
      hs.push(...sub)
      // A level's partitions at once: a large node (chunked) and small ones (one task each).
      const mids = e.partitionMany([
        { begin: 0, end: m2, split: { feature: 1, bin: 7, missingLeft: false } },
        { begin: m2, end: mid, split: { feature: 4, bin: 200, missingLeft: true } },
        { begin: mid, end: nRows, split: { feature: 6, bin: 128, missingLeft: true } },
      ])
      hs.push(Float64Array.from(mids))
      // One and two one-chunk nodes: split between the threads by features.
      const single = [new Float64Array(size)]
      e.buildHistograms([{ begin: 1000, end: 41000 }], single)
      const pair = [new Float64Array(size), new Float64Array(size)]
      e.buildHistograms(
        [
          { begin: 0, end: 20000 },
          { begin: 60000, end: 120000 },
        ],
        pair,
      )
      hs.push(...single, ...pair)
      return hs
    }
    const a = grow(one)
    const b = grow(two)
    expect(two.nThreads).toBe(2)
    expect(Array.from(two.rows)).toEqual(Array.from(one.rows))
    for (let i = 0; i < a.length; i++)
      expect(Buffer.from(b[i]!.buffer)).toEqual(Buffer.from(a[i]!.buffer))
    // And the root is the right sum.
    expectClose(a[0]!, naiveHistogram(data, one, 0, nRows))
  })
})
