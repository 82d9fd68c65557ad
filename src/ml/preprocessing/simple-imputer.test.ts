import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { SimpleImputer, loadSimpleImputer } from './index.js'

function issuesOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('checkEstimator', () => {
  for (const strategy of ['mean', 'median', 'most_frequent', 'constant'] as const) {
    describe(`simple-imputer ${strategy}`, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make: () => new SimpleImputer({ strategy, addIndicator: true }),
        load: loadSimpleImputer,
        missing: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
  describe('simple-imputer on cat and str columns', () => {
    const n = 30
    const X = createFrame([
      createColumn({
        name: 'c',
        dtype: 'cat',
        values: Int32Array.from({ length: n }, (_, i) => i % 3),
        categories: ['x', 'y', 'z'],
        validity: Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1)),
      }),
      createColumn({
        name: 's',
        dtype: 'str',
        values: Array.from({ length: n }, (_, i) => `v${i % 2}`),
      }),
    ])
    for (const c of estimatorChecks({
      task: 'transform',
      make: () => new SimpleImputer({ strategy: 'most_frequent', addIndicator: true }),
      load: loadSimpleImputer,
      data: { X },
      unseenCategory: 'handle',
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
})

const numeric = (values: number[], validity?: number[]): Frame =>
  createFrame([
    createColumn({
      name: 'a',
      dtype: 'f64',
      values: Float64Array.from(values),
      validity: validity === undefined ? undefined : Uint8Array.from(validity),
    }),
  ])

describe('SimpleImputer', () => {
  it('treats NaN values and missing rows alike', () => {
    const X = numeric([1, NaN, 3, 100], [1, 1, 1, 0])
    const m = new SimpleImputer({ addIndicator: true }).fit(X)
    expect(m.numericFill[0]).toBe(2)
    const out = m.transform(X)
    expect(out.columns.map((c) => c.name)).toEqual(['a', 'missingindicator_a'])
    expect(Array.from(out.column('a').values as Float64Array)).toEqual([1, 2, 3, 2])
    expect(out.column('a').validity).toBeUndefined()
    expect(Array.from(out.column('missingindicator_a').values as Uint8Array)).toEqual([0, 1, 0, 1])
  })
  it('breaks most_frequent ties toward the smallest value', () => {
    expect(
      new SimpleImputer({ strategy: 'most_frequent' }).fit(numeric([3, 1, 3, 1, 2])).numericFill[0],
    ).toBe(1)
    const s = createFrame([createColumn({ name: 's', dtype: 'str', values: ['b', 'a', 'b', 'a'] })])
    expect(new SimpleImputer({ strategy: 'most_frequent' }).fit(s).textFill[0]).toBe('a')
  })
  it('adds a constant to the categories of a cat column', () => {
    const X = createFrame([
      createColumn({
        name: 'c',
        dtype: 'cat',
        values: Int32Array.of(0, 0, 1),
        categories: ['x', 'y'],
        validity: Uint8Array.of(1, 0, 1),
      }),
    ])
    const out = new SimpleImputer({ strategy: 'constant', fillValue: 'z' })
      .fit(X)
      .transform(X)
      .column('c')
    expect(out.dtype).toBe('cat')
    if (out.dtype !== 'cat') return
    expect(out.categories).toEqual(['x', 'y', 'z'])
    expect(Array.from(out.values)).toEqual([0, 2, 1])
  })
  it('drops a column with no values and says so', () => {
    const X = createFrame([
      createColumn({ name: 'a', dtype: 'f64', values: Float64Array.of(1, 2) }),
      createColumn({ name: 'b', dtype: 'f64', values: Float64Array.of(NaN, NaN) }),
    ])
    const m = new SimpleImputer().fit(X)
    expect(m.outputNames).toEqual(['a'])
    expect(m.diagnostics.warnings).toEqual([
      'column "b" has no value to compute the mean; it is dropped',
    ])
    expect(
      new SimpleImputer({ keepEmptyFeatures: true }).fit(X).transform(X).column('b').values,
    ).toEqual(Float64Array.of(0, 0))
  })
  it('rejects mean on text, a text fill for numbers, and infinity', () => {
    const s = createFrame([createColumn({ name: 's', dtype: 'str', values: ['a'] })])
    expect(issuesOf(() => new SimpleImputer().fit(s))).toEqual([
      'params.strategy: mean needs numeric columns, "s" is str (use most_frequent or constant)',
    ])
    expect(
      issuesOf(() => new SimpleImputer({ strategy: 'constant', fillValue: 'x' }).fit(numeric([1]))),
    ).toEqual(['params.fillValue: must be a number to fill the numeric column "a"'])
    expect(issuesOf(() => new SimpleImputer().fit(numeric([1, Infinity])))).toEqual([
      'X.a: column "a" has 1 infinite value(s), first at row 1',
    ])
  })
})
