import { describe, expect, it } from 'vitest'

import { ValidationError } from '../core/index.js'

import { countMissing, createColumn, isMissing, valueAt, type ColumnInit } from './column.js'

function issuesOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return { message: err.message, issues: err.issues }
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('createColumn', () => {
  it('builds a frozen column, zero-copy for typed arrays', () => {
    const values = new Float64Array([1, 2, 3])
    const col = createColumn({ name: 'x', dtype: 'f64', values })
    expect(col.length).toBe(3)
    expect(col.values).toBe(values)
    expect(Object.isFrozen(col)).toBe(true)
    expect(col.validity).toBeUndefined()
  })

  it('narrows on dtype: a cat column has categories', () => {
    const col = createColumn({
      name: 'c',
      dtype: 'cat',
      values: new Int32Array([1, 0]),
      categories: ['a', 'b'],
    })
    expect(col.categories).toEqual(['a', 'b'])
    expect(Object.isFrozen(col.categories)).toBe(true)
    expect(valueAt(col, 0)).toBe('b')
  })

  it('copies and freezes an unfrozen string array, leaving the input alone', () => {
    const values = ['a', 'b']
    const col = createColumn({ name: 's', dtype: 'str', values })
    expect(Object.isFrozen(values)).toBe(false)
    expect(Object.isFrozen(col.values)).toBe(true)
    values[0] = 'changed'
    expect(col.values[0]).toBe('a')
  })

  it('keeps a validity mask only when a row is missing', () => {
    const present = createColumn({
      name: 'x',
      dtype: 'i32',
      values: new Int32Array(2),
      validity: new Uint8Array([1, 1]),
    })
    expect(present.validity).toBeUndefined()
    const validity = new Uint8Array([1, 0])
    const missing = createColumn({ name: 'x', dtype: 'i32', values: new Int32Array(2), validity })
    expect(missing.validity).toBe(validity)
  })

  it('accepts anything at missing rows (codes, timestamps, bools)', () => {
    const validity = new Uint8Array([0, 1])
    expect(() =>
      createColumn({
        name: 'c',
        dtype: 'cat',
        values: new Int32Array([-1, 0]),
        categories: ['a'],
        validity,
      }),
    ).not.toThrow()
    expect(() =>
      createColumn({ name: 't', dtype: 'ts', values: new Float64Array([NaN, 0]), validity }),
    ).not.toThrow()
    expect(() =>
      createColumn({ name: 'b', dtype: 'bool', values: new Uint8Array([9, 1]), validity }),
    ).not.toThrow()
  })

  it('reports every problem at once', () => {
    const init = {
      name: 'c',
      dtype: 'cat',
      values: new Int32Array([0, 3, -1, 1]),
      categories: ['a', 'b', 'a'],
      validity: new Uint8Array([1, 1, 1, 2]),
    } satisfies ColumnInit
    expect(issuesOf(() => createColumn(init))).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_value",
            "message": "1 validity byte(s) are not 0 or 1",
            "path": [
              "validity",
              3,
            ],
          },
          {
            "code": "duplicate",
            "message": "duplicate category "a" (first at 0)",
            "path": [
              "categories",
              2,
            ],
          },
          {
            "code": "out_of_range",
            "message": "2 code(s) outside [0, 3) for 3 categories",
            "path": [
              "values",
              1,
            ],
          },
        ],
        "message": "invalid column "c"",
      }
    `)
  })

  it('rejects wrong storage, bad dtypes, lengths and values', () => {
    const bad = (init: unknown) => issuesOf(() => createColumn(init as ColumnInit))
    expect(bad({ name: 'x', dtype: 'f64', values: [1, 2] })).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "values of a f64 column must be a Float64Array",
            "path": [
              "values",
            ],
          },
        ],
        "message": "invalid column "x"",
      }
    `)
    expect(bad({ name: 3, dtype: 'int64', values: [] })).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "name must be a string",
            "path": [
              "name",
            ],
          },
          {
            "code": "invalid_value",
            "message": "unknown dtype int64; expected f64|f32|i32|bool|cat|str|ts",
            "path": [
              "dtype",
            ],
          },
        ],
        "message": "invalid column",
      }
    `)
    expect(
      bad({ name: 'v', dtype: 'f32', values: new Float32Array(2), validity: new Uint8Array(3) }),
    ).toMatchInlineSnapshot(`
        {
          "issues": [
            {
              "code": "length_mismatch",
              "message": "validity has 3 entries for 2 rows",
              "path": [
                "validity",
              ],
            },
          ],
          "message": "invalid column "v"",
        }
      `)
    expect(bad({ name: 's', dtype: 'str', values: ['a', 1, null] })).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "2 value(s) are not strings",
            "path": [
              "values",
              1,
            ],
          },
        ],
        "message": "invalid column "s"",
      }
    `)
    expect(bad({ name: 'b', dtype: 'bool', values: new Uint8Array([0, 2]) }))
      .toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_value",
            "message": "1 bool value(s) are not 0 or 1",
            "path": [
              "values",
              1,
            ],
          },
        ],
        "message": "invalid column "b"",
      }
    `)
    expect(bad({ name: 't', dtype: 'ts', values: new Float64Array([0, Infinity, 9e15]) }))
      .toMatchInlineSnapshot(`
        {
          "issues": [
            {
              "code": "out_of_range",
              "message": "2 timestamp(s) are not finite or outside ±8.64e15 ms",
              "path": [
                "values",
                1,
              ],
            },
          ],
          "message": "invalid column "t"",
        }
      `)
    expect(bad({ name: 'c', dtype: 'cat', values: new Int32Array(0) })).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "a cat column needs a categories array of strings",
            "path": [
              "categories",
            ],
          },
        ],
        "message": "invalid column "c"",
      }
    `)
  })
})

describe('missing values', () => {
  const validity = new Uint8Array([1, 0, 1, 0])
  const col = createColumn({
    name: 'x',
    dtype: 'f64',
    values: new Float64Array([NaN, 0, 1, 2]),
    validity,
  })

  it('isMissing reads only validity: NaN is a value', () => {
    expect([0, 1, 2, 3].map((i) => isMissing(col, i))).toEqual([false, true, false, true])
  })

  it('countMissing counts zeros in validity', () => {
    expect(countMissing(col)).toBe(2)
    expect(countMissing(createColumn({ name: 'y', dtype: 'i32', values: new Int32Array(3) }))).toBe(
      0,
    )
  })

  it('valueAt gives JS values and null for missing or out-of-range rows', () => {
    expect(valueAt(col, 0)).toBeNaN()
    expect([1, 2, -1, 4, 0.5].map((i) => valueAt(col, i))).toEqual([null, 1, null, null, null])
    const flags = createColumn({ name: 'b', dtype: 'bool', values: new Uint8Array([1, 0]) })
    expect([valueAt(flags, 0), valueAt(flags, 1)]).toEqual([true, false])
    const ts = createColumn({ name: 't', dtype: 'ts', values: new Float64Array([1.5]) })
    expect(valueAt(ts, 0)).toBe(1.5)
  })
})
