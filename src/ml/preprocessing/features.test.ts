// Polynomial features, feature crosses and outlier clipping.
import { describe, expect, it } from 'vitest'

import { createRng } from '../../core/index.js'
import { createColumn, createFrame, type Frame } from '../../frame/index.js'
import { estimatorChecks } from '../checks/index.js'

import {
  FeatureCross,
  OutlierClipper,
  PolynomialFeatures,
  fnv1a32,
  loadFeatureCross,
  loadOutlierClipper,
  loadPolynomialFeatures,
} from './index.js'

function crossData(seed = 9): Frame {
  const rng = createRng(seed)
  const n = 60
  return createFrame([
    createColumn({
      name: 'city',
      dtype: 'cat',
      values: Int32Array.from({ length: n }, () => rng.int(3)),
      categories: ['Oslo', 'Lima', 'Pune'],
    }),
    createColumn({
      name: 'plan',
      dtype: 'str',
      values: Array.from({ length: n }, () => ['pro', 'free'][rng.int(2)]!),
    }),
    createColumn({
      name: 'tier',
      dtype: 'i32',
      values: Int32Array.from({ length: n }, () => rng.int(3)),
    }),
  ])
}

describe('checkEstimator', () => {
  describe('polynomial', () => {
    for (const c of estimatorChecks({
      task: 'transform',
      make: () => new PolynomialFeatures({ degree: 3 }),
      load: loadPolynomialFeatures,
      oneRow: 'fit',
    }))
      it(c.name, c.run)
  })
  for (const method of ['iqr', 'zscore'] as const) {
    describe(`outlier-clipper ${method}`, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make: () => new OutlierClipper({ method }),
        load: loadOutlierClipper,
        missing: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
  for (const nBuckets of [null, 16] as const) {
    describe(`feature-cross nBuckets ${String(nBuckets)}`, () => {
      for (const c of estimatorChecks({
        task: 'transform',
        make: () => new FeatureCross({ degree: 3, nBuckets }),
        load: loadFeatureCross,
        data: { X: crossData() },
        unseenCategory: 'handle',
        oneRow: 'fit',
      }))
        it(c.name, c.run)
    })
  }
})

const labels = (X: Frame, name: string): (string | null)[] => {
  const c = X.column(name)
  return Array.from({ length: c.length }, (_, i) =>
    c.validity !== undefined && c.validity[i] === 0
      ? null
      : c.dtype === 'cat'
        ? (c.categories[c.values[i]!] ?? '?')
        : String(c.values[i]),
  )
}

describe('PolynomialFeatures', () => {
  const X = createFrame([
    createColumn({ name: 'a', dtype: 'f64', values: Float64Array.of(2, 3) }),
    createColumn({ name: 'b', dtype: 'i32', values: Int32Array.of(5, 7) }),
  ])
  it('orders and names terms like sklearn', () => {
    const m = new PolynomialFeatures().fit(X)
    expect(m.outputNames).toEqual(['1', 'a', 'b', 'a^2', 'a b', 'b^2'])
    const out = m.transform(X)
    expect(out.columns.map((c) => c.values[1])).toEqual([1, 3, 7, 9, 21, 49])
  })
  it('keeps only interactions, and rejects an empty output', () => {
    expect(
      new PolynomialFeatures({ degree: 3, interactionOnly: true, includeBias: false }).fit(X)
        .outputNames,
    ).toEqual(['a', 'b', 'a b'])
    expect(() => new PolynomialFeatures({ degree: 0, includeBias: false }).fit(X)).toThrow(
      /no output column/,
    )
  })
})

describe('FeatureCross', () => {
  const X = createFrame([
    createColumn({
      name: 'c',
      dtype: 'str',
      values: ['x', 'y', 'x', 'z'],
      validity: Uint8Array.of(1, 1, 1, 0),
    }),
    createColumn({ name: 'd', dtype: 'bool', values: Uint8Array.of(1, 0, 1, 1) }),
    createColumn({ name: 'e', dtype: 'i32', values: Int32Array.of(1, 1, 2, 2) }),
  ])
  it('crosses every pair (and triple) with BigQuery-style names and values', () => {
    const m = new FeatureCross({ degree: 3 }).fit(X)
    expect(m.outputNames).toEqual(['c_d', 'c_e', 'd_e', 'c_d_e'])
    const out = m.transform(X)
    expect(labels(out, 'c_d')).toEqual(['x_true', 'y_false', 'x_true', null])
    expect(labels(out, 'c_d_e')).toEqual(['x_true_1', 'y_false_1', 'x_true_2', null])
    expect(m.categories[0]).toEqual(['x_true', 'y_false'])
  })
  it('keeps fitted category codes and appends new crosses', () => {
    const m = new FeatureCross().fit(X)
    const Xn = createFrame([
      createColumn({ name: 'c', dtype: 'str', values: ['w', 'y'] }),
      createColumn({ name: 'd', dtype: 'bool', values: Uint8Array.of(1, 0) }),
      createColumn({ name: 'e', dtype: 'i32', values: Int32Array.of(1, 1) }),
    ])
    const col = m.transform(Xn).column('c_d')
    expect(col.dtype === 'cat' && col.categories).toEqual(['x_true', 'y_false', 'w_true'])
    expect(Array.from(col.values as Int32Array)).toEqual([2, 1])
  })
  it('hashes crosses into stable buckets', () => {
    const out = new FeatureCross({ nBuckets: 1000 }).fit(X).transform(X)
    const col = out.column('c_d')
    expect(col.dtype).toBe('i32')
    expect(col.values[0]).toBe(fnv1a32('x_true') % 1000)
    expect(fnv1a32('')).toBe(2166136261)
    expect(fnv1a32('a')).toBe(0xe40c292c)
  })
  it('needs two columns', () => {
    expect(() => new FeatureCross().fit(X.select(['c']))).toThrow(/at least 2 columns/)
  })
})

describe('OutlierClipper', () => {
  const X = createFrame([
    createColumn({ name: 'x', dtype: 'f64', values: Float64Array.of(1, 2, 3, 4, 100) }),
  ])
  it('clips to Tukey fences', () => {
    const m = new OutlierClipper().fit(X)
    expect([m.lower[0], m.upper[0]]).toEqual([-1, 7])
    expect(Array.from(m.transform(X).column('x').values as Float64Array)).toEqual([1, 2, 3, 4, 7])
  })
  it('clips to z-score limits', () => {
    const m = new OutlierClipper({ method: 'zscore', threshold: 1 }).fit(X)
    const mean = 22
    const sd = Math.sqrt((21 ** 2 + 20 ** 2 + 19 ** 2 + 18 ** 2 + 78 ** 2) / 5)
    expect(m.upper[0]).toBeCloseTo(mean + sd, 12)
  })
})
