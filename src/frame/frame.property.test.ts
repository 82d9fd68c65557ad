// Property tests for Frame and its Arrow conversion, over generated frames of every dtype with
// random validity. The seed is fixed so CI is reproducible; fast-check prints it on failure.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'

import { createColumn, type Column } from './column.js'
import { DTYPES, type DType } from './dtype.js'
import { createFrame, type Frame } from './frame.js'
import { framesEqual } from './frames-equal.js'
import { frameFromArrowIPC, frameToArrowIPC, fromArrowTable, toArrowTable } from './io/arrow.js'

const PARAMS = { seed: 20240601, numRuns: 150 }

function columnArb(name: string, n: number, dtype: DType): fc.Arbitrary<Column> {
  const len = { minLength: n, maxLength: n }
  const validity = fc.option(fc.uint8Array({ ...len, min: 0, max: 1 }), { nil: undefined })
  switch (dtype) {
    case 'f64':
      return fc
        .tuple(fc.float64Array(len), validity)
        .map(([values, v]) => createColumn({ name, dtype, values, validity: v }))
    case 'f32':
      return fc
        .tuple(fc.float32Array(len), validity)
        .map(([values, v]) => createColumn({ name, dtype, values, validity: v }))
    case 'i32':
      return fc
        .tuple(fc.int32Array(len), validity)
        .map(([values, v]) => createColumn({ name, dtype, values, validity: v }))
    case 'bool':
      return fc
        .tuple(fc.uint8Array({ ...len, min: 0, max: 1 }), validity)
        .map(([values, v]) => createColumn({ name, dtype, values, validity: v }))
    case 'ts':
      return fc
        .tuple(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), len), validity)
        .map(([values, v]) =>
          createColumn({ name, dtype, values: Float64Array.from(values), validity: v }),
        )
    case 'str':
      return fc
        .tuple(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), len), validity)
        .map(([values, v]) => createColumn({ name, dtype, values, validity: v }))
    case 'cat':
      return fc
        .uniqueArray(fc.string({ unit: 'grapheme', maxLength: 4 }), { minLength: 1, maxLength: 5 })
        .chain((categories) =>
          fc.tuple(fc.array(fc.nat(categories.length - 1), len), validity).map(([codes, v]) =>
            createColumn({
              name,
              dtype,
              values: Int32Array.from(codes),
              categories,
              validity: v,
            }),
          ),
        )
  }
}

const frameArb: fc.Arbitrary<Frame> = fc
  .record({
    nRows: fc.nat(24),
    names: fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 5 }), { maxLength: 7 }),
    dtypes: fc.array(fc.constantFrom(...DTYPES), { minLength: 7, maxLength: 7 }),
  })
  .chain(({ nRows, names, dtypes }) =>
    fc
      .tuple(...names.map((name, i) => columnArb(name, nRows, dtypes[i] ?? 'f64')))
      .map((columns) => createFrame(columns, { nRows })),
  )

const indexArb = fc.integer({ min: -30, max: 30 })

// The expected display value of one cell, read straight from storage (not through valueAt).
function expectedCell(col: Column, i: number): unknown {
  if (col.validity?.[i] === 0) return null
  switch (col.dtype) {
    case 'bool':
      return col.values[i] === 1
    case 'cat':
      return col.categories[col.values[i] ?? -1]
    case 'ts':
      return new Date(col.values[i] ?? NaN).toISOString()
    case 'str':
    case 'f64':
    case 'f32':
    case 'i32':
      return col.values[i]
  }
}

function snapshot(X: Frame): unknown[] {
  return X.columns.map((c) => {
    const values: ArrayLike<number | string> = c.values
    return [Array.from(values), c.validity && Array.from(c.validity)]
  })
}

