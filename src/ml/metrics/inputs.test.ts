import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { columnFromArray, createColumn, createFrame } from '../../frame/index.js'

import { readNumbers, readProba } from './inputs.js'
import { encodeLabels, findLabel, resolvePosLabel, sortLabels } from './labels.js'

describe('encodeLabels', () => {
  it('sorts the union of labels like numpy.unique and codes each vector', () => {
    const e = encodeLabels([
      { input: [3, 1, 10], path: 'a' },
      { input: Float64Array.of(2, 10, -0), path: 'b' },
    ])
    expect(e.classes).toEqual([0, 1, 2, 3, 10])
    expect(Array.from(e.codes[0]!)).toEqual([3, 1, 4])
    expect(Array.from(e.codes[1]!)).toEqual([2, 4, 0])
  })

  it('honours an explicit label order and marks other labels -1', () => {
    const e = encodeLabels([{ input: ['b', 'c', 'a'], path: 'y' }], ['c', 'a', 'z'])
    expect(e.classes).toEqual(['c', 'a', 'z'])
    expect(Array.from(e.codes[0]!)).toEqual([-1, 0, 1])
    expect(() => encodeLabels([{ input: ['a'], path: 'y' }], ['a', 'a'])).toThrow(/duplicates/)
  })

  it('reads cat columns by category value and bool columns as booleans', () => {
    const cat = createColumn({
      name: 'c',
      dtype: 'cat',
      values: Int32Array.of(2, 0, 2),
      categories: ['x', 'unused', 'w'],
    })
    expect(encodeLabels([{ input: cat, path: 'y' }]).classes).toEqual(['w', 'x'])
    const b = columnFromArray('b', [true, true], 'bool')
    expect(encodeLabels([{ input: b, path: 'y' }]).classes).toEqual([true])
    expect(
      encodeLabels([
        { input: b, path: 'y' },
        { input: [0], path: 'p' },
      ]).classes,
    ).toEqual([0, 1])
  })

  it('rejects timestamps, missing values and non-finite labels', () => {
    const ts = createColumn({ name: 't', dtype: 'ts', values: Float64Array.of(0) })
    expect(() => encodeLabels([{ input: ts, path: 'yTrue' }])).toThrow(ValidationError)
    expect(() => encodeLabels([{ input: [1, Infinity], path: 'yTrue' }])).toThrow(/non-finite/)
    expect(() => encodeLabels([{ input: [1, null] as never, path: 'yTrue' }])).toThrow(/missing/)
  })
})

describe('labels and positive class', () => {
  it('finds labels by value and sorts them', () => {
    expect(findLabel([false, true], 1)).toBe(1)
    expect(findLabel([0, 1], '1')).toBe(1)
    expect(findLabel(['a', 'b'], 'c')).toBe(-1)
    expect(sortLabels([10, 9, 1])).toEqual([1, 9, 10])
    expect(sortLabels(['b', 'B', 'a'])).toEqual(['B', 'a', 'b'])
  })

  it('infers posLabel 1 only for {0, 1} and {-1, 1} labels', () => {
    expect(resolvePosLabel([0, 1], undefined)).toBe(1)
    expect(resolvePosLabel([-1, 1], undefined)).toBe(1)
    expect(resolvePosLabel([false, true], undefined)).toBe(1)
    expect(resolvePosLabel([0], undefined)).toBe(-1)
    expect(() => resolvePosLabel([1, 2], undefined)).toThrow(/pass posLabel/)
    expect(resolvePosLabel(['no', 'yes'], 'yes')).toBe(1)
  })
})

describe('readNumbers and readProba', () => {
  it('reads numeric columns and rejects other dtypes', () => {
    const b = columnFromArray('b', [true, false], 'bool')
    expect(Array.from(readNumbers(b, 's'))).toEqual([1, 0])
    expect(() => readNumbers(columnFromArray('s', ['a']), 's')).toThrow(/must be numeric/)
    expect(() => readNumbers([1, 'a'] as never, 's')).toThrow(/must hold numbers/)
  })

  it('maps Frame column names back to labels and reads column-major matrices', () => {
    const f = createFrame([
      createColumn({ name: '10', dtype: 'f64', values: Float64Array.of(0.25, 0.5) }),
      createColumn({ name: '2', dtype: 'f64', values: Float64Array.of(0.75, 0.5) }),
    ])
    const p = readProba(f, 'proba', [2, 10])
    expect(p.labels).toEqual([10, 2])
    expect(Array.from(p.data)).toEqual([0.25, 0.75, 0.5, 0.5])
    const m = readProba({ data: [1, 2, 3, 4], nRows: 2, nCols: 2, layout: 'col' }, 'proba', [0, 1])
    expect(Array.from(m.data)).toEqual([1, 3, 2, 4])
    expect(() => readProba({ data: [1, 2], nRows: 1, nCols: 2 }, 'proba', [0, 1, 2])).toThrow(
      /3 classes/,
    )
  })
})
