import { describe, expect, it } from 'vitest'

import { NotFoundError, PlatformError, ValidationError } from '../core/index.js'

import { columnFromArray } from './column-from-array.js'
import { createColumn, isMissing, type Column } from './column.js'
import { Frame, createFrame } from './frame.js'
import { framesEqual } from './frames-equal.js'

function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return { code: err.code, message: err.message, issues: err.issues }
    if (err instanceof PlatformError)
      return { code: err.code, message: err.message, details: err.details }
    throw err
  }
  throw new Error('expected a PlatformError')
}

const sample = (): Frame =>
  createFrame([
    columnFromArray('age', [31, null, 45, 22]),
    columnFromArray('city', ['Oslo', 'Lima', null, 'Oslo'], 'cat'),
    columnFromArray('ok', [true, false, true, null]),
    columnFromArray('note', ['a', 'b', 'c', 'd']),
    columnFromArray('at', [new Date(Date.UTC(2024, 0, 1)), null, 0, 1.5], 'ts'),
  ])

describe('createFrame', () => {
  it('builds a frozen frame with names, columns and a schema', () => {
    const X = sample()
    expect(X.nRows).toBe(4)
    expect(X.nColumns).toBe(5)
    expect(X.names).toEqual(['age', 'city', 'ok', 'note', 'at'])
    expect(Object.isFrozen(X)).toBe(true)
    expect(Object.isFrozen(X.columns)).toBe(true)
    expect(X.schema()).toMatchInlineSnapshot(`
      [
        {
          "dtype": "f64",
          "name": "age",
          "nullable": true,
        },
        {
          "categories": [
            "Lima",
            "Oslo",
          ],
          "dtype": "cat",
          "name": "city",
          "nullable": true,
        },
        {
          "dtype": "bool",
          "name": "ok",
          "nullable": true,
        },
        {
          "dtype": "str",
          "name": "note",
          "nullable": false,
        },
        {
          "dtype": "ts",
          "name": "at",
          "nullable": true,
        },
      ]
    `)
    expect(Frame.fromColumns(X.columns).names).toEqual(X.names)
  })

  it('reports duplicate names, length mismatches and invalid columns together', () => {
    const literal = {
      name: 'raw',
      dtype: 'bool',
      length: 2,
      values: new Uint8Array([1, 5]),
    } satisfies Column
    const columns = [
      columnFromArray('a', [1, 2]),
      columnFromArray('a', [1, 2]),
      columnFromArray('b', [1]),
      literal,
    ]
    expect(errorOf(() => createFrame(columns))).toMatchInlineSnapshot(`
      {
        "code": "INVALID_ARGUMENT",
        "issues": [
          {
            "code": "duplicate",
            "message": "duplicate column name "a" (first at 0)",
            "path": [
              "columns",
              1,
              "name",
            ],
          },
          {
            "code": "length_mismatch",
            "message": "column "b" has 1 rows, expected 2 (from column "a")",
            "path": [
              "columns",
              2,
            ],
          },
          {
            "code": "invalid_value",
            "message": "1 bool value(s) are not 0 or 1",
            "path": [
              "columns",
              3,
              "values",
              1,
            ],
          },
        ],
        "message": "invalid frame",
      }
    `)
  })

  it('validates and seals hand-built column objects', () => {
    const literal = {
      name: 'x',
      dtype: 'f64',
      length: 2,
      values: new Float64Array(2),
    } satisfies Column
    const X = createFrame([literal])
    expect(Object.isFrozen(X.column('x'))).toBe(true)
    expect(X.column('x').values).toBe(literal.values)
  })

  it('handles 0 columns (with or without rows) and 0 rows', () => {
    expect(createFrame([]).nRows).toBe(0)
    expect(createFrame([], { nRows: 3 }).slice(1).nRows).toBe(2)
    expect(createFrame([], { nRows: 3 }).toRows()).toEqual([{}, {}, {}])
    const empty = createFrame([columnFromArray('a', [])])
    expect(empty.nRows).toBe(0)
    expect(empty.toRows()).toEqual([])
    expect(empty.take([]).nRows).toBe(0)
    expect(empty.filter(new Uint8Array(0)).nRows).toBe(0)
    expect(() => createFrame([], { nRows: -1 })).toThrow(ValidationError)
    expect(() => createFrame([columnFromArray('a', [1])], { nRows: 2 })).toThrow(ValidationError)
  })
})