describe('Frame properties', () => {
  test.prop([frameArb], PARAMS)('take(identity) equals the frame', (X) => {
    const identity = Int32Array.from({ length: X.nRows }, (_, i) => i)
    expect(framesEqual(X.take(identity), X)).toBe(true)
  })

  test.prop([frameArb, fc.nat(30), fc.nat(30), fc.nat(30), fc.nat(30)], PARAMS)(
    'slice(a, b).slice(c, d) equals slice(a + c, min(a + d, b))',
    (X, a, b, c, d) => {
      const lo = Math.min(a, X.nRows)
      const hi = Math.max(lo, Math.min(b, X.nRows))
      const start = Math.min(lo + c, hi)
      const end = Math.max(start, Math.min(lo + d, hi))
      expect(framesEqual(X.slice(a, b).slice(c, d), X.slice(start, end))).toBe(true)
    },
  )

  test.prop([frameArb, indexArb, indexArb], PARAMS)(
    'slice matches Array.prototype.slice, negative indices included',
    (X, start, end) => {
      expect(X.slice(start, end).toRows()).toEqual(X.toRows().slice(start, end))
    },
  )

  test.prop([frameArb, fc.nat(30), fc.nat(30)], PARAMS)(
    'select and slice share buffers',
    (X, a, b) => {
      const selected = X.select([...X.names].reverse())
      const sliced = X.slice(a, b)
      for (const col of X.columns) {
        expect(selected.column(col.name)).toBe(col)
        const part = sliced.column(col.name)
        if (col.dtype !== 'str' && part.dtype !== 'str')
          expect(part.values.buffer).toBe(col.values.buffer)
        if (part.validity !== undefined) expect(part.validity.buffer).toBe(col.validity?.buffer)
      }
    },
  )

  test.prop(
    [frameArb.chain((X) => fc.tuple(fc.constant(X), fc.array(fc.nat(Math.max(0, X.nRows - 1)))))],
    PARAMS,
  )('take and filter match the row model', ([X, picks]) => {
    const rows = X.toRows()
    const indices = X.nRows === 0 ? [] : picks
    expect(X.take(indices).toRows()).toEqual(indices.map((i) => rows[i]))
    const mask = Uint8Array.from({ length: X.nRows }, (_, i) => (indices.includes(i) ? 1 : 0))
    expect(X.filter(mask).toRows()).toEqual(rows.filter((_, i) => mask[i] === 1))
  })

  test.prop([frameArb], PARAMS)('toRows matches per-cell access', (X) => {
    const rows = X.toRows()
    expect(rows).toHaveLength(X.nRows)
    rows.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(X.names)
      for (const col of X.columns) expect(row[col.name]).toEqual(expectedCell(col, i))
    })
  })

  test.prop([frameArb], PARAMS)('fromArrowTable(toArrowTable(X)) equals X', (X) => {
    const back = fromArrowTable(toArrowTable(X))
    expect(framesEqual(back, X)).toBe(true)
    expect(back.schema()).toEqual(X.schema())
  })

  test.prop([frameArb], PARAMS)('the IPC round trip equals X', (X) => {
    expect(framesEqual(frameFromArrowIPC(frameToArrowIPC(X)), X)).toBe(true)
  })

  test.prop([fc.array(fc.integer({ min: -1e12, max: 1e12 }), { maxLength: 10 })], PARAMS)(
    'timestamps with fractional milliseconds survive Arrow (as microseconds)',
    (eighths) => {
      const values = Float64Array.from(eighths, (k) => k / 8)
      const X = createFrame([createColumn({ name: 't', dtype: 'ts', values })])
      expect(framesEqual(frameFromArrowIPC(frameToArrowIPC(X)), X)).toBe(true)
    },
  )

  test.prop([frameArb, fc.nat(30), fc.nat(30)], PARAMS)(
    'operations never mutate their input',
    (X, a, b) => {
      const before = snapshot(X)
      X.select([...X.names].reverse())
      X.drop(X.names.slice(0, 1))
      X.rename(Object.fromEntries(X.names.map((n) => [n, `${n}′`])))
      X.slice(a, b)
      X.take(X.nRows === 0 ? [] : [a % X.nRows, b % X.nRows])
      X.filter(new Uint8Array(X.nRows).fill(1))
      X.toRows()
      frameFromArrowIPC(frameToArrowIPC(X))
      expect(snapshot(X)).toEqual(before)
    },
  )
})
