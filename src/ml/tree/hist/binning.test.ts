import { readFileSync } from 'node:fs'

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../../core/index.js'

import { applyCuts, binRow, createBinnedMatrix, MISSING_BIN } from './index.js'

interface CutCase {
  readonly name: string
  readonly max_bin: number
  readonly exact: boolean
  readonly x: readonly (number | null)[]
  readonly xgb_cuts: readonly number[]
}

const fixture = JSON.parse(
  readFileSync(
    new URL('../../../../test/fixtures/ml/tree-hist/cuts.json', import.meta.url),
    'utf8',
  ),
) as { readonly cases: readonly CutCase[] }

function column(values: readonly (number | null)[]): Float32Array {
  return Float32Array.from(values, (v) => (v === null ? NaN : v))
}

describe('createBinnedMatrix', () => {
  for (const c of fixture.cases) {
    it(`agrees with XGBoost 1.7 hist cut points: ${c.name}`, () => {
      const x = column(c.x)
      const binned = createBinnedMatrix(
        { data: x, nRows: x.length, nCols: 1 },
        { maxBin: c.max_bin },
      )
      const cuts = Array.from(binned.cuts[0]!)
      expect(cuts[cuts.length - 1]).toBe(Infinity)
      const finite = cuts.slice(0, -1)
      const max = Math.max(...x.filter((v) => !Number.isNaN(v)))
      // XGBoost's splits may also use its sentinel above the maximum (present vs missing).
      const theirs = c.xgb_cuts.filter((v) => v <= max)
      if (c.exact) {
        expect(finite).toEqual(theirs)
        return
      }
      // When the rows overflow XGBoost's sketch (n > 2·(8·max_bin + 1)) its summary is
      // approximate: same number of cuts, each at nearly the same rank (within a quarter of a bin).
      expect(finite.length).toBe(theirs.length)
      const sorted = Array.from(x).sort((a, b) => a - b)
      const rank = (v: number): number => sorted.findIndex((s) => s >= v)
      for (let i = 0; i < finite.length; i++)
        expect(Math.abs(rank(finite[i]!) - rank(theirs[i]!))).toBeLessThanOrEqual(
          x.length / c.max_bin / 4,
        )
    })
  }

  it('gives every distinct value its own bin, NaN the missing bin, and x < cuts[b] ⇔ bin ≤ b', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constant(NaN)), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 2, max: 255 }),
        (values, maxBin) => {
          const x = Float64Array.from(values)
          const binned = createBinnedMatrix(
            { data: x, nRows: x.length, nCols: 1 },
            { maxBin, shared: false },
          )
          const present = [...new Set(values.filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b)
          const cuts = binned.cuts[0]!
          expect(binned.nBins[0]).toBe(
            Math.max(1, present.length <= maxBin ? present.length : binned.nBins[0]!),
          )
          for (let r = 0; r < x.length; r++) {
            const b = binned.bins[r * binned.rowStride]!
            if (Number.isNaN(x[r])) {
              expect(b).toBe(MISSING_BIN)
              continue
            }
            expect(b).toBeLessThan(binned.nBins[0]!)
            if (present.length <= maxBin) expect(b).toBe(present.indexOf(x[r]!))
            expect(x[r]! < cuts[b]!).toBe(true)
            if (b > 0) expect(x[r]! >= cuts[b - 1]!).toBe(true)
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('bins new data like the training data (applyCuts, binRow), on both sort paths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), {
          minLength: 3,
          maxLength: 600,
        }),
        fc.integer({ min: 2, max: 64 }),
        fc.boolean(),
        (values, maxBin, f32) => {
          const nCols = 3
          const nRows = Math.floor(values.length / nCols)
          const data = (f32 ? Float32Array : Float64Array).from(values.slice(0, nRows * nCols))
          const binned = createBinnedMatrix({ data, nRows, nCols }, { maxBin })
          const again = applyCuts(binned, { data, nRows, nCols })
          expect(Array.from(again.bins)).toEqual(Array.from(binned.bins))
          const row = new Uint8Array(nCols)
          for (let r = 0; r < nRows; r++) {
            binRow(binned, data.subarray(r * nCols, (r + 1) * nCols), row)
            expect(Array.from(row)).toEqual(
              Array.from(binned.bins.subarray(r * binned.rowStride, r * binned.rowStride + nCols)),
            )
          }
          // Quantile bins hold about equal counts: none more than twice the ideal share, unless
          // one value repeats that often.
          for (let f = 0; f < nCols; f++) expect(binned.nBins[f]!).toBeLessThanOrEqual(maxBin)
        },
      ),
      { numRuns: 80 },
    )
  })

  it('puts nearly equal weight in each quantile bin of distinct values', () => {
    const n = 10_000
    const x = Float64Array.from({ length: n }, (_, i) => Math.sqrt(i + 0.5) / 3)
    const binned = createBinnedMatrix({ data: x, nRows: n, nCols: 1 }, { maxBin: 100 })
    expect(binned.nBins[0]).toBe(100)
    const counts = new Array<number>(100).fill(0)
    for (let r = 0; r < n; r++) counts[binned.bins[r * binned.rowStride]!]!++
    // XGBoost's prunes (10,000 → 801 → 800 → 101 entries) round each bin's edge to a row.
    for (const c of counts) expect(Math.abs(c - 100)).toBeLessThanOrEqual(1)
    // Weights move the cuts: doubling the weight of the lower half pulls them down.
    const w = Float64Array.from({ length: n }, (_, i) => (i < n / 2 ? 3 : 1))
    const weighted = createBinnedMatrix(
      { data: x, nRows: n, nCols: 1 },
      { maxBin: 100, weights: w },
    )
    const below = Array.from(weighted.bins.filter((_, i) => i % weighted.rowStride === 0)).filter(
      (b) => b < 75,
    ).length
    expect(below).toBe(n / 2)
  })

  it('bins categorical features by code and rejects bad codes', () => {
    const x = Float32Array.of(0, 1.5, 3, 2.5, NaN, 0.5, 2, 1)
    const binned = createBinnedMatrix({ data: x, nRows: 4, nCols: 2 }, { categorical: [0] })
    expect(Array.from(binned.nBins)).toEqual([4, 4])
    expect([0, 1, 2, 3].map((r) => binned.bins[r * binned.rowStride])).toEqual([
      0,
      3,
      MISSING_BIN,
      2,
    ])
    expect(binned.cuts[0]!.length).toBe(0)
    expect(() =>
      createBinnedMatrix(
        { data: Float32Array.of(0, 255), nRows: 2, nCols: 1 },
        { categorical: [0] },
      ),
    ).toThrow(ValidationError)
    try {
      createBinnedMatrix(
        { data: Float32Array.of(0, 1.5), nRows: 2, nCols: 1 },
        { categorical: [0] },
      )
      expect.unreachable()
    } catch (e) {
      expect((e as ValidationError).issues[0]!.message).toMatch(/integer codes/)
    }
  })

  it('validates its options', () => {
    const X = { data: Float32Array.of(1, 2), nRows: 2, nCols: 1 }
    expect(() => createBinnedMatrix(X, { maxBin: 256 })).toThrow(ValidationError)
    expect(() => createBinnedMatrix(X, { categorical: [3] })).toThrow(ValidationError)
    expect(() => createBinnedMatrix(X, { weights: Float64Array.of(1, -1) })).toThrow(
      ValidationError,
    )
    expect(() => createBinnedMatrix({ data: Float32Array.of(1), nRows: 2, nCols: 1 })).toThrow(
      ValidationError,
    )
  })

  it('reads column-major input and pads rows to a multiple of four bytes', () => {
    const rowMajor = Float32Array.of(1, 10, 2, 20, 3, 30)
    const colMajor = Float32Array.of(1, 2, 3, 10, 20, 30)
    const a = createBinnedMatrix({ data: rowMajor, nRows: 3, nCols: 2 })
    const b = createBinnedMatrix({ data: colMajor, nRows: 3, nCols: 2, layout: 'col' })
    expect(a.rowStride).toBe(4)
    expect(Array.from(b.bins)).toEqual(Array.from(a.bins))
    expect(Array.from(a.bins)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 2, 2, 0, 0])
  })
})