describe('column lookup', () => {
  it('column() throws NotFoundError listing names; findColumn() returns undefined', () => {
    const X = sample()
    expect(X.findColumn('nope')).toBeUndefined()
    expect(X.has('age')).toBe(true)
    expect(errorOf(() => X.column('nope'))).toMatchInlineSnapshot(`
      {
        "code": "NOT_FOUND",
        "details": {
          "available": [
            "age",
            "city",
            "ok",
            "note",
            "at",
          ],
          "missing": [
            "nope",
          ],
        },
        "message": "no column "nope"; available: "age", "city", "ok", "note", "at"",
      }
    `)
    expect(() => X.column('nope', 'f64')).toThrow(NotFoundError)
  })

  it('column(name, dtype) checks and narrows the dtype', () => {
    const X = sample()
    const age: Float64Array = X.column('age', 'f64').values
    expect(age[0]).toBe(31)
    expect(X.column('city', 'cat').categories).toEqual(['Lima', 'Oslo'])
    expect(errorOf(() => X.column('age', 'i32'))).toMatchInlineSnapshot(`
      {
        "code": "INVALID_ARGUMENT",
        "issues": [
          {
            "code": "invalid_dtype",
            "message": "expected i32, got f64",
            "path": [
              "age",
            ],
          },
        ],
        "message": "column "age" is f64, expected i32",
      }
    `)
  })

  it('truncates long name lists in messages', () => {
    const X = createFrame(Array.from({ length: 25 }, (_, i) => columnFromArray(`c${i}`, [i])))
    expect(() => X.column('zz')).toThrow(/"c19", … 5 more$/)
  })
})

describe('select, drop, rename, withColumn', () => {
  it('select keeps the given order and the same column objects', () => {
    const X = sample()
    const Y = X.select(['note', 'age'])
    expect(Y.names).toEqual(['note', 'age'])
    expect(Y.column('age')).toBe(X.column('age'))
    expect(Y.nRows).toBe(4)
    expect(X.select([]).nRows).toBe(4)
  })

  it('select rejects unknown and repeated names', () => {
    const X = sample()
    expect(() => X.select(['age', 'x', 'y'])).toThrow(NotFoundError)
    expect(() => X.select(['age', 'x', 'y'])).toThrow(/no column "x", "y"/)
    expect(errorOf(() => X.select(['age', 'age']))).toMatchInlineSnapshot(`
      {
        "code": "INVALID_ARGUMENT",
        "issues": [
          {
            "code": "duplicate",
            "message": ""age" selected twice",
            "path": [
              1,
            ],
          },
        ],
        "message": "invalid selection",
      }
    `)
  })

  it('drop removes columns and rejects unknown names', () => {
    const X = sample()
    expect(X.drop(['city', 'at']).names).toEqual(['age', 'ok', 'note'])
    expect(X.drop(['age']).column('note')).toBe(X.column('note'))
    expect(() => X.drop(['nope'])).toThrow(NotFoundError)
  })

  it('rename shares storage, supports swaps and Maps, and rejects collisions', () => {
    const X = sample()
    const Y = X.rename({ age: 'years', note: 'memo' })
    expect(Y.names).toEqual(['years', 'city', 'ok', 'memo', 'at'])
    expect(Y.column('years').values).toBe(X.column('age').values)
    expect(
      X.rename(
        new Map([
          ['age', 'ok'],
          ['ok', 'age'],
        ]),
      ).names,
    ).toEqual(['ok', 'city', 'age', 'note', 'at'])
    expect(() => X.rename({ nope: 'x' })).toThrow(NotFoundError)
    expect(() => X.rename({ age: 'city' })).toThrow(ValidationError)
    const odd = createFrame([columnFromArray('__proto__', [1])])
    expect(odd.rename(new Map([['__proto__', 'p']])).names).toEqual(['p'])
    expect(odd.rename(JSON.parse('{"__proto__":"q"}') as Record<string, string>).names).toEqual([
      'q',
    ])
  })

  it('withColumn replaces in place or appends, checking length', () => {
    const X = sample()
    const replaced = X.withColumn(columnFromArray('age', [1, 2, 3, 4], 'i32'))
    expect(replaced.names).toEqual(X.names)
    expect(replaced.column('age').dtype).toBe('i32')
    expect(X.withColumn(columnFromArray('new', [1, 2, 3, 4])).names.at(-1)).toBe('new')
    expect(() => X.withColumn(columnFromArray('new', [1]))).toThrow(ValidationError)
    expect(createFrame([]).withColumn(columnFromArray('a', [1, 2])).nRows).toBe(2)
  })
})

