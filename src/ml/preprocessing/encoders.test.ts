import { describe, expect, it } from 'vitest'

import { ValidationError, createRng } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import { OneHotEncoder, OrdinalEncoder, loadOneHotEncoder, loadOrdinalEncoder } from './index.js'

/** 60 rows: a cat, a str, an i32 and a bool column (no f64, so encoders take all of them). */
function categoricalData(seed = 5): Frame {
  const rng = createRng(seed)
  const n = 60
  return createFrame([
    createColumn({
      name: 'color',
      dtype: 'cat',
      values: Int32Array.from({ length: n }, () => rng.int(3)),
      categories: ['red', 'green', 'blue'],
    }),
    createColumn({
      name: 'size',
      dtype: 'str',
      values: Array.from({ length: n }, () => ['S', 'M', 'L', 'XL'][rng.int(4)]!),
    }),
    createColumn({
      name: 'n',
      dtype: 'i32',
      values: Int32Array.from({ length: n }, () => rng.int(5) - 1),
    }),
    createColumn({
      name: 'flag',
      dtype: 'bool',
      values: Uint8Array.from({ length: n }, () => rng.int(2)),
    }),
  ])
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
  const X = categoricalData()
  const specs = [
    ['one-hot error', () => new OneHotEncoder(), loadOneHotEncoder, 'error'],
    [
      'one-hot infrequent_if_exist',
      () =>
        new OneHotEncoder({
          handleUnknown: 'infrequent_if_exist',
          maxCategories: 3,
          drop: 'if_binary',
        }),
      loadOneHotEncoder,
      'handle',
    ],
    ['ordinal error', () => new OrdinalEncoder(), loadOrdinalEncoder, 'error'],
    [
      'ordinal use_encoded_value',
      () => new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }),
      loadOrdinalEncoder,
      'handle',
    ],
  ] as const
  for (const [name, make, load, unseen] of specs) {
    describe(name, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make,
        load,
        data: { X },
        unseenCategory: unseen,
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
})

const colors = (values: (string | null)[]): Frame =>
  createFrame([
    createColumn({
      name: 'c',
      dtype: 'str',
      values: values.map((v) => v ?? ''),
      validity: Uint8Array.from(values, (v) => (v === null ? 0 : 1)),
    }),
  ])

function rows(X: Frame): number[][] {
  return Array.from({ length: X.nRows }, (_, i) => X.columns.map((c) => Number(c.values[i])))
}

describe('OneHotEncoder', () => {
  const X = colors(['b', 'a', 'c', 'a', null, 'a', 'b'])
  it('sorts categories, puts missing last and names outputs like sklearn', () => {
    const m = new OneHotEncoder().fit(X)
    expect(m.outputNames).toEqual(['c_a', 'c_b', 'c_c', 'c_nan'])
    expect(rows(m.transform(X))[4]).toEqual([0, 0, 0, 1])
  })
  it('groups infrequent categories and maps unknowns to them', () => {
    const m = new OneHotEncoder({ minFrequency: 2, handleUnknown: 'infrequent_if_exist' }).fit(X)
    expect(m.outputNames).toEqual(['c_a', 'c_b', 'c_infrequent_sklearn'])
    expect(rows(m.transform(colors(['c', 'z', 'a'])))).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [1, 0, 0],
    ])
  })
  it('reports unknown categories with handleUnknown error', () => {
    const m = new OneHotEncoder().fit(X)
    expect(issuesOf(() => m.transform(colors(['z', 'y', 'z'])))).toEqual([
      'X.c: column "c" has 3 row(s) with categories fit never saw (z, y)',
    ])
  })
  it('drops the first column, or only of binary features', () => {
    expect(new OneHotEncoder({ drop: 'first' }).fit(X).outputNames).toEqual(['c_b', 'c_c', 'c_nan'])
    const binary = colors(['x', 'y', 'x'])
    expect(new OneHotEncoder({ drop: 'if_binary' }).fit(binary).outputNames).toEqual(['c_y'])
    expect(new OneHotEncoder({ drop: 'if_binary' }).fit(X).outputNames).toHaveLength(4)
  })
  it('rejects f64 columns and bad minFrequency', () => {
    const f = createFrame([
      createColumn({ name: 'x', dtype: 'f64', values: Float64Array.of(1, 2) }),
    ])
    expect(issuesOf(() => new OneHotEncoder().fit(f))[0]).toMatch(/^X\.x: column "x" is f64/)
    expect(issuesOf(() => new OneHotEncoder({ minFrequency: 1.5 }).fit(X))).toEqual([
      'params.minFrequency: must be an integer ≥ 1 (a count) or in (0, 1) (a fraction)',
    ])
  })
  it('encodes i32 against categories fitted on bool', () => {
    const b = createFrame([createColumn({ name: 'f', dtype: 'bool', values: Uint8Array.of(0, 1) })])
    const m = new OneHotEncoder().fit(b)
    expect(m.outputNames).toEqual(['f_False', 'f_True'])
    const i = createFrame([createColumn({ name: 'f', dtype: 'i32', values: Int32Array.of(1, 0) })])
    expect(rows(m.transform(i))).toEqual([
      [0, 1],
      [1, 0],
    ])
  })
})

describe('OrdinalEncoder', () => {
  const X = colors(['b', 'a', null, 'c'])
  it('codes categories in sorted order and keeps missing rows missing', () => {
    const out = new OrdinalEncoder().fit(X).transform(X).column('c')
    expect(Array.from(out.values as Float64Array)).toEqual([1, 0, NaN, 2])
    expect(out.validity).toEqual(Uint8Array.of(1, 1, 0, 1))
  })
  it('uses unknownValue and encodedMissingValue', () => {
    const m = new OrdinalEncoder({
      handleUnknown: 'use_encoded_value',
      unknownValue: -1,
      encodedMissingValue: -2,
    }).fit(X)
    expect(rows(m.transform(colors(['z', null, 'a'])))).toEqual([[-1], [-2], [0]])
  })
  it('rejects codes that collide with a category and a missing unknownValue', () => {
    expect(
      issuesOf(() =>
        new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: 1 }).fit(X),
      ),
    ).toEqual(['params.unknownValue: 1 is a category code of "c"'])
    expect(
      issuesOf(() => new OrdinalEncoder({ handleUnknown: 'use_encoded_value' }).fit(X)),
    ).toEqual([
      'params.unknownValue: required when handleUnknown is use_encoded_value (an integer or null)',
    ])
  })
})
