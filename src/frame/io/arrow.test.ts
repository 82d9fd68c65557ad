import {
  Decimal,
  Dictionary,
  Field,
  Int16,
  Int32,
  Int64,
  List,
  Null,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  DateDay,
  Uint32,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  tableFromArrays,
  tableFromIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray } from '../column-from-array.js'
import { valueAt, type Column } from '../column.js'
import { createFrame } from '../frame.js'
import { framesEqual } from '../frames-equal.js'

import { frameFromArrowIPC, frameToArrowIPC, fromArrowTable, toArrowTable } from './arrow.js'

const sample = () =>
  createFrame([
    columnFromArray('f64', [1.5, null, NaN, -0]),
    columnFromArray('f32', [1, 2, null, 4], 'f32'),
    columnFromArray('i32', [1, null, -3, 2 ** 31 - 1], 'i32'),
    columnFromArray('bool', [true, false, null, true]),
    columnFromArray('cat', ['b', null, 'a', 'b'], 'cat'),
    columnFromArray('str', ['x', '', null, 'ünï 🎉']),
    columnFromArray('ts', [new Date(Date.UTC(2024, 1, 29)), null, -1, 0], 'ts'),
  ])

function cells(col: Column | undefined): unknown[] {
  if (col === undefined) return []
  return Array.from({ length: col.length }, (_, i) => valueAt(col, i))
}

function issuesOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return { message: err.message, issues: err.issues }
    throw err
  }
  throw new Error('expected a ValidationError')
}

function single(name: string, vector: Vector) {
  return fromArrowTable(new Table({ [name]: vector })).columns[0]
}