describe('row operations', () => {
  it('slice is zero-copy with Array.prototype.slice semantics', () => {
    const X = sample()
    const Y = X.slice(1, 3)
    expect(Y.nRows).toBe(2)
    expect(Y.column('age', 'f64').values.buffer).toBe(X.column('age', 'f64').values.buffer)
    expect(Y.toRows()).toEqual(X.toRows().slice(1, 3))
    expect(X.slice(-1).nRows).toBe(1)
    expect(X.slice(3, 1).nRows).toBe(0)
    expect(X.slice(2, 100).nRows).toBe(2)
    expect(X.slice().nRows).toBe(4)
    expect(X.head(2).toRows()).toEqual(X.toRows(2))
    expect(X.head(99).nRows).toBe(4)
  })

  it('slice drops a validity mask when the slice has no missing rows', () => {
    const X = sample()
    expect(X.slice(0, 1).column('age').validity).toBeUndefined()
    expect(X.slice(1, 2).column('age').validity).toBeDefined()
  })

  it('take gathers rows (repeats allowed) preserving dtype, categories and missingness', () => {
    const X = sample()
    for (const indices of [[3, 1, 1], new Int32Array([3, 1, 1]), new Uint32Array([3, 1, 1])]) {
      const Y = X.take(indices)
      expect(Y.toRows()).toEqual([X.toRows()[3], X.toRows()[1], X.toRows()[1]])
      expect(Y.column('city', 'cat').categories).toBe(X.column('city', 'cat').categories)
    }
    expect(isMissing(X.take([1]).column('age'), 0)).toBe(true)
  })

  it('take rejects out-of-range and non-integer indices', () => {
    expect(errorOf(() => sample().take([0, 4, -1, 1.5]))).toMatchInlineSnapshot(`
      {
        "code": "INVALID_ARGUMENT",
        "issues": [
          {
            "code": "out_of_range",
            "message": "3 index(es) not integers in [0, 4); first 4",
            "path": [
              "indices",
              1,
            ],
          },
        ],
        "message": "row index out of range",
      }
    `)
  })

  it('filter keeps rows where the mask is nonzero', () => {
    const X = sample()
    const Y = X.filter(new Uint8Array([0, 1, 0, 7]))
    expect(Y.toRows()).toEqual([X.toRows()[1], X.toRows()[3]])
    expect(() => X.filter(new Uint8Array(3))).toThrow(ValidationError)
  })

  it('toRows gives plain records: null for missing, labels, booleans and ISO timestamps', () => {
    expect(sample().toRows()).toMatchInlineSnapshot(`
      [
        {
          "age": 31,
          "at": "2024-01-01T00:00:00.000Z",
          "city": "Oslo",
          "note": "a",
          "ok": true,
        },
        {
          "age": null,
          "at": null,
          "city": "Lima",
          "note": "b",
          "ok": false,
        },
        {
          "age": 45,
          "at": "1970-01-01T00:00:00.000Z",
          "city": null,
          "note": "c",
          "ok": true,
        },
        {
          "age": 22,
          "at": "1970-01-01T00:00:00.001Z",
          "city": "Oslo",
          "note": "d",
          "ok": null,
        },
      ]
    `)
    expect(sample().toRows(1)).toHaveLength(1)
    expect(() => sample().toRows(-1)).toThrow(ValidationError)
  })

  it('toRows keeps odd column names as data', () => {
    const X = createFrame([columnFromArray('__proto__', [1]), columnFromArray('日本語 🎉', ['x'])])
    const [row] = X.toRows()
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.keys(row ?? {})).toEqual(['__proto__', '日本語 🎉'])
    expect(X.column('日本語 🎉').name).toBe('日本語 🎉')
  })
})

describe('edge cases', () => {
  it('one row and all-missing columns', () => {
    const X = createFrame([columnFromArray('a', [null]), columnFromArray('b', [null], 'cat')])
    expect(X.toRows()).toEqual([{ a: null, b: null }])
    expect(X.take([0, 0]).toRows()).toEqual([
      { a: null, b: null },
      { a: null, b: null },
    ])
    expect(X.schema().map((f) => f.nullable)).toEqual([true, true])
  })

  it('10,000 columns: construction, lookup and select stay fast (Map lookups)', () => {
    const values = new Float64Array(10)
    const columns = Array.from({ length: 10_000 }, (_, i) =>
      createColumn({ name: `f${i}`, dtype: 'f64', values }),
    )
    const started = performance.now()
    const X = createFrame(columns)
    const names = [...X.names].reverse()
    const Y = X.select(names)
    const Z = Y.drop(names.slice(0, 5000)).rename({ f0: 'zero' })
    for (const name of names) X.column(name)
    const elapsed = performance.now() - started
    expect(Y.names[0]).toBe('f9999')
    expect(Z.nColumns).toBe(5000)
    // Quadratic lookups would take seconds at this width; linear ones take milliseconds.
    expect(elapsed).toBeLessThan(1000)
  })

  it('frames compare by content', () => {
    const X = sample()
    expect(framesEqual(X, X.take([0, 1, 2, 3]))).toBe(true)
    expect(framesEqual(X, X.slice(1))).toBe(false)
    expect(framesEqual(X, X.rename({ age: 'x' }))).toBe(false)
  })
})
