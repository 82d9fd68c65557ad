import { describe, expect, it } from 'vitest'

import { ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { TargetEncoder, loadTargetEncoder } from './index.js'

function data(seed = 3): { X: Frame; yBinary: Column; yContinuous: Column; yMulti: Column } {
  const rng = createRng(seed)
  const n = 60
  const city = Int32Array.from({ length: n }, () => rng.int(4))
  const X = createFrame([
    createColumn({ name: 'city', dtype: 'cat', values: city, categories: ['a', 'b', 'c', 'd'] }),
    createColumn({
      name: 'plan',
      dtype: 'str',
      values: Array.from({ length: n }, () => ['x', 'y'][rng.int(2)]!),
    }),
    createColumn({
      name: 'n',
      dtype: 'i32',
      values: Int32Array.from({ length: n }, () => rng.int(3)),
    }),
  ])
  return {
    X,
    yBinary: createColumn({
      name: 'y',
      dtype: 'str',
      values: Array.from(city, (c) => (rng.float() < 0.2 + 0.2 * c ? 'yes' : 'no')),
    }),
    yContinuous: createColumn({
      name: 'y',
      dtype: 'f64',
      values: Float64Array.from(city, (c) => c * 1.5 + rng.normal()),
    }),
    yMulti: createColumn({
      name: 'y',
      dtype: 'cat',
      values: Int32Array.from({ length: n }, () => rng.int(3)),
      categories: ['lo', 'mid', 'hi'],
    }),
  }
}

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
  const d = data()
  for (const [name, y] of [
    ['binary', d.yBinary],
    ['continuous', d.yContinuous],
    ['multiclass', d.yMulti],
  ] as const) {
    describe(`target-encoder ${name}`, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make: () => new TargetEncoder({ seed: 4 }),
        load: loadTargetEncoder,
        data: { X: d.X, y },
        unseenCategory: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
})

describe('TargetEncoder', () => {
  const d = data()
  it('names multiclass outputs <column>_<class>, feature-major', () => {
    const m = new TargetEncoder().fit(d.X, d.yMulti)
    expect(m.targetType).toBe('multiclass')
    expect(m.outputNames.slice(0, 4)).toEqual(['city_hi', 'city_lo', 'city_mid', 'plan_hi'])
  })
  it('cross-fits: a category seen once is encoded without its own target', () => {
    const X = createFrame([
      createColumn({ name: 'c', dtype: 'str', values: ['solo', 'a', 'a', 'b', 'b', 'a'] }),
    ])
    const y = createColumn({ name: 'y', dtype: 'f64', values: Float64Array.of(100, 1, 2, 3, 4, 5) })
    const est = new TargetEncoder({ smooth: 0, cv: 3, shuffle: false, targetType: 'continuous' })
    const { model, output } = est.fitTransform(X, y)
    // fit/transform uses the row's own target; the cross-fitted value is the other folds' mean.
    expect(model.transform(X).column('c').values[0]).toBe(100)
    expect(output.column('c').values[0]).toBe((2 + 3 + 4 + 5) / 4)
  })
  it('gives the same cross-fitted output for the same seed, another for another seed', () => {
    const a = new TargetEncoder({ seed: 1 }).fitTransform(d.X, d.yContinuous).output
    const b = new TargetEncoder({ seed: 1 }).fitTransform(d.X, d.yContinuous).output
    const c = new TargetEncoder({ seed: 2 }).fitTransform(d.X, d.yContinuous).output
    expect(a.column('city').values).toEqual(b.column('city').values)
    expect(a.column('city').values).not.toEqual(c.column('city').values)
  })
  it('encodes unknown categories with the target mean', () => {
    const m = new TargetEncoder().fit(d.X, d.yContinuous)
    const Xu = createFrame([
      createColumn({ name: 'city', dtype: 'cat', values: Int32Array.of(0), categories: ['zz'] }),
      createColumn({ name: 'plan', dtype: 'str', values: ['x'] }),
      createColumn({ name: 'n', dtype: 'i32', values: Int32Array.of(99) }),
    ])
    const out = m.transform(Xu)
    expect(out.column('city').values[0]).toBe(m.targetMean[0])
    expect(out.column('n').values[0]).toBe(m.targetMean[0])
  })
  it('infers the target type like sklearn', () => {
    const ints = createColumn({
      name: 'y',
      dtype: 'i32',
      values: Int32Array.from({ length: 60 }, (_, i) => i % 2),
    })
    expect(new TargetEncoder().fit(d.X, ints).targetType).toBe('binary')
    expect(new TargetEncoder().fit(d.X, d.yContinuous).targetType).toBe('continuous')
    expect(new TargetEncoder().fit(d.X, d.yBinary).classes).toEqual(['no', 'yes'])
  })
  it('rejects a missing y, too few rows for cv and a binary type with three classes', () => {
    expect(issuesOf(() => new TargetEncoder().fit(d.X))).toEqual(['y: y is required'])
    expect(
      issuesOf(() =>
        new TargetEncoder({ cv: 5 }).fitTransform(
          d.X.slice(0, 3),
          createFrame([d.yBinary]).slice(0, 3).columns[0],
        ),
      ),
    ).toEqual(['params.cv: 5 folds need at least 5 rows, got 3'])
    expect(issuesOf(() => new TargetEncoder({ targetType: 'binary' }).fit(d.X, d.yMulti))).toEqual([
      'params.targetType: binary needs at most 2 classes, y has 3',
    ])
  })
})