describe('toArrowTable', () => {
  it('maps each dtype to its Arrow type, with nulls from validity', () => {
    const table = toArrowTable(sample())
    expect(table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toMatchInlineSnapshot(`
      [
        "f64: Float64",
        "f32: Float32",
        "i32: Int32",
        "bool: Bool",
        "cat: Dictionary<Int32, Utf8>",
        "str: Utf8",
        "ts: Timestamp<MILLISECOND>",
      ]
    `)
    expect(table.numRows).toBe(4)
    expect(table.getChild('f64')?.nullCount).toBe(1)
    expect(table.getChild('str')?.toArray()).toEqual(['x', '', null, 'ünï 🎉'])
    expect(table.getChild('cat')?.toArray()).toEqual(['b', null, 'a', 'b'])
    expect(table.getChild('bool')?.toArray()).toEqual([true, false, null, true])
  })

  it('shares numeric storage with Arrow', () => {
    const X = sample()
    const data = toArrowTable(X).getChild('f64')?.data[0]
    expect(data?.values).toBe(X.column('f64').values)
  })

  it('writes microseconds when a timestamp has fractional milliseconds', () => {
    const X = createFrame([columnFromArray('t', [1.5, 2], 'ts')])
    const table = toArrowTable(X)
    expect(String(table.schema.fields[0]?.type)).toBe('Timestamp<MICROSECOND>')
    expect(cells(fromArrowTable(table).columns[0])).toEqual([1.5, 2])
  })
})

describe('fromArrowTable', () => {
  it('round-trips every dtype, missing values included', () => {
    const X = sample()
    expect(framesEqual(fromArrowTable(toArrowTable(X)), X)).toBe(true)
    expect(framesEqual(frameFromArrowIPC(frameToArrowIPC(X)), X)).toBe(true)
  })

  it('round-trips frames with no rows and with no columns', () => {
    const empty = createFrame([columnFromArray('a', []), columnFromArray('b', [], 'cat')])
    expect(framesEqual(frameFromArrowIPC(frameToArrowIPC(empty)), empty)).toBe(true)
    const noColumns = createFrame([], { nRows: 3 })
    expect(fromArrowTable(toArrowTable(noColumns)).nRows).toBe(3)
  })

  it('keeps empty and unicode column names through IPC', () => {
    // apache-arrow's IPC writer drops empty field names; the schema metadata carries them.
    const X = createFrame([columnFromArray('', [1]), columnFromArray('名前 🎉', ['a'])])
    expect(frameFromArrowIPC(frameToArrowIPC(X)).names).toEqual(['', '名前 🎉'])
  })

  it('views single-chunk Float64/Float32/Int32 buffers without copying', () => {
    const table = tableFromArrays({ x: new Float64Array([1, 2, 3]), y: new Int32Array([4, 5, 6]) })
    const X = fromArrowTable(table)
    expect(X.column('x', 'f64').values.buffer).toBe(table.getChild('x')?.data[0]?.values.buffer)
    expect(X.column('y', 'i32').values.buffer).toBe(table.getChild('y')?.data[0]?.values.buffer)
  })

  it('concatenates chunks and honours slice offsets in bitmaps', () => {
    const a = toArrowTable(
      createFrame([columnFromArray('x', [1, null, 3]), columnFromArray('b', [true, null, false])]),
    )
    const b = toArrowTable(
      createFrame([columnFromArray('x', [null, 5]), columnFromArray('b', [null, true])]),
    )
    const both = new Table([...a.batches, ...b.batches])
    const X = fromArrowTable(both)
    expect(cells(X.column('x'))).toEqual([1, null, 3, null, 5])
    expect(cells(X.column('b'))).toEqual([true, null, false, null, true])
    const sliced = fromArrowTable(both.slice(1, 4))
    expect(cells(sliced.column('x'))).toEqual([null, 3, null])
    expect(cells(sliced.column('b'))).toEqual([null, false, null])
  })

  it('maps integer widths: narrow → i32, Uint32 and Int64 → f64', () => {
    expect(single('a', vectorFromArray([1, -2, null], new Int16()))?.dtype).toBe('i32')
    expect(cells(single('a', vectorFromArray([1, 255], new Uint8())))).toEqual([1, 255])
    const u32 = single('a', vectorFromArray([2 ** 32 - 1], new Uint32()))
    expect([u32?.dtype, ...cells(u32)]).toEqual(['f64', 2 ** 32 - 1])
    const i64 = single('a', vectorFromArray([2n ** 53n - 1n, null, -5n], new Int64()))
    expect([i64?.dtype, ...cells(i64)]).toEqual(['f64', 2 ** 53 - 1, null, -5])
  })

  it('rejects 64-bit integers beyond 2^53 and unsupported types, all at once', () => {
    const decimal = makeData({ type: new Decimal(2, 10, 128), length: 2, data: new Uint32Array(8) })
    const table = new Table({
      big: vectorFromArray([1n, 2n ** 60n], new Int64()),
      dec: makeVector(decimal),
      list: vectorFromArray([[1], [2]], new List(new Field('item', new Int32()))),
    })
    expect(issuesOf(() => fromArrowTable(table))).toMatchInlineSnapshot(`
        {
          "issues": [
            {
              "code": "out_of_range",
              "message": "Int value at row 1 is not a safe integer for f64",
              "path": [
                "big",
              ],
            },
            {
              "code": "unsupported_type",
              "message": "Arrow type Decimal has no frame dtype",
              "path": [
                "dec",
              ],
            },
            {
              "code": "unsupported_type",
              "message": "Arrow type List has no frame dtype",
              "path": [
                "list",
              ],
            },
          ],
          "message": "cannot convert Arrow table to a frame",
        }
      `)
  })

  it('reads timestamps of any unit and dates as epoch ms', () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5)
    const raw = (type: TimestampSecond | TimestampMicrosecond | TimestampNanosecond, v: bigint) =>
      fromArrowTable(
        new Table({ t: makeVector(makeData({ type, length: 1, data: new BigInt64Array([v]) })) }),
      ).columns[0]
    expect(cells(raw(new TimestampSecond(), BigInt(ms / 1000)))).toEqual([ms])
    expect(cells(raw(new TimestampMicrosecond(), BigInt(ms) * 1000n + 500n))).toEqual([ms + 0.5])
    expect(cells(raw(new TimestampNanosecond(), BigInt(ms) * 1_000_000n))).toEqual([ms])
    const day = single('t', vectorFromArray([new Date(Date.UTC(2024, 0, 2))], new DateDay()))
    expect([day?.dtype, ...cells(day)]).toEqual(['ts', Date.UTC(2024, 0, 2)])
  })

  it('reads an Arrow Null column as an all-missing f64', () => {
    const col = single('n', vectorFromArray([null, null], new Null()))
    expect([col?.dtype, ...cells(col)]).toEqual(['f64', null, null])
  })

  it('merges dictionaries across chunks in dictionary order', () => {
    const type = () => new Dictionary(new Utf8(), new Int32())
    const a = vectorFromArray(['z', 'y', null], type())
    const b = vectorFromArray(['x', 'z'], type())
    const col = fromArrowTable(new Table({ c: a.concat(b) })).column('c', 'cat')
    expect(col.categories).toEqual(['z', 'y', 'x'])
    expect(cells(col)).toEqual(['z', 'y', null, 'x', 'z'])
  })

  it('reads IPC bytes written by Arrow itself (file format too)', () => {
    const table = tableFromArrays({ a: new Float64Array([1, 2]), s: ['p', 'q'] })
    const bytes = frameToArrowIPC(fromArrowTable(table))
    expect(tableFromIPC(bytes).numRows).toBe(2)
    expect(cells(frameFromArrowIPC(bytes).column('s'))).toEqual(['p', 'q'])
  })
})
