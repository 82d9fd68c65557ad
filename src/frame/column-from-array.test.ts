import { describe, expect, it } from 'vitest'

import { ValidationError } from '../core/index.js'

import { columnFromArray, toCategorical } from './column-from-array.js'
import { countMissing, isMissing, valueAt, type Column, type StrColumn } from './column.js'

function issuesOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return { message: err.message, issues: err.issues }
    throw err
  }
  throw new Error('expected a ValidationError')
}

function cells(col: Column): unknown[] {
  return Array.from({ length: col.length }, (_, i) => valueAt(col, i))
}

function str(name: string, values: readonly (string | null)[]): StrColumn {
  const col = columnFromArray(name, values)
  if (col.dtype !== 'str') throw new Error('expected str')
  return col
}

describe('columnFromArray', () => {
  it('infers dtypes from the present values', () => {
    expect(columnFromArray('a', [1, null, 2.5]).dtype).toBe('f64')
    expect(columnFromArray('a', [1n, 2n]).dtype).toBe('f64')
    expect(columnFromArray('a', [true, undefined]).dtype).toBe('bool')
    expect(columnFromArray('a', ['x', null]).dtype).toBe('str')
    expect(columnFromArray('a', [new Date(0)]).dtype).toBe('ts')
    expect(columnFromArray('a', [null, undefined]).dtype).toBe('f64')
    expect(columnFromArray('a', []).dtype).toBe('f64')
  })

  it('marks null and undefined missing and keeps NaN as a value', () => {
    const col = columnFromArray('a', [NaN, null, undefined, 3])
    expect([0, 1, 2, 3].map((i) => isMissing(col, i))).toEqual([false, true, true, false])
    expect(countMissing(col)).toBe(2)
    expect(cells(col)).toEqual([NaN, null, null, 3])
  })

  it('converts to an explicit dtype', () => {
    expect(cells(columnFromArray('a', [1, null, -7], 'i32'))).toEqual([1, null, -7])
    expect(columnFromArray('a', [0.1], 'f32').values[0]).toBe(Math.fround(0.1))
    expect(cells(columnFromArray('a', [new Date(5), 7, null], 'ts'))).toEqual([5, 7, null])
    const cat = columnFromArray('a', ['b', null, 'a', 'b'], 'cat')
    expect(cat.dtype === 'cat' && cat.categories).toEqual(['a', 'b'])
    expect(cells(cat)).toEqual(['b', null, 'a', 'b'])
  })

  it('all-missing columns have every row missing', () => {
    const col = columnFromArray('a', [null, null], 'str')
    expect(countMissing(col)).toBe(2)
  })

  it('rejects mixed kinds instead of coercing', () => {
    expect(issuesOf(() => columnFromArray('a', [1, 'x']))).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "mixed value kinds: number then string; pass an explicit dtype or clean the data",
            "path": [
              1,
            ],
          },
        ],
        "message": "cannot infer a dtype for "a"",
      }
    `)
    expect(issuesOf(() => columnFromArray('a', [{}]))).toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "unsupported value: object",
            "path": [
              0,
            ],
          },
        ],
        "message": "cannot infer a dtype for "a"",
      }
    `)
  })

  it('reports each kind of bad value with its first row', () => {
    expect(issuesOf(() => columnFromArray('n', [1, 2.5, 'x', 2 ** 31, 'y'], 'i32')))
      .toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "expected an integer in the int32 range (2 value(s); first 2.5)",
            "path": [
              1,
            ],
          },
          {
            "code": "invalid_type",
            "message": "expected a number for i32 (2 value(s); first "x")",
            "path": [
              2,
            ],
          },
        ],
        "message": "cannot build i32 column "n"",
      }
    `)
    expect(issuesOf(() => columnFromArray('t', [new Date(NaN), 2n ** 60n], 'ts')))
      .toMatchInlineSnapshot(`
      {
        "issues": [
          {
            "code": "invalid_type",
            "message": "expected a valid date (1 value(s); first an invalid Date)",
            "path": [
              0,
            ],
          },
          {
            "code": "invalid_type",
            "message": "expected a Date or epoch milliseconds (1 value(s); first bigint 1152921504606846976)",
            "path": [
              1,
            ],
          },
        ],
        "message": "cannot build ts column "t"",
      }
    `)
    expect(() => columnFromArray('b', [1], 'bool')).toThrow(ValidationError)
    expect(() => columnFromArray('s', [1], 'str')).toThrow(ValidationError)
    expect(() => columnFromArray('f', [2n ** 60n], 'f64')).toThrow(ValidationError)
  })

  it('never mutates its input', () => {
    const input = Object.freeze([3, null, 1])
    columnFromArray('a', input, 'i32')
    expect(input).toEqual([3, null, 1])
  })
})

describe('toCategorical', () => {
  it('sorts categories by code unit, not first-seen order or locale', () => {
    const cat = toCategorical(str('c', ['b', 'B', 'é', 'a', null, 'b']))
    expect(cat.categories).toEqual(['B', 'a', 'b', 'é'])
    expect(Array.from(cat.values)).toEqual([2, 0, 3, 1, -1, 2])
    expect(isMissing(cat, 4)).toBe(true)
  })

  it('uses a fixed category list when given one', () => {
    const cat = toCategorical(str('c', ['y', 'x']), { categories: ['x', 'y', 'z'] })
    expect(Array.from(cat.values)).toEqual([1, 0])
    expect(cat.categories).toEqual(['x', 'y', 'z'])
  })

  it('recodes a cat column to a new list, and returns it unchanged otherwise', () => {
    const cat = toCategorical(str('c', ['y', 'x']))
    expect(toCategorical(cat)).toBe(cat)
    const recoded = toCategorical(cat, { categories: ['y', 'x'] })
    expect(cells(recoded)).toEqual(['y', 'x'])
    expect(Array.from(recoded.values)).toEqual([0, 1])
  })

  it('rejects unknown labels and duplicate categories', () => {
    expect(issuesOf(() => toCategorical(str('c', ['a', 'q', 'q']), { categories: ['a', 'a'] })))
      .toMatchInlineSnapshot(`
        {
          "issues": [
            {
              "code": "duplicate",
              "message": "duplicate category "a"",
              "path": [
                "categories",
                1,
              ],
            },
            {
              "code": "unknown_category",
              "message": "2 value(s) not in categories, first "q"",
              "path": [
                "values",
                1,
              ],
            },
          ],
          "message": "cannot make "c" categorical",
        }
      `)
  })
})
